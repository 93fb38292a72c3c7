package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// mustFeedToken stores a clinic-wide feed token.
func mustFeedToken(t *testing.T, s *storage.Store) domain.FeedToken {
	t.Helper()
	_, hash := domain.NewToken()
	tok := domain.FeedToken{Hash: hash, Privacy: domain.PrivacyBusy, CreatedAt: monday}
	if err := s.CreateFeedToken(context.Background(), &tok); err != nil {
		t.Fatalf("CreateFeedToken: %v", err)
	}
	return tok
}

func TestFeedChanged(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		storagetest.Seed(t, s)
		tok := mustFeedToken(t, s)
		t0 := monday.Truncate(time.Second)
		steps := []struct {
			name string
			etag string
			at   time.Time
			want time.Time
		}{
			{"first fetch", "aaa", t0, t0},
			{"same content later", "aaa", t0.Add(time.Hour), t0},
			{"new content", "bbb", t0.Add(2 * time.Hour), t0.Add(2 * time.Hour)},
			{"old content back (a deletion)", "aaa", t0.Add(3 * time.Hour), t0.Add(3 * time.Hour)},
			// A replica whose clock is behind must not send it backwards.
			{"new content, slow clock", "ccc", t0.Add(time.Hour), t0.Add(3 * time.Hour)},
			{"same content, slow clock", "ccc", t0, t0.Add(3 * time.Hour)},
		}
		for _, st := range steps {
			got, err := s.FeedChanged(ctx, tok.ID, st.etag, st.at)
			if err != nil {
				t.Fatalf("%s: FeedChanged(%q, %v) = %v", st.name, st.etag, st.at, err)
			}
			if !got.Equal(st.want) {
				t.Errorf("%s: FeedChanged(%q, %v) = %v, want %v", st.name, st.etag, st.at, got, st.want)
			}
		}
	})
}

func TestFeedChangedPerToken(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		storagetest.Seed(t, s)
		a, b := mustFeedToken(t, s), mustFeedToken(t, s)
		if _, err := s.FeedChanged(ctx, a.ID, "x", monday); err != nil {
			t.Fatal(err)
		}
		got, err := s.FeedChanged(ctx, b.ID, "x", monday.Add(time.Hour))
		if err != nil || !got.Equal(monday.Add(time.Hour)) {
			t.Errorf("FeedChanged(second token) = %v, %v; want its own first instant %v", got, err, monday.Add(time.Hour))
		}
		// The token row itself is untouched by its state.
		back, err := s.FeedToken(ctx, a.Hash)
		if err != nil || back.ID != a.ID || back.Privacy != a.Privacy {
			t.Errorf("FeedToken after FeedChanged = %+v, %v; want %+v", back, err, a)
		}
	})
}

func TestFeedChangedUnknownToken(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		for _, id := range []string{domain.NewID(), "not-an-id"} {
			_, err := s.FeedChanged(context.Background(), id, "x", monday)
			if !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("FeedChanged(%q) = %v, want domain.ErrNotFound", id, err)
			}
		}
	})
}

// TestFeedChangedConcurrent has several replicas see the same new content
// at slightly different instants: all must agree on one instant, the one
// stored by the first writer, and it must be one of theirs.
func TestFeedChangedConcurrent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		storagetest.Seed(t, s)
		tok := mustFeedToken(t, s)
		if _, err := s.FeedChanged(ctx, tok.ID, "old", monday); err != nil {
			t.Fatal(err)
		}
		const n = 8
		got := make([]time.Time, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				got[i], errs[i] = s.FeedChanged(ctx, tok.ID, "new", monday.Add(time.Duration(i+1)*time.Minute))
			})
		}
		wg.Wait()
		final, err := s.FeedChanged(ctx, tok.ID, "new", monday.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if final.Before(monday.Add(time.Minute)) || final.After(monday.Add(n*time.Minute)) {
			t.Errorf("stored instant %v is none of the writers'", final)
		}
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("writer %d: %v", i, errs[i])
			}
			if !got[i].Equal(final) {
				t.Errorf("writer %d saw %v, want the stored %v", i, got[i], final)
			}
		}
	})
}
