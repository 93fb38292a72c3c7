// Package storagetest opens real stores for tests: SQLite in a temporary
// file and PostgreSQL in a fresh database that is dropped afterwards. Tests
// of any package may use it; a test that needs PostgreSQL fails (never
// skips) when the server cannot be reached.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for creating and dropping databases

	"github.com/frontdesk/frontdesk/storage"
)

// Engine names a database engine tests run against.
type Engine string

// The engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Engines returns every engine, for tests that run against each:
//
//	for _, e := range storagetest.Engines() {
//		t.Run(string(e), func(t *testing.T) { s := storagetest.Open(t, e); … })
//	}
func Engines() []Engine { return []Engine{SQLite, Postgres} }

// DefaultPostgresURL is the server tests use when TEST_DATABASE_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Open returns a migrated, empty store on engine, closed (and on PostgreSQL
// dropped) when the test ends. SQLite lives in a file in t.TempDir().
func Open(t testing.TB, engine Engine) *storage.Store {
	t.Helper()
	var dsn string
	switch engine {
	case SQLite:
		dsn = filepath.Join(t.TempDir(), "frontdesk.db")
	case Postgres:
		dsn = postgresFromTemplate(t)
	default:
		t.Fatalf("storagetest.Open: unknown engine %q", engine)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storage.Open(%s): %v", engine, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close %s store: %v", engine, err)
		}
	})
	return s
}

// PostgresDSN creates an empty database frontdesk_test_<random> on the
// server of TEST_DATABASE_URL (default DefaultPostgresURL) and returns its
// URL, without opening it: for tests that start binaries. The database is
// dropped, connections and all, when the test ends. The test fails at once
// when the server cannot be reached.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	return createDatabase(t, "")
}

// createDatabase creates frontdesk_test_<random>, a copy of template when
// one is named, and drops it when the test ends.
func createDatabase(t testing.TB, template string) string {
	t.Helper()
	admin, base := adminDB(t)
	name := "frontdesk_test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	create := "CREATE DATABASE " + name
	if template != "" {
		create += " TEMPLATE " + template
	}
	if _, err := admin.ExecContext(ctx, create); err != nil {
		t.Fatalf("create test database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(base, name)
}

// withDatabase returns the server URL base naming the database.
func withDatabase(base *url.URL, name string) string {
	u := *base
	u.Path = "/" + name
	return u.String()
}

var admin struct {
	once sync.Once
	db   *sql.DB
	url  *url.URL
	err  error
}

// adminDB returns the shared connection pool to the server's maintenance
// database, failing the test with how to start PostgreSQL when it does
// not answer.
func adminDB(t testing.TB) (*sql.DB, *url.URL) {
	t.Helper()
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		raw = DefaultPostgresURL
	}
	admin.once.Do(func() {
		admin.url, admin.err = url.Parse(raw)
		if admin.err != nil {
			return
		}
		admin.db, admin.err = sql.Open("pgx", raw)
		if admin.err != nil {
			return
		}
		admin.db.SetMaxOpenConns(4)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		admin.err = admin.db.PingContext(ctx)
	})
	if admin.err != nil {
		t.Fatalf("PostgreSQL at %s is unreachable: %v\n"+
			"Start it with `pg_ctlcluster 15 main start` (or set TEST_DATABASE_URL to a server where the user may create databases).",
			redact(raw), admin.err)
	}
	return admin.db, admin.url
}

// redact hides a password in a URL for messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "TEST_DATABASE_URL"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
