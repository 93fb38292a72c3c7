package storage

import (
	"fmt"
	"strconv"

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
// such transaction of this database still running: its xmin is above the
// stamp, or each running transaction with a smaller id belongs to another
// database (pg_stat_activity, read after the snapshot was taken, still
// shows it running there, and a transaction never writes another
// database's tables). An unsettled version is reported as one never seen
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

// pgSettledSQL is true when the stamp v.stamp can no longer be joined by a
// smaller one (see above). CASE keeps the activity scan for the snapshots
// that need it.
const pgSettledSQL = `CASE WHEN pg_snapshot_xmin(pg_current_snapshot())::text::bigint > coalesce(v.stamp, 0) THEN true
	ELSE NOT EXISTS (
		SELECT 1 FROM pg_snapshot_xip(pg_current_snapshot()) AS r (x)
		WHERE r.x::text::bigint < v.stamp
		  AND NOT EXISTS (SELECT 1 FROM pg_stat_activity AS a
		                  WHERE a.backend_xid = r.x::xid
		                    AND a.datid <> (SELECT oid FROM pg_database WHERE datname = current_database())))
	END`

// pgFeedVersionSQL is feedVersionSQL on PostgreSQL; %s is the stamp.
const pgFeedVersionSQL = `
SELECT v.stamp AS stamp, ` + pgSettledSQL + ` AS settled, r.total AS renames, f.etag AS etag, f.changed_at AS changed_at
FROM (SELECT %s AS stamp) AS v
CROSS JOIN patient_renames AS r
LEFT JOIN feed_tokens AS f ON f.id = @token`

// pgFeedTokenVersionSQL is feedTokenVersionSQL on PostgreSQL.
var pgFeedTokenVersionSQL = `
SELECT t.id, t.practitioner_id, t.hash, t.privacy, t.created_by, t.created_at, t.revoked_at,
	v.stamp AS stamp, ` + pgSettledSQL + ` AS settled,
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
