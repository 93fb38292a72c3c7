package storage

import (
	"context"
	"fmt"
	"strconv"

	"github.com/frontdesk/frontdesk/domain"
)

var _ domain.FeedVersionStore = (*Store)(nil)

// feedVersionSQL reads, in one statement (so from one snapshot), what a
// feed's version is made of on SQLite: the sum of the feed change counters
// (migration 00004: every write of a booking or a time off counts for its
// practitioner; with one writer, the counter row costs no waiting), the
// patient renames and the token's feed state. PostgreSQL reads stamps
// instead (feedversion_pg.go). %s
// narrows the counters to one practitioner, or is empty. It reads a few
// rows however many visits the feed shows.
const feedVersionSQL = `
SELECT c.total AS changes, r.total AS renames, f.etag AS etag, f.changed_at AS changed_at
FROM (SELECT COALESCE(sum(total), 0) AS total FROM feed_changes%s) AS c
CROSS JOIN patient_renames AS r
LEFT JOIN feed_tokens AS f ON f.id = @token`

// feedVersionRow is the one row feedVersionSQL (or pgFeedVersionSQL)
// returns: Changes on SQLite, Stamp and Settled on PostgreSQL.
type feedVersionRow struct {
	Changes   int64
	Stamp     *int64
	Pending   string
	Settled   bool `gorm:"-"` // pgSettled's answer for Pending
	Renames   int64
	ETag      optional `gorm:"column:etag"`
	ChangedAt instant
}

// FeedVersion returns, in one query, the version of the rows the feed of w
// shows and the state FeedChanged last stored for the token (none for an
// unknown token). The version moves with every write of a booking or a
// time off of the feed's practitioner (everyone's for the clinic feed),
// inside the window or not: the window is whole days, and the caller keys
// its versions by it.
func (s *Store) FeedVersion(ctx context.Context, tokenID string, w domain.FeedWindow) (domain.FeedVersion, error) {
	if !domain.IsID(tokenID) || (w.PractitionerID != "" && !domain.IsID(w.PractitionerID)) {
		return domain.FeedVersion{}, domain.ErrNotFound
	}
	params := map[string]any{"token": lowerID(tokenID)}
	var scope string
	if w.PractitionerID != "" {
		scope = " WHERE practitioner_id = @practitioner"
		params["practitioner"] = lowerID(w.PractitionerID)
	}
	query := fmt.Sprintf(feedVersionSQL, scope)
	if s.dialect == DialectPostgres {
		query = pgFeedVersionQuery(w.PractitionerID != "")
	}
	var row feedVersionRow
	err := s.readSettled(ctx, &row, func() error {
		row = feedVersionRow{}
		return dbError("select feed version", s.db.WithContext(ctx).Raw(query, params).Scan(&row).Error)
	})
	if err != nil {
		return domain.FeedVersion{}, err
	}
	return row.version(s.dialect), nil
}

func (r feedVersionRow) version(dialect string) domain.FeedVersion {
	rows := strconv.FormatInt(r.Changes, 10)
	if dialect == DialectPostgres {
		var stamp int64
		if r.Stamp != nil {
			stamp = *r.Stamp
		}
		rows = pgRowsVersion(stamp, r.Settled)
	}
	return domain.FeedVersion{Rows: rows, Renames: r.Renames, ETag: string(r.ETag), Changed: r.ChangedAt.time()}
}

// feedTokenVersionSQL is the token look-up of FeedToken and feedVersionSQL
// for the token's feed in one statement: a revalidation is one round trip.
const feedTokenVersionSQL = `
SELECT t.id, t.practitioner_id, t.hash, t.privacy, t.created_by, t.created_at, t.revoked_at,
	(SELECT COALESCE(sum(c.total), 0) FROM feed_changes AS c
	 WHERE t.practitioner_id IS NULL OR c.practitioner_id = t.practitioner_id) AS changes,
	(SELECT total FROM patient_renames) AS renames, t.etag AS etag, t.changed_at AS changed_at
FROM feed_tokens AS t
WHERE t.hash = @hash AND t.revoked_at IS NULL`

// FeedTokenVersion is FeedToken and FeedVersion of the token's feed in one
// query; domain.ErrNotFound for an unknown or revoked hash.
func (s *Store) FeedTokenVersion(ctx context.Context, hash string) (domain.FeedToken, domain.FeedVersion, error) {
	if hash == "" {
		return domain.FeedToken{}, domain.FeedVersion{}, domain.ErrNotFound
	}
	var rows []struct {
		Token   feedTokenRow   `gorm:"embedded"`
		Version feedVersionRow `gorm:"embedded"`
	}
	query := feedTokenVersionSQL
	if s.dialect == DialectPostgres {
		query = pgFeedTokenVersionSQL
	}
	var version feedVersionRow
	err := s.readSettled(ctx, &version, func() error {
		rows = rows[:0]
		if err := s.db.WithContext(ctx).Raw(query, map[string]any{"hash": hash}).Scan(&rows).Error; err != nil {
			return dbError("select feed token and version", err)
		}
		if len(rows) == 0 {
			return domain.ErrNotFound
		}
		version = rows[0].Version
		return nil
	})
	if err != nil {
		return domain.FeedToken{}, domain.FeedVersion{}, err
	}
	return rows[0].Token.domain(), version.version(s.dialect), nil
}

// settleReads bounds how often a version is read again because a
// transaction its snapshot showed running may have been this database's.
const settleReads = 3

// readSettled runs read, which fills row, and on PostgreSQL decides whether
// the version read is settled. A pending transaction that pg_stat_activity
// no longer shows running has ended since the snapshot, in this database or
// another; a fresh read, in a fresh snapshot, sees it ended and so no longer
// waits on it. One still running here is waited on by building the feed. Without the second read every commit in another database
// racing a poll (a busy cluster, parallel tests) would make the poll build
// the feed for nothing.
func (s *Store) readSettled(ctx context.Context, row *feedVersionRow, read func() error) error {
	for attempt := 1; ; attempt++ {
		if err := read(); err != nil {
			return err
		}
		ended, err := s.settle(ctx, row)
		if err != nil || row.Settled || !ended || attempt == settleReads {
			return err
		}
	}
}

// settle decides on PostgreSQL whether a version read is settled, and when
// not, whether a transaction it waited on has ended since.
func (s *Store) settle(ctx context.Context, row *feedVersionRow) (ended bool, err error) {
	if s.dialect != DialectPostgres {
		return false, nil
	}
	row.Settled, ended, err = s.pgSettled(ctx, row.Pending)
	return ended, err
}
