package notifications

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/frontdesk/frontdesk/domain"
)

// feedRefresh is how often a subscribed client is asked to poll. Clients
// mostly poll on their own schedule (Google 12–24 h); urgent news goes by email.
const feedRefresh = "PT15M"

// FeedCalendar renders a subscribable feed: X-WR-CALNAME, NAME,
// X-WR-TIMEZONE, REFRESH-INTERVAL and X-PUBLISHED-TTL, and one VEVENT per
// FeedEvent with UID, SEQUENCE, DTSTAMP, LAST-MODIFIED, SUMMARY, STATUS
// (CONFIRMED or CANCELLED) and TRANSP; time off is an opaque busy block. A
// feed is no scheduling message, so it has no METHOD, ORGANIZER or ATTENDEE.
//
// The output is deterministic: DTSTAMP is the event's LastModified, never
// the current time, so equal feeds give equal bytes and an ETag over them is
// stable. An event that ends before it starts is a KindInvalid error.
func FeedCalendar(f domain.Feed) ([]byte, error) {
	var buf bytes.Buffer
	writeFeedHeader(&buf, f)
	out := appendFolded(make([]byte, 0, 1024+360*len(f.Events)), buf.Bytes())
	enc := ical.NewEncoder(&buf)
	for _, e := range f.Events {
		ev, err := feedEvent(e, f.LastModified)
		if err != nil {
			return nil, err
		}
		// Each VEVENT is encoded, and so checked, by go-ical on its own:
		// go-ical refuses a VCALENDAR with no component, but an empty
		// feed must still render. One small buffer is folded at a time.
		buf.Reset()
		if err := enc.Encode(&ical.Calendar{Component: ev}); err != nil {
			return nil, fmt.Errorf("encode feed event %s: %w", e.UID, err)
		}
		out = appendFolded(out, buf.Bytes())
	}
	return append(out, "END:VCALENDAR\r\n"...), nil
}

// writeFeedHeader writes the VCALENDAR's own properties, escaped as go-ical
// escapes TEXT.
func writeFeedHeader(buf *bytes.Buffer, f domain.Feed) {
	buf.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + textValue(ProdID) + "\r\n")
	buf.WriteString("CALSCALE:GREGORIAN\r\n")
	name := textValue(oneLine(f.Name))
	buf.WriteString("NAME:" + name + "\r\nX-WR-CALNAME:" + name + "\r\n")
	if tz := oneLine(f.TimeZone); tz != "" {
		buf.WriteString("X-WR-TIMEZONE:" + textValue(tz) + "\r\n")
	}
	// go-ical's SetDuration drops VALUE=DURATION, which REFRESH-INTERVAL
	// requires (RFC 7986 §5.7), so the line is written out.
	buf.WriteString("REFRESH-INTERVAL;VALUE=DURATION:" + feedRefresh + "\r\n")
	buf.WriteString("X-PUBLISHED-TTL:" + feedRefresh + "\r\n")
}

func textValue(s string) string {
	p := ical.NewProp(ical.PropDescription)
	p.SetText(s)
	return p.Value
}

func feedEvent(e domain.FeedEvent, feedModified time.Time) (*ical.Component, error) {
	if e.UID == "" || strings.ContainsFunc(e.UID, isUnsafeUIDRune) {
		return nil, domain.Invalid("events.uid", "Every feed event needs a UID of printable characters.")
	}
	if e.Start.IsZero() || !e.End.After(e.Start) {
		return nil, domain.Invalid("events.end", "Feed event "+e.UID+" must end after it starts.")
	}
	modified := e.LastModified
	if modified.IsZero() {
		modified = feedModified
	}
	if modified.IsZero() {
		modified = e.Start // still deterministic
	}
	stamp := utcStamp(modified.Truncate(time.Second))
	status, transp := string(ical.EventConfirmed), "OPAQUE"
	if e.Cancelled {
		status, transp = string(ical.EventCancelled), "TRANSPARENT"
	}
	// A feed has thousands of events: their properties share one backing
	// array instead of one allocation each.
	ps := [...]ical.Prop{
		{Name: ical.PropUID}, {Name: ical.PropSequence, Value: strconv.Itoa(e.Sequence)},
		{Name: ical.PropDateTimeStamp, Value: stamp}, {Name: ical.PropLastModified, Value: stamp},
		{Name: ical.PropDateTimeStart, Value: utcStamp(e.Start)}, {Name: ical.PropDateTimeEnd, Value: utcStamp(e.End)},
		{Name: ical.PropSummary}, {Name: ical.PropStatus, Value: status}, {Name: ical.PropTransparency, Value: transp},
	}
	ps[0].SetText(e.UID)
	ps[6].SetText(oneLine(feedSummary(e)))
	props := make(ical.Props, len(ps)+1)
	for i := range ps {
		props[ps[i].Name] = ps[i : i+1 : i+1]
	}
	if e.Room != "" {
		loc := ical.NewProp(ical.PropLocation)
		loc.SetText(oneLine(e.Room))
		props[loc.Name] = []ical.Prop{*loc}
	}
	return &ical.Component{Name: ical.CompEvent, Props: props}, nil
}

// utcStamp is an iCalendar DATE-TIME in UTC, as go-ical's SetDateTime writes it.
func utcStamp(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// feedSummary names whose time off a busy block is in the clinic-wide feed;
// a visit's summary already names its practitioner there.
func feedSummary(e domain.FeedEvent) string {
	if e.Busy && e.Summary == "" {
		e.Summary = "Busy"
	}
	if e.Busy && e.Practitioner != "" {
		return e.Summary + " (" + e.Practitioner + ")"
	}
	return e.Summary
}
