package main

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/frontdesk/frontdesk/migrations"
)

// testDSN is the PostgreSQL server the tests use; they fail, never skip,
// when it is unreachable.
func testDSN() string {
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// mustFreshDB creates an empty database migrated to the newest schema and
// returns its URL and a connection; both are dropped after the test.
func mustFreshDB(t *testing.T) (string, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", testDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("PostgreSQL is needed at %s (set TEST_DATABASE_URL; scripts/test-deps.sh starts it): %v", testDSN(), err)
	}
	name := fmt.Sprintf("loadgen_test_%d", time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() { _, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u, _ := url.Parse(testDSN())
	u.Path = "/" + name
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sub, err := fs.Sub(migrations.FS, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub)
	if err != nil {
		t.Fatalf("goose: %v", err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return u.String(), db
}

const (
	svcID  = "00000000-0000-4000-8000-000000000001"
	pracID = "00000000-0000-4000-8000-000000000002"
	patID  = "00000000-0000-4000-8000-000000000003"
)

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", strings.Fields(q)[0:3], err)
	}
}

func seedCatalog(t *testing.T, db *sql.DB) {
	t.Helper()
	mustExec(t, db, `INSERT INTO services (id, name, kind, duration_seconds, currency) VALUES ($1, 'Massage', 'massage', 1800, 'USD')`, svcID)
	mustExec(t, db, `INSERT INTO practitioners (id, name, time_zone) VALUES ($1, 'Ann', 'America/New_York')`, pracID)
	mustExec(t, db, `INSERT INTO patients (id, name, email, created_at) VALUES ($1, 'Pat', 'pat@example.com', now())`, patID)
}

// insertBooking adds a booking of 30 minutes at start.
func insertBooking(t *testing.T, db *sql.DB, id string, start time.Time, status string) {
	t.Helper()
	end := start.Add(30 * time.Minute)
	mustExec(t, db, `INSERT INTO bookings (id, uid, service_id, practitioner_id, patient_id, start_at, end_at, block_start, block_end,
		status, source, created_at, updated_at) VALUES ($1, gen_random_uuid(), $2, $3, $4, $5, $6, $5, $6, $7, 'online', now(), now())`,
		id, svcID, pracID, patID, start, end, status)
}

func insertMessage(t *testing.T, db *sql.DB, id, bookingID, status string, due time.Time) {
	t.Helper()
	mustExec(t, db, `INSERT INTO outbox (id, booking_id, kind, recipient, status, due_at, created_at, payload)
		VALUES ($1, $2, 'confirmation', 'pat@example.com', $3, $4, now(), '{}')`, id, bookingID, status, due)
}

func bid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-1000000000%02d", n) }

func TestCheckPassesOnConsistentData(t *testing.T) {
	dsn, db := mustFreshDB(t)
	seedCatalog(t, db)
	at := time.Date(2030, 5, 6, 14, 0, 0, 0, time.UTC)
	insertBooking(t, db, bid(1), at, "confirmed")
	insertBooking(t, db, bid(2), at.Add(30*time.Minute), "confirmed")
	insertBooking(t, db, bid(3), at, "cancelled") // a cancelled one may share the time
	insertMessage(t, db, bid(11), bid(1), "sent", time.Now())
	insertMessage(t, db, bid(12), bid(2), "pending", time.Now().Add(48*time.Hour)) // a reminder, due later
	smtpAddr, sink := startTestSink(t)
	sendTestMail(t, smtpAddr, bid(11)+"@frontdesk")
	accepted := []acceptedBooking{
		{ID: bid(1), Start: utc(at)},
		{ID: bid(2), Start: utc(at.Add(30 * time.Minute))},
		{ID: bid(3), Start: utc(at), Cancelled: true},
	}
	res, err := check(context.Background(), checkConfig{dsn: dsn, sinkURL: sink, drain: time.Second, accepted: accepted})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.Bookings != 3 || res.LiveBookings != 2 || res.OutboxSent != 1 || res.OutboxScheduled != 1 || res.SinkMessages != 1 {
		t.Errorf("check = %+v, want OK with 3 bookings (2 live), 1 sent, 1 scheduled, 1 at the sink", res)
	}
}

func TestCheckFindsEveryKindOfProblem(t *testing.T) {
	dsn, db := mustFreshDB(t)
	seedCatalog(t, db)
	// Without the constraint, the check itself must see the double booking.
	mustExec(t, db, `ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap`)
	at := time.Date(2030, 5, 6, 14, 0, 0, 0, time.UTC)
	insertBooking(t, db, bid(1), at, "confirmed")
	insertBooking(t, db, bid(2), at.Add(15*time.Minute), "confirmed")
	insertMessage(t, db, bid(11), bid(1), "sent", time.Now())    // never arrives
	insertMessage(t, db, bid(12), bid(1), "sent", time.Now())    // arrives twice
	insertMessage(t, db, bid(13), bid(2), "pending", time.Now()) // due, no worker
	insertMessage(t, db, bid(14), bid(2), "dead", time.Now())
	smtpAddr, sink := startTestSink(t)
	sendTestMail(t, smtpAddr, bid(12)+"@frontdesk")
	sendTestMail(t, smtpAddr, bid(12)+"@frontdesk")
	sendTestMail(t, smtpAddr, bid(13)+"@frontdesk") // arrived, not marked sent
	sendTestMail(t, smtpAddr, "stranger@elsewhere")
	accepted := []acceptedBooking{
		{ID: bid(1), Start: utc(at), Cancelled: true}, // db says confirmed
		{ID: bid(2), Start: utc(at.Add(time.Hour))},   // db has another start
		{ID: bid(9), Start: utc(at)},                  // lost
	}
	res, err := check(context.Background(), checkConfig{dsn: dsn, sinkURL: sink, drain: 300 * time.Millisecond, accepted: accepted})
	if err != nil {
		t.Fatal(err)
	}
	want := CheckResult{
		Overlaps: 1, Missing: 1, StateMismatch: 2, OutboxPending: 1, OutboxDead: 1,
		NotDelivered: 1, Duplicated: 1, DeliveredUnsent: 1, Foreign: 1,
	}
	got := CheckResult{
		Overlaps: res.Overlaps, Missing: res.Missing, StateMismatch: res.StateMismatch, OutboxPending: res.OutboxPending,
		OutboxDead: res.OutboxDead, NotDelivered: res.NotDelivered, Duplicated: res.Duplicated,
		DeliveredUnsent: res.DeliveredUnsent, Foreign: res.Foreign,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("check counts = %+v\nwant %+v", got, want)
	}
	if res.OK || len(res.Problems) != 9 {
		t.Errorf("check OK = %v with problems %q; want 9 problems", res.OK, res.Problems)
	}
}

// TestCheckCrashRepeats: after a worker was killed, one message may arrive
// twice with its Message-ID; a second repeat, or a message without an id,
// is still a problem.
func TestCheckCrashRepeats(t *testing.T) {
	dsn, db := mustFreshDB(t)
	seedCatalog(t, db)
	at := time.Date(2030, 5, 6, 14, 0, 0, 0, time.UTC)
	insertBooking(t, db, bid(1), at, "confirmed")
	insertMessage(t, db, bid(11), bid(1), "sent", time.Now())
	insertMessage(t, db, bid(12), bid(1), "sent", time.Now())
	smtpAddr, sink := startTestSink(t)
	sendTestMail(t, smtpAddr, bid(11)+"@frontdesk")
	sendTestMail(t, smtpAddr, bid(11)+"@frontdesk") // sent, killed before the mark, sent again
	sendTestMail(t, smtpAddr, bid(12)+"@frontdesk")
	accepted := []acceptedBooking{{ID: bid(1), Start: utc(at)}}
	for _, tc := range []struct {
		crashes int
		ok      bool
	}{{0, false}, {1, true}, {2, true}} {
		res, err := check(context.Background(), checkConfig{dsn: dsn, sinkURL: sink, drain: time.Second, accepted: accepted, crashes: tc.crashes})
		if err != nil {
			t.Fatal(err)
		}
		if res.OK != tc.ok || res.Duplicated != 1 {
			t.Errorf("crashes %d: OK %v, %d delivered twice (%d after a crash), problems %q; want OK %v",
				tc.crashes, res.OK, res.Duplicated, res.CrashRepeats, res.Problems, tc.ok)
		}
	}
	sendTestMail(t, smtpAddr, bid(12)+"@frontdesk") // a second repeat: one crash does not explain it
	res, err := check(context.Background(), checkConfig{dsn: dsn, sinkURL: sink, drain: time.Second, accepted: accepted, crashes: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK {
		t.Errorf("two repeats after one crash: check OK, want a problem")
	}
}

func TestCheckFailsClearlyWithoutDatabase(t *testing.T) {
	_, err := check(context.Background(), checkConfig{dsn: "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=1"})
	if err == nil || !strings.Contains(err.Error(), "connect to PostgreSQL") {
		t.Errorf("check(unreachable) = %v, want a connect error", err)
	}
}
