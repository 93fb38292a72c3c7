package storage

import (
	"context"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// outboxStatsSQL reads the whole queue's figures in one pass over the
// outbox; the (status, due_at) index covers all but attempts and last_error.
const outboxStatsSQL = `
SELECT
	COUNT(CASE WHEN status = 'pending' AND due_at <= ? THEN 1 END) AS queued,
	COUNT(CASE WHEN status = 'pending' AND due_at > ? THEN 1 END) AS scheduled,
	COUNT(CASE WHEN status = 'pending' AND last_error <> '' THEN 1 END) AS retrying,
	COUNT(CASE WHEN status = 'sent' THEN 1 END) AS sent,
	COUNT(CASE WHEN status = 'dead' THEN 1 END) AS dead,
	MIN(CASE WHEN status = 'pending' AND due_at <= ? THEN due_at END) AS oldest_queued
FROM outbox`

type outboxStatsRow struct {
	Queued, Scheduled, Retrying, Sent, Dead int
	OldestQueued                            instant
}

// OutboxStats counts the queue as it stands at now, in one statement.
func (s *Store) OutboxStats(ctx context.Context, now time.Time) (domain.OutboxStats, error) {
	var r outboxStatsRow
	t := s.arg(at(now))
	if err := s.db.WithContext(ctx).Raw(outboxStatsSQL, t, t, t).Scan(&r).Error; err != nil {
		return domain.OutboxStats{}, dbError("count outbox", err)
	}
	return domain.OutboxStats{Queued: r.Queued, Scheduled: r.Scheduled, Retrying: r.Retrying,
		Sent: r.Sent, Dead: r.Dead, OldestQueued: r.OldestQueued.time()}, nil
}
