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
// Starts are offsets from one origin, and each step scans every run's head:
// a few dozen integers, cheaper than a heap of time.Time.
func groupOpen(in openSlots) []OpenTime {
	loads := newDayLoads(in)
	pos := make([]int, len(in.runs))
	ids := make([]string, 0, in.total) // one backing array for every group's PractitionerIDs
	longest := 0
	for _, r := range in.runs {
		longest = max(longest, len(r))
	}
	out := make([]OpenTime, 0, longest) // every start of the longest run is a group
	for {
		next, from := time.Duration(0), -1
		for i, r := range in.runs {
			if p := pos[i]; p < len(r) && (from < 0 || r[p] < next) {
				next, from = r[p], i
			}
		}
		if from < 0 {
			return out
		}
		day := loads.day(next)
		first, best, bestLoad := len(ids), -1, 0
		for rank := from; rank < len(in.runs); rank++ {
			if r, p := in.runs[rank], pos[rank]; p < len(r) && r[p] == next {
				pos[rank]++
				ids = append(ids, in.ps[rank].ID)
				if l := loads.of(rank, day); best < 0 || l < bestLoad {
					best, bestLoad = rank, l
				}
			}
		}
		start := in.at(next)
		out = append(out, OpenTime{Start: start, End: start.Add(in.duration), PractitionerID: in.ps[best].ID,
			PractitionerIDs: ids[first:len(ids):len(ids)]})
	}
}

// dayLoads counts, per practitioner and clinic day, the visits that hold
// time in the practitioner's schedule: fairOrder's measure of the day.
type dayLoads struct {
	bounds []time.Duration // bounds[k] starts day k in the clinic's zone, from the slots' origin; one more than days
	counts [][]int         // counts[rank][k]
}

// newDayLoads counts the busy blocks of every practitioner by the clinic
// days the slots span.
func newDayLoads(in openSlots) dayLoads {
	lo, hi, seen := time.Duration(0), time.Duration(0), false
	for _, r := range in.runs {
		if len(r) == 0 {
			continue
		}
		if !seen || r[0] < lo {
			lo = r[0]
		}
		if !seen || r[len(r)-1] > hi {
			hi = r[len(r)-1]
		}
		seen = true
	}
	cl := in.clinic.Location()
	var d dayLoads
	for day := DateOf(in.origin.Add(lo).In(cl)); ; day = day.AddDays(1) {
		b := WallClock(day, 0, cl).Sub(in.origin)
		d.bounds = append(d.bounds, b)
		if b > hi {
			break
		}
	}
	d.counts = make([][]int, len(in.ps))
	for rank, p := range in.ps {
		c := make([]int, len(d.bounds)-1)
		for _, iv := range in.scheds[p.ID].Busy {
			bs, be := iv.Start.Sub(in.origin), iv.End.Sub(in.origin)
			for k := max(0, d.day(bs)); k < len(c) && d.bounds[k] < be; k++ {
				if be > d.bounds[k] && bs < d.bounds[k+1] {
					c[k]++
				}
			}
		}
		d.counts[rank] = c
	}
	return d
}

// day is the index of the clinic day holding offset t; -1 before the
// first, and the last index for instants after it.
func (d dayLoads) day(t time.Duration) int {
	return sort.Search(len(d.bounds), func(i int) bool { return d.bounds[i] > t }) - 1
}

// of is the load of the practitioner of rank on day k.
func (d dayLoads) of(rank, k int) int {
	if k < 0 || k >= len(d.counts[rank]) {
		return 0
	}
	return d.counts[rank][k]
}
