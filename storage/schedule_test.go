package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

func TestSchedules(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		from, to := monday, monday.Add(7*24*time.Hour)
		book := func(pid string, start time.Time, change func(*domain.Booking)) domain.Booking {
			b := newBooking(fx, pid, start)
			if change != nil {
				change(&b)
			}
			mustBook(t, s, &b, "p"+b.ID[:8]+"@example.com")
			return b
		}
		spanning := book(fx.Therapist.ID, from.Add(-30*time.Minute), nil) // overlaps the window's start
		inside := book(fx.Therapist.ID, from.Add(24*time.Hour), nil)
		book(fx.Therapist.ID, from.Add(48*time.Hour), func(b *domain.Booking) { b.Status = domain.StatusCancelled })
		book(fx.Therapist.ID, from.Add(48*time.Hour), func(b *domain.Booking) { b.Overbooked = true })
		book(fx.Therapist.ID, from.Add(-2*time.Hour), nil) // ends before the window
		book(fx.Therapist.ID, to, nil)                     // starts at its end
		chiro := book(fx.Chiropractor.ID, from.Add(3*time.Hour), nil)

		off := domain.TimeOff{PractitionerID: fx.Therapist.ID, Start: to.Add(-time.Hour), End: to.Add(time.Hour)}
		if err := s.CreateTimeOff(ctx, &off); err != nil {
			t.Fatal(err)
		}
		inWindow := domain.DateOverride{PractitionerID: fx.Therapist.ID, Date: domain.Date{Year: 2026, Month: 3, Day: 4}}
		farAway := domain.DateOverride{PractitionerID: fx.Therapist.ID, Date: domain.Date{Year: 2026, Month: 6, Day: 1}}
		for _, o := range []*domain.DateOverride{&inWindow, &farAway} {
			if err := s.SaveDateOverride(ctx, o); err != nil {
				t.Fatal(err)
			}
		}

		got, err := s.Schedules(ctx, []string{fx.Therapist.ID, "bad id", fx.Chiropractor.ID, fx.Therapist.ID}, from, to)
		if err != nil || len(got) != 2 {
			t.Fatalf("Schedules = %d schedules, %v; want 2", len(got), err)
		}
		th, ch := got[0], got[1]
		if !reflect.DeepEqual(th.Practitioner, fx.Therapist) || !reflect.DeepEqual(ch.Practitioner, fx.Chiropractor) {
			t.Errorf("Schedules practitioners = %s, %s; want therapist then chiropractor", th.Practitioner.Name, ch.Practitioner.Name)
		}
		wantBusy := []domain.Interval{spanning.Block(), inside.Block()}
		if !reflect.DeepEqual(th.Busy, wantBusy) {
			t.Errorf("therapist busy = %v\nwant %v", th.Busy, wantBusy)
		}
		if !reflect.DeepEqual(ch.Busy, []domain.Interval{chiro.Block()}) {
			t.Errorf("chiropractor busy = %v, want %v", ch.Busy, chiro.Block())
		}
		if len(th.Weekly) != 10 || len(ch.Weekly) != 10 {
			t.Errorf("weekly hours = %d, %d; want 10 each", len(th.Weekly), len(ch.Weekly))
		}
		engine := off // schedules carry what the slot engine reads, not the feed's stamps
		engine.UpdatedAt, engine.Sequence = time.Time{}, 0
		if !reflect.DeepEqual(th.TimeOff, []domain.TimeOff{engine}) || len(ch.TimeOff) != 0 {
			t.Errorf("time off = %v, %v; want only the therapist's", th.TimeOff, ch.TimeOff)
		}
		if len(th.Overrides) != 1 || th.Overrides[0].ID != inWindow.ID {
			t.Errorf("overrides = %+v, want only the one in the window", th.Overrides)
		}
	})
}
