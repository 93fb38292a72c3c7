package storagetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/frontdesk/frontdesk/migrations"
	"github.com/frontdesk/frontdesk/storage"
)

// Migrating a new PostgreSQL database costs about as much as creating it.
// Tests therefore copy a migrated template database, named after a hash of
// the migration files so that a changed schema gets a new template. The
// template stays on the server for the next test run.

var template struct {
	once sync.Once
	name string
	err  error
}

// postgresFromTemplate creates a migrated test database, dropped when the
// test ends, and returns its URL.
func postgresFromTemplate(t testing.TB) string {
	t.Helper()
	adminDB(t) // fails the test first when the server is unreachable
	template.once.Do(func() { template.name, template.err = ensureTemplate() })
	if template.err != nil {
		t.Fatalf("prepare the PostgreSQL template database: %v", template.err)
	}
	return createDatabase(t, template.name)
}

// ensureTemplate makes sure the template database of the current migrations
// exists. It migrates a scratch database and renames it into place, so a
// crash never leaves a half-migrated template, and a process that loses the
// race to another drops its scratch copy.
func ensureTemplate() (string, error) {
	name, err := templateName()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, base := admin.db, admin.url
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look for template %s: %w", name, err)
	}
	if exists {
		return name, nil
	}
	scratch := name + "_" + randomHex(4)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+scratch); err != nil {
		return "", fmt.Errorf("create %s: %w", scratch, err)
	}
	s, err := storage.Open(ctx, withDatabase(base, scratch))
	if err == nil {
		err = s.Close()
	}
	if err == nil {
		_, err = db.ExecContext(ctx, "ALTER DATABASE "+scratch+" RENAME TO "+name)
	}
	if err != nil {
		_, _ = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+scratch+" WITH (FORCE)")
		var pg *pgconn.PgError
		if errors.As(err, &pg) && pg.Code == "42P04" { // another process made it first
			return name, nil
		}
		return "", fmt.Errorf("migrate template %s: %w", name, err)
	}
	return name, nil
}

// templateName hashes the PostgreSQL migration files.
func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, "postgres", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return "frontdesk_tpl_" + hex.EncodeToString(h.Sum(nil))[:16], nil
}
