package notifications

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/emersion/go-ical"

	"github.com/frontdesk/frontdesk/domain"
)

// MethodPublish is the iTIP method (RFC 5546) of a calendar offered for
// download: it adds an event and asks no reply.
const MethodPublish = "PUBLISH"

// VisitCalendar returns the patient's own visit as an iCalendar to download
// and import: METHOD:PUBLISH and one VEVENT built as the invites build it,
// with the same UID and the notice's SEQUENCE, so a calendar that already
// holds the invite updates that event instead of adding a second one. It has
// an ORGANIZER (the clinic) but, as PUBLISH requires, no ATTENDEE. A
// cancelled visit is STATUS:CANCELLED.
//
// The output is deterministic: DTSTAMP is the notice's Changed, the last
// change the patient was told of (the DTSTAMP of the last invite), not the
// current time, so downloading it twice gives the same bytes, and not the
// visit's start, which would outrank the real invite. A notice missing what
// the calendar needs is a KindInvalid error naming the field.
func VisitCalendar(n domain.Notice) ([]byte, error) {
	if err := checkVisitNotice(n); err != nil {
		return nil, err
	}
	method := MethodRequest // only picks the event's wording and status
	if n.Status == domain.StatusCancelled {
		method = MethodCancel
	}
	ev := inviteEvent(n, method, n.Changed)
	ev.Props.Del(ical.PropAttendee)

	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, ProdID)
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropMethod, MethodPublish)
	cal.Children = append(cal.Children, ev)

	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("encode visit calendar: %w", err)
	}
	return fold(buf.Bytes()), nil
}

// checkVisitNotice is checkInviteNotice without the patient's address,
// which a downloaded calendar does not carry.
func checkVisitNotice(n domain.Notice) error {
	var v domain.Validation
	v.Check(n.UID != "" && !strings.ContainsFunc(n.UID, isUnsafeUIDRune), "notice.uid", "Needs a UID of printable characters.")
	v.Check(n.Sequence >= 0, "notice.sequence", "Must not be negative.")
	v.Check(!n.Start.IsZero() && n.End.After(n.Start), "notice.end", "The visit must end after it starts.")
	v.Check(n.ServiceName != "", "notice.service_name", "Name the service.")
	v.Check(isAddress(n.ClinicEmail), "notice.clinic_email", "Use a valid clinic email address.")
	v.Check(!n.Changed.IsZero(), "notice.changed", "Give the time of the last change.")
	return v.Err()
}
