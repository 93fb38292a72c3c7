package domain

import (
	"context"
	"sync"
	"time"
)

// MaxAvailabilityDays caps the days one availability query may span.
const MaxAvailabilityDays = 62

// AvailabilityQuery asks for the free slots of a service.
type AvailabilityQuery struct {
	ServiceID, PractitionerID string         // PractitionerID "" = everyone who performs the service
	From, To                  Date           // inclusive days in Location
	Location                  *time.Location // nil = the clinic's zone
	// IgnorePolicy is for staff booking by phone: no minimum notice or
	// horizon, and services that are not bookable online are offered too.
	IgnorePolicy bool
	// HoldToken is the raw token of the caller's own hold: its time stays
	// offered to the caller. Every other live hold hides its time.
	HoldToken string
}

// Slot is one bookable start with one practitioner.
type Slot struct {
	Start, End     time.Time // in the query's Location
	PractitionerID string
}

// Availability returns the slots a booking could take, sorted by start,
// then by practitioner in the store's order (SortOrder, Name). Slots never
// start in the past. Errors: KindInvalid naming "service_id",
// "practitioner_id", "from" or "to" (all at once); an unknown service or
// practitioner is KindInvalid too, not KindNotFound.
func (s *Scheduler) Availability(ctx context.Context, q AvailabilityQuery) ([]Slot, error) {
	in, err := s.openRuns(ctx, q, false)
	if err != nil || len(in.runs) == 0 {
		return nil, err
	}
	return in.merged(), nil
}

// merged is the long form: every practitioner's slots in one list, sorted
// by start, then by the store's order.
func (in openSlots) merged() []Slot {
	runs := make([][]Slot, len(in.runs))
	for i, offs := range in.runs {
		run := make([]Slot, len(offs))
		for j, off := range offs {
			start := in.at(off)
			run[j] = Slot{Start: start, End: start.Add(in.duration), PractitionerID: in.ps[i].ID}
		}
		runs[i] = run
	}
	return mergeSlots(runs, in.total)
}

// openSlots is what both forms of availability are made from: each
// practitioner's free slots (runs[i] is ps[i]'s starts as offsets from
// origin, sorted), the schedules they came from and the zone to answer in.
type openSlots struct {
	clinic   Clinic
	loc      *time.Location
	ps       []Practitioner
	scheds   map[string]Schedule
	origin   time.Time
	duration time.Duration
	runs     [][]time.Duration
	total    int
}

// at is the start at offset off, in the zone of the answer.
func (in openSlots) at(off time.Duration) time.Time {
	return in.origin.Add(off).In(in.loc)
}

// openRuns validates q and computes every practitioner's free slots. With
// wholeDays the schedules cover the clinic's days that the query's days
// touch, as the fair assignment counts a practitioner's visits by them.
func (s *Scheduler) openRuns(ctx context.Context, q AvailabilityQuery, wholeDays bool) (openSlots, error) {
	c, err := s.Store.Clinic(ctx)
	if err != nil {
		return openSlots{}, wrap("load clinic", err)
	}
	loc := q.Location
	if loc == nil {
		loc = c.Location()
	}
	svc, ps, err := s.availabilityScope(ctx, q)
	if err != nil || len(ps) == 0 {
		return openSlots{}, err
	}
	rooms, needsRoom, err := s.roomsFor(ctx, svc)
	if err != nil || needsRoom && len(rooms) == 0 {
		return openSlots{}, err // a service whose rooms are all out of use has no slots
	}
	from, to := WallClock(q.From, 0, loc), WallClock(q.To.AddDays(1), 0, loc)
	// The rooms' blocks are read beside the schedules, not before them: a
	// service with rooms costs the longer of two queries, not their sum.
	var (
		roomBusy []RoomBusy
		roomErr  error
		read     sync.WaitGroup
	)
	if len(rooms) > 0 {
		read.Go(func() {
			roomBusy, roomErr = s.roomBusy(ctx, rooms, Interval{from.Add(-svc.BufferBefore), to.Add(svc.BufferAfter)})
		})
	}
	loadFrom, loadTo := from, to
	if wholeDays {
		cl := c.Location()
		loadFrom = minTime(from, WallClock(DateOf(from.In(cl)), 0, cl))
		loadTo = maxTime(to, WallClock(DateOf(to.Add(-time.Nanosecond).In(cl)).AddDays(1), 0, cl))
	}
	now := s.now()
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	list, err := s.Store.Schedules(ctx, ids, loadFrom, loadTo)
	read.Wait()
	if err != nil {
		return openSlots{}, wrap("load schedules", err)
	}
	if roomErr != nil {
		return openSlots{}, roomErr
	}
	scheds := make(map[string]Schedule, len(list))
	for _, sc := range list {
		scheds[sc.Practitioner.ID] = sc
	}
	if roomBusy, err = s.withHolds(ctx, q.HoldToken, scheds, roomBusy, Interval{loadFrom.Add(-svc.BufferBefore), loadTo.Add(svc.BufferAfter)}, now); err != nil {
		return openSlots{}, err
	}
	return computeOpen(c, svc, ps, scheds, roomBusy, now, q.IgnorePolicy, from, to, loc), nil
}

// computeOpen is openRuns' engine, without the store: each practitioner's
// free slots of svc in [from, to) (with a room of rooms free, when the
// service needs one), to be shown in loc.
func computeOpen(c Clinic, svc Service, ps []Practitioner, scheds map[string]Schedule, rooms []RoomBusy, now time.Time, staff bool, from, to time.Time, loc *time.Location) openSlots {
	out := openSlots{clinic: c, loc: loc, ps: ps, scheds: scheds, origin: from.Round(0), duration: svc.Duration,
		runs: make([][]time.Duration, 0, len(ps))}
	for _, p := range ps {
		sq := slotQueryFor(scheds[p.ID], p, svc, c.Policy, now, staff)
		sq.From, sq.To, sq.Rooms = from, to, rooms
		sq = sq.normalized()
		starts := slotStarts(&sq)
		out.runs = append(out.runs, starts)
		out.total += len(starts)
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// availabilityScope validates q and returns its service and the active
// practitioners who perform it.
func (s *Scheduler) availabilityScope(ctx context.Context, q AvailabilityQuery) (Service, []Practitioner, error) {
	var v Validation
	svc, svcOK, err := s.serviceFor(ctx, q.ServiceID, q.IgnorePolicy, &v)
	if err != nil {
		return Service{}, nil, err
	}
	var ps []Practitioner
	if q.PractitionerID != "" {
		p, ok, err := s.practitionerFor(ctx, q.PractitionerID, svc, svcOK, &v)
		if err != nil {
			return Service{}, nil, err
		}
		if ok {
			ps = []Practitioner{p}
		}
	}
	checkDays(&v, q.From, q.To)
	if err := v.Err(); err != nil {
		return Service{}, nil, err
	}
	if q.PractitionerID != "" {
		return svc, ps, nil
	}
	all, err := s.Store.Practitioners(ctx, false)
	if err != nil {
		return Service{}, nil, wrap("list practitioners", err)
	}
	for _, p := range all {
		if p.Active && p.Performs(svc.ID) {
			ps = append(ps, p)
		}
	}
	return svc, ps, nil
}

// checkDays checks the range of days of an availability query.
func checkDays(v *Validation, from, to Date) {
	okFrom, okTo := realDate(from), realDate(to)
	v.Check(okFrom, "from", "Give the first day as YYYY-MM-DD.")
	v.Check(okTo, "to", "Give the last day as YYYY-MM-DD.")
	if !okFrom || !okTo {
		return
	}
	if to.Before(from) {
		v.Add("from", "The first day must not be after the last.")
		return
	}
	v.Check(!from.AddDays(MaxAvailabilityDays-1).Before(to), "to", "Ask for at most 62 days at a time.")
}

// realDate reports whether d is a day on the calendar.
func realDate(d Date) bool {
	if d.Year < 1 || d.Year > 9999 {
		return false
	}
	return DateOf(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)) == d
}

// mergeSlots merges runs sorted by start into one slice sorted by start,
// taking equal starts in run order: a k-way merge over a heap of the runs'
// heads, O(n log k) where sorting all n slots again would compare far more.
func mergeSlots(runs [][]Slot, total int) []Slot {
	out := make([]Slot, 0, total)
	h := make(slotHeap, 0, len(runs))
	for i, r := range runs {
		if len(r) > 0 {
			h = append(h, slotCursor{run: r, rank: i})
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
	for len(h) > 0 {
		out = append(out, h[0].run[0])
		if h[0].run = h[0].run[1:]; len(h[0].run) == 0 {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		if len(h) > 0 {
			h.down(0)
		}
	}
	return out
}

// slotCursor is the rest of one practitioner's run; rank breaks ties.
type slotCursor struct {
	run  []Slot
	rank int
}

// slotHeap is a min-heap of cursors by (head start, rank).
type slotHeap []slotCursor

func (h slotHeap) less(i, j int) bool {
	if c := h[i].run[0].Start.Compare(h[j].run[0].Start); c != 0 {
		return c < 0
	}
	return h[i].rank < h[j].rank
}

func (h slotHeap) down(i int) {
	for {
		least, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && h.less(l, least) {
			least = l
		}
		if r < len(h) && h.less(r, least) {
			least = r
		}
		if least == i {
			return
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
}
