package domain_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/quick"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// slotPropZones mixes the DST matrix with zones that are odd in other ways:
// 45-minute offsets, a negative-DST zone, Morocco's Ramadan changes and Samoa,
// which skipped 2011-12-30 altogether.
var slotPropZones = []string{
	"America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago",
	"Asia/Kolkata", "UTC", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns",
	"Europe/Dublin", "Africa/Casablanca", "Pacific/Apia",
}

func slotPropLocations(t testing.TB) []*time.Location {
	t.Helper()
	locs := make([]*time.Location, len(slotPropZones))
	for i, name := range slotPropZones {
		locs[i] = slotZone(t, name)
	}
	return locs
}

// slotGenInstant picks an instant in 2011–2030, two times in three just
// before one of loc's offset changes.
func slotGenInstant(r *rand.Rand, loc *time.Location) time.Time {
	lo := time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	t := time.Unix(lo+r.Int64N(hi-lo), 0).In(loc)
	if _, end := t.ZoneBounds(); r.IntN(3) > 0 && !end.IsZero() {
		t = end.Add(-time.Duration(r.IntN(40*60)) * time.Minute)
	}
	if r.IntN(3) > 0 {
		t = t.Truncate(5 * time.Minute)
	}
	return t
}

func slotGenRange(r *rand.Rand) domain.TimeRange {
	start := domain.TimeOfDay(r.IntN(288) * 5)
	end := domain.TimeOfDay(5 + r.IntN(288)*5)
	if r.IntN(4) == 0 { // plain daytime hours are the common case
		start, end = domain.TimeOfDay(r.IntN(120)*5+360), domain.TimeOfDay(r.IntN(120)*5+720)
	}
	return domain.TimeRange{Start: start, End: end}
}

func slotGenWeekly(r *rand.Rand) []domain.WorkingHours {
	var out []domain.WorkingHours
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		for range r.IntN(3) {
			out = append(out, domain.WorkingHours{Weekday: wd, Range: slotGenRange(r)})
		}
	}
	return out
}

func slotGenOverrides(r *rand.Rand, from time.Time) []domain.DateOverride {
	var out []domain.DateOverride
	for range r.IntN(3) {
		o := domain.DateOverride{Date: domain.DateOf(from).AddDays(r.IntN(5) - 1)}
		for range r.IntN(3) {
			o.Ranges = append(o.Ranges, slotGenRange(r))
		}
		out = append(out, o)
	}
	return out
}

// slotGenSpans returns up to n intervals around [from, to), lengths from
// min up to max minutes; a few are empty or inverted, which block nothing.
func slotGenSpans(r *rand.Rand, n int, from, to time.Time, min, max int) []domain.Interval {
	var out []domain.Interval
	span := int(to.Sub(from)/time.Minute) + 360
	for range r.IntN(n + 1) {
		start := from.Add(time.Duration(r.IntN(span)-180) * time.Minute)
		if r.IntN(2) == 0 {
			start = start.Truncate(5 * time.Minute)
		}
		length := time.Duration(min+r.IntN(max-min+1)) * time.Minute
		if r.IntN(20) == 0 {
			length = -length / 10
		}
		out = append(out, domain.Interval{Start: start, End: start.Add(length)})
	}
	return out
}

func slotGenPick(r *rand.Rand, minutes ...int) time.Duration {
	return time.Duration(minutes[r.IntN(len(minutes))]) * time.Minute
}

// slotGenQuery builds a random query of one to four days.
func slotGenQuery(r *rand.Rand, locs []*time.Location) domain.SlotQuery {
	loc := locs[r.IntN(len(locs))]
	from := slotGenInstant(r, loc).Add(-time.Duration(r.IntN(30*60)) * time.Minute)
	to := from.Add(time.Duration(60+r.IntN(4*24*60)) * time.Minute)
	q := domain.SlotQuery{
		Location: loc, Weekly: slotGenWeekly(r), Overrides: slotGenOverrides(r, from),
		Busy:         slotGenSpans(r, 12, from, to, 5, 180),
		Duration:     slotGenPick(r, 5, 15, 30, 45, 60, 90, 180),
		Step:         slotGenPick(r, 5, 7, 10, 15, 20, 30, 45, 60, 90),
		BufferBefore: slotGenPick(r, 0, 0, 0, 5, 10, 15, 30),
		BufferAfter:  slotGenPick(r, 0, 0, 0, 5, 10, 15, 30),
		From:         from, To: to,
	}
	for _, iv := range slotGenSpans(r, 2, from, to, 30, 30*60) {
		q.TimeOff = append(q.TimeOff, domain.TimeOff{Start: iv.Start, End: iv.End})
	}
	if r.IntN(10) == 0 { // away until further notice
		start := from.Add(time.Duration(r.IntN(5*24*60)-24*60) * time.Minute)
		q.TimeOff = append(q.TimeOff, domain.TimeOff{Start: start, End: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)})
	}
	if r.IntN(3) == 0 {
		q.NotBefore = from.Add(time.Duration(r.Int64N(int64(to.Sub(from)))))
	}
	if r.IntN(3) == 0 {
		q.NotAfter = from.Add(time.Duration(r.Int64N(int64(to.Sub(from)))))
	}
	return q
}

// slotCheck returns the first property Slots(q) breaks, or nil.
func slotCheck(q domain.SlotQuery, r *rand.Rand) error {
	slots := domain.Slots(q)
	checks := []func() error{
		func() error { return slotCheckShape(q, slots) },
		func() error { return slotCheckClear(q, slots) },
		func() error { return slotCheckWorking(q, slots) },
		func() error { return slotCheckMonotone(q, slots, r) },
		func() error { return slotCheckCanBook(q, slots, r) },
		func() error { return slotCheckWindow(q, slots, r) },
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return fmt.Errorf("%v\nquery: %+v", err, q)
		}
	}
	return nil
}

// slotCheckShape: sorted, distinct, Duration long, inside From/To and the
// notice and horizon limits.
func slotCheckShape(q domain.SlotQuery, slots []domain.Interval) error {
	for i, s := range slots {
		switch {
		case i > 0 && !slots[i-1].Start.Before(s.Start):
			return fmt.Errorf("slot %v does not follow %v", s, slots[i-1])
		case s.Duration() != q.Duration:
			return fmt.Errorf("slot %v is %v long, want %v", s, s.Duration(), q.Duration)
		case s.Start.Before(q.From) || s.End.After(q.To):
			return fmt.Errorf("slot %v is outside [%v, %v]", s, q.From, q.To)
		case !q.NotBefore.IsZero() && s.Start.Before(q.NotBefore):
			return fmt.Errorf("slot %v starts before NotBefore %v", s, q.NotBefore)
		case !q.NotAfter.IsZero() && s.Start.After(q.NotAfter):
			return fmt.Errorf("slot %v starts after NotAfter %v", s, q.NotAfter)
		}
	}
	return nil
}

// slotCheckClear: no slot's block overlaps a busy interval or time off.
func slotCheckClear(q domain.SlotQuery, slots []domain.Interval) error {
	blocked := slices.Clone(q.Busy)
	for _, off := range q.TimeOff {
		blocked = append(blocked, domain.Interval{Start: off.Start, End: off.End})
	}
	for _, s := range slots {
		block := domain.Interval{Start: s.Start.Add(-q.BufferBefore), End: s.End.Add(q.BufferAfter)}
		for _, b := range blocked {
			if b.Start.Before(b.End) && b.Overlaps(block) {
				return fmt.Errorf("slot %v with block %v overlaps %v", s, block, b)
			}
		}
	}
	return nil
}

// slotCheckWorking: every slot lies in one interval WorkingIntervals gives,
// and is covered by the ranges computed here the plain way, date by date.
func slotCheckWorking(q domain.SlotQuery, slots []domain.Interval) error {
	work := domain.WorkingIntervals(q.Location, q.Weekly, q.Overrides, q.From, q.To)
	ranges := slotOracleRanges(q)
	for _, s := range slots {
		inWork := slices.ContainsFunc(work, func(w domain.Interval) bool {
			return !s.Start.Before(w.Start) && !s.End.After(w.End)
		})
		if !inWork || !slotOracleCovers(ranges, s) {
			return fmt.Errorf("slot %v is outside working hours %v (covered by ranges: %v)", s, work, slotOracleCovers(ranges, s))
		}
	}
	return nil
}

// slotOracleRanges lists every working range of the dates around the query
// as instants, unmerged.
func slotOracleRanges(q domain.SlotQuery) []domain.Interval {
	var out []domain.Interval
	last := domain.DateOf(q.To.In(q.Location)).AddDays(2)
	for d := domain.DateOf(q.From.In(q.Location)).AddDays(-2); !last.Before(d); d = d.AddDays(1) {
		for _, r := range slotOracleDayRanges(q, d) {
			end := d
			if r.End <= r.Start {
				end = d.AddDays(1)
			}
			out = append(out, domain.Interval{Start: domain.WallClock(d, r.Start, q.Location), End: domain.WallClock(end, r.End, q.Location)})
		}
	}
	return out
}

func slotOracleDayRanges(q domain.SlotQuery, d domain.Date) []domain.TimeRange {
	for _, o := range q.Overrides {
		if o.Date == d {
			return o.Ranges
		}
	}
	var out []domain.TimeRange
	for _, h := range q.Weekly {
		if h.Weekday == d.Weekday() {
			out = append(out, h.Range)
		}
	}
	return out
}

// slotOracleCovers reports whether the ranges together cover s without a hole.
func slotOracleCovers(ranges []domain.Interval, s domain.Interval) bool {
	cur := s.Start
	for moved := true; moved && cur.Before(s.End); {
		moved = false
		for _, r := range ranges {
			if !r.Start.After(cur) && r.End.After(cur) {
				cur, moved = r.End, true
			}
		}
	}
	return !cur.Before(s.End)
}

// slotCheckMonotone: freeing time never takes a slot away.
func slotCheckMonotone(q domain.SlotQuery, slots []domain.Interval, r *rand.Rand) error {
	freer := q
	freer.Busy = slices.DeleteFunc(slices.Clone(q.Busy), func(domain.Interval) bool { return r.IntN(2) == 0 })
	freer.TimeOff = slices.DeleteFunc(slices.Clone(q.TimeOff), func(domain.TimeOff) bool { return r.IntN(2) == 0 })
	more := slotSet(domain.Slots(freer))
	for _, s := range slots {
		if !more[s.Start.UnixNano()] {
			return fmt.Errorf("slot %v disappears with busy %v and time off %v", s, freer.Busy, freer.TimeOff)
		}
	}
	return nil
}

func slotSet(slots []domain.Interval) map[int64]bool {
	set := make(map[int64]bool, len(slots))
	for _, s := range slots {
		set[s.Start.UnixNano()] = true
	}
	return set
}

// slotCheckCanBook: CanBook accepts a start inside [From, To] exactly when
// Slots offers it. Probes: some slots, points just off them, random instants.
func slotCheckCanBook(q domain.SlotQuery, slots []domain.Interval, r *rand.Rand) error {
	set := slotSet(slots)
	var probes []time.Time
	for range 40 {
		if len(slots) > 0 {
			s := slots[r.IntN(len(slots))].Start
			probes = append(probes, s, s.Add(time.Duration(1+r.Int64N(int64(q.Step)-1))), s.Add(-time.Minute))
		}
		span := q.To.Sub(q.From) - q.Duration
		if span > 0 {
			probes = append(probes, q.From.Add(time.Duration(r.Int64N(int64(span)))).Truncate(time.Minute))
		}
	}
	for _, p := range probes {
		if p.Before(q.From) || p.Add(q.Duration).After(q.To) {
			continue
		}
		if err := domain.CanBook(q, p); (err == nil) != set[p.UnixNano()] {
			return fmt.Errorf("CanBook(%v) = %v, but Slots offers it: %v", p, err, set[p.UnixNano()])
		}
	}
	return nil
}

// slotCheckWindow: asking for part of the range gives that part of the answer.
func slotCheckWindow(q domain.SlotQuery, slots []domain.Interval, r *rand.Rand) error {
	part := q
	part.From = q.From.Add(time.Duration(r.Int64N(int64(q.To.Sub(q.From)))))
	part.To = part.From.Add(time.Duration(r.Int64N(int64(q.To.Sub(part.From)) + 1)))
	want := slices.DeleteFunc(slices.Clone(slots), func(s domain.Interval) bool {
		return s.Start.Before(part.From) || s.End.After(part.To)
	})
	got := domain.Slots(part)
	if !slices.EqualFunc(got, want, func(a, b domain.Interval) bool { return a.Start.Equal(b.Start) }) {
		return fmt.Errorf("Slots(From %v, To %v) = %v, want %v", part.From, part.To, got, want)
	}
	return nil
}

func TestSlotsProperties(t *testing.T) {
	locs := slotPropLocations(t)
	var failure error
	property := func(seed uint64) bool {
		r := rand.New(rand.NewPCG(seed, 0))
		failure = slotCheck(slotGenQuery(r, locs), r)
		return failure == nil
	}
	if err := quick.Check(property, &quick.Config{MaxCount: 400}); err != nil {
		t.Fatalf("%v: %v", err, failure)
	}
}

// FuzzSlots runs the same properties; `go test -fuzz FuzzSlots ./domain`
// explores further than the seeds below.
func FuzzSlots(f *testing.F) {
	for seed := range uint64(20) {
		f.Add(seed)
	}
	locs := slotPropLocations(f)
	f.Fuzz(func(t *testing.T, seed uint64) {
		r := rand.New(rand.NewPCG(seed, 0))
		if err := slotCheck(slotGenQuery(r, locs), r); err != nil {
			t.Fatal(err)
		}
	})
}

// TestWallClockProperties compares WallClock with a minute-by-minute search
// for the earliest instant whose clocks show the reading, or, inside a gap,
// the first instant past it. Most readings lie within two hours of a change,
// where gaps and repeats are.
func TestWallClockProperties(t *testing.T) {
	locs := slotPropLocations(t)
	var failure string
	property := func(seed uint64) bool {
		r := rand.New(rand.NewPCG(seed, 0))
		loc := locs[r.IntN(len(locs))]
		d, tod := slotGenReading(r, loc)
		got, want := domain.WallClock(d, tod, loc), slotWallSearch(d, tod, loc)
		failure = fmt.Sprintf("WallClock(%v, %v, %v) = %v, want %v", d, tod, loc, got, want.In(loc))
		return got.Equal(want)
	}
	if err := quick.Check(property, &quick.Config{MaxCount: 400}); err != nil {
		t.Fatalf("%v: %v", err, failure)
	}
}

// slotGenReading picks a date and time of day as loc's clocks could show
// them, or as they would have shown them but for a gap.
func slotGenReading(r *rand.Rand, loc *time.Location) (domain.Date, domain.TimeOfDay) {
	at := slotGenInstant(r, loc).Add(time.Duration(r.IntN(24*60)) * time.Minute)
	if _, end := at.ZoneBounds(); r.IntN(4) > 0 && !end.IsZero() {
		at = end.Add(-time.Minute) // the clocks' last reading before a change
	}
	l := at.In(loc)
	naive := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute()+r.IntN(241)-120, 0, 0, time.UTC)
	return domain.DateOf(naive), domain.TimeOfDay(naive.Hour()*60 + naive.Minute())
}

func slotWallSearch(d domain.Date, tod domain.TimeOfDay, loc *time.Location) time.Time {
	wall := time.Date(d.Year, d.Month, d.Day, 0, int(tod), 0, 0, time.UTC)
	for u := wall.Add(-15 * time.Hour); u.Before(wall.Add(15 * time.Hour)); u = u.Add(time.Minute) {
		l := u.In(loc)
		shown := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, time.UTC)
		if !shown.Before(wall) {
			return u
		}
	}
	return time.Time{}
}
