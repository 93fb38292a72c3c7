package storage_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// TestFeedVersionUnsettled: on PostgreSQL a feed's version is the largest
// transaction id stamped on its rows, and ids are handed out before commit.
// While a transaction that got a smaller id than the latest stamp is still
// open, reads must not return a version that could be remembered: it could
// commit later without moving the maximum. Once it commits, the version
// settles and differs from every one read before.
func TestFeedVersionUnsettled(t *testing.T) {
	ctx := context.Background()
	dsn := storagetest.PostgresDSN(t)
	s, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = raw.Close() })
	fx := storagetest.Seed(t, s)
	tok := mustFeedToken(t, s)
	hers := fx.Therapist.ID
	first, second := newBooking(fx, hers, monday), newBooking(fx, hers, monday.Add(3*time.Hour))
	mustBook(t, s, &first, "first@example.com")
	mustBook(t, s, &second, "second@example.com")

	// The older transaction writes first (its id is the smaller) and stays
	// open; a younger one writes and commits.
	older, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = older.Rollback() }()
	if _, err := older.ExecContext(ctx, "UPDATE bookings SET notes = 'older' WHERE id = $1", first.ID); err != nil {
		t.Fatalf("older write: %v", err)
	}
	if _, err := raw.ExecContext(ctx, "UPDATE bookings SET notes = 'younger' WHERE id = $1", second.ID); err != nil {
		t.Fatalf("younger write: %v", err)
	}
	var during []string
	for _, w := range []domain.FeedWindow{feedWeek(hers), feedWeek(hers), feedWeek(""), feedWeek("")} {
		during = append(during, mustFeedVersion(t, s, tok.ID, w).Rows)
	}
	if during[0] == during[1] || during[2] == during[3] {
		t.Errorf("versions read while an older writer is open repeat (%q, %q; clinic %q, %q): a 304 could hide its commit",
			during[0], during[1], during[2], during[3])
	}
	if err := older.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, w := range []domain.FeedWindow{feedWeek(hers), feedWeek("")} {
		a, b := mustFeedVersion(t, s, tok.ID, w).Rows, mustFeedVersion(t, s, tok.ID, w).Rows
		if a != b {
			t.Errorf("feed %q: after the commit the version still moves (%q, %q)", w.PractitionerID, a, b)
		}
		for _, d := range during {
			if a == d {
				t.Errorf("feed %q: version %q after the older commit was already read before it", w.PractitionerID, a)
			}
		}
		if _, v, err := s.FeedTokenVersion(ctx, tok.Hash); err != nil || (w.PractitionerID == "" && v.Rows != a) {
			t.Errorf("FeedTokenVersion = %q, %v; FeedVersion = %q", v.Rows, err, a)
		}
	}
}

// TestFeedVersionForeignWriter: an older transaction still open in another
// database (another clinic's server, a CREATE DATABASE) can never write
// this one's rows, so it leaves versions settled: two reads agree.
func TestFeedVersionForeignWriter(t *testing.T) {
	ctx := context.Background()
	s := storagetest.Open(t, storagetest.Postgres)
	other, err := sql.Open("pgx", storagetest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close() })
	fx := storagetest.Seed(t, s)
	tok := mustFeedToken(t, s)
	tx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, "SELECT pg_current_xact_id()"); err != nil { // takes an id, older than the write below
		t.Fatal(err)
	}
	visit := newBooking(fx, fx.Therapist.ID, monday)
	mustBook(t, s, &visit, "later@example.com")
	for _, w := range []domain.FeedWindow{feedWeek(fx.Therapist.ID), feedWeek("")} {
		a, b := mustFeedVersion(t, s, tok.ID, w).Rows, mustFeedVersion(t, s, tok.ID, w).Rows
		if a != b || !strings.HasPrefix(a, "xid-") {
			t.Errorf("feed %q with another database's older transaction open: versions %q, %q; want one settled version", w.PractitionerID, a, b)
		}
	}
}
