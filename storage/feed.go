package storage

import (
	"context"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// feedTokenRow is a row of table feed_tokens; PractitionerID NULL is the
// whole clinic's feed.
type feedTokenRow struct {
	ID             string
	PractitionerID optional
	Hash           string
	Privacy        string
	CreatedBy      optional
	CreatedAt      instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
	RevokedAt      instant
}

func (feedTokenRow) TableName() string { return "feed_tokens" }

func toFeedTokenRow(t domain.FeedToken) feedTokenRow {
	return feedTokenRow{
		ID: lowerID(t.ID), PractitionerID: optional(lowerID(t.PractitionerID)), Hash: t.Hash,
		Privacy: string(t.Privacy), CreatedBy: optional(lowerID(t.CreatedBy)),
		CreatedAt: at(orNow(t.CreatedAt)), RevokedAt: at(t.RevokedAt),
	}
}

func (r feedTokenRow) domain() domain.FeedToken {
	return domain.FeedToken{
		ID: r.ID, PractitionerID: string(r.PractitionerID), Hash: r.Hash, Privacy: domain.Privacy(r.Privacy),
		CreatedBy: string(r.CreatedBy), CreatedAt: r.CreatedAt.time(), RevokedAt: r.RevokedAt.time(),
	}
}

// CreateFeedToken stores a feed token, giving it an id when it has none;
// KindInvalid on "practitioner_id" for an unknown practitioner.
func (s *Store) CreateFeedToken(ctx context.Context, t *domain.FeedToken) error {
	if t.ID == "" {
		t.ID = domain.NewID()
	}
	if !domain.IsID(t.ID) {
		return domain.Invalid("id", "Not a valid id.")
	}
	if t.PractitionerID != "" && !domain.IsID(t.PractitionerID) {
		return domain.Invalid("practitioner_id", "Unknown practitioner.")
	}
	if !t.Privacy.Valid() {
		return domain.Invalid("privacy", "Use busy, initials or full.")
	}
	row := toFeedTokenRow(*t)
	err := s.w.WithContext(ctx).Create(&row).Error
	if isForeignKey(err) {
		return domain.Invalid("practitioner_id", "Unknown practitioner.")
	}
	if err != nil {
		return dbError("insert feed token", err)
	}
	*t = row.domain()
	return nil
}

// FeedToken returns the unrevoked token with the hash; domain.ErrNotFound
// otherwise.
func (s *Store) FeedToken(ctx context.Context, hash string) (domain.FeedToken, error) {
	var row feedTokenRow
	if err := s.db.WithContext(ctx).Where("hash = ? AND revoked_at IS NULL", hash).Take(&row).Error; err != nil {
		return domain.FeedToken{}, dbError("select feed token", err)
	}
	return row.domain(), nil
}

// FeedTokens lists every token, revoked ones included, newest first.
func (s *Store) FeedTokens(ctx context.Context) ([]domain.FeedToken, error) {
	var rows []feedTokenRow
	if err := s.db.WithContext(ctx).Order("created_at DESC, id").Find(&rows).Error; err != nil {
		return nil, dbError("select feed tokens", err)
	}
	out := make([]domain.FeedToken, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// RevokeFeedToken ends a token at revokedAt (an earlier revocation stands);
// domain.ErrNotFound for an unknown id.
func (s *Store) RevokeFeedToken(ctx context.Context, id string, revokedAt time.Time) error {
	return s.revoke(ctx, "revoke feed token", "feed_tokens", id, revokedAt)
}
