package domain_test

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// TestOpenIntervals: working hours read in the practitioner's zone across
// the change to summer time, less time off that splits a day, overlaps
// its end, or covers a whole day; an override replaces a day's hours.
func TestOpenIntervals(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	p := domain.Practitioner{ID: domain.NewID(), TimeZone: "America/New_York"}
	var weekly []domain.WorkingHours
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		weekly = append(weekly, domain.WorkingHours{PractitionerID: p.ID, Weekday: wd, Range: domain.TimeRange{Start: domain.At(9, 0), End: domain.At(17, 0)}})
	}
	day := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, ny) }
	sc := domain.Schedule{Practitioner: p, Weekly: weekly,
		Overrides: []domain.DateOverride{{Date: domain.Date{Year: 2026, Month: 3, Day: 10}, Ranges: []domain.TimeRange{{Start: domain.At(10, 0), End: domain.At(12, 0)}}}},
		TimeOff: []domain.TimeOff{
			{Start: day(7, 12, 0), End: day(7, 13, 0)}, // splits Saturday: -60
			{Start: day(9, 16, 0), End: day(9, 20, 0)}, // the end of Monday: -60
			{Start: day(11, 0, 0), End: day(12, 0, 0)}, // all of Wednesday: -480
		}}
	period := domain.Interval{Start: day(7, 0, 0), End: day(12, 0, 0)} // Sat 7 to Wed 11, over the change on Sunday 8
	got := 0
	for _, iv := range domain.OpenIntervals(sc, period) {
		if local := iv.Start.In(ny); local.Hour() < 9 || local.Hour() >= 17 {
			t.Errorf("open interval %v starts outside 09:00–17:00 local", iv)
		}
		got += int(iv.Duration() / time.Minute)
	}
	// Sat 420 + Sun 480 (09:00 stays 09:00 after the change) + Mon 420 + Tue 120 (override) + Wed 0.
	if want := 420 + 480 + 420 + 120; got != want {
		t.Errorf("open minutes = %d, want %d", got, want)
	}
}
