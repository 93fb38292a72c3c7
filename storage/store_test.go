package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

func TestMigrateEmptyDatabase(t *testing.T) {
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := filepath.Join(t.TempDir(), "sub", "dir", "fresh.db") // parent directories are created
			if e == storagetest.Postgres {
				dsn = storagetest.PostgresDSN(t)
			}
			applied, err := storage.Migrate(ctx, dsn)
			if err != nil {
				t.Fatalf("Migrate(empty %s) = %v", e, err)
			}
			if len(applied) == 0 || applied[0] != "00001_init.sql" {
				t.Errorf("Migrate(empty %s) applied %v, want 00001_init.sql first", e, applied)
			}
			s, err := storage.Open(ctx, dsn)
			if err != nil {
				t.Fatalf("Open(migrated %s) = %v", e, err)
			}
			defer s.Close()
			if got := s.Applied(); len(got) != 0 {
				t.Errorf("second Open applied %v, want nothing", got)
			}
			current, newest, err := s.SchemaVersion(ctx)
			if err != nil || current != newest || newest < 1 {
				t.Errorf("SchemaVersion = %d, %d, %v; want the newest version", current, newest, err)
			}
			if s.Dialect() != string(e) {
				t.Errorf("Dialect() = %q, want %q", s.Dialect(), e)
			}
			if err := s.Ping(ctx); err != nil {
				t.Errorf("Ping() = %v", err)
			}
		})
	}
}

func TestUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := storage.Open(ctx, "postgres://postgres@127.0.0.1:1/frontdesk?sslmode=disable&connect_timeout=2")
	if !errors.Is(err, domain.ErrUnavailable) || domain.ErrorKind(err) != domain.KindUnavailable {
		t.Errorf("Open(wrong port) = %v, want domain.ErrUnavailable", err)
	}

	for _, e := range storagetest.Engines() {
		t.Run("closed pool/"+string(e), func(t *testing.T) {
			s := storagetest.Open(t, e)
			fx := storagetest.Seed(t, s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			_, err := s.Service(ctx, fx.Massage.ID)
			if !errors.Is(err, domain.ErrUnavailable) || !errors.Is(err, sql.ErrConnDone) && !isClosed(err) {
				t.Errorf("Service after Close = %v, want domain.ErrUnavailable", err)
			}
			if err := s.Ping(ctx); !errors.Is(err, domain.ErrUnavailable) {
				t.Errorf("Ping after Close = %v, want domain.ErrUnavailable", err)
			}
		})
	}
}

// isClosed reports the database/sql error for a closed pool.
func isClosed(err error) bool {
	return err != nil && strings.Contains(err.Error(), "database is closed")
}

// TestPostgresSessionDefaults: connections run with jit=off unless the URL
// says otherwise.
func TestPostgresSessionDefaults(t *testing.T) {
	ctx := context.Background()
	dsn := storagetest.PostgresDSN(t)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	for _, tc := range []struct{ dsn, want string }{
		{dsn, "off"},
		{dsn + sep + "jit=on", "on"},
	} {
		s := openStore(t, tc.dsn)
		if got, err := s.Setting(ctx, "jit"); err != nil || got != tc.want {
			t.Errorf("jit with %q = %q, %v; want %q", tc.dsn, got, err, tc.want)
		}
	}
}
