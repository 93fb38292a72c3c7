package domain_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
)

// busyStore is the shared in-memory store with one practitioner, whose
// poll side (claims, saved fetches, own UIDs) it scripts and records.
type busyStore struct {
	*domaintest.Store
	fetches []domain.BusyFetch
	own     map[string]bool
}

func newBusyStore(own map[string]bool) *busyStore {
	s := domaintest.NewStore(domain.Clinic{TimeZone: "America/New_York", Policy: domain.DefaultPolicy})
	s.Edit(func(d *domaintest.Data) {
		d.Practitioners = []domain.Practitioner{{ID: practitionerID, TimeZone: "Europe/London", Active: true}}
	})
	return &busyStore{Store: s, own: own}
}

func (s *busyStore) ClaimBusyCalendars(context.Context, time.Time, int, time.Duration) ([]domain.BusyCalendar, error) {
	return s.Data().BusyCalendars, nil
}
func (s *busyStore) SaveBusyFetch(_ context.Context, f domain.BusyFetch) error {
	s.fetches = append(s.fetches, f)
	s.Edit(func(d *domaintest.Data) {
		c := &d.BusyCalendars[0]
		if f.Err == "" {
			c.ETag, c.BodyHash = f.ETag, f.BodyHash
			if f.Replace {
				c.ExpandedUntil = f.ExpandedUntil
			}
		}
	})
	return nil
}
func (s *busyStore) OwnEventUIDs(_ context.Context, uids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, u := range uids {
		if s.own[u] {
			out[u] = true
		}
	}
	return out, nil
}

const practitionerID = "0b5d0c5e-8e5a-4b7e-9f1a-3c2d1e0f9a8b"

// scriptedFeed answers with body (and an ETag) unless asked with it.
type scriptedFeed struct {
	body  []byte
	conds []domain.Conditional
	url   string
}

func (f *scriptedFeed) Fetch(_ context.Context, raw string, cond domain.Conditional) (domain.FetchedFeed, error) {
	f.conds, f.url = append(f.conds, cond), raw
	if cond.ETag == `"e1"` {
		return domain.FetchedFeed{NotModified: true}, nil
	}
	return domain.FetchedFeed{Body: f.body, ETag: `"e1"`}, nil
}

// fixedExpansion returns its events whatever the body; it counts reads.
type fixedExpansion struct {
	exp   domain.Expansion
	reads int
}

func (x *fixedExpansion) Expand([]byte, domain.ExpandRequest) (domain.Expansion, error) {
	x.reads++
	return x.exp, nil
}

func TestAddCalendarChecksAndSealsTheURL(t *testing.T) {
	ctx := context.Background()
	store := newBusyStore(nil)
	bi := &domain.BusyImport{Store: store, Key: []byte("a key of sixteen or more")}
	for _, bad := range []string{"", "ftp://x.example/c.ics", "https://", "javascript:alert(1)", "/relative.ics"} {
		if _, err := bi.AddCalendar(ctx, domain.NewBusyCalendar{PractitionerID: practitionerID, URL: bad}); domain.ErrorKind(err) != domain.KindInvalid {
			t.Errorf("AddCalendar(%q) = %v, want KindInvalid on url", bad, err)
		}
	}
	const raw = "webcal://p52-caldav.icloud.com/published/2/MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3"
	c, err := bi.AddCalendar(ctx, domain.NewBusyCalendar{PractitionerID: practitionerID, URL: raw})
	if err != nil {
		t.Fatal(err)
	}
	if c.Label != "iCloud" || c.URLHint != "https://p52-caldav.icloud.com/…" {
		t.Errorf("AddCalendar = label %q, hint %q", c.Label, c.URLHint)
	}
	if bytes.Contains(c.SealedURL, []byte("MTIzNDU2")) {
		t.Error("the stored URL is not sealed")
	}
	if _, err := bi.AddCalendar(ctx, domain.NewBusyCalendar{PractitionerID: practitionerID, URL: raw}); domain.ErrorKind(err) != domain.KindConflict {
		t.Errorf("AddCalendar(same URL) = %v, want KindConflict", err)
	}
	feed := &scriptedFeed{body: []byte("BEGIN:VCALENDAR")}
	bi.Fetcher, bi.Expander = feed, &fixedExpansion{}
	if _, err := bi.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if feed.url != "https://p52-caldav.icloud.com/published/2/MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3" {
		t.Errorf("fetched %q, want the unsealed https URL", feed.url)
	}
	bi.Key = []byte("another key entirely, sixteen+")
	if _, err := bi.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if last := store.fetches[len(store.fetches)-1]; last.Err == "" {
		t.Errorf("poll with another key = %+v, want an error for staff", last)
	}
}

// TestPollDropsOwnEventsAndRereadsWhenTheWindowMoves: Frontdesk's own
// events (by UID, or a whole feed by PRODID) add no busy time; a 304 is not
// read, unless the window has moved on a day, when the feed is fetched
// unconditionally and read.
func TestPollDropsOwnEventsAndRereadsWhenTheWindowMoves(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	clock := domain.ClockFunc(func() time.Time { return now })
	ownUID := "5a0c4f52-77c1-4d7e-9d8e-0a1b2c3d4e5f"
	ev := func(uid string, h int) domain.BusyEvent {
		start := now.Add(time.Duration(h) * time.Hour)
		return domain.BusyEvent{UID: uid, Interval: domain.Interval{Start: start, End: start.Add(time.Hour)}}
	}
	store := newBusyStore(map[string]bool{ownUID: true})
	exp := &fixedExpansion{exp: domain.Expansion{ProdID: "-//Google Inc//Google Calendar 70.9054//EN",
		Events: []domain.BusyEvent{ev("a@google.com", 1), ev(ownUID, 3), ev("b@google.com", 2), ev("c@google.com", 2)}}}
	feed := &scriptedFeed{body: []byte("BEGIN:VCALENDAR")}
	bi := &domain.BusyImport{Store: store, Fetcher: feed, Expander: exp, Clock: clock, OwnProdID: "-//Frontdesk//Frontdesk Scheduler 1.0//EN"}
	if _, err := bi.AddCalendar(ctx, domain.NewBusyCalendar{PractitionerID: practitionerID, URL: "https://calendar.google.com/calendar/ical/x/private-y/basic.ics"}); err != nil {
		t.Fatal(err)
	}
	if _, err := bi.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	f := store.fetches[0]
	want := []domain.Interval{{Start: now.Add(time.Hour), End: now.Add(3 * time.Hour)}} // merged; the own event left out
	if !f.Replace || f.Events != 3 || len(f.Intervals) != 1 || !f.Intervals[0].Start.Equal(want[0].Start) || !f.Intervals[0].End.Equal(want[0].End) {
		t.Errorf("first fetch = %+v, want 3 events merged into %v", f, want)
	}

	if _, err := bi.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if exp.reads != 1 || store.fetches[1].Replace || feed.conds[1].ETag != `"e1"` {
		t.Errorf("second poll: %d reads, replace %v, cond %+v; want a 304 left unread", exp.reads, store.fetches[1].Replace, feed.conds[1])
	}

	now = now.Add(25 * time.Hour)
	if _, err := bi.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if exp.reads != 2 || feed.conds[2] != (domain.Conditional{}) || !store.fetches[2].Replace {
		t.Errorf("a day later: %d reads, cond %+v; want an unconditional fetch, read", exp.reads, feed.conds[2])
	}

	exp.exp.ProdID = bi.OwnProdID
	store.Edit(func(d *domaintest.Data) { d.BusyCalendars[0].BodyHash, d.BusyCalendars[0].ETag = "changed", "" })
	reads := exp.reads
	if _, err := bi.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if last := store.fetches[len(store.fetches)-1]; exp.reads != reads+1 || !last.Replace || len(last.Intervals) != 0 || last.Events != 0 {
		t.Errorf("Frontdesk's own feed: %+v; want it read and no busy time", last)
	}
}

// TestBusyCalendarChangesAreAudited: adding and removing a calendar write
// their audit entry (without the URL) in the change's transaction; a
// failure before the commit leaves neither calendar nor entry.
func TestBusyCalendarChangesAreAudited(t *testing.T) {
	ctx := context.Background()
	store := newBusyStore(nil)
	bi := &domain.BusyImport{Store: store}
	desk := domain.Actor{UserID: domain.NewID(), Name: "Fran Desk", Role: domain.RoleFrontDesk}
	raw := "https://calendar.google.com/calendar/ical/x/private-secret/basic.ics"

	store.FailBeforeCommit(errors.New("crash before commit"))
	if _, err := bi.AddCalendar(ctx, domain.NewBusyCalendar{PractitionerID: practitionerID, URL: raw, By: desk}); err == nil {
		t.Fatal("AddCalendar with a failing commit = nil, want the error")
	}
	if d := store.Data(); len(d.BusyCalendars) != 0 || len(d.Audit) != 0 {
		t.Fatalf("after a failed commit: %d calendars, %d audit entries; want none", len(d.BusyCalendars), len(d.Audit))
	}

	c, err := bi.AddCalendar(ctx, domain.NewBusyCalendar{PractitionerID: practitionerID, URL: raw, By: desk})
	if err != nil {
		t.Fatal(err)
	}
	if err := bi.RemoveCalendar(ctx, desk, practitionerID, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := bi.RemoveCalendar(ctx, desk, practitionerID, c.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("second RemoveCalendar = %v, want ErrNotFound", err)
	}
	d := store.Data()
	if len(d.BusyCalendars) != 0 || len(d.Audit) != 2 {
		t.Fatalf("%d calendars, %d audit entries; want 0 and 2", len(d.BusyCalendars), len(d.Audit))
	}
	for i, want := range []string{"busy_calendar.create", "busy_calendar.delete"} {
		e := d.Audit[i]
		if e.Action != want || e.EntityType != "busy_calendar" || e.EntityID != c.ID || e.Actor != desk {
			t.Errorf("audit %d = %s %s/%s by %+v, want %s busy_calendar/%s by %+v", i, e.Action, e.EntityType, e.EntityID, e.Actor, want, c.ID, desk)
		}
		if s := fmt.Sprintf("%+v %+v", e.Before, e.After); strings.Contains(s, "private-secret") || !strings.Contains(s, c.URLHint) {
			t.Errorf("audit %d keeps %s; want the URL hint and never the URL", i, s)
		}
	}
}
