package domain_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// slotBenchQueries builds one month for ten practitioners in New York
// (March 2026, across the spring-forward change): Mon–Fri 09:00–12:30 and
// 13:30–18:00, about eight bookings of 30 or 60 minutes plus a 10-minute
// buffer per working day, handed over unsorted as a store might; a 60-minute
// service on a 15-minute grid with buffers 0/10m, 2h notice, 60-day horizon.
func slotBenchQueries(b *testing.B) []domain.SlotQuery {
	loc := slotZone(b, "America/New_York")
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, loc)
	to := time.Date(2026, 4, 1, 0, 0, 0, 0, loc)
	var weekly []domain.WorkingHours
	for wd := time.Monday; wd <= time.Friday; wd++ {
		weekly = append(weekly, slotDay(b, wd, "09:00-12:30", "13:30-18:00")...)
	}
	r := rand.New(rand.NewPCG(1, 2))
	queries := make([]domain.SlotQuery, 10)
	for i := range queries {
		queries[i] = domain.SlotQuery{
			Location: loc, Weekly: weekly, Busy: slotBenchBusy(r, loc, from, to),
			Duration: time.Hour, BufferAfter: 10 * time.Minute, Step: 15 * time.Minute,
			From: from, To: to, NotBefore: from.Add(2 * time.Hour), NotAfter: from.AddDate(0, 0, 60),
		}
	}
	return queries
}

func slotBenchBusy(r *rand.Rand, loc *time.Location, from, to time.Time) []domain.Interval {
	var busy []domain.Interval
	for day := from; day.Before(to); day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		for range 8 {
			start := time.Date(day.Year(), day.Month(), day.Day(), 9, 15*r.IntN(36), 0, 0, loc)
			length := time.Duration(30+30*r.IntN(2))*time.Minute + 10*time.Minute
			busy = append(busy, domain.Interval{Start: start, End: start.Add(length)})
		}
	}
	r.Shuffle(len(busy), func(i, j int) { busy[i], busy[j] = busy[j], busy[i] })
	return busy
}

// BenchmarkSlots31Days10Practitioners: one op is ten Slots calls, one per
// practitioner; the target is well under 2 ms.
func BenchmarkSlots31Days10Practitioners(b *testing.B) {
	queries := slotBenchQueries(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, q := range queries {
			n += len(domain.Slots(q))
		}
	}
	b.ReportMetric(float64(n)/float64(b.N), "slots/op")
}

func BenchmarkCanBook(b *testing.B) {
	q := slotBenchQueries(b)[0]
	start := time.Date(2026, 3, 18, 16, 0, 0, 0, q.Location)
	b.ReportAllocs()
	for b.Loop() {
		_ = domain.CanBook(q, start)
	}
}

func BenchmarkWallClock(b *testing.B) {
	loc := slotZone(b, "America/New_York")
	var days []domain.Date // March 2026: one change among ordinary days
	for d := (domain.Date{Year: 2026, Month: time.March, Day: 1}); d.Month == time.March; d = d.AddDays(1) {
		days = append(days, d)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		domain.WallClock(days[i%len(days)], domain.TimeOfDay(i*7%1440), loc)
		i++
	}
}
