package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

var _ domain.FeedVersionStore = (*Store)(nil)

// feedVersionSQL reads, in one statement (so from one snapshot), what a
// feed's version is made of: aggregates of its bookings and time off, the
// patient renames and the token's feed state. %[1]s narrows the bookings
// and the time off to one practitioner, or is empty; %[2]s and %[3]s are
// the dialect's sum of updated_at and list of ids.
//
// The bookings are found through bookings_start: a visit overlapping
// [from, to) starts before to, and after from less a day, since no block
// is longer than a day (a CHECK on bookings). The count sees a booking come
// or go; every change of one sets its updated_at, which moves the sum even
// when writes commit out of their timestamps' order, and the sum of
// SEQUENCE, raised by every reschedule and cancellation, does not rest on
// clocks at all. Time off is never updated, only added and deleted: its ids
// say which rows there are.
const feedVersionSQL = `
SELECT b.n AS bookings, b.changed AS changed, b.updated AS updated, b.sequences AS sequences,
	t.ids AS time_off, r.total AS renames, f.etag AS etag, f.changed_at AS changed_at
FROM (
	SELECT count(*) AS n, max(updated_at) AS changed, %[2]s AS updated, COALESCE(sum(sequence), 0) AS sequences
	FROM bookings
	WHERE start_at > @reach AND start_at < @to AND end_at > @from
		AND NOT (status = 'cancelled' AND cancelled_at < @keep)%[1]s
) AS b
CROSS JOIN (
	SELECT %[3]s AS ids FROM time_off WHERE end_at > @from AND start_at < @to%[1]s
) AS t
CROSS JOIN patient_renames AS r
LEFT JOIN feed_tokens AS f ON f.id = @token`

// Per dialect: the exact sum of the bookings' updated_at (PostgreSQL's
// epoch is numeric, to the microsecond; SQLite sums seconds and
// microseconds apart, each far from overflowing), and the time off ids.
const (
	pgUpdatedSum     = `COALESCE(sum(extract(epoch FROM updated_at)), 0)::text`
	sqliteUpdatedSum = `COALESCE(sum(CAST(strftime('%s', updated_at) AS INTEGER)), 0) || '.' ||
		COALESCE(sum(CAST(substr(updated_at, 21, 6) AS INTEGER)), 0)`
	pgTimeOffIDs     = `COALESCE(string_agg(id::text, ','), '')`
	sqliteTimeOffIDs = `COALESCE(group_concat(id, ','), '')`
)

// feedVersionRow is the one row feedVersionSQL returns.
type feedVersionRow struct {
	Bookings  int64
	Changed   instant
	Updated   string
	Sequences int64
	TimeOff   string
	Renames   int64
	ETag      optional `gorm:"column:etag"`
	ChangedAt instant
}

// FeedVersion returns, in one query, a digest of the rows the feed of w
// shows and the state FeedChanged last stored for the token (none for an
// unknown token). The digest changes when a booking of the window is
// added, changed (its updated_at) or leaves it, and when time off of the
// window is added or deleted.
func (s *Store) FeedVersion(ctx context.Context, tokenID string, w domain.FeedWindow) (domain.FeedVersion, error) {
	if !domain.IsID(tokenID) || (w.PractitionerID != "" && !domain.IsID(w.PractitionerID)) {
		return domain.FeedVersion{}, domain.ErrNotFound
	}
	params := map[string]any{
		"reach": s.arg(at(w.From.Add(-24 * time.Hour))), "from": s.arg(at(w.From)), "to": s.arg(at(w.To)),
		"keep": s.arg(at(w.Keep)), "token": lowerID(tokenID), "practitioner": lowerID(w.PractitionerID),
	}
	var scope string
	if w.PractitionerID != "" {
		scope = " AND practitioner_id = @practitioner"
	}
	updated, ids := sqliteUpdatedSum, sqliteTimeOffIDs
	if s.dialect == DialectPostgres {
		updated, ids = pgUpdatedSum, pgTimeOffIDs
	}
	var row feedVersionRow
	query := fmt.Sprintf(feedVersionSQL, scope, updated, ids)
	if err := s.db.WithContext(ctx).Raw(query, params).Scan(&row).Error; err != nil {
		return domain.FeedVersion{}, dbError("select feed version", err)
	}
	return domain.FeedVersion{
		Rows: row.digest(), Renames: row.Renames, ETag: string(row.ETag), Changed: row.ChangedAt.time(),
	}, nil
}

// digest hashes the aggregates into a short string; the time off ids are
// sorted first, since neither engine promises an order for them.
func (r feedVersionRow) digest() string {
	ids := strings.Split(r.TimeOff, ",")
	slices.Sort(ids)
	h := sha256.New()
	fmt.Fprintf(h, "%d|%s|%s|%d|%s", r.Bookings, r.Changed.time().Format(time.RFC3339Nano), r.Updated, r.Sequences, strings.Join(ids, ","))
	return hex.EncodeToString(h.Sum(nil)[:16])
}
