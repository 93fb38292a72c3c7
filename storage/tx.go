package storage

import (
	"context"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// Atomically runs fn in one database transaction (BEGIN IMMEDIATE on
// SQLite): the writes fn makes through tx commit together when it returns
// nil, and none of them when it, or the commit, fails. The store methods tx
// offers are this Store's, bound to the transaction; the ones that open a
// transaction of their own run as a savepoint inside it. The catalog copy
// is cleared after the transaction ends, committed or not, so no replica
// keeps a row that was rolled back.
func (s *Store) Atomically(ctx context.Context, fn func(tx domain.SetupWriter) error) error {
	defer s.invalidateCatalog()
	return dbError("transaction", s.w.WithContext(ctx).Transaction(func(gtx *gorm.DB) error {
		tx := *s
		tx.w, tx.db = gtx, gtx
		if err := fn(&tx); err != nil {
			return err
		}
		if err := s.failCommit.Swap(nil); err != nil {
			return *err
		}
		return nil
	}))
}
