package busycal

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// frequency is an RRULE's FREQ, finest first.
type frequency int

const (
	secondly frequency = iota
	minutely
	hourly
	daily
	weekly
	monthly
	yearly
)

var frequencies = map[string]frequency{
	"SECONDLY": secondly, "MINUTELY": minutely, "HOURLY": hourly, "DAILY": daily,
	"WEEKLY": weekly, "MONTHLY": monthly, "YEARLY": yearly,
}

var weekdays = map[string]time.Weekday{
	"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday,
	"TH": time.Thursday, "FR": time.Friday, "SA": time.Saturday,
}

// weekdayNum is one BYDAY entry: a weekday, and for MONTHLY and YEARLY
// rules its place in the month or year (1 the first, -1 the last, 0 every).
type weekdayNum struct {
	n   int
	day time.Weekday
}

// rule is a parsed RRULE (RFC 5545 §3.3.10). It is expanded on wall-clock
// times (kept as time.Time in UTC), as python-dateutil and the calendar
// apps do: a weekly 09:00 stays 09:00 across a DST change.
type rule struct {
	freq                       frequency
	interval, count            int
	until                      string // the raw UNTIL value; "" = none
	bySecond, byMinute, byHour []int
	byDay                      []weekdayNum
	byMonthDay, byYearDay      []int
	byWeekNo, byMonth          []int
	bySetPos                   []int
	wkst                       time.Weekday
}

// maxRuleList bounds each BYxxx list; real rules name a handful.
const maxRuleList = 400

// parseRule reads an RRULE value.
func parseRule(s string) (rule, error) {
	r := rule{interval: 1, wkst: time.Monday, freq: -1}
	for part := range strings.SplitSeq(s, ";") {
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return rule{}, fmt.Errorf("RRULE part %q has no value", clip(part))
		}
		if err := r.set(strings.ToUpper(strings.TrimSpace(name)), strings.TrimSpace(value)); err != nil {
			return rule{}, err
		}
	}
	if r.freq < 0 {
		return rule{}, errors.New("RRULE has no FREQ")
	}
	return r, nil
}

func (r *rule) set(name, value string) error {
	var err error
	switch name {
	case "FREQ":
		f, ok := frequencies[strings.ToUpper(value)]
		if !ok {
			return fmt.Errorf("RRULE FREQ %q is unknown", clip(value))
		}
		r.freq = f
	case "INTERVAL":
		r.interval, err = ruleInt(name, value, 1, 1_000_000)
	case "COUNT":
		r.count, err = ruleInt(name, value, 1, 1_000_000_000)
	case "UNTIL":
		r.until = value
	case "BYSECOND":
		r.bySecond, err = ruleInts(name, value, 0, 60, false)
	case "BYMINUTE":
		r.byMinute, err = ruleInts(name, value, 0, 59, false)
	case "BYHOUR":
		r.byHour, err = ruleInts(name, value, 0, 23, false)
	case "BYMONTHDAY":
		r.byMonthDay, err = ruleInts(name, value, -31, 31, true)
	case "BYYEARDAY":
		r.byYearDay, err = ruleInts(name, value, -366, 366, true)
	case "BYWEEKNO":
		r.byWeekNo, err = ruleInts(name, value, -53, 53, true)
	case "BYMONTH":
		r.byMonth, err = ruleInts(name, value, 1, 12, false)
	case "BYSETPOS":
		r.bySetPos, err = ruleInts(name, value, -366, 366, true)
	case "BYDAY":
		r.byDay, err = ruleDays(value)
	case "WKST":
		d, ok := weekdays[strings.ToUpper(value)]
		if !ok {
			return fmt.Errorf("RRULE WKST %q is not a weekday", clip(value))
		}
		r.wkst = d
	default:
		// X- names and RSCALE/SKIP (RFC 7529) are not understood; a rule
		// that relies on them expands as its Gregorian parts say.
	}
	return err
}

func ruleInt(name, value string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("RRULE %s %q is out of range", name, clip(value))
	}
	return n, nil
}

func ruleInts(name, value string, lo, hi int, noZero bool) ([]int, error) {
	parts := strings.Split(value, ",")
	if len(parts) > maxRuleList {
		return nil, fmt.Errorf("RRULE %s lists too many values", name)
	}
	out := make([]int, 0, len(parts))
	for _, p := range parts {
		n, err := ruleInt(name, strings.TrimSpace(p), lo, hi)
		if err != nil || (noZero && n == 0) {
			return nil, fmt.Errorf("RRULE %s %q is out of range", name, clip(value))
		}
		if name == "BYSECOND" && n == 60 {
			n = 59 // a leap second: the clocks we convert to have none
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func ruleDays(value string) ([]weekdayNum, error) {
	parts := strings.Split(value, ",")
	if len(parts) > maxRuleList {
		return nil, errors.New("RRULE BYDAY lists too many values")
	}
	out := make([]weekdayNum, 0, len(parts))
	for _, p := range parts {
		p = strings.ToUpper(strings.TrimSpace(p))
		if len(p) < 2 {
			return nil, fmt.Errorf("RRULE BYDAY %q is not a weekday", clip(p))
		}
		d, ok := weekdays[p[len(p)-2:]]
		if !ok {
			return nil, fmt.Errorf("RRULE BYDAY %q is not a weekday", clip(p))
		}
		n := 0
		if num := p[:len(p)-2]; num != "" {
			v, err := strconv.Atoi(num)
			if err != nil || v == 0 || v < -53 || v > 53 {
				return nil, fmt.Errorf("RRULE BYDAY %q is out of range", clip(p))
			}
			n = v
		}
		out = append(out, weekdayNum{n: n, day: d})
	}
	return out, nil
}

// clip shortens a value quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// budget is the work one calendar may cost: recurrence periods walked.
type budget struct{ steps int }

func (b *budget) spend() bool {
	b.steps--
	return b.steps >= 0
}

// walk calls emit with each wall-clock start the rule makes from dtstart
// (itself not included unless the rule makes it), in order, until emit
// returns false, the COUNT is reached, after the UNTIL instant, or once
// periods start after stop. With no COUNT it starts at the period that
// holds from, since earlier periods can add nothing. isAfterUntil
// reports whether a wall time is past UNTIL. It returns false when the
// budget ran out.
func (r rule) walk(dtstart, from, stop time.Time, isAfterUntil func(time.Time) bool, b *budget, emit func(time.Time) bool) bool {
	r = r.withDefaults(dtstart).withClock(dtstart)
	p := newPeriods(r, dtstart)
	if r.count == 0 && from.After(dtstart) {
		p.skipBefore(from)
	}
	counted := 0
	for !p.start().After(stop) {
		if !b.spend() {
			return false
		}
		cands, next := r.candidates(p)
		for _, c := range cands {
			if c.Before(dtstart) {
				continue
			}
			if isAfterUntil(c) {
				return true
			}
			counted++
			if !emit(c) {
				return true
			}
			if r.count > 0 && counted >= r.count {
				return true
			}
		}
		if !next.IsZero() {
			p.jumpTo(next)
		} else {
			p.advance()
		}
	}
	return true
}

// withDefaults fills in what RFC 5545 takes from DTSTART when a rule names
// no day: the weekday (WEEKLY), the day of the month (MONTHLY), the month
// and day (YEARLY).
func (r rule) withDefaults(dtstart time.Time) rule {
	if len(r.byWeekNo)+len(r.byYearDay)+len(r.byMonthDay)+len(r.byDay) > 0 {
		return r
	}
	switch r.freq {
	case weekly:
		r.byDay = []weekdayNum{{day: dtstart.Weekday()}}
	case monthly:
		r.byMonthDay = []int{dtstart.Day()}
	case yearly:
		if len(r.byMonth) == 0 {
			r.byMonth = []int{int(dtstart.Month())}
		}
		r.byMonthDay = []int{dtstart.Day()}
	}
	return r
}

// periods steps through a rule's FREQ × INTERVAL periods.
type periods struct {
	r     rule
	first time.Time // the first period's start
	k     int64     // the current period's index
}

func newPeriods(r rule, dtstart time.Time) *periods {
	y, m, d := dtstart.Date()
	var first time.Time
	switch r.freq {
	case yearly:
		first = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	case monthly:
		first = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	case weekly:
		back := (int(dtstart.Weekday()) - int(r.wkst) + 7) % 7
		first = time.Date(y, m, d-back, 0, 0, 0, 0, time.UTC)
	case daily:
		first = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	case hourly:
		first = dtstart.Truncate(time.Hour)
	case minutely:
		first = dtstart.Truncate(time.Minute)
	default:
		first = dtstart.Truncate(time.Second)
	}
	return &periods{r: r, first: first}
}

// stepSeconds is a fixed-length period's length; 0 for months and years.
// Seconds, not a Duration: a rule may start centuries ago.
func (p *periods) stepSeconds() int64 {
	n := int64(p.r.interval)
	switch p.r.freq {
	case secondly:
		return n
	case minutely:
		return n * 60
	case hourly:
		return n * 3600
	case daily:
		return n * 86400
	case weekly:
		return n * 7 * 86400
	}
	return 0
}

func (p *periods) start() time.Time {
	switch p.r.freq {
	case yearly:
		return p.first.AddDate(int(p.k)*p.r.interval, 0, 0)
	case monthly:
		return p.first.AddDate(0, int(p.k)*p.r.interval, 0)
	}
	return time.Unix(p.first.Unix()+p.k*p.stepSeconds(), 0).UTC()
}

func (p *periods) advance() { p.k++ }

// index is the number of whole periods from the first to t.
func (p *periods) index(t time.Time) int64 {
	switch p.r.freq {
	case yearly:
		return int64((t.Year() - p.first.Year()) / p.r.interval)
	case monthly:
		months := (t.Year()-p.first.Year())*12 + int(t.Month()) - int(p.first.Month())
		return int64(months / p.r.interval)
	}
	return (t.Unix() - p.first.Unix()) / p.stepSeconds()
}

// skipBefore moves on to the period that holds t (never back).
func (p *periods) skipBefore(t time.Time) { p.k = max(p.k, p.index(t)) }

// jumpTo moves to the first period starting at or after t, past the
// current one.
func (p *periods) jumpTo(t time.Time) {
	k := p.index(t)
	if p.first.Before(t) && (t.Unix()-p.first.Unix())%p.stepSeconds() != 0 {
		k++
	}
	p.k = max(p.k+1, k)
}

// candidates returns the period's starts, sorted; next is non-zero when a
// sub-daily rule's day or hour is filtered out, the time to skip to.
func (r rule) candidates(p *periods) (out []time.Time, next time.Time) {
	ps := p.start()
	if r.freq < daily {
		day := truncDay(ps)
		if !r.dayMatches(day, r.freq) {
			return nil, day.AddDate(0, 0, 1)
		}
		if len(r.byHour) > 0 && !slices.Contains(r.byHour, ps.Hour()) {
			return nil, ps.Truncate(time.Hour).Add(time.Hour)
		}
		out = r.subDailyTimes(ps)
		return r.setPos(out), time.Time{}
	}
	for _, day := range r.days(ps) {
		out = append(out, r.times(day)...)
	}
	return r.setPos(out), time.Time{}
}

// days returns the days of a DAILY or coarser period that pass the BYxxx
// day filters, in order.
func (r rule) days(ps time.Time) []time.Time {
	var first, last time.Time
	switch r.freq {
	case yearly:
		first, last = ps, ps.AddDate(1, 0, -1)
		if len(r.byWeekNo) > 0 {
			y := ps.Year()
			first, last = week1(y, r.wkst), week1(y+1, r.wkst).AddDate(0, 0, -1)
		}
	case monthly:
		first, last = ps, ps.AddDate(0, 1, -1)
	case weekly:
		first, last = ps, ps.AddDate(0, 0, 6)
	default:
		first, last = ps, ps
	}
	if r.freq == yearly && len(r.byWeekNo) == 0 && len(r.byMonth) > 0 {
		return r.monthDays(ps.Year())
	}
	var out []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		if r.dayMatches(d, r.freq) && (len(r.byWeekNo) == 0 || r.freq != yearly || r.weekNoMatches(d, ps.Year())) {
			out = append(out, d)
		}
	}
	return out
}

// monthDays is days for a YEARLY rule with BYMONTH: only those months'
// days are looked at (time zone rules are such rules, walked for two
// centuries).
func (r rule) monthDays(y int) []time.Time {
	var out []time.Time
	for _, m := range r.byMonth {
		first := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
			if r.dayMatches(d, r.freq) {
				out = append(out, d)
			}
		}
	}
	return out
}

// dayMatches applies BYMONTH, BYYEARDAY, BYMONTHDAY and BYDAY to day.
func (r rule) dayMatches(day time.Time, f frequency) bool {
	if len(r.byMonth) > 0 && !slices.Contains(r.byMonth, int(day.Month())) {
		return false
	}
	if len(r.byYearDay) > 0 {
		n, length := day.YearDay(), daysInYear(day.Year())
		if !slices.Contains(r.byYearDay, n) && !slices.Contains(r.byYearDay, n-length-1) {
			return false
		}
	}
	if len(r.byMonthDay) > 0 {
		n, length := day.Day(), daysInMonth(day)
		if !slices.Contains(r.byMonthDay, n) && !slices.Contains(r.byMonthDay, n-length-1) {
			return false
		}
	}
	if len(r.byDay) > 0 && !r.byDayMatches(day, f) {
		return false
	}
	return true
}

// byDayMatches reports whether day is one of BYDAY's: a plain weekday, or
// for MONTHLY (and YEARLY with BYMONTH) the nth of its month, for YEARLY
// the nth of its year. Finer rules ignore the numbers, as dateutil does.
func (r rule) byDayMatches(day time.Time, f frequency) bool {
	for _, w := range r.byDay {
		if w.day != day.Weekday() {
			continue
		}
		if w.n == 0 || f < monthly {
			return true
		}
		var index, length int // day's place in its month or year, from 0
		if f == monthly || len(r.byMonth) > 0 {
			index, length = day.Day()-1, daysInMonth(day)
		} else {
			index, length = day.YearDay()-1, daysInYear(day.Year())
		}
		if w.n > 0 && index/7+1 == w.n || w.n < 0 && (length-1-index)/7+1 == -w.n {
			return true
		}
	}
	return false
}

// week1 is the first day of week 1 of year y: the week, starting on wkst,
// that holds at least four days of y.
func week1(y int, wkst time.Weekday) time.Time {
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
	return jan4.AddDate(0, 0, -((int(jan4.Weekday()) - int(wkst) + 7) % 7))
}

// weekNoMatches reports whether day (in week-year y) is in a BYWEEKNO week.
func (r rule) weekNoMatches(day time.Time, y int) bool {
	start := week1(y, r.wkst)
	n := int(day.Sub(start).Hours()/24)/7 + 1
	weeks := int(week1(y+1, r.wkst).Sub(start).Hours()/24) / 7
	return slices.Contains(r.byWeekNo, n) || slices.Contains(r.byWeekNo, n-weeks-1)
}

// times returns a DAILY or coarser rule's starts on day (withClock has
// filled the lists).
func (r rule) times(day time.Time) []time.Time {
	out := make([]time.Time, 0, len(r.byHour)*len(r.byMinute)*len(r.bySecond))
	for _, h := range r.byHour {
		for _, m := range r.byMinute {
			for _, s := range r.bySecond {
				out = append(out, day.Add(time.Duration(h)*time.Hour+time.Duration(m)*time.Minute+time.Duration(s)*time.Second))
			}
		}
	}
	return out
}

// subDailyTimes returns an HOURLY, MINUTELY or SECONDLY period's starts.
func (r rule) subDailyTimes(ps time.Time) []time.Time {
	switch r.freq {
	case hourly:
		out := make([]time.Time, 0, len(r.byMinute)*len(r.bySecond))
		for _, m := range r.byMinute {
			for _, s := range r.bySecond {
				out = append(out, ps.Add(time.Duration(m)*time.Minute+time.Duration(s)*time.Second))
			}
		}
		return out
	case minutely:
		if len(r.byMinute) > 0 && !slices.Contains(r.byMinute, ps.Minute()) {
			return nil
		}
		out := make([]time.Time, 0, len(r.bySecond))
		for _, s := range r.bySecond {
			out = append(out, ps.Add(time.Duration(s)*time.Second))
		}
		return out
	}
	if len(r.byMinute) > 0 && !slices.Contains(r.byMinute, ps.Minute()) ||
		len(r.bySecond) > 0 && !slices.Contains(r.bySecond, ps.Second()) {
		return nil
	}
	return []time.Time{ps}
}

// withClock fills empty BYHOUR, BYMINUTE and BYSECOND from DTSTART where
// the frequency takes them from it.
func (r rule) withClock(dtstart time.Time) rule {
	if r.freq >= daily && len(r.byHour) == 0 {
		r.byHour = []int{dtstart.Hour()}
	}
	if r.freq >= hourly && len(r.byMinute) == 0 {
		r.byMinute = []int{dtstart.Minute()}
	}
	if r.freq >= minutely && len(r.bySecond) == 0 {
		r.bySecond = []int{dtstart.Second()}
	}
	return r
}

// setPos applies BYSETPOS to a period's sorted starts.
func (r rule) setPos(cands []time.Time) []time.Time {
	if len(r.bySetPos) == 0 || len(cands) == 0 {
		return cands
	}
	var out []time.Time
	for _, pos := range r.bySetPos {
		i := pos - 1
		if pos < 0 {
			i = len(cands) + pos
		}
		if i >= 0 && i < len(cands) {
			out = append(out, cands[i])
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
}

func truncDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func daysInMonth(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func daysInYear(y int) int {
	return time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC).YearDay()
}
