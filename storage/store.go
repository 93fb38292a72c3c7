// Package storage implements domain.Store with GORM on PostgreSQL and on
// SQLite. It is the only package that knows SQL: dialect differences, row
// structs and the translation of driver errors into domain errors live here.
// The schema comes from package migrations and is applied when a store opens.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/migrations"
)

// The dialect names Dialect reports.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// Store is domain.Store on one database. It is safe for concurrent use,
// and several processes may share one PostgreSQL database: the only thing
// it keeps in memory is a short-lived copy of the catalog (see
// DefaultCatalogTTL), which its own writes clear at once.
type Store struct {
	db      *gorm.DB // reads
	w       *gorm.DB // writes: on SQLite a pool of one connection, on PostgreSQL the same as db
	dialect string
	applied []string // migrations applied when the store opened
	cat     *catalogCache
	foreign *foreignXIDs // PostgreSQL: transaction ids seen running in other databases (feedversion_pg.go)
	dsn     string       // PostgreSQL: for the event listener's own connection (eventhub.go)

	// failCommit, when set, fails the next Atomically after its writes (tests).
	failCommit *atomic.Pointer[error]
}

var _ domain.Store = (*Store)(nil)

// Open connects to the database named by dsn and applies every pending
// migration. A dsn starting with postgres:// or postgresql:// is a PostgreSQL
// URL; anything else is the path of a SQLite file, whose directory is
// created when missing. An unreachable PostgreSQL gives an error that
// errors.Is reports as domain.ErrUnavailable.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var (
		s   *Store
		err error
	)
	if IsPostgresDSN(dsn) {
		s, err = openPostgres(ctx, dsn)
	} else {
		s, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.SetCatalogTTL(DefaultCatalogTTL)
	return s, nil
}

// Migrate opens the database named by dsn (as Open does), applies every
// pending migration and closes it again. It returns the names of the files
// it applied, none when the schema was already the newest.
func Migrate(ctx context.Context, dsn string) (applied []string, err error) {
	s, err := Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Applied(), nil
}

// IsPostgresDSN reports whether dsn names a PostgreSQL database rather than
// a SQLite file.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// gormConfig is shared by both engines: no AutoMigrate, no log noise,
// transactions only where this package opens them.
func gormConfig() *gorm.Config {
	return &gorm.Config{
		TranslateError:         true,
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		DisableAutomaticPing:   true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
}

// withSessionDefaults sets, on a postgres:// URL, the session settings this
// store wants unless the URL sets them itself: jit=off. Every query here is
// short, but PostgreSQL JIT-compiles any whose estimated cost passes
// jit_above_cost, and an estimate off by a table never analysed (a
// one-row counter table is guessed at thousands of rows) turned a 0.1 ms
// feed check into 9 ms of code generation on every request.
func withSessionDefaults(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn // pgx reports what is wrong with it
	}
	q := u.Query()
	if q.Has("jit") {
		return dsn
	}
	q.Set("jit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	db, err := gorm.Open(postgres.New(postgres.Config{DSN: withSessionDefaults(dsn)}), gormConfig())
	if err != nil {
		return nil, dbError("open postgres", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	conns := 4*runtime.NumCPU() + 4
	sqlDB.SetMaxOpenConns(conns)
	sqlDB.SetMaxIdleConns(conns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	s := &Store{db: db, w: db, dsn: withSessionDefaults(dsn), dialect: DialectPostgres, cat: new(catalogCache), foreign: new(foreignXIDs), failCommit: new(atomic.Pointer[error])}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// sqliteReaders bounds the read pool; WAL lets readers run beside the writer.
const sqliteReaders = 4

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite: database path %q must be a plain file path", path)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite: create directory: %w", err)
		}
	}
	// The database holds patients' details: create it readable by this
	// user alone (SQLite gives its -wal and -shm files the same mode).
	// An existing file keeps the mode its operator gave it.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: create %s: %w", path, err)
	}
	f.Close()
	// One writer connection: writes queue in Go instead of spinning on
	// SQLITE_BUSY, and BEGIN IMMEDIATE makes each transaction take the write
	// lock up front, so a read-then-write never fails half way.
	w, err := openSQLitePool(path, "_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)", 1)
	if err != nil {
		return nil, err
	}
	s := &Store{w: w, dialect: DialectSQLite, cat: new(catalogCache), foreign: new(foreignXIDs), failCommit: new(atomic.Pointer[error])}
	if err := pingDB(ctx, w); err != nil { // sets WAL before the readers open
		s.Close()
		return nil, err
	}
	s.db, err = openSQLitePool(path, "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=query_only(1)", sqliteReaders)
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openSQLitePool(path, params string, conns int) (*gorm.DB, error) {
	db, err := gorm.Open(sqliteDialector{&sqlite.Dialector{DSN: path + "?" + params}}, gormConfig())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sqlDB.SetMaxOpenConns(conns)
	sqlDB.SetMaxIdleConns(conns)
	sqlDB.SetConnMaxIdleTime(0)
	return db, nil
}

// sqliteDialector is the SQLite dialector with an error translation that
// keeps the driver's error: GORM's sentinel (gorm.ErrDuplicatedKey) and the
// constraint SQLite names both stay visible to errors.Is and errors.As.
type sqliteDialector struct{ *sqlite.Dialector }

// Translate adds GORM's sentinel to err without dropping err.
func (d sqliteDialector) Translate(err error) error {
	translated := d.Dialector.Translate(err)
	if translated == err {
		return err
	}
	return fmt.Errorf("%w: %w", translated, err)
}

// migrate applies pending migrations with goose, under an advisory lock on
// PostgreSQL so replicas starting together take turns.
func (s *Store) migrate(ctx context.Context) error {
	sqlDB, err := s.w.DB()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := s.migrationProvider(sqlDB)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return dbError("migrate", err)
	}
	for _, r := range results {
		s.applied = append(s.applied, filepath.Base(r.Source.Path))
	}
	return nil
}

func (s *Store) migrationProvider(sqlDB *sql.DB) (*goose.Provider, error) {
	fsys, dialect, err := s.migrationsFS()
	if err != nil {
		return nil, err
	}
	// Seven branches own disjoint ranges of migration numbers and land in
	// any order, so a database already past a later number (00040) must
	// still take an earlier one that arrives afterwards (00015): each is
	// additive and independent of the others' numbers.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if s.dialect == DialectPostgres {
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, sqlDB, fsys, opts...)
}

// Applied returns the names of the migration files applied when the store
// opened, in order; empty when the schema was already the newest.
func (s *Store) Applied() []string { return append([]string(nil), s.applied...) }

// SchemaVersion returns the database's migration version and the newest
// version this build carries.
func (s *Store) SchemaVersion(ctx context.Context) (current, newest int64, err error) {
	sqlDB, err := s.w.DB()
	if err != nil {
		return 0, 0, fmt.Errorf("schema version: %w", err)
	}
	p, err := s.migrationProvider(sqlDB)
	if err != nil {
		return 0, 0, fmt.Errorf("schema version: %w", err)
	}
	current, newest, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, dbError("schema version", err)
	}
	return current, newest, nil
}

// Dialect returns "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.dialect }

// Ping checks the database answers; domain.ErrUnavailable when it does not.
func (s *Store) Ping(ctx context.Context) error {
	if err := pingDB(ctx, s.w); err != nil {
		return err
	}
	if s.db != s.w && s.db != nil {
		return pingDB(ctx, s.db)
	}
	return nil
}

func pingDB(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

// Close releases every connection.
func (s *Store) Close() error {
	var errs []error
	for _, db := range []*gorm.DB{s.db, s.w} {
		if db == nil {
			continue
		}
		sqlDB, err := db.DB()
		if err == nil {
			err = sqlDB.Close()
		}
		errs = append(errs, err)
		if s.db == s.w {
			break
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// migrationsFS returns the engine's migration files.
func (s *Store) migrationsFS() (fs.FS, goose.Dialect, error) {
	if s.dialect == DialectPostgres {
		sub, err := fs.Sub(migrations.FS, "postgres")
		return sub, goose.DialectPostgres, err
	}
	sub, err := fs.Sub(migrations.FS, "sqlite")
	return sub, goose.DialectSQLite3, err
}
