package storage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/frontdesk/frontdesk/domain"
)

// On PostgreSQL a feed's version is the largest transaction id stamped on
// its rows (migration 00040): on the practitioner's bookings and time off,
// or on a removal of one of them. Each maximum is the last entry of an
// index, read without touching a row that writes update, so bookings of one
// practitioner no longer queue on a counter (migration 00004's, which
// SQLite, with its single writer, keeps).
//
// Transaction ids are assigned at a transaction's first write and commits
// come in any order, so a transaction with a smaller id than the largest
// stamp may still be running and commit later without moving the maximum.
// A version is therefore settled only when the reader's snapshot shows no
// such transaction of this database still running: none with a smaller id
// is running, or each belongs to another database (pg_stat_activity, read
// after the snapshot was taken, still shows it running there, and a
// transaction never writes another database's tables). Another database's
// long transaction (a CREATE DATABASE, a migration) would otherwise make
// every version unsettled while it runs; the store remembers the ids it has
// seen running elsewhere, so pg_stat_activity is read once per such
// transaction, not once per request. An unsettled version is reported as one never seen
// before, so the feed is built rather than answered 304 from rows about to
// change.

// pgFeedStampSQL is the largest stamp of one practitioner's feed rows; %s
// is the practitioner's id expression.
const pgFeedStampSQL = `greatest(
	(SELECT max(feed_xid) FROM bookings WHERE practitioner_id = %[1]s),
	(SELECT max(feed_xid) FROM time_off WHERE practitioner_id = %[1]s),
	(SELECT max(feed_xid) FROM feed_removals WHERE practitioner_id = %[1]s))`

// pgClinicFeedStampSQL is the largest stamp of every practitioner's feed
// rows: one index probe per practitioner and table.
const pgClinicFeedStampSQL = `greatest(
	(SELECT max(m.x) FROM practitioners AS p CROSS JOIN LATERAL
		(SELECT max(feed_xid) AS x FROM bookings WHERE practitioner_id = p.id) AS m),
	(SELECT max(m.x) FROM practitioners AS p CROSS JOIN LATERAL
		(SELECT max(feed_xid) AS x FROM time_off WHERE practitioner_id = p.id) AS m),
	(SELECT max(feed_xid) FROM feed_removals))`

// pgPendingSQL lists, comma-separated, the transactions the reader's
// snapshot shows still running with a smaller id than the stamp v.stamp:
// those that could still commit a change without moving it. Usually none;
// whether each belongs to this database is pgSettled's question.
const pgPendingSQL = `array_to_string(ARRAY(
		SELECT r.x::text FROM pg_snapshot_xip(pg_current_snapshot()) AS r (x)
		WHERE r.x::text::bigint < coalesce(v.stamp, 0)), ',')`

// pgFeedVersionSQL is feedVersionSQL on PostgreSQL; %s is the stamp.
const pgFeedVersionSQL = `
SELECT v.stamp AS stamp, ` + pgPendingSQL + ` AS pending, r.total AS renames, f.etag AS etag, f.changed_at AS changed_at
FROM (SELECT %s AS stamp) AS v
CROSS JOIN patient_renames AS r
LEFT JOIN feed_tokens AS f ON f.id = @token`

// pgFeedTokenVersionSQL is feedTokenVersionSQL on PostgreSQL.
var pgFeedTokenVersionSQL = `
SELECT t.id, t.practitioner_id, t.hash, t.privacy, t.created_by, t.created_at, t.revoked_at,
	v.stamp AS stamp, ` + pgPendingSQL + ` AS pending,
	(SELECT total FROM patient_renames) AS renames, t.etag AS etag, t.changed_at AS changed_at
FROM feed_tokens AS t
CROSS JOIN LATERAL (SELECT CASE WHEN t.practitioner_id IS NULL THEN ` + pgClinicFeedStampSQL + `
	ELSE ` + fmt.Sprintf(pgFeedStampSQL, "t.practitioner_id") + ` END AS stamp) AS v
WHERE t.hash = @hash AND t.revoked_at IS NULL`

// pgFeedVersionQuery is pgFeedVersionSQL for a practitioner's feed, or the
// clinic's when practitioner is false.
func pgFeedVersionQuery(practitioner bool) string {
	if practitioner {
		return fmt.Sprintf(pgFeedVersionSQL, fmt.Sprintf(pgFeedStampSQL, "@practitioner"))
	}
	return fmt.Sprintf(pgFeedVersionSQL, pgClinicFeedStampSQL)
}

// pgRowsVersion is FeedVersion.Rows from a stamp and whether it settled: a
// fresh id when not, so that it matches no version ever remembered.
func pgRowsVersion(stamp int64, settled bool) string {
	if !settled {
		return "unsettled-" + domain.NewID()
	}
	return "xid-" + strconv.FormatInt(stamp, 10)
}

// foreignXIDs remembers transaction ids seen running in other databases.
type foreignXIDs struct {
	mu  sync.Mutex
	ids map[int64]struct{}
}

// maxForeignXIDs bounds foreignXIDs; past it the memory starts afresh.
const maxForeignXIDs = 4096

// pgActivitySQL returns which of the 32-bit transaction ids are running,
// and whether each runs in another database.
const pgActivitySQL = `SELECT a.backend_xid::text::bigint AS x,
	a.datid IS DISTINCT FROM (SELECT oid FROM pg_database WHERE datname = current_database()) AS foreign
FROM pg_stat_activity AS a
WHERE a.backend_xid::text::bigint = ANY(CAST(@ids AS bigint[]))`

// runningXID is a row of pgActivitySQL.
type runningXID struct {
	X       int64
	Foreign bool
}

// pgSettled reports whether every pending transaction (pgPendingSQL's
// list) belongs to another database, and, when not, whether one of them has
// ended since the snapshot (so a fresh read may settle).
func (s *Store) pgSettled(ctx context.Context, pending string) (settled, ended bool, err error) {
	if pending == "" {
		return true, false, nil
	}
	var unknown []int64
	s.foreign.mu.Lock()
	for _, f := range strings.Split(pending, ",") {
		x, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			s.foreign.mu.Unlock()
			return false, false, fmt.Errorf("pending transaction id %q: %w", f, err)
		}
		if _, ok := s.foreign.ids[x]; !ok {
			unknown = append(unknown, x)
		}
	}
	s.foreign.mu.Unlock()
	if len(unknown) == 0 {
		return true, false, nil
	}
	short := make([]int64, len(unknown))
	for i, x := range unknown {
		short[i] = x & 0xffffffff
	}
	var running []runningXID
	if err := s.db.WithContext(ctx).Raw(pgActivitySQL, map[string]any{"ids": pgInt8Array(short)}).Scan(&running).Error; err != nil {
		return false, false, dbError("select running transactions", err)
	}
	s.foreign.mu.Lock()
	defer s.foreign.mu.Unlock()
	if s.foreign.ids == nil || len(s.foreign.ids) > maxForeignXIDs {
		s.foreign.ids = make(map[int64]struct{})
	}
	settled = true
	for _, x := range unknown {
		i := slices.IndexFunc(running, func(r runningXID) bool { return r.X == x&0xffffffff })
		switch {
		case i < 0:
			settled, ended = false, true
		case running[i].Foreign:
			s.foreign.ids[x] = struct{}{}
		default:
			settled = false
		}
	}
	return settled, ended, nil
}

// pgInt8Array is a bigint[] literal.
func pgInt8Array(xs []int64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatInt(x, 10)
	}
	return "{" + strings.Join(parts, ",") + "}"
}
