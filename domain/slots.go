package domain

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// SlotQuery is everything the slot engine needs. All instants are absolute;
// only the working hours are wall-clock times, read in Location.
type SlotQuery struct {
	Location  *time.Location // the practitioner's IANA zone; must not be nil
	Weekly    []WorkingHours // weekly intervals; several per day; a Range may cross midnight
	Overrides []DateOverride // a date's Ranges replace that weekday's hours; none = closed (first one per date wins)
	TimeOff   []TimeOff      // absolute intervals the practitioner is away
	Busy      []Interval     // blocked intervals of existing bookings, their buffers included; any order
	// Rooms are the rooms the service may use, each with its busy blocks.
	// Empty: the service needs no room. Otherwise a slot also needs one
	// room whose Busy the whole block [start-BufferBefore, end+BufferAfter)
	// misses.
	Rooms []RoomBusy

	Duration     time.Duration // the service's length; no slots unless > 0
	BufferBefore time.Duration // the new booking blocks [start-BufferBefore, end+BufferAfter):
	BufferAfter  time.Duration // that block must not overlap Busy or TimeOff (negative counts as 0)

	// Step is the grid: slots start at the start of a day's working block
	// plus whole Steps of elapsed time. Zero or less means Duration.
	Step time.Duration
	// AnyMinute lets a booking start off the grid (staff, by phone): the
	// slots offered stay on it.
	AnyMinute bool

	From, To  time.Time // only slots with From <= start and end <= To
	NotBefore time.Time // zero = none; slots start at or after it (now + minimum notice)
	NotAfter  time.Time // zero = none; slots start at or before it (now + horizon)
}

// Errors CanBook returns besides ErrSlotTaken. The KindInvalid ones name the
// field "start"; none mentions policy numbers, so callers that know the
// policy may answer errors.Is(err, ErrSlotTooSoon) with a better sentence.
var (
	ErrSlotTooSoon      = &Error{Kind: KindInvalid, Field: "start", Message: "That time is too soon to book online."}
	ErrSlotTooFar       = &Error{Kind: KindInvalid, Field: "start", Message: "That time is too far ahead to book."}
	ErrSlotOutsideHours = &Error{Kind: KindInvalid, Field: "start", Message: "That time is outside the practitioner's working hours."}
	ErrSlotOffGrid      = &Error{Kind: KindInvalid, Field: "start", Message: "That time is not one of the offered start times."}
	ErrPractitionerAway = &Error{Kind: KindConflict, Field: "start", Message: "The practitioner is away at that time."}
)

// Slots returns the bookable slots for q, sorted by start and distinct; each
// is Interval{start, start+Duration}, in q.Location.
//
// A slot lies wholly inside the working hours (its buffers may reach outside
// them: cleaning up after the last client is still work), its block
// [start-BufferBefore, end+BufferAfter) overlaps no Busy or TimeOff interval,
// and it starts on the grid of the day it starts in: each local date's hours,
// merged, start a grid that steps in elapsed time. So across a DST change
// slots never start at a local time that does not exist, and the hour that
// repeats yields distinct instants. The answer for a day does not depend on
// From and To beyond the filter they apply; the work grows with the days
// between them, so callers cap the range.
func Slots(q SlotQuery) []Interval {
	q = q.normalized()
	starts := slotStarts(&q)
	if starts == nil {
		return nil
	}
	origin := q.From.Round(0).In(q.Location)
	out := make([]Interval, len(starts))
	for i, s := range starts {
		start := origin.Add(s)
		out[i] = Interval{start, start.Add(q.Duration)}
	}
	return out
}

// slotStarts is Slots of a normalized q as offsets from q.From, sorted and
// distinct: plain integers, which the availability of many practitioners
// merges and groups without touching a time.Time (and the garbage
// collector never scans).
func slotStarts(q *SlotQuery) []time.Duration {
	if q.Duration <= 0 || !q.From.Before(q.To) {
		return nil
	}
	shifts := q.shifts(q.From, q.To)
	work := slices.Clone(shifts).merged()
	sw := q.newSlotSweep()
	out := make([]time.Duration, 0, gridPoints(shifts, q.Step)) // at most one slot per grid point: no regrowth
	w := 0
	for _, sh := range shifts {
		for work[w].End.Before(sh.End) {
			w++
		}
		out = sw.appendShiftSlots(out, sh, work[w].End)
	}
	return startsSortedDistinct(out)
}

// gridPoints bounds the slots of the shifts: one per step of each.
func gridPoints(shifts []Interval, step time.Duration) int {
	n := 0
	for _, sh := range shifts {
		n += int(sh.End.Sub(sh.Start)/step) + 1
	}
	return n
}

// CanBook reports whether a booking starting at start is one Slots(q) would
// offer; q.From and q.To are ignored. It returns nil, ErrSlotTooSoon,
// ErrSlotTooFar, ErrSlotOutsideHours, ErrSlotOffGrid, ErrPractitionerAway
// (the block overlaps TimeOff), ErrSlotTaken (the block overlaps Busy) or
// ErrRoomTaken naming the first of q.Rooms (every room is busy), checked in
// that order. A query with no positive
// Duration is a bug: the error is then a plain (KindInternal) error.
func CanBook(q SlotQuery, start time.Time) error {
	q = q.normalized()
	if q.Duration <= 0 {
		return fmt.Errorf("can book: service duration %v is not positive", q.Duration)
	}
	if !q.NotBefore.IsZero() && start.Before(q.NotBefore) {
		return ErrSlotTooSoon
	}
	if !q.NotAfter.IsZero() && start.After(q.NotAfter) {
		return ErrSlotTooFar
	}
	slot := Interval{start, start.Add(q.Duration)}
	if err := q.checkHours(slot); err != nil {
		return err
	}
	if err := q.checkClear(slot); err != nil {
		return err
	}
	if len(q.Rooms) > 0 && len(FreeRooms(q, start)) == 0 {
		return ErrRoomTaken.Naming(ConflictRoom, q.Rooms[0].ID)
	}
	return nil
}

// FreeRooms returns the ids of q.Rooms, in their order, whose busy blocks
// the block of a visit at start misses.
func FreeRooms(q SlotQuery, start time.Time) []string {
	q = q.normalized()
	block := Interval{start.Add(-q.BufferBefore), start.Add(q.Duration + q.BufferAfter)}
	var out []string
	for _, r := range q.Rooms {
		if !slices.ContainsFunc(r.Busy, func(iv Interval) bool { return slotBlockedBy(block, iv) }) {
			out = append(out, r.ID)
		}
	}
	return out
}

// normalized applies the defaults SlotQuery documents.
func (q SlotQuery) normalized() SlotQuery {
	if q.Step <= 0 {
		q.Step = q.Duration
	}
	q.BufferBefore = max(q.BufferBefore, 0)
	q.BufferAfter = max(q.BufferAfter, 0)
	return q
}

// checkHours tells whether slot lies in working hours and starts on the grid
// of a day's block that holds its start.
func (q *SlotQuery) checkHours(slot Interval) error {
	shifts := q.shifts(slot.Start, slot.End)
	if !slices.Clone(shifts).merged().covers(slot) {
		return ErrSlotOutsideHours
	}
	for _, sh := range shifts {
		in := !slot.Start.Before(sh.Start) && slot.Start.Before(sh.End)
		if in && (q.AnyMinute || slot.Start.Sub(sh.Start)%q.Step == 0) {
			return nil
		}
	}
	return ErrSlotOffGrid
}

// checkClear tells whether the block around slot is free of time off, then
// of busy intervals.
func (q *SlotQuery) checkClear(slot Interval) error {
	block := Interval{slot.Start.Add(-q.BufferBefore), slot.End.Add(q.BufferAfter)}
	for _, off := range q.TimeOff {
		if slotBlockedBy(block, Interval{off.Start, off.End}) {
			return ErrPractitionerAway
		}
	}
	for _, b := range q.Busy {
		if slotBlockedBy(block, b) {
			return ErrSlotTaken
		}
	}
	return nil
}

// slotBlockedBy reports whether block overlaps iv; an empty or inverted iv
// holds no instant, so it blocks nothing.
func slotBlockedBy(block, iv Interval) bool {
	return iv.Start.Before(iv.End) && block.Overlaps(iv)
}

// slotSweep walks the grid of each day's block past the blocked intervals.
// It counts in durations from an origin (From, in q.Location): comparing and
// sorting integers is several times cheaper than comparing time.Time.
type slotSweep struct {
	q       *SlotQuery
	origin  time.Time
	blocked []slotOffsets   // sorted, disjoint
	rooms   [][]slotOffsets // per room of q.Rooms: its busy blocks, sorted, disjoint
	at      []int           // per room: the first of its blocks that may still matter
}

// slotOffsets is an interval as durations from the sweep's origin.
type slotOffsets struct{ start, end time.Duration }

func (q *SlotQuery) newSlotSweep() slotSweep {
	sw := slotSweep{q: q, origin: q.From.Round(0).In(q.Location)}
	sw.blocked = sw.blockedOffsets()
	if len(q.Rooms) > 0 {
		sw.rooms = make([][]slotOffsets, len(q.Rooms))
		sw.at = make([]int, len(q.Rooms))
		window := sw.window()
		for i, r := range q.Rooms {
			b := make([]slotOffsets, 0, len(r.Busy))
			for _, iv := range r.Busy {
				b = sw.appendCut(b, iv, window)
			}
			sw.rooms[i] = slotMergeOffsets(b)
		}
	}
	return sw
}

// window is the span a slot's block between From and To can reach.
func (sw *slotSweep) window() Interval {
	return Interval{sw.q.From.Add(-sw.q.BufferBefore), sw.q.To.Add(sw.q.BufferAfter)}
}

// appendShiftSlots appends the free grid points of one day's block sh, whose
// merged working interval ends at workEnd, as offsets from the origin. The
// sweep jumps past each blocked interval instead of testing every slot
// against every interval.
func (sw *slotSweep) appendShiftSlots(out []time.Duration, sh Interval, workEnd time.Time) []time.Duration {
	q, b := sw.q, sw.blocked
	first, last := q.startBounds(sh, workEnd)
	if first.After(last) {
		return out // also keeps the offsets below within [From, To]
	}
	anchor, end := sh.Start.Sub(sw.origin), last.Sub(sw.origin)
	s := slotGridCeil(anchor, q.Step, first.Sub(sw.origin))
	j := firstEndingAfter(b, s-q.BufferBefore)
	for i, r := range sw.rooms {
		sw.at[i] = firstEndingAfter(r, s-q.BufferBefore)
	}
	for s <= end {
		for j < len(b) && b[j].end <= s-q.BufferBefore {
			j++
		}
		if j < len(b) && b[j].start < s+q.Duration+q.BufferAfter {
			s = slotGridCeil(anchor, q.Step, b[j].end+q.BufferBefore)
			continue
		}
		if next, ok := sw.roomFreeAt(s); !ok {
			s = slotGridCeil(anchor, q.Step, next)
			continue
		}
		out = append(out, s)
		s += q.Step
	}
	return out
}

// roomFreeAt reports whether some room is free for the whole block of a
// slot starting at offset s (always, when the service needs no room). When
// none is, next is the earliest start at which one might be: the soonest
// end of the blocks in the way, plus the buffer before. Each room's cursor
// only moves forward, so a day costs one pass over each room's blocks.
func (sw *slotSweep) roomFreeAt(s time.Duration) (next time.Duration, ok bool) {
	if len(sw.rooms) == 0 {
		return 0, true
	}
	q := sw.q
	blockStart, blockEnd := s-q.BufferBefore, s+q.Duration+q.BufferAfter
	next = -1
	for i, r := range sw.rooms {
		k := sw.at[i]
		for k < len(r) && r[k].end <= blockStart {
			k++
		}
		sw.at[i] = k
		if k == len(r) || r[k].start >= blockEnd {
			return 0, true
		}
		if n := r[k].end + q.BufferBefore; next < 0 || n < next {
			next = n
		}
	}
	return next, false
}

// firstEndingAfter returns the index of the first of the sorted, disjoint
// intervals b that ends after d.
func firstEndingAfter(b []slotOffsets, d time.Duration) int {
	i, _ := slices.BinarySearchFunc(b, d, func(o slotOffsets, d time.Duration) int {
		if o.end > d {
			return 1
		}
		return -1
	})
	return i
}

// startBounds returns the earliest and latest start a slot in sh may have.
func (q *SlotQuery) startBounds(sh Interval, workEnd time.Time) (first, last time.Time) {
	first = slotLater(sh.Start, q.From)
	if !q.NotBefore.IsZero() {
		first = slotLater(first, q.NotBefore)
	}
	last = slotEarlier(q.To, workEnd).Add(-q.Duration)
	last = slotEarlier(last, sh.End.Add(-time.Nanosecond))
	if !q.NotAfter.IsZero() {
		last = slotEarlier(last, q.NotAfter)
	}
	return first, last
}

// slotGridCeil returns the first grid point anchor + k*step (k >= 0) at or
// after t.
func slotGridCeil(anchor, step, t time.Duration) time.Duration {
	if t <= anchor {
		return anchor
	}
	k := (t - anchor) / step
	if (t-anchor)%step != 0 {
		k++
	}
	return anchor + k*step
}

func slotLater(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

func slotEarlier(a, b time.Time) time.Time {
	if a.After(b) {
		return b
	}
	return a
}

// startsSortedDistinct sorts out and drops repeats. Only blocks of
// neighbouring days that overlap (a 22:00–02:00 shift and a 01:00 start)
// can produce either, so the common case costs one pass.
func startsSortedDistinct(out []time.Duration) []time.Duration {
	for i := 1; i < len(out); i++ {
		if out[i-1] >= out[i] {
			slices.Sort(out)
			return slices.Compact(out)
		}
	}
	return out
}

func slotCompareStart(a, b Interval) int { return a.Start.Compare(b.Start) }

// slotSpans is a list of intervals the engine sorts, merges and sweeps.
type slotSpans []Interval

// blockedOffsets returns Busy and TimeOff cut to the span a slot's block
// between From and To can reach, sorted and merged into disjoint intervals.
// Cutting keeps the arithmetic small even when time off runs to the year 9999.
func (sw *slotSweep) blockedOffsets() []slotOffsets {
	q := sw.q
	window := sw.window()
	b := make([]slotOffsets, 0, len(q.Busy)+len(q.TimeOff))
	for _, iv := range q.Busy {
		b = sw.appendCut(b, iv, window)
	}
	for _, off := range q.TimeOff {
		b = sw.appendCut(b, Interval{off.Start, off.End}, window)
	}
	return slotMergeOffsets(b)
}

// appendCut appends the part of iv inside window, if any.
func (sw *slotSweep) appendCut(b []slotOffsets, iv, window Interval) []slotOffsets {
	start := slotLater(iv.Start, window.Start).Sub(sw.origin)
	end := slotEarlier(iv.End, window.End).Sub(sw.origin)
	if start >= end {
		return b
	}
	return append(b, slotOffsets{start, end})
}

// slotMergeOffsets sorts b and merges, in place, intervals that overlap or
// touch. The store hands busy blocks over sorted, so sorting is skipped
// when a pass finds them in order.
func slotMergeOffsets(b []slotOffsets) []slotOffsets {
	byStart := func(x, y slotOffsets) int { return cmp.Compare(x.start, y.start) }
	if !slices.IsSortedFunc(b, byStart) {
		slices.SortFunc(b, byStart)
	}
	out := b[:0]
	for _, o := range b {
		if n := len(out); n > 0 && o.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, o.end)
			continue
		}
		out = append(out, o)
	}
	return out
}

// merged sorts s by start and merges, in place, intervals that overlap or
// touch; empty and inverted intervals are dropped.
func (s slotSpans) merged() slotSpans {
	slices.SortFunc(s, slotCompareStart)
	out := s[:0]
	for _, iv := range s {
		if !iv.Start.Before(iv.End) {
			continue
		}
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			out[n-1].End = slotLater(out[n-1].End, iv.End)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// clipped cuts merged intervals to [from, to), in place.
func (s slotSpans) clipped(from, to time.Time) slotSpans {
	out := s[:0]
	for _, iv := range s {
		iv = Interval{slotLater(iv.Start, from), slotEarlier(iv.End, to)}
		if iv.Start.Before(iv.End) {
			out = append(out, iv)
		}
	}
	return out
}

// covers reports whether one of the merged intervals holds all of iv.
func (s slotSpans) covers(iv Interval) bool {
	for _, w := range s {
		if !iv.Start.Before(w.Start) && !iv.End.After(w.End) {
			return true
		}
	}
	return false
}
