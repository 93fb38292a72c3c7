package domain_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

type feedFixture struct {
	*schedFixture
	feeds *domain.Feeds
}

func newFeedFixture(t *testing.T) feedFixture {
	f := newSchedFixture(t)
	return feedFixture{f, &domain.Feeds{Store: f.store, State: f.store, Clock: f.clock}}
}

// token adds a feed token and returns its raw secret.
func (f feedFixture) token(practitionerID string, p domain.Privacy) string {
	raw, hash := domain.NewToken()
	tok := domain.FeedToken{ID: domain.NewID(), PractitionerID: practitionerID, Hash: hash, Privacy: p}
	if err := f.store.CreateFeedToken(context.Background(), &tok); err != nil {
		f.t.Fatal(err)
	}
	return raw
}

func TestFeedPrivacyLevels(t *testing.T) {
	f := newFeedFixture(t)
	req := f.req()
	req.Patient = domain.Patient{Name: "Jane Quinn Doe", Email: "jane.secret@example.com", Phone: "+1 555 0142"}
	req.Notes = "door code 4242"
	mustBook(t, f.schedFixture, req)
	for _, tc := range []struct {
		privacy domain.Privacy
		want    string
		absent  []string
	}{
		{domain.PrivacyBusy, "Busy", []string{"Jane", "J. Q. D.", "Swedish"}},
		{domain.PrivacyInitials, "Swedish massage 60 · J. Q. D.", []string{"Jane"}},
		{domain.PrivacyFullName, "Swedish massage 60 · Jane Quinn Doe", nil},
	} {
		feed, _, err := f.feeds.Feed(context.Background(), f.token(f.ben.ID, tc.privacy))
		if err != nil {
			t.Fatalf("Feed(%s) = %v", tc.privacy, err)
		}
		if len(feed.Events) != 1 || feed.Events[0].Summary != tc.want {
			t.Fatalf("Feed(%s) events = %+v, want one %q", tc.privacy, feed.Events, tc.want)
		}
		all := strings.Join([]string{feed.Name, feed.Events[0].Summary, feed.Events[0].Practitioner}, "|")
		for _, secret := range append(tc.absent, "jane.secret@example.com", "0142", "4242") {
			if strings.Contains(all, secret) {
				t.Errorf("Feed(%s) shows %q: %s", tc.privacy, secret, all)
			}
		}
	}
}

func TestFeedUnknownOrRevokedToken(t *testing.T) {
	f := newFeedFixture(t)
	if _, _, err := f.feeds.Feed(context.Background(), "nope"); domain.ErrorKind(err) != domain.KindNotFound {
		t.Fatalf("Feed(unknown) = %v, want not found", err)
	}
	raw := f.token("", domain.PrivacyBusy)
	toks, _ := f.store.FeedTokens(context.Background())
	if err := f.store.RevokeFeedToken(context.Background(), toks[0].ID, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.feeds.Feed(context.Background(), raw); domain.ErrorKind(err) != domain.KindNotFound {
		t.Fatalf("Feed(revoked) = %v, want not found", err)
	}
}

// TestFeedLastModifiedNeverGoesBack: a change gives a new ETag and a later
// Last-Modified; a cancelled visit stays as cancelled, then leaves the feed,
// and leaving moves Last-Modified forward too, never back.
func TestFeedLastModifiedNeverGoesBack(t *testing.T) {
	f := newFeedFixture(t)
	ctx := context.Background()
	raw := f.token("", domain.PrivacyInitials)
	booked := mustBook(t, f.schedFixture, f.req())

	feed1, etag1, err := f.feeds.Feed(ctx, raw)
	if err != nil || len(feed1.Events) != 1 || !strings.Contains(feed1.Events[0].Summary, "(Ben Hands)") {
		t.Fatalf("clinic feed = %+v, %v; want the visit with its practitioner", feed1, err)
	}
	f.clock.Set(f.clock.Now().Add(time.Hour))
	_, etag, _ := f.feeds.Feed(ctx, raw)
	if etag != etag1 {
		t.Fatalf("ETag changed with nothing changed: %s then %s", etag1, etag)
	}

	if _, err := f.sched.Cancel(ctx, f.desk, booked.Booking.ID, "patient called"); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(f.clock.Now().Add(time.Minute))
	feed2, etag2, _ := f.feeds.Feed(ctx, raw)
	if etag2 == etag1 || len(feed2.Events) != 1 || !feed2.Events[0].Cancelled || !feed2.LastModified.After(feed1.LastModified) {
		t.Fatalf("after cancel: etag %s→%s, events %+v, last-modified %v→%v", etag1, etag2, feed2.Events, feed1.LastModified, feed2.LastModified)
	}

	f.clock.Set(f.clock.Now().Add(15 * 24 * time.Hour))
	feed3, etag3, _ := f.feeds.Feed(ctx, raw)
	if len(feed3.Events) != 0 || etag3 == etag2 || !feed3.LastModified.After(feed2.LastModified) {
		t.Fatalf("after the cancelled visit left: events %+v, last-modified %v→%v", feed3.Events, feed2.LastModified, feed3.LastModified)
	}
}

func TestFeedShowsTimeOffAsBusy(t *testing.T) {
	f := newFeedFixture(t)
	off := domain.TimeOff{PractitionerID: f.cleo.ID, Start: f.at(2, 12, 0), End: f.at(3, 12, 0), Reason: "dentist — private"}
	if err := f.store.CreateTimeOff(context.Background(), &off); err != nil {
		t.Fatal(err)
	}
	feed, _, err := f.feeds.Feed(context.Background(), f.token(f.cleo.ID, domain.PrivacyFullName))
	if err != nil || len(feed.Events) != 1 || !feed.Events[0].Busy || feed.Events[0].Summary != "Away" {
		t.Fatalf("feed = %+v, %v; want one busy block 'Away'", feed.Events, err)
	}
	if strings.Contains(feed.Events[0].Summary, "dentist") {
		t.Fatalf("time-off reason leaked into the feed: %q", feed.Events[0].Summary)
	}
}

// TestFeedCheckWithoutVersions: with no FeedVersionStore nothing is known
// without building, and building still works.
func TestFeedCheckWithoutVersions(t *testing.T) {
	f := newFeedFixture(t)
	ctx := context.Background()
	raw := f.token("", domain.PrivacyBusy)
	if _, _, err := f.feeds.Feed(ctx, raw); err != nil {
		t.Fatalf("Feed = %v", err)
	}
	tok, err := f.store.FeedToken(ctx, domain.HashToken(raw))
	if err != nil {
		t.Fatal(err)
	}
	if etag, _, known, err := f.feeds.Check(ctx, tok); known || err != nil || etag != "" {
		t.Errorf("Check = %q, %v, %v; want unknown", etag, known, err)
	}
}
