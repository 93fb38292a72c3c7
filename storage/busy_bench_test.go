package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// BenchmarkSchedulesWithBusyCalendars reads a month of 10 practitioners'
// schedules (with a year of bookings) in the cached window, without and
// with a busy calendar each (two busy intervals a day for 67 days, what a
// 60-day horizon keeps), once from the kept catalog and once reloading it
// on every call (CATALOG_CACHE_TTL=0: a reload is what each replica does
// once a TTL, and it now reads the busy intervals too).
func BenchmarkSchedulesWithBusyCalendars(b *testing.B) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Hour)
	from, to := now, now.AddDate(0, 0, 31)
	for _, e := range storagetest.Engines() {
		s := storagetest.Open(b, e)
		ids := yearOfBookings(b, s)
		run := func(name string, ttl time.Duration) {
			b.Run(string(e)+"/"+name, func(b *testing.B) {
				s.SetCatalogTTL(ttl)
				for b.Loop() {
					got, err := s.Schedules(ctx, ids, from, to)
					if err != nil || len(got) != 10 {
						b.Fatalf("Schedules = %d, %v", len(got), err)
					}
				}
			})
		}
		run("no_calendars/cached", time.Hour)
		run("no_calendars/reload", 0)
		for _, pid := range ids {
			addBusyCalendar(b, s, pid, now)
		}
		run("calendars/cached", time.Hour)
		run("calendars/reload", 0)
	}
}

// addBusyCalendar gives the practitioner a calendar with two busy
// intervals a day for 67 days.
func addBusyCalendar(b *testing.B, s *storage.Store, pid string, now time.Time) {
	b.Helper()
	ctx := context.Background()
	c := newBusyCalendar(pid, domain.NewID(), now)
	if err := s.CreateBusyCalendar(ctx, &c); err != nil {
		b.Fatal(err)
	}
	var ivs []domain.Interval
	for d := range 67 {
		day := now.AddDate(0, 0, d)
		ivs = append(ivs, domain.Interval{Start: day.Add(time.Hour), End: day.Add(2 * time.Hour)},
			domain.Interval{Start: day.Add(5 * time.Hour), End: day.Add(6 * time.Hour)})
	}
	f := domain.BusyFetch{CalendarID: c.ID, PractitionerID: pid, At: now, Next: now.Add(5 * time.Minute),
		Replace: true, Intervals: ivs, Events: len(ivs), ExpandedUntil: now.AddDate(0, 0, 67)}
	if err := s.SaveBusyFetch(ctx, f); err != nil {
		b.Fatal(err)
	}
}
