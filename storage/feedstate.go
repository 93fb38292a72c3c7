package storage

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

var _ domain.FeedStateStore = (*Store)(nil)

// FeedChanged records that feed token tokenID now serves etag and returns the
// instant its content last changed: at when etag differs from the stored one,
// else the stored instant. The change is one conditional UPDATE, so replicas
// racing on the same new content move the instant once; and the stored
// instant is only ever raised, never lowered, so a replica with a slower
// clock cannot send Last-Modified backwards. domain.ErrNotFound for an
// unknown token (a revoked one keeps its state).
func (s *Store) FeedChanged(ctx context.Context, tokenID, etag string, at time.Time) (time.Time, error) {
	if !domain.IsID(tokenID) {
		return time.Time{}, domain.ErrNotFound
	}
	id, when := lowerID(tokenID), instantParam(at)
	// Both engines compare the fixed-width UTC text (SQLite) or timestamptz
	// (PostgreSQL) in time order; CASE is the portable GREATEST.
	err := s.w.WithContext(ctx).Table("feed_tokens").Where("id = ? AND etag <> ?", id, etag).
		Updates(map[string]any{
			"etag":       etag,
			"changed_at": gorm.Expr("CASE WHEN changed_at IS NULL OR changed_at < ? THEN ? ELSE changed_at END", when, when),
		}).Error
	if err != nil {
		return time.Time{}, dbError("update feed state", err)
	}
	var row struct{ ChangedAt instant }
	err = s.w.WithContext(ctx).Table("feed_tokens").Select("changed_at").Where("id = ?", id).Take(&row).Error
	if err != nil {
		return time.Time{}, dbError("select feed state", err)
	}
	return row.ChangedAt.time(), nil
}

// instantParam is t as a query parameter, never NULL: the zero time would
// otherwise clear changed_at.
func instantParam(t time.Time) instant {
	if t.IsZero() {
		return at(time.Unix(0, 0))
	}
	return at(t)
}
