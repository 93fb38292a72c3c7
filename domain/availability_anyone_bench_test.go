package domain

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// anyoneBench is a month of one 30-minute massage performed by 40
// practitioners in New York, as the load test sets them up (06:00–22:00
// every day), each with about twelve bookings a day, and a patient asking
// for "first available" over 31 days.
func anyoneBench(b *testing.B) (Clinic, Service, []Practitioner, map[string]Schedule, time.Time, time.Time, time.Time) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	c := Clinic{Name: "Bench", TimeZone: "America/New_York", Policy: DefaultPolicy}
	svc := Service{ID: NewID(), Name: "Massage", Kind: KindMassage, Duration: 30 * time.Minute, Active: true, OnlineBookable: true}
	first := Date{Year: 2026, Month: time.March, Day: 1}
	from, to := WallClock(first, 0, loc), WallClock(first.AddDays(31), 0, loc)
	now := from.Add(-24 * time.Hour)
	r := rand.New(rand.NewPCG(40, 31))
	var ps []Practitioner
	scheds := map[string]Schedule{}
	for i := range 40 {
		p := Practitioner{ID: NewID(), Name: "Therapist", TimeZone: "America/New_York", Active: true, ServiceIDs: []string{svc.ID}}
		sc := Schedule{Practitioner: p}
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			sc.Weekly = append(sc.Weekly, WorkingHours{PractitionerID: p.ID, Weekday: wd, Range: TimeRange{Start: At(6, 0), End: At(22, 0)}})
		}
		for d := first; d.Before(first.AddDays(31)); d = d.AddDays(1) {
			for range 12 {
				start := WallClock(d, At(6, 0), loc).Add(time.Duration(r.IntN(31)) * 30 * time.Minute)
				sc.Busy = append(sc.Busy, Interval{Start: start, End: start.Add(30 * time.Minute)})
			}
		}
		_ = i
		ps = append(ps, p)
		scheds[p.ID] = sc
	}
	return c, svc, ps, scheds, now, from, to
}

// BenchmarkAvailabilityAnyone40x31: the engine behind "first available"
// without the store: every practitioner's slots, then one answer per start
// with the fair pick. The target is 2 ms an op.
func BenchmarkAvailabilityAnyone40x31(b *testing.B) {
	c, svc, ps, scheds, now, from, to := anyoneBench(b)
	loc := from.Location()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n += len(groupOpen(computeOpen(c, svc, ps, scheds, nil, now, false, from, to, loc)))
	}
	b.ReportMetric(float64(n)/float64(b.N), "times/op")
}

// BenchmarkAvailabilityEach40x31 is the long form of the same query: every
// practitioner's copy of every time.
func BenchmarkAvailabilityEach40x31(b *testing.B) {
	c, svc, ps, scheds, now, from, to := anyoneBench(b)
	loc := from.Location()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n += len(computeOpen(c, svc, ps, scheds, nil, now, false, from, to, loc).merged())
	}
	b.ReportMetric(float64(n)/float64(b.N), "slots/op")
}

// BenchmarkAvailabilityAnyone40x31StoreOrder is the same query with each
// practitioner's busy blocks sorted by start, as the store returns them
// (ORDER BY practitioner_id, block_start): what the server runs.
func BenchmarkAvailabilityAnyone40x31StoreOrder(b *testing.B) {
	c, svc, ps, scheds, now, from, to := anyoneBench(b)
	for id, sc := range scheds {
		slices.SortFunc(sc.Busy, func(x, y Interval) int { return x.Start.Compare(y.Start) })
		scheds[id] = sc
	}
	loc := from.Location()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n += len(groupOpen(computeOpen(c, svc, ps, scheds, nil, now, false, from, to, loc)))
	}
	b.ReportMetric(float64(n)/float64(b.N), "times/op")
}
