package domain_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

func TestInitialsTakeLettersOnly(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"Jane Doe", "J. D."},
		{"J. Doe", "J. D."},
		{"😀 Jane", "J."},
		{"\"Jim\" O'Neil", "J. O."},
		{"élodie van-dyke", "É. V."},
		{"123 !!", ""},
	} {
		if got := domain.Initials(tc.name); got != tc.want {
			t.Errorf("Initials(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestFeedBusyShowsNoService: busy means busy, in a practitioner's feed
// and the clinic's.
func TestFeedBusyShowsNoService(t *testing.T) {
	f := newFeedFixture(t)
	mustBook(t, f.schedFixture, f.req())
	for _, tc := range []struct{ practitioner, want string }{
		{f.ben.ID, "Busy"},
		{"", "Busy (Ben Hands)"},
	} {
		feed, _, err := f.feeds.Feed(context.Background(), f.token(tc.practitioner, domain.PrivacyBusy))
		if err != nil || len(feed.Events) != 1 || feed.Events[0].Summary != tc.want {
			t.Errorf("busy feed %q = %+v, %v; want one %q", tc.practitioner, feed.Events, err, tc.want)
		}
	}
}

// TestFeedTimeOffNamedOnce: the clinic feed names whose time off it is,
// once, and its stamp is when it was set, not when it starts.
func TestFeedTimeOffNamedOnce(t *testing.T) {
	f := newFeedFixture(t)
	created := f.clock.Now()
	off := domain.TimeOff{PractitionerID: f.cleo.ID, Start: f.at(2, 12, 0), End: f.at(3, 12, 0), UpdatedAt: created, Sequence: 2}
	if err := f.store.CreateTimeOff(context.Background(), &off); err != nil {
		t.Fatal(err)
	}
	feed, _, err := f.feeds.Feed(context.Background(), f.token("", domain.PrivacyFullName))
	if err != nil || len(feed.Events) != 1 {
		t.Fatalf("clinic feed = %+v, %v; want the time off", feed.Events, err)
	}
	e := feed.Events[0]
	if e.Summary != "Away" || e.Practitioner != "Cleo Knead" {
		t.Errorf("time off = summary %q practitioner %q, want Away and Cleo Knead (rendered once as Away (Cleo Knead))", e.Summary, e.Practitioner)
	}
	if !e.LastModified.Equal(created) || e.Sequence != 2 {
		t.Errorf("time off LastModified %v SEQUENCE %d, want %v and 2", e.LastModified, e.Sequence, created)
	}
}

// TestFeedStaffNotesChangeNothing: staff notes and check-ins are not in the
// feed, so its ETag and stamps stay.
func TestFeedStaffNotesChangeNothing(t *testing.T) {
	f := newFeedFixture(t)
	ctx := context.Background()
	raw := f.token("", domain.PrivacyFullName)
	got := mustBook(t, f.schedFixture, f.req())
	feed1, etag1, err := f.feeds.Feed(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set(f.clock.Now().Add(time.Hour))
	if _, err := f.sched.SetStaffNotes(ctx, f.desk, got.Booking.ID, "bad knee"); err != nil {
		t.Fatal(err)
	}
	feed2, etag2, _ := f.feeds.Feed(ctx, raw)
	if etag2 != etag1 || !feed2.Events[0].LastModified.Equal(feed1.Events[0].LastModified) {
		t.Errorf("after staff notes: ETag %s→%s, LAST-MODIFIED %v→%v; want both unchanged",
			etag1, etag2, feed1.Events[0].LastModified, feed2.Events[0].LastModified)
	}
}

// TestFeedTimeOffChangeRaisesSequence: a changed time-off entry keeps its
// UID, raises SEQUENCE and is stamped when it changed.
func TestFeedTimeOffChangeRaisesSequence(t *testing.T) {
	f := newFeedFixture(t)
	ctx := context.Background()
	off := domain.TimeOff{PractitionerID: f.cleo.ID, Start: f.at(2, 12, 0), End: f.at(3, 12, 0), UpdatedAt: f.clock.Now()}
	if err := f.store.CreateTimeOff(ctx, &off); err != nil {
		t.Fatal(err)
	}
	raw := f.token(f.cleo.ID, domain.PrivacyBusy)
	before, _, _ := f.feeds.Feed(ctx, raw)
	f.clock.Set(f.clock.Now().Add(time.Hour))
	off.End, off.UpdatedAt = f.at(3, 15, 0), f.clock.Now()
	if err := f.store.UpdateTimeOff(ctx, &off); err != nil {
		t.Fatal(err)
	}
	after, _, _ := f.feeds.Feed(ctx, raw)
	if len(after.Events) != 1 || after.Events[0].UID != before.Events[0].UID || after.Events[0].Sequence != 1 ||
		!after.Events[0].LastModified.Equal(f.clock.Now()) {
		t.Errorf("after the change: %+v; want UID %s, SEQUENCE 1, stamped %v", after.Events, before.Events[0].UID, f.clock.Now())
	}
}
