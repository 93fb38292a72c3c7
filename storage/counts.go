package storage

import (
	"context"
	"fmt"
)

// RowCounts returns how many rows each table of the schema holds (the
// migration library's own table left out), read in one transaction. Tests
// use it to check that a refused request wrote nothing anywhere, in tables
// that exist today and those added later.
func (s *Store) RowCounts(ctx context.Context) (map[string]int64, error) {
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'`
	if s.dialect == DialectPostgres {
		list = `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'goose_db_version'`
	}
	db := s.w.WithContext(ctx)
	var tables []string
	if err := db.Raw(list).Scan(&tables).Error; err != nil {
		return nil, dbError("list tables", err)
	}
	out := make(map[string]int64, len(tables))
	for _, t := range tables {
		var n int64
		if err := db.Raw(fmt.Sprintf(`SELECT count(*) FROM %q`, t)).Scan(&n).Error; err != nil {
			return nil, dbError("count "+t, err)
		}
		out[t] = n
	}
	return out, nil
}
