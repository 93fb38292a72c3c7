// Package busycal reads practitioners' own calendars (Google's secret
// address, Outlook's published ICS, iCloud's public link) into busy time:
// an expander that turns an iCalendar file into the busy instances of a
// window, and a fetcher that gets the file without reaching the clinic's
// private network.
package busycal

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/frontdesk/frontdesk/domain"
)

// Limits bound what reading one calendar may cost.
type Limits struct {
	MaxEvents   int // busy instances kept in the window, all events together
	MaxPerEvent int // instances of one event kept in the window
	MaxSteps    int // recurrence periods walked, all events together
}

// DefaultLimits are generous for a person's calendar: a year of a dozen
// daily events is 4,400 instances.
var DefaultLimits = Limits{MaxEvents: 20_000, MaxPerEvent: 5_000, MaxSteps: 2_000_000}

// Expander reads calendars; the zero value uses DefaultLimits.
type Expander struct{ Limits Limits }

// InvalidError says why a file is not a calendar Frontdesk can read. Its
// message is meant for staff.
type InvalidError struct{ Reason string }

func (e *InvalidError) Error() string { return "Not a readable iCalendar file: " + e.Reason + "." }

func invalid(format string, args ...any) error {
	return &InvalidError{Reason: fmt.Sprintf(format, args...)}
}

// Expand returns the busy instances of the calendar in body that overlap
// req.Window, sorted by start: opaque events that are not cancelled, with
// recurrences (RRULE, RDATE, EXDATE) expanded and RECURRENCE-ID overrides
// applied. All-day events span whole days in req.Zone; floating times are
// read in the calendar's X-WR-TIMEZONE, else in req.Zone. Errors are
// *InvalidError.
func (x Expander) Expand(body []byte, req domain.ExpandRequest) (domain.Expansion, error) {
	cal, err := decode(body)
	if err != nil {
		return domain.Expansion{}, err
	}
	lim := x.Limits
	if lim == (Limits{}) {
		lim = DefaultLimits
	}
	if req.Zone == nil {
		req.Zone = time.UTC
	}
	c := newCalendarReader(cal, req, lim)
	return c.expand(), nil
}

// calendarReader holds what reading one calendar needs.
type calendarReader struct {
	cal      *ical.Calendar
	req      domain.ExpandRequest
	lim      Limits
	zones    *zones
	floating *time.Location // X-WR-TIMEZONE, else the practitioner's zone
	xwr      *time.Location // X-WR-TIMEZONE; nil when absent or unknown
	budget   budget
	warning  string
	out      []domain.BusyEvent
}

func newCalendarReader(cal *ical.Calendar, req domain.ExpandRequest, lim Limits) *calendarReader {
	c := &calendarReader{cal: cal, req: req, lim: lim, zones: newZones(cal), floating: req.Zone, budget: budget{steps: lim.MaxSteps}}
	if p := cal.Props.Get("X-WR-TIMEZONE"); p != nil {
		if loc := c.zones.zone(p.Value); loc != nil {
			c.xwr, c.floating = loc, loc
		}
	}
	return c
}

// expand reads every VEVENT: overrides first, so that their masters skip
// the instances they replace.
func (c *calendarReader) expand() domain.Expansion {
	var masters, overrides []vevent
	for _, comp := range c.cal.Children {
		if comp.Name != ical.CompEvent {
			continue
		}
		ev, err := c.readEvent(comp)
		if err != nil {
			c.warn(err.Error())
			continue
		}
		if ev.recurrenceID != nil {
			overrides = append(overrides, ev)
		} else {
			masters = append(masters, ev)
		}
	}
	replaced := map[string]map[int64]bool{}
	for _, o := range overrides {
		if replaced[o.uid] == nil {
			replaced[o.uid] = map[int64]bool{}
		}
		replaced[o.uid][c.abs(*o.recurrenceID).Unix()] = true
	}
	for _, m := range masters {
		c.expandEvent(m, replaced[m.uid])
	}
	for _, o := range overrides {
		o.rule, o.rdates = nil, nil
		c.expandEvent(o, nil)
	}
	slices.SortStableFunc(c.out, func(a, b domain.BusyEvent) int { return a.Start.Compare(b.Start) })
	if len(c.out) > c.lim.MaxEvents {
		c.out = c.out[:c.lim.MaxEvents]
		c.warn(fmt.Sprintf("the calendar has more than %d events in the next months; only the first are used", c.lim.MaxEvents))
	}
	prodID := ""
	if p := c.cal.Props.Get(ical.PropProductID); p != nil {
		prodID = p.Value
	}
	return domain.Expansion{ProdID: prodID, Events: c.out, Warning: c.warning}
}

func (c *calendarReader) warn(msg string) {
	if c.warning == "" {
		c.warning = msg
	}
}

// dt is a DATE or DATE-TIME value: its wall clock (as a UTC time) and the
// zone it is read in (nil: floating, or a DATE).
type dt struct {
	wall time.Time
	date bool
	loc  *time.Location
}

// vevent is what busy time needs of one VEVENT.
type vevent struct {
	uid          string
	start        dt
	length       time.Duration // exact, for DATE-TIME events
	days         int           // for DATE events
	rule         *rule
	exdates      map[int64]bool // instants (Unix seconds) taken out
	rdates       []dt
	recurrenceID *dt
	busy         bool
}

// readEvent reads one VEVENT; an error names what is wrong with it.
func (c *calendarReader) readEvent(comp *ical.Component) (vevent, error) {
	ev := vevent{busy: true}
	if p := comp.Props.Get(ical.PropUID); p != nil {
		ev.uid = p.Value
	}
	sp := comp.Props.Get(ical.PropDateTimeStart)
	if sp == nil {
		return ev, errors.New("an event has no start (DTSTART)")
	}
	var err error
	if ev.start, err = c.value(sp, sp.Value); err != nil {
		return ev, fmt.Errorf("an event's start: %w", err)
	}
	if err := c.readLength(comp, &ev); err != nil {
		return ev, err
	}
	if p := comp.Props.Get(ical.PropStatus); p != nil && strings.EqualFold(strings.TrimSpace(p.Value), "CANCELLED") {
		ev.busy = false
	}
	if p := comp.Props.Get(ical.PropTransparency); p != nil && strings.EqualFold(strings.TrimSpace(p.Value), "TRANSPARENT") {
		ev.busy = false
	}
	if p := comp.Props.Get(ical.PropRecurrenceID); p != nil {
		rid, err := c.value(p, p.Value)
		if err != nil {
			return ev, fmt.Errorf("an event's RECURRENCE-ID: %w", err)
		}
		ev.recurrenceID = &rid
	}
	if p := comp.Props.Get(ical.PropRecurrenceRule); p != nil {
		r, err := parseRule(p.Value)
		if err != nil {
			return ev, err
		}
		ev.rule = &r
	}
	ev.exdates = map[int64]bool{}
	for _, p := range comp.Props.Values(ical.PropExceptionDates) {
		for v := range strings.SplitSeq(p.Value, ",") {
			d, err := c.value(&p, v)
			if err != nil {
				return ev, fmt.Errorf("an event's EXDATE: %w", err)
			}
			ev.exdates[c.abs(d).Unix()] = true
		}
	}
	for _, p := range comp.Props.Values(ical.PropRecurrenceDates) {
		for v := range strings.SplitSeq(p.Value, ",") {
			v, _, _ = strings.Cut(v, "/") // a PERIOD's start
			d, err := c.value(&p, v)
			if err != nil {
				return ev, fmt.Errorf("an event's RDATE: %w", err)
			}
			ev.rdates = append(ev.rdates, d)
		}
	}
	return ev, nil
}

// readLength sets the event's length from DTEND or DURATION; an event with
// neither lasts a day when it is all-day, else no time at all.
func (c *calendarReader) readLength(comp *ical.Component, ev *vevent) error {
	if p := comp.Props.Get(ical.PropDateTimeEnd); p != nil {
		end, err := c.value(p, p.Value)
		if err != nil {
			return fmt.Errorf("an event's end: %w", err)
		}
		if ev.start.date {
			ev.days = int(end.wall.Sub(ev.start.wall).Hours() / 24)
			return nil
		}
		ev.length = c.abs(end).Sub(c.abs(ev.start))
		return nil
	}
	if p := comp.Props.Get(ical.PropDuration); p != nil {
		d, err := p.Duration()
		if err != nil {
			return fmt.Errorf("an event's DURATION %q cannot be read", clip(p.Value))
		}
		if ev.start.date {
			ev.days = int(d.Hours() / 24)
			return nil
		}
		ev.length = d
		return nil
	}
	if ev.start.date {
		ev.days = 1
	}
	return nil
}

// value reads one DATE or DATE-TIME of p (v: one of its values).
func (c *calendarReader) value(p *ical.Prop, v string) (dt, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(p.Params.Get(ical.ParamValue), "DATE") || len(v) == 8 {
		w, err := time.Parse("20060102", v)
		if err != nil {
			return dt{}, fmt.Errorf("%q is not a date", clip(v))
		}
		return dt{wall: w, date: true}, nil
	}
	if utc, ok := strings.CutSuffix(v, "Z"); ok {
		w, err := time.Parse("20060102T150405", utc)
		if err != nil {
			return dt{}, fmt.Errorf("%q is not a date-time", clip(v))
		}
		if c.xwr != nil { // X-WR-TIMEZONE: UTC values recur in that zone
			local := w.In(c.xwr)
			return dt{wall: wallOf(local), loc: c.xwr}, nil
		}
		return dt{wall: w, loc: time.UTC}, nil
	}
	w, err := time.Parse("20060102T150405", v)
	if err != nil {
		return dt{}, fmt.Errorf("%q is not a date-time", clip(v))
	}
	var loc *time.Location
	if tzid := p.Params.Get(ical.PropTimezoneID); tzid != "" {
		loc = c.zones.zone(tzid)
	}
	return dt{wall: w, loc: loc}, nil
}

// zoneOf is the zone a value's wall clock is read in.
func (c *calendarReader) zoneOf(d dt) *time.Location {
	switch {
	case d.date:
		return c.req.Zone
	case d.loc == nil:
		return c.floating
	}
	return d.loc
}

// abs is the instant of a value.
func (c *calendarReader) abs(d dt) time.Time {
	return atWall(d.wall, c.zoneOf(d))
}

func atWall(w time.Time, loc *time.Location) time.Time {
	y, m, d := w.Date()
	h, mi, s := w.Clock()
	return time.Date(y, m, d, h, mi, s, 0, loc)
}

func wallOf(t time.Time) time.Time {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, m, d, h, mi, s, 0, time.UTC)
}

// expandEvent adds the busy instances of ev in the window, leaving out
// those whose start is in skip (replaced by overrides).
func (c *calendarReader) expandEvent(ev vevent, skip map[int64]bool) {
	if !ev.busy {
		return
	}
	zone := c.zoneOf(ev.start)
	seen := map[int64]bool{}
	kept := 0
	add := func(wall time.Time) bool {
		start := atWall(wall, zone)
		key := start.Unix()
		if seen[key] || ev.exdates[key] || skip[key] {
			return true
		}
		seen[key] = true
		end := start.Add(ev.length)
		if ev.start.date {
			end = atWall(wall.AddDate(0, 0, ev.days), zone)
		}
		if !end.After(start) || !start.Before(c.req.Window.End) || !end.After(c.req.Window.Start) {
			return true
		}
		if kept++; kept > c.lim.MaxPerEvent {
			c.warn(fmt.Sprintf("an event repeats more than %d times in the next months; only the first are used", c.lim.MaxPerEvent))
			return false
		}
		c.out = append(c.out, domain.BusyEvent{UID: ev.uid, Interval: domain.Interval{Start: start, End: end}})
		return true
	}
	if !add(ev.start.wall) {
		return
	}
	for _, rd := range ev.rdates {
		if !add(wallOf(c.abs(rd).In(zone))) {
			return
		}
	}
	if ev.rule == nil {
		return
	}
	c.walkRule(ev, zone, add)
}

// walkRule expands ev's RRULE over the window, in ev's zone.
func (c *calendarReader) walkRule(ev vevent, zone *time.Location, add func(time.Time) bool) {
	longest := ev.length + time.Duration(ev.days)*24*time.Hour
	from := wallOf(c.req.Window.Start.Add(-longest).In(zone)).AddDate(0, 0, -1)
	stop := wallOf(c.req.Window.End.In(zone)).AddDate(0, 0, 1)
	afterUntil := c.untilFunc(*ev.rule, ev.start, zone)
	if !ev.rule.walk(ev.start.wall, from, stop, afterUntil, &c.budget, add) {
		c.warn("the calendar's repeating events are too many to read in full; some are left out")
	}
}

// untilFunc reports whether a wall time in zone is past the rule's UNTIL:
// a UTC instant, a local date-time, or a date (inclusive).
func (c *calendarReader) untilFunc(r rule, start dt, zone *time.Location) func(time.Time) bool {
	u := strings.TrimSpace(r.until)
	if u == "" {
		return func(time.Time) bool { return false }
	}
	if len(u) == 8 {
		day, err := time.Parse("20060102", u)
		if err != nil {
			return func(time.Time) bool { return false }
		}
		last := day.AddDate(0, 0, 1)
		return func(w time.Time) bool { return !w.Before(last) }
	}
	if utc, ok := strings.CutSuffix(u, "Z"); ok {
		w, err := time.Parse("20060102T150405", utc)
		if err != nil {
			return func(time.Time) bool { return false }
		}
		return func(wall time.Time) bool { return atWall(wall, zone).After(w) }
	}
	w, err := time.Parse("20060102T150405", u)
	if err != nil {
		return func(time.Time) bool { return false }
	}
	return func(wall time.Time) bool { return wall.After(w) }
}

// Decoding limits: go-ical builds parameter values a byte at a time and
// nests components by recursion, so hostile files are refused first.
const (
	maxParamBytes = 8 << 10
	maxDepth      = 8
)

// decode parses body as one VCALENDAR.
func decode(body []byte) (cal *ical.Calendar, err error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if err := precheck(body); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			cal, err = nil, invalid("a line cannot be parsed")
		}
	}()
	cal, err = ical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		return nil, invalid("%s", strings.TrimPrefix(err.Error(), "ical: "))
	}
	return cal, nil
}

// precheck refuses what go-ical would choke on: no VCALENDAR, components
// nested too deep, parameters too long.
func precheck(body []byte) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if !hasPrefixFold(trimmed, "BEGIN:VCALENDAR") {
		return invalid("it does not start with BEGIN:VCALENDAR (is the address a web page?)")
	}
	depth, paramLen, inValue, quoted := 0, 0, false, false
	lineStart := true
	for i := 0; i < len(body); i++ {
		ch := body[i]
		if lineStart {
			lineStart = false
			if ch == ' ' || ch == '\t' {
				continue // a folded line goes on
			}
			paramLen, inValue, quoted = 0, false, false
			rest := body[i:]
			switch {
			case hasPrefixFold(rest, "BEGIN:"):
				if depth++; depth > maxDepth {
					return invalid("components are nested more than %d deep", maxDepth)
				}
			case hasPrefixFold(rest, "END:"):
				depth--
			}
		}
		switch {
		case ch == '\n':
			lineStart = true
		case inValue:
		case ch == '"':
			quoted = !quoted
		case ch == ':' && !quoted:
			inValue = true
		default:
			if paramLen++; paramLen > maxParamBytes {
				return invalid("a property's parameters are longer than %d bytes", maxParamBytes)
			}
		}
	}
	return nil
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && strings.EqualFold(string(b[:len(prefix)]), prefix)
}
