package domaintest

import (
	"context"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// CreateFeedToken adds t.
func (s *Store) CreateFeedToken(_ context.Context, t *domain.FeedToken) error {
	return s.write(func() error {
		if t.ID == "" {
			t.ID = domain.NewID()
		}
		s.d.FeedTokens = append(s.d.FeedTokens, *t)
		return nil
	})
}

// FeedToken returns the unrevoked token with the hash.
func (s *Store) FeedToken(_ context.Context, hash string) (t domain.FeedToken, err error) {
	err = domain.ErrNotFound
	s.read(func() {
		if i := find(s.d.FeedTokens, func(x domain.FeedToken) bool { return x.Hash == hash && x.RevokedAt.IsZero() }); i >= 0 {
			t, err = s.d.FeedTokens[i], nil
		}
	})
	return t, err
}

// FeedTokens lists every token.
func (s *Store) FeedTokens(context.Context) (out []domain.FeedToken, err error) {
	s.read(func() { out = slices.Clone(s.d.FeedTokens) })
	return out, nil
}

// RevokeFeedToken revokes a token.
func (s *Store) RevokeFeedToken(_ context.Context, id string, at time.Time) error {
	return s.write(func() error {
		i := find(s.d.FeedTokens, func(x domain.FeedToken) bool { return x.ID == id })
		if i < 0 {
			return domain.ErrNotFound
		}
		s.d.FeedTokens[i].RevokedAt = at
		return nil
	})
}

// FeedChanged records that the token's feed now serves etag and returns
// when its content last changed.
func (s *Store) FeedChanged(_ context.Context, tokenID, etag string, at time.Time) (changed time.Time, err error) {
	err = s.write(func() error {
		st, ok := s.d.FeedStates[tokenID]
		if !ok || st.ETag != etag {
			st = FeedState{ETag: etag, Changed: at}
			s.d.FeedStates[tokenID] = st
		}
		changed = st.Changed
		return nil
	})
	return changed, err
}

// RecordAudit appends e.
func (s *Store) RecordAudit(_ context.Context, e domain.AuditEntry) error {
	return s.write(func() error { s.d.Audit = append(s.d.Audit, e); return nil })
}

// Audit lists entries, newest first.
func (s *Store) Audit(_ context.Context, f domain.AuditFilter) (out []domain.AuditEntry, err error) {
	s.read(func() {
		for i := len(s.d.Audit) - 1; i >= 0; i-- {
			if f.EntityID == "" || s.d.Audit[i].EntityID == f.EntityID {
				out = append(out, s.d.Audit[i])
			}
		}
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}
