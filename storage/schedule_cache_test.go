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

// TestSchedulesCachedMatchDatabase checks that a window the cached hours
// cover (one that starts after the snapshot's history) is answered exactly
// as the database answers it, before and after changes made through the
// store, and that WorkingSchedules is the same without the bookings.
func TestSchedulesCachedMatchDatabase(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		s.SetCatalogTTL(time.Hour) // only the store's own writes may clear the copy
		loc, _ := domain.LoadZone(storagetest.SeedZone)
		day := domain.DateOf(time.Now().In(loc)).AddDays(7)
		for day.Weekday() != time.Monday {
			day = day.AddDays(1)
		}
		from := domain.WallClock(day, domain.At(0, 0), loc)
		to := from.Add(5 * 24 * time.Hour)
		ids := fx.PractitionerIDs()

		for i, start := range []time.Time{from.Add(10 * time.Hour), from.Add(34 * time.Hour), to.Add(-14 * time.Hour)} {
			b := newBooking(fx, ids[i%2], start)
			mustBook(t, s, &b, "cached"+b.ID[:8]+"@example.com")
		}
		overrides := []domain.DateOverride{
			{PractitionerID: fx.Therapist.ID, Date: day.AddDays(1), Ranges: []domain.TimeRange{{Start: domain.At(10, 0), End: domain.At(14, 0)}}},
			{PractitionerID: fx.Therapist.ID, Date: day.AddDays(-4)},                          // three days early: outside
			{PractitionerID: fx.Chiropractor.ID, Date: day.AddDays(6), Note: "edge of reach"}, // the day after the window's day after
			{PractitionerID: fx.Chiropractor.ID, Date: day.AddDays(-20)},                      // long before
		}
		for i := range overrides {
			if err := s.SaveDateOverride(ctx, &overrides[i]); err != nil {
				t.Fatal(err)
			}
		}
		offs := []domain.TimeOff{
			{PractitionerID: fx.Therapist.ID, Start: from.Add(-time.Hour), End: from.Add(3 * time.Hour), Reason: "dentist"},
			{PractitionerID: fx.Chiropractor.ID, Start: to, End: to.Add(time.Hour)}, // starts at the end: outside
		}
		for i := range offs {
			if err := s.CreateTimeOff(ctx, &offs[i]); err != nil {
				t.Fatal(err)
			}
		}

		same := func(when string) {
			t.Helper()
			want, err := s.SchedulesFromDatabase(ctx, ids, from, to)
			if err != nil {
				t.Fatalf("%s: SchedulesFromDatabase: %v", when, err)
			}
			got, err := s.Schedules(ctx, ids, from, to)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s: Schedules from the copy = %+v, %v\nwant (database) %+v", when, got, err, want)
			}
			working, err := s.WorkingSchedules(ctx, ids, from, to)
			for i := range want {
				want[i].Busy = nil
			}
			if err != nil || !reflect.DeepEqual(working, want) {
				t.Errorf("%s: WorkingSchedules = %+v, %v\nwant %+v", when, working, err, want)
			}
			if len(got) == 2 && (len(got[0].Busy)+len(got[1].Busy) != 3 || len(got[0].TimeOff)+len(got[1].TimeOff) == 0) {
				t.Errorf("%s: the window lost its bookings or time off: %+v", when, got)
			}
		}
		same("after setup")

		// Changes through the store show at once, TTL or not.
		more := domain.TimeOff{PractitionerID: fx.Chiropractor.ID, Start: from.Add(50 * time.Hour), End: from.Add(52 * time.Hour)}
		if err := s.CreateTimeOff(ctx, &more); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTimeOff(ctx, offs[0].PractitionerID, offs[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteDateOverride(ctx, overrides[0].PractitionerID, overrides[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.SetWorkingHours(ctx, fx.Chiropractor.ID, storagetest.WeekdayHours(fx.Chiropractor.ID)[:4]); err != nil {
			t.Fatal(err)
		}
		same("after changes")
		got, _ := s.WorkingSchedules(ctx, ids, from, to)
		chiro, therapist := got[0], got[1] // in the order asked for
		if len(chiro.Weekly) != 4 || len(chiro.TimeOff) != 1 || len(therapist.TimeOff) != 0 || len(therapist.Overrides) != 0 {
			t.Errorf("the copy kept old hours: %+v", got)
		}
	})
}
