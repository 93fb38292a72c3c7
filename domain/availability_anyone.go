package domain

import (
	"context"
	"sort"
	"time"
)

// OpenTime is one start time offered when the patient names no
// practitioner ("first available"): each start once, with whom the booking
// would get and everyone free then.
type OpenTime struct {
	Start, End time.Time // in the query's Location
	// PractitionerID is whom Book assigns a booking at Start that names no
	// practitioner: of those free, the one with the fewest live bookings
	// that day in the clinic's zone (not counting squeezed-in ones), ties
	// in the store's order. It is also PractitionerIDs' first entry with
	// that count.
	PractitionerID string
	// PractitionerIDs are everyone free at Start, in the store's order
	// (SortOrder, Name).
	PractitionerIDs []string
}

// AvailabilityAnyone is Availability answered once per start time: the
// same slots grouped by start, sorted by start, each with the fair
// assignment's practitioner and everyone free. A start appears when at
// least one practitioner is free then; errors as Availability.
func (s *Scheduler) AvailabilityAnyone(ctx context.Context, q AvailabilityQuery) ([]OpenTime, error) {
	in, err := s.openRuns(ctx, q, true)
	if err != nil || in.total == 0 {
		return nil, err
	}
	return groupOpen(in), nil
}

// groupOpen merges the runs into one OpenTime per start. The runs are in
// the store's order, so a group's practitioners come out in it; each
// group's pick is its least loaded practitioner on the start's clinic day.
// Starts are compared as Unix nanoseconds, and each step scans every run's
// head: a few dozen integers, cheaper than a heap of time.Time.
func groupOpen(in openSlots) []OpenTime {
	loads := newDayLoads(in)
	heads := make([][]int64, len(in.runs))
	for i, r := range in.runs {
		h := make([]int64, len(r))
		for j, iv := range r {
			h[j] = iv.Start.UnixNano()
		}
		heads[i] = h
	}
	pos := make([]int, len(in.runs))
	ids := make([]string, 0, in.total) // one backing array for every group's PractitionerIDs
	var out []OpenTime
	for {
		next, from := int64(0), -1
		for i, h := range heads {
			if p := pos[i]; p < len(h) && (from < 0 || h[p] < next) {
				next, from = h[p], i
			}
		}
		if from < 0 {
			return out
		}
		iv := in.runs[from][pos[from]]
		day := loads.day(iv.Start)
		first, best, bestLoad := len(ids), -1, 0
		for rank := from; rank < len(heads); rank++ {
			if p := pos[rank]; p < len(heads[rank]) && heads[rank][p] == next {
				pos[rank]++
				ids = append(ids, in.ps[rank].ID)
				if l := loads.of(rank, day); best < 0 || l < bestLoad {
					best, bestLoad = rank, l
				}
			}
		}
		out = append(out, OpenTime{Start: iv.Start.In(in.loc), End: iv.End.In(in.loc), PractitionerID: in.ps[best].ID,
			PractitionerIDs: ids[first:len(ids):len(ids)]})
	}
}

// dayLoads counts, per practitioner and clinic day, the visits that hold
// time in the practitioner's schedule: fairOrder's measure of the day.
type dayLoads struct {
	bounds []time.Time // bounds[k] starts day k in the clinic's zone; one more than days
	counts [][]int     // counts[rank][k]
}

// newDayLoads counts the busy blocks of every practitioner by the clinic
// days the slots span.
func newDayLoads(in openSlots) dayLoads {
	var lo, hi time.Time
	for _, r := range in.runs {
		if len(r) == 0 {
			continue
		}
		if lo.IsZero() || r[0].Start.Before(lo) {
			lo = r[0].Start
		}
		if last := r[len(r)-1].Start; last.After(hi) {
			hi = last
		}
	}
	cl := in.clinic.Location()
	var d dayLoads
	for day := DateOf(lo.In(cl)); ; day = day.AddDays(1) {
		b := WallClock(day, 0, cl)
		d.bounds = append(d.bounds, b)
		if b.After(hi) {
			break
		}
	}
	d.counts = make([][]int, len(in.ps))
	for rank, p := range in.ps {
		c := make([]int, len(d.bounds)-1)
		for _, b := range in.scheds[p.ID].Busy {
			for k := max(0, d.day(b.Start)); k < len(c) && d.bounds[k].Before(b.End); k++ {
				if b.End.After(d.bounds[k]) && b.Start.Before(d.bounds[k+1]) {
					c[k]++
				}
			}
		}
		d.counts[rank] = c
	}
	return d
}

// day is the index of the clinic day holding t; -1 before the first, and
// the last index for instants after it.
func (d dayLoads) day(t time.Time) int {
	return sort.Search(len(d.bounds), func(i int) bool { return d.bounds[i].After(t) }) - 1
}

// of is the load of the practitioner of rank on day k.
func (d dayLoads) of(rank, k int) int {
	if k < 0 || k >= len(d.counts[rank]) {
		return 0
	}
	return d.counts[rank][k]
}
