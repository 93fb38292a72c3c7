package busycal

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // a machine without zoneinfo still knows the IANA zones

	"github.com/emersion/go-ical"
)

// zones resolves a calendar's TZIDs: an IANA name as it is (Google,
// Apple), a Windows name through CLDR's table (Outlook), a name with a
// vendor prefix ("/mozilla.org/20050126_1/Europe/Berlin") by its IANA
// tail, else the calendar's own VTIMEZONE. A TZID none of these knows is
// read as floating time, as python-icalendar and most clients do.
type zones struct {
	defs  map[string]*ical.Component // the calendar's VTIMEZONEs by TZID
	cache map[string]*time.Location  // nil value: unknown
}

func newZones(cal *ical.Calendar) *zones {
	z := &zones{defs: map[string]*ical.Component{}, cache: map[string]*time.Location{}}
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			continue
		}
		if id := c.Props.Get(ical.PropTimezoneID); id != nil {
			z.defs[id.Value] = c
		}
	}
	return z
}

// zone returns the location of tzid, nil when it is unknown.
func (z *zones) zone(tzid string) *time.Location {
	tzid = strings.Trim(strings.TrimSpace(tzid), `"`)
	if loc, ok := z.cache[tzid]; ok {
		return loc
	}
	loc := namedZone(tzid)
	if loc == nil {
		if def := z.defs[tzid]; def != nil {
			loc = vtimezoneLocation(tzid, def)
		}
	}
	z.cache[tzid] = loc
	return loc
}

// namedZone resolves an IANA or Windows zone name, nil when it is neither.
func namedZone(name string) *time.Location {
	if name == "" || name == "Local" || len(name) > 128 {
		return nil
	}
	if iana, ok := windowsZones[name]; ok {
		name = iana
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	// Vendor prefixes: try each tail after a slash, longest first.
	for i := strings.IndexByte(name, '/'); i >= 0; {
		tail := name[i+1:]
		if strings.Contains(tail, "/") {
			if loc, err := time.LoadLocation(tail); err == nil {
				return loc
			}
		}
		j := strings.IndexByte(tail, '/')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return nil
}

// transition is one onset of a VTIMEZONE observance.
type transition struct {
	at     int64 // Unix seconds
	offset int   // seconds east of UTC from then on
	dst    bool
	name   string
}

// Transitions are computed from here to vtzLast; the busy window never
// reaches past it.
var (
	vtzFirst = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	vtzLast  = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// vtimezoneLocation turns a VTIMEZONE into a time.Location: its
// observances' onsets (DTSTART, RDATE, RRULE) become the transitions of a
// TZif file that the time package loads. nil when it defines nothing.
func vtimezoneLocation(tzid string, def *ical.Component) *time.Location {
	var ts []transition
	b := &budget{steps: 100_000}
	for _, obs := range def.Children {
		if obs.Name != "STANDARD" && obs.Name != "DAYLIGHT" {
			continue
		}
		ts = append(ts, onsets(obs, b)...)
	}
	if len(ts) == 0 {
		return nil
	}
	slices.SortFunc(ts, func(a, b transition) int { return int(a.at - b.at) })
	ts = slices.CompactFunc(ts, func(a, b transition) bool { return a.at == b.at })
	data := tzif(ts)
	if data == nil {
		return nil
	}
	loc, err := time.LoadLocationFromTZData(tzid, data)
	if err != nil {
		return nil
	}
	return loc
}

// onsets lists one observance's transitions between vtzFirst and vtzLast.
func onsets(obs *ical.Component, b *budget) []transition {
	from, errFrom := utcOffset(obs.Props.Get(ical.PropTimezoneOffsetFrom))
	to, errTo := utcOffset(obs.Props.Get(ical.PropTimezoneOffsetTo))
	start := obs.Props.Get(ical.PropDateTimeStart)
	if errFrom != nil || errTo != nil || start == nil {
		return nil
	}
	wall, err := parseWall(start.Value)
	if err != nil {
		return nil
	}
	name := ""
	if p := obs.Props.Get(ical.PropTimezoneName); p != nil {
		name = p.Value
	}
	mk := func(w time.Time) transition {
		return transition{at: w.Unix() - int64(from), offset: to, dst: obs.Name == "DAYLIGHT", name: name}
	}
	out := []transition{mk(wall)}
	for _, p := range obs.Props.Values(ical.PropRecurrenceDates) {
		for v := range strings.SplitSeq(p.Value, ",") {
			if w, err := parseWall(v); err == nil {
				out = append(out, mk(w))
			}
		}
	}
	if p := obs.Props.Get(ical.PropRecurrenceRule); p != nil {
		if r, err := parseRule(p.Value); err == nil {
			until := func(w time.Time) bool {
				if r.until == "" {
					return false
				}
				u, err := parseWall(strings.TrimSuffix(r.until, "Z"))
				if err != nil {
					return false
				}
				if strings.HasSuffix(r.until, "Z") {
					return w.Unix()-int64(from) > u.Unix()
				}
				return w.After(u)
			}
			r.walk(wall, vtzFirst, vtzLast, until, b, func(w time.Time) bool {
				out = append(out, mk(w))
				return true
			})
		}
	}
	return out
}

// utcOffset reads a UTC-OFFSET value: +HHMM, -HHMM or ±HHMMSS.
func utcOffset(p *ical.Prop) (int, error) {
	if p == nil {
		return 0, fmt.Errorf("no offset")
	}
	v := strings.TrimSpace(p.Value)
	if len(v) != 5 && len(v) != 7 || (v[0] != '+' && v[0] != '-') {
		return 0, fmt.Errorf("offset %q", clip(v))
	}
	h, err1 := strconv.Atoi(v[1:3])
	m, err2 := strconv.Atoi(v[3:5])
	s := 0
	var err3 error
	if len(v) == 7 {
		s, err3 = strconv.Atoi(v[5:7])
	}
	if err1 != nil || err2 != nil || err3 != nil || h > 23 || m > 59 || s > 59 {
		return 0, fmt.Errorf("offset %q", clip(v))
	}
	off := h*3600 + m*60 + s
	if v[0] == '-' {
		off = -off
	}
	return off, nil
}

// tzif encodes transitions as a version 2 TZif file (RFC 8536) with an
// empty version 1 block, which is all the time package reads.
func tzif(ts []transition) []byte {
	type zoneType struct {
		offset int
		dst    bool
		abbr   string
	}
	var types []zoneType
	var chars []byte
	abbrIndex := map[string]int{}
	typeOf := func(zt zoneType) int {
		for i, t := range types {
			if t == zt {
				return i
			}
		}
		if _, ok := abbrIndex[zt.abbr]; !ok {
			abbrIndex[zt.abbr] = len(chars)
			chars = append(append(chars, zt.abbr...), 0)
		}
		types = append(types, zoneType{zt.offset, zt.dst, zt.abbr})
		return len(types) - 1
	}
	abbr := func(t transition) string {
		name := strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '-' {
				return r
			}
			return -1
		}, t.name)
		if len(name) < 3 || len(name) > 6 {
			name = fmt.Sprintf("%+03d%02d", t.offset/3600, abs(t.offset%3600)/60)
		}
		return name
	}
	// Before the first onset the zone keeps the first observance's offset.
	typeOf(zoneType{ts[0].offset, ts[0].dst, abbr(ts[0])})
	idx := make([]byte, len(ts))
	for i, t := range ts {
		idx[i] = byte(typeOf(zoneType{t.offset, t.dst, abbr(t)}))
	}
	if len(types) > 255 || len(chars) > 255 {
		return nil // the format's indexes are bytes
	}
	var buf bytes.Buffer
	header := func(timecnt, typecnt, charcnt int) {
		buf.WriteString("TZif2")
		buf.Write(make([]byte, 15))
		for _, n := range []int{0, 0, 0, timecnt, typecnt, charcnt} {
			_ = binary.Write(&buf, binary.BigEndian, uint32(n))
		}
	}
	header(0, 0, 0) // the 32-bit block, empty
	header(len(ts), len(types), len(chars))
	for _, t := range ts {
		_ = binary.Write(&buf, binary.BigEndian, t.at)
	}
	buf.Write(idx)
	for _, t := range types {
		_ = binary.Write(&buf, binary.BigEndian, int32(t.offset))
		dst := byte(0)
		if t.dst {
			dst = 1
		}
		buf.WriteByte(dst)
		buf.WriteByte(byte(abbrIndex[t.abbr]))
	}
	buf.Write(chars)
	buf.WriteString("\n\n")
	return buf.Bytes()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// parseWall reads a DATE-TIME without zone (YYYYMMDDTHHMMSS) or a DATE
// (YYYYMMDD) as a wall-clock time in UTC.
func parseWall(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	switch len(v) {
	case 8:
		return time.Parse("20060102", v)
	case 15:
		return time.Parse("20060102T150405", v)
	}
	return time.Time{}, fmt.Errorf("%q is not a date or date-time", clip(v))
}
