package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// errCheckFailed is returned when the database check finds a problem.
var errCheckFailed = errors.New("database check failed")

// checkConfig is what the database check compares.
type checkConfig struct {
	dsn      string
	sinkURL  string // "" skips the mail comparison
	drain    time.Duration
	accepted []acceptedBooking
	// crashes is how many outbox workers were killed (kill -9) before the
	// check: each may have had one message accepted by the SMTP server and
	// not yet marked sent, which goes again with the same Message-ID (a
	// mail client shows it once). Up to that many repeats are allowed.
	crashes int
}

// CheckResult is what the database check found. OK is true when Problems
// is empty.
type CheckResult struct {
	OK       bool     `json:"ok"`
	Problems []string `json:"problems"`

	Bookings     int `json:"bookings"`
	LiveBookings int `json:"live_bookings"`
	Overlaps     int `json:"overlaps"` // live, non-overbooked pairs sharing time

	Accepted      int `json:"accepted"`       // 201s the generator saw
	Missing       int `json:"missing"`        // of those, not in the database
	StateMismatch int `json:"state_mismatch"` // cancelled or moved, but the database disagrees
	Uncertain     int `json:"uncertain"`      // a change whose answer was lost: existence checked only

	OutboxSent      int     `json:"outbox_sent"`
	OutboxPending   int     `json:"outbox_pending_due"` // still due after the drain wait
	OutboxScheduled int     `json:"outbox_scheduled"`   // due later (reminders)
	OutboxDead      int     `json:"outbox_dead"`
	OutboxCancelled int     `json:"outbox_cancelled"`
	DrainSeconds    float64 `json:"drain_s"`

	SinkChecked     bool `json:"sink_checked"`
	SinkMessages    int  `json:"sink_messages"`
	SinkUnique      int  `json:"sink_unique"`
	NotDelivered    int  `json:"sent_not_at_sink"`      // marked sent, never arrived
	Duplicated      int  `json:"delivered_twice"`       // arrived more than once
	CrashRepeats    int  `json:"crash_repeats"`         // of those, repeats a crash explains (see -crashes)
	DeliveredUnsent int  `json:"at_sink_not_sent"`      // arrived, not marked sent (will be sent again)
	Foreign         int  `json:"at_sink_not_in_outbox"` // arrived, no such outbox row
}

func (r *CheckResult) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// check verifies the database after a run: no overlapping live bookings,
// every accepted booking present as last seen, and every sent message
// delivered exactly once.
func check(ctx context.Context, cfg checkConfig) (CheckResult, error) {
	var res CheckResult
	db, err := sql.Open("pgx", cfg.dsn)
	if err != nil {
		return res, fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		return res, fmt.Errorf("connect to PostgreSQL for the check: %w", err)
	}
	if err := checkBookings(ctx, db, &res); err != nil {
		return res, err
	}
	if err := checkAccepted(ctx, db, cfg.accepted, &res); err != nil {
		return res, err
	}
	if err := checkOutbox(ctx, db, cfg, &res); err != nil {
		return res, err
	}
	res.OK = len(res.Problems) == 0
	return res, nil
}

// overlapSQL counts live, non-overbooked bookings whose block starts before
// an earlier-starting block of the same practitioner has ended.
const overlapSQL = `
SELECT count(*) FROM (
  SELECT block_start,
         max(block_end) OVER (PARTITION BY practitioner_id ORDER BY block_start, id
                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
  FROM bookings WHERE status <> 'cancelled' AND NOT overbooked
) x WHERE prev_end > block_start`

func checkBookings(ctx context.Context, db *sql.DB, res *CheckResult) error {
	err := db.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE status <> 'cancelled') FROM bookings`).
		Scan(&res.Bookings, &res.LiveBookings)
	if err != nil {
		return fmt.Errorf("count bookings: %w", err)
	}
	if err := db.QueryRowContext(ctx, overlapSQL).Scan(&res.Overlaps); err != nil {
		return fmt.Errorf("count overlaps: %w", err)
	}
	if res.Overlaps > 0 {
		res.problem("%d live bookings overlap another of the same practitioner", res.Overlaps)
	}
	return nil
}

type dbBooking struct {
	status string
	start  time.Time
}

func checkAccepted(ctx context.Context, db *sql.DB, accepted []acceptedBooking, res *CheckResult) error {
	res.Accepted = len(accepted)
	found, err := bookingsByID(ctx, db, accepted)
	if err != nil {
		return err
	}
	var missing, mismatched []string
	for _, a := range accepted {
		b, ok := found[a.ID]
		switch {
		case !ok:
			missing = append(missing, a.ID)
		case a.Uncertain:
			res.Uncertain++
		case a.Cancelled != (b.status == "cancelled") || (!a.Cancelled && utc(b.start) != a.Start):
			mismatched = append(mismatched, fmt.Sprintf("%s (saw cancelled=%t start=%s; db %s %s)", a.ID, a.Cancelled, a.Start, b.status, utc(b.start)))
		}
	}
	res.Missing, res.StateMismatch = len(missing), len(mismatched)
	if len(missing) > 0 {
		res.problem("%d accepted bookings are not in the database, e.g. %s", len(missing), strings.Join(first(missing, 3), ", "))
	}
	if len(mismatched) > 0 {
		res.problem("%d bookings differ from the last confirmed change, e.g. %s", len(mismatched), strings.Join(first(mismatched, 3), "; "))
	}
	return nil
}

func bookingsByID(ctx context.Context, db *sql.DB, accepted []acceptedBooking) (map[string]dbBooking, error) {
	out := make(map[string]dbBooking, len(accepted))
	const chunk = 5000
	for i := 0; i < len(accepted); i += chunk {
		ids := make([]string, 0, chunk)
		for _, a := range accepted[i:min(i+chunk, len(accepted))] {
			ids = append(ids, a.ID)
		}
		rows, err := db.QueryContext(ctx, `SELECT id::text, status, start_at FROM bookings WHERE id::text = ANY($1::text[])`, ids)
		if err != nil {
			return nil, fmt.Errorf("select accepted bookings: %w", err)
		}
		for rows.Next() {
			var id string
			var b dbBooking
			if err := rows.Scan(&id, &b.status, &b.start); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan booking: %w", err)
			}
			out[id] = b
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("select accepted bookings: %w", err)
		}
		rows.Close()
	}
	return out, nil
}

// dueSoon is the outbox rows the worker should have sent by now: due, or
// hidden by a claim lease. Reminders for visits a day or more ahead are
// due hours later and are not counted.
const dueSoon = `status = 'pending' AND due_at < now() + interval '5 minutes'`

func checkOutbox(ctx context.Context, db *sql.DB, cfg checkConfig, res *CheckResult) error {
	start := time.Now()
	for {
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE `+dueSoon).Scan(&res.OutboxPending); err != nil {
			return fmt.Errorf("count due messages: %w", err)
		}
		if res.OutboxPending == 0 || time.Since(start) > cfg.drain {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	res.DrainSeconds = round(time.Since(start).Seconds())
	err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status = 'sent'),
	  count(*) FILTER (WHERE status = 'pending' AND NOT (`+dueSoon+`)),
	  count(*) FILTER (WHERE status = 'dead'), count(*) FILTER (WHERE status = 'cancelled') FROM outbox`).
		Scan(&res.OutboxSent, &res.OutboxScheduled, &res.OutboxDead, &res.OutboxCancelled)
	if err != nil {
		return fmt.Errorf("count outbox: %w", err)
	}
	if res.OutboxPending > 0 {
		res.problem("%d messages still due after waiting %s for the worker", res.OutboxPending, cfg.drain)
	}
	if res.OutboxDead > 0 {
		res.problem("%d messages are dead (gave up)", res.OutboxDead)
	}
	if cfg.sinkURL == "" {
		return nil
	}
	return compareSink(ctx, db, cfg.sinkURL, cfg.crashes, res)
}

// compareSink matches the sink's Message-IDs (<outbox id>@<clinic domain>) with
// the outbox: every sent row arrived once, nothing else arrived.
func compareSink(ctx context.Context, db *sql.DB, sinkURL string, crashes int, res *CheckResult) error {
	counts, err := fetchSinkCounts(ctx, sinkURL)
	if err != nil {
		return err
	}
	status, err := outboxStatuses(ctx, db)
	if err != nil {
		return err
	}
	res.SinkChecked, res.SinkMessages, res.SinkUnique = true, counts.Messages, counts.Unique
	byRow := map[string]int{}
	for msgID, n := range counts.IDs {
		id, _, _ := strings.Cut(msgID, "@")
		byRow[id] += n
	}
	for id, st := range status {
		if st == "sent" && byRow[id] == 0 {
			res.NotDelivered++
		}
	}
	extra := 0 // deliveries beyond the first, all messages
	for id, n := range byRow {
		st, ok := status[id]
		switch {
		case !ok:
			res.Foreign++
		case st != "sent":
			res.DeliveredUnsent++
		}
		if n > 1 {
			res.Duplicated++
			extra += n - 1
		}
	}
	if counts.WithoutID == 0 && extra <= crashes {
		res.CrashRepeats = extra
	}
	res.Duplicated += counts.WithoutID
	if res.NotDelivered > 0 {
		res.problem("%d messages marked sent never reached the sink", res.NotDelivered)
	}
	if res.Duplicated > res.CrashRepeats {
		res.problem("%d messages reached the sink more than once (or without a Message-ID); %d worker crashes explain at most %d repeats",
			res.Duplicated, crashes, crashes)
	}
	if res.DeliveredUnsent > 0 {
		res.problem("%d messages reached the sink but are not marked sent (they will go again)", res.DeliveredUnsent)
	}
	if res.Foreign > 0 {
		res.problem("%d messages at the sink have no outbox row", res.Foreign)
	}
	return nil
}

func outboxStatuses(ctx context.Context, db *sql.DB) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT id::text, status FROM outbox`)
	if err != nil {
		return nil, fmt.Errorf("select outbox: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, fmt.Errorf("scan outbox: %w", err)
		}
		out[id] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select outbox: %w", err)
	}
	return out, nil
}

func first(s []string, n int) []string { return s[:min(n, len(s))] }

func (r *CheckResult) write(w io.Writer) {
	verdict := "OK"
	if !r.OK {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "check %s: %d bookings (%d live), %d overlaps; accepted %d, missing %d, state mismatches %d, uncertain %d\n",
		verdict, r.Bookings, r.LiveBookings, r.Overlaps, r.Accepted, r.Missing, r.StateMismatch, r.Uncertain)
	fmt.Fprintf(w, "outbox: %d sent, %d still due, %d scheduled later, %d dead, %d cancelled (drained in %.1fs)\n",
		r.OutboxSent, r.OutboxPending, r.OutboxScheduled, r.OutboxDead, r.OutboxCancelled, r.DrainSeconds)
	if r.SinkChecked {
		fmt.Fprintf(w, "sink: %d messages, %d unique; sent but not delivered %d, delivered twice %d (%d after a crash), delivered but not marked sent %d, unknown %d\n",
			r.SinkMessages, r.SinkUnique, r.NotDelivered, r.Duplicated, r.CrashRepeats, r.DeliveredUnsent, r.Foreign)
	}
	for _, p := range r.Problems {
		fmt.Fprintln(w, "problem:", p)
	}
}

// runCheck is `loadgen check`: the database check on its own, after one or
// more runs that wrote -record files.
func runCheck(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	dsn := fs.String("dsn", "", "PostgreSQL URL of Frontdesk's database (required)")
	var records listFlag
	fs.Var(&records, "record", "accepted-bookings file(s) written by run -record; repeat or comma-separate")
	sink := fs.String("sink", "", "the sink's HTTP address, such as http://127.0.0.1:2526")
	drain := fs.Duration("drain", 60*time.Second, "how long to wait for the outbox to empty")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	crashes := fs.Int("crashes", 0, "outbox workers killed before the check: each may repeat one message (same Message-ID)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dsn == "" {
		return errors.New("-dsn is required, such as postgres://postgres@127.0.0.1:5432/frontdesk?sslmode=disable")
	}
	if *sink != "" {
		if err := checkLoopbackURL(*sink); err != nil {
			return fmt.Errorf("-sink: %w", err)
		}
	}
	var accepted []acceptedBooking
	for _, path := range records {
		a, err := readRecord(path)
		if err != nil {
			return err
		}
		accepted = mergeRecords(accepted, a)
	}
	if *crashes < 0 {
		return errors.New("-crashes must be 0 or more")
	}
	res, err := check(ctx, checkConfig{dsn: *dsn, sinkURL: *sink, drain: *drain, accepted: accepted, crashes: *crashes})
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSON(stdout, res); err != nil {
			return err
		}
	} else {
		res.write(stdout)
	}
	if !res.OK {
		return errCheckFailed
	}
	return nil
}

// mergeRecords adds b to a; a later record of the same booking wins.
func mergeRecords(a, b []acceptedBooking) []acceptedBooking {
	idx := make(map[string]int, len(a))
	for i, x := range a {
		idx[x.ID] = i
	}
	for _, x := range b {
		if i, ok := idx[x.ID]; ok {
			a[i] = x
			continue
		}
		idx[x.ID] = len(a)
		a = append(a, x)
	}
	slices.SortFunc(a, func(x, y acceptedBooking) int { return strings.Compare(x.ID, y.ID) })
	return a
}
