package storagetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/storage"
)

// OpenReplicas returns n stores on one fresh, migrated database of engine,
// as n API replicas would have: each with its own pools and catalog copy.
// On SQLite they share one file (writes serialised by the file's lock).
func OpenReplicas(t testing.TB, engine Engine, n int) []*storage.Store {
	t.Helper()
	var dsn string
	switch engine {
	case SQLite:
		dsn = filepath.Join(t.TempDir(), "frontdesk.db")
	case Postgres:
		dsn = postgresFromTemplate(t)
	default:
		t.Fatalf("storagetest.OpenReplicas: unknown engine %q", engine)
	}
	out := make([]*storage.Store, n)
	for i := range out {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		s, err := storage.Open(ctx, dsn)
		cancel()
		if err != nil {
			t.Fatalf("storage.Open(%s) #%d: %v", engine, i, err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close %s store #%d: %v", engine, i, err)
			}
		})
		out[i] = s
	}
	return out
}
