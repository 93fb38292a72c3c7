package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/frontdesk/frontdesk/storage"
)

// TestSQLiteFileIsPrivate (issue 16, finding 12): a new database file,
// and the write-ahead log beside it, are readable by their owner alone.
func TestSQLiteFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "frontdesk.db")
	s, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("stat %s: %v", p, err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(p), mode)
		}
	}
}
