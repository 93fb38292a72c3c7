package inbound

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/frontdesk/frontdesk/domain"
)

// readCalendar returns the iTIP answer of the first calendar part that has
// one: a text/calendar alternative (Gmail, Outlook) or an attached .ics file
// (Apple Mail). Of several attendees the one who sent the message answers.
func readCalendar(parts []part, from string) *domain.CalendarAnswer {
	for _, p := range parts {
		if !isCalendar(p) {
			continue
		}
		if a := parseCalendar(p.body, from); a != nil {
			return a
		}
	}
	return nil
}

func isCalendar(p part) bool {
	switch p.mediaType {
	case "text/calendar", "application/ics", "text/x-vcalendar":
		return true
	}
	return strings.HasSuffix(strings.ToLower(p.filename), ".ics")
}

// parseCalendar reads the METHOD and the first event of an iCalendar
// object; nil when it is none or has no UID.
func parseCalendar(data []byte, from string) *domain.CalendarAnswer {
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return nil
	}
	events := cal.Events()
	if len(events) == 0 {
		return nil
	}
	ev := events[0]
	a := &domain.CalendarAnswer{Method: strings.ToUpper(propText(cal.Props, ical.PropMethod)), Sequence: -1}
	if a.UID = propText(ev.Props, ical.PropUID); a.UID == "" {
		return nil
	}
	if n, err := strconv.Atoi(propText(ev.Props, ical.PropSequence)); err == nil && n >= 0 {
		a.Sequence = n
	}
	a.Attendee, a.PartStat = attendee(ev.Props.Values(ical.PropAttendee), from)
	a.Start = propTime(ev.Props.Get(ical.PropDateTimeStart))
	a.End = propTime(ev.Props.Get(ical.PropDateTimeEnd))
	a.Comment = propText(ev.Props, ical.PropComment)
	return a
}

// attendee picks the ATTENDEE who sent the message (else the first one)
// and returns their address and PARTSTAT.
func attendee(props []ical.Prop, from string) (address, partstat string) {
	pick := -1
	for i := range props {
		if mailto(props[i].Value) == from {
			pick = i
			break
		}
		if pick < 0 {
			pick = i
		}
	}
	if pick < 0 {
		return "", ""
	}
	p := props[pick]
	return mailto(p.Value), strings.ToUpper(p.Params.Get(ical.ParamParticipationStatus))
}

// mailto is the address of a mailto: calendar address, lower-cased.
func mailto(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	return domain.NormalizeEmail(v)
}

func propText(props ical.Props, name string) string {
	p := props.Get(name)
	if p == nil {
		return ""
	}
	s, err := p.Text()
	if err != nil {
		return strings.TrimSpace(p.Value)
	}
	return strings.TrimSpace(s)
}

// propTime reads a DATE-TIME in UTC, in its TZID (an IANA name, or a
// Windows name as Outlook writes them), or floating as UTC; zero when it
// cannot.
func propTime(p *ical.Prop) time.Time {
	if p == nil {
		return time.Time{}
	}
	loc := time.UTC
	if tzid := p.Params.Get(ical.PropTimezoneID); tzid != "" {
		l, ok := zone(tzid)
		if !ok {
			return time.Time{}
		}
		loc = l
	}
	v := strings.TrimSpace(p.Value)
	for _, layout := range []string{"20060102T150405Z", "20060102T150405"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// windowsZones maps the Windows zone names Outlook writes most often to
// IANA zones (CLDR windowsZones, territory 001).
var windowsZones = map[string]string{
	"Eastern Standard Time":          "America/New_York",
	"Central Standard Time":          "America/Chicago",
	"Mountain Standard Time":         "America/Denver",
	"US Mountain Standard Time":      "America/Phoenix",
	"Pacific Standard Time":          "America/Los_Angeles",
	"Alaskan Standard Time":          "America/Anchorage",
	"Hawaiian Standard Time":         "Pacific/Honolulu",
	"Atlantic Standard Time":         "America/Halifax",
	"GMT Standard Time":              "Europe/London",
	"Greenwich Standard Time":        "Atlantic/Reykjavik",
	"W. Europe Standard Time":        "Europe/Berlin",
	"Romance Standard Time":          "Europe/Paris",
	"Central Europe Standard Time":   "Europe/Budapest",
	"Central European Standard Time": "Europe/Warsaw",
	"E. Europe Standard Time":        "Europe/Chisinau",
	"FLE Standard Time":              "Europe/Kiev",
	"AUS Eastern Standard Time":      "Australia/Sydney",
	"India Standard Time":            "Asia/Calcutta",
	"Tokyo Standard Time":            "Asia/Tokyo",
	"UTC":                            "UTC",
}

func zone(tzid string) (*time.Location, bool) {
	tzid = strings.Trim(tzid, `"`)
	if iana, ok := windowsZones[tzid]; ok {
		tzid = iana
	}
	loc, err := domain.LoadZone(tzid)
	return loc, err == nil
}
