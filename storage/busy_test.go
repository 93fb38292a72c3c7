package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

func newBusyCalendar(practitionerID, hash string, now time.Time) domain.BusyCalendar {
	return domain.BusyCalendar{
		ID: domain.NewID(), PractitionerID: practitionerID, Label: "Google Calendar",
		URLHint: "https://calendar.google.com/…", URLHash: hash, SealedURL: []byte{0, 'x'},
		CreatedAt: now, NextFetchAt: now,
	}
}

func TestBusyCalendarStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		now := monday.Add(-48 * time.Hour)
		c := newBusyCalendar(fx.Therapist.ID, "h1", now)
		if err := s.CreateBusyCalendar(ctx, &c); err != nil {
			t.Fatalf("CreateBusyCalendar: %v", err)
		}
		twin := newBusyCalendar(fx.Therapist.ID, "h1", now)
		if err := s.CreateBusyCalendar(ctx, &twin); !errors.Is(err, domain.ErrDuplicate) {
			t.Errorf("CreateBusyCalendar(same URL) = %v, want ErrDuplicate", err)
		}
		other := newBusyCalendar(fx.Chiropractor.ID, "h1", now) // another practitioner may add it
		if err := s.CreateBusyCalendar(ctx, &other); err != nil {
			t.Errorf("CreateBusyCalendar(other practitioner) = %v", err)
		}
		ghost := newBusyCalendar(domain.NewID(), "h2", now)
		if err := s.CreateBusyCalendar(ctx, &ghost); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("CreateBusyCalendar(unknown practitioner) = %v, want ErrNotFound", err)
		}

		claimed, err := s.ClaimBusyCalendars(ctx, now, 10, time.Minute)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("ClaimBusyCalendars = %d, %v; want both calendars", len(claimed), err)
		}
		if again, err := s.ClaimBusyCalendars(ctx, now.Add(30*time.Second), 10, time.Minute); err != nil || len(again) != 0 {
			t.Errorf("ClaimBusyCalendars during the lease = %d, %v; want none", len(again), err)
		}
		if lapsed, _ := s.ClaimBusyCalendars(ctx, now.Add(2*time.Minute), 10, time.Minute); len(lapsed) != 2 {
			t.Errorf("ClaimBusyCalendars after the lease = %d, want 2 (a dead poller only delays)", len(lapsed))
		}

		soon := time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)
		busy := []domain.Interval{
			{Start: soon.Add(time.Hour), End: soon.Add(2 * time.Hour)},
			{Start: soon.Add(24 * time.Hour), End: soon.Add(25 * time.Hour)},
		}
		ok := domain.BusyFetch{CalendarID: c.ID, PractitionerID: c.PractitionerID, At: now, Next: now.Add(5 * time.Minute),
			ETag: `"v1"`, BodyHash: "b1", Replace: true, Intervals: busy, Events: 3, ExpandedUntil: now.Add(40 * 24 * time.Hour)}
		if err := s.SaveBusyFetch(ctx, ok); err != nil {
			t.Fatalf("SaveBusyFetch: %v", err)
		}
		if due, _ := s.ClaimBusyCalendars(ctx, now.Add(3*time.Minute), 10, time.Minute); len(due) != 1 || due[0].ID != other.ID {
			t.Errorf("ClaimBusyCalendars before next_fetch_at = %v, want only the other calendar", due)
		}
		checkBusyTimeOff(t, s, fx.Therapist.ID, c, busy)

		fail := domain.BusyFetch{CalendarID: c.ID, PractitionerID: c.PractitionerID, At: now.Add(5 * time.Minute), Next: now.Add(10 * time.Minute), Err: "The server answered 500."}
		for range domain.BusyAlertAfter {
			if err := s.SaveBusyFetch(ctx, fail); err != nil {
				t.Fatal(err)
			}
		}
		list, err := s.BusyCalendars(ctx, fx.Therapist.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("BusyCalendars = %v, %v", list, err)
		}
		got := list[0]
		if got.LastError != fail.Err || !got.Alerting() || got.Events != 3 || !got.LastFetchedAt.Equal(now) || got.ETag != `"v1"` || got.BodyHash != "b1" {
			t.Errorf("after failures: %+v; want the error, alerting, and the last success kept", got)
		}
		checkBusyTimeOff(t, s, fx.Therapist.ID, c, busy) // the last good data stays

		if err := s.DeleteBusyCalendar(ctx, fx.Chiropractor.ID, c.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("DeleteBusyCalendar(other practitioner's) = %v, want ErrNotFound", err)
		}
		if err := s.DeleteBusyCalendar(ctx, fx.Therapist.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		checkBusyTimeOff(t, s, fx.Therapist.ID, c, nil)
	})
}

// checkBusyTimeOff checks the schedules carry want as the calendar's time
// off, read from the database and from the cached hours alike.
func checkBusyTimeOff(t *testing.T, s *storage.Store, practitionerID string, c domain.BusyCalendar, want []domain.Interval) {
	t.Helper()
	ctx := context.Background()
	for _, window := range []struct {
		name     string
		from, to time.Time
	}{
		{"cached", time.Now().Add(-time.Hour), time.Now().Add(400 * 24 * time.Hour)},
		{"read", time.Now().Add(-5 * 24 * time.Hour), time.Now().Add(50 * time.Hour)},
	} {
		for _, read := range []func(context.Context, []string, time.Time, time.Time) ([]domain.Schedule, error){s.Schedules, s.WorkingSchedules} {
			scheds, err := read(ctx, []string{practitionerID}, window.from, window.to)
			if err != nil || len(scheds) != 1 {
				t.Fatalf("schedules = %v, %v", scheds, err)
			}
			var got []domain.Interval
			for _, off := range scheds[0].TimeOff {
				if off.Calendar == "" {
					continue
				}
				if off.Calendar != c.ID || off.Reason != c.Label {
					t.Errorf("%s: busy time off %+v, want calendar %s labelled %q", window.name, off, c.ID, c.Label)
				}
				got = append(got, domain.Interval{Start: off.Start, End: off.End})
			}
			var inWindow []domain.Interval
			for _, iv := range want {
				if iv.End.After(window.from) && iv.Start.Before(window.to) {
					inWindow = append(inWindow, iv)
				}
			}
			if len(want) > 0 && len(inWindow) == 0 {
				t.Fatalf("%s: the test's window holds none of %v", window.name, want)
			}
			if len(got) != len(inWindow) {
				t.Errorf("%s: busy time off %v, want %v", window.name, got, inWindow)
				continue
			}
			for i := range got {
				if !got[i].Start.Equal(inWindow[i].Start) || !got[i].End.Equal(inWindow[i].End) {
					t.Errorf("%s: busy time off %v, want %v", window.name, got, inWindow)
				}
			}
		}
	}
}

func TestOwnEventUIDs(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		b := newBooking(fx, fx.Therapist.ID, monday)
		mustBook(t, s, &b, "own@example.com")
		off := domain.TimeOff{PractitionerID: fx.Therapist.ID, Start: monday.Add(48 * time.Hour), End: monday.Add(50 * time.Hour)}
		if err := s.CreateTimeOff(ctx, &off); err != nil {
			t.Fatal(err)
		}
		stranger := domain.NewID()
		got, err := s.OwnEventUIDs(ctx, []string{b.UID, "timeoff-" + off.ID, stranger, "abc@google.com"})
		if err != nil {
			t.Fatal(err)
		}
		if !got[b.UID] || !got["timeoff-"+off.ID] || got[stranger] || len(got) != 2 {
			t.Errorf("OwnEventUIDs = %v, want the booking's UID and the time off's", got)
		}
	})
}
