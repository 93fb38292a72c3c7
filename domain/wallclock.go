package domain

import (
	"math"
	"slices"
	"time"
)

// WallClock returns the instant at which clocks in loc show time tod on date
// d. tod may be 1440, midnight at the end of d. The result is in loc, which
// must not be nil.
//
// time.Date leaves the two awkward cases unspecified; WallClock has one rule:
//   - a time that does not exist because clocks jump forward maps to the first
//     instant after the jump: 02:30 on 2026-03-08 in America/New_York is 03:00 EDT;
//   - a time that occurs twice because clocks go back maps to the earlier
//     instant: 01:30 on 2026-11-01 in America/New_York is 01:30 EDT, not EST.
//
// So 09:00–17:00 stays 09:00–17:00 on both sides of a change, a skipped
// midnight (America/Santiago, 2026-09-06) makes the day start at 01:00, and
// an interval between two WallClock instants never starts inside a gap.
func WallClock(d Date, tod TimeOfDay, loc *time.Location) time.Time {
	wall := time.Date(d.Year, d.Month, d.Day, 0, int(tod), 0, 0, time.UTC).Unix()
	return time.Unix(wallInstant(wall, loc), 0).In(loc)
}

// WorkingIntervals returns the instants the practitioner works between from
// and to: the weekly hours read in loc, with overrides replacing a date's
// hours, time off not subtracted. The intervals are sorted, merged where they
// overlap or touch, clipped to [from, to), and in loc.
func WorkingIntervals(loc *time.Location, weekly []WorkingHours, overrides []DateOverride, from, to time.Time) []Interval {
	if !from.Before(to) {
		return nil
	}
	q := SlotQuery{Location: loc, Weekly: weekly, Overrides: overrides}
	return q.shifts(from, to).merged().clipped(from, to)
}

// wallReach bounds the search: no zone is a day or more away from UTC.
const wallReach = 26 * 60 * 60

// wallInstant resolves a reading of loc's clocks, given as Unix seconds as
// if the reading were UTC, to Unix seconds. It walks loc's offset periods in
// time order from well before the reading: the first period whose clocks show
// the reading holds the earlier instant; a period whose clocks already start
// past the reading follows a gap the reading fell into, so it starts at the
// answer.
func wallInstant(wall int64, loc *time.Location) int64 {
	u := wall - wallReach
	for {
		start, end, off := wallPeriod(u, loc)
		if at := wall - off; at >= start && at < end {
			return at
		}
		if start != math.MinInt64 && start+off > wall {
			return start
		}
		if end == math.MaxInt64 || end > wall+wallReach {
			return wall - off // unreachable for real zones: some period shows every reading
		}
		u = end
	}
}

// wallPeriod returns the span [start, end) of Unix seconds around u during
// which loc keeps one offset, and that offset in seconds. A span that is open
// at either end has math.MinInt64 or math.MaxInt64 there.
func wallPeriod(u int64, loc *time.Location) (start, end, off int64) {
	t := time.Unix(u, 0).In(loc)
	_, o := t.Zone()
	s, e := t.ZoneBounds()
	start, end = math.MinInt64, math.MaxInt64
	if !s.IsZero() {
		start = s.Unix()
	}
	if !e.IsZero() {
		end = e.Unix()
	}
	return start, end, int64(o)
}

// shifts returns the working blocks of every local date from the day before
// from's to the day after to's (a shift that crosses midnight, or a zone far
// from from's, reaches across a date line): each date's ranges as instants,
// merged per date, so each block anchors one slot grid. Sorted by start.
func (q *SlotQuery) shifts(from, to time.Time) slotSpans {
	first := DateOf(from.In(q.Location)).AddDays(-1)
	last := DateOf(to.In(q.Location)).AddDays(1)
	out := make(slotSpans, 0, 2*int(to.Sub(from)/(24*time.Hour))+6) // two ranges a day are common
	for d := first; !last.Before(d); d = d.AddDays(1) {
		n := len(out)
		out = q.appendDayRanges(out, d)
		out = out[:n+len(out[n:].merged())]
	}
	slices.SortFunc(out, slotCompareStart)
	return out
}

// appendDayRanges appends date d's working ranges as instants: the first
// override for d if there is one, else d's weekday hours. Ranges that a DST
// gap swallows whole (02:00–02:30 on a spring-forward night) are dropped.
func (q *SlotQuery) appendDayRanges(out slotSpans, d Date) slotSpans {
	for _, o := range q.Overrides {
		if o.Date == d {
			for _, r := range o.Ranges {
				out = appendWallRange(out, d, r, q.Location)
			}
			return out
		}
	}
	wd := d.Weekday()
	for _, h := range q.Weekly {
		if h.Weekday == wd {
			out = appendWallRange(out, d, h.Range, q.Location)
		}
	}
	return out
}

// appendWallRange appends r on date d as instants; a range that crosses
// midnight ends on the next date.
func appendWallRange(out slotSpans, d Date, r TimeRange, loc *time.Location) slotSpans {
	endDate := d
	if r.CrossesMidnight() {
		endDate = d.AddDays(1)
	}
	iv := Interval{WallClock(d, r.Start, loc), WallClock(endDate, r.End, loc)}
	if !iv.Start.Before(iv.End) {
		return out
	}
	return append(out, iv)
}
