// Package notifications turns booking changes into what patients and
// practitioners receive: iCalendar invites (RFC 5545/5546) and feeds built
// with go-ical, emails composed with go-mail from embedded templates, the
// transports that deliver them, and the outbox worker that drives it all.
package notifications

import (
	"bytes"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/frontdesk/frontdesk/domain"
)

// ProdID identifies Frontdesk as the producer of every calendar it writes.
const ProdID = "-//Frontdesk//Frontdesk Scheduler 1.0//EN"

// The iTIP methods (RFC 5546) an invite carries. The MIME part's method=
// parameter must equal the calendar's METHOD.
const (
	MethodRequest = "REQUEST" // a new booking or any change to it
	MethodCancel  = "CANCEL"  // the booking is cancelled
)

// Invite returns the iCalendar (RFC 5545/5546) for one booking notice:
// METHOD:REQUEST for a confirmation or reschedule, METHOD:CANCEL (with
// STATUS:CANCELLED) for a cancellation. DTSTAMP is the current time; Compose
// uses the outbox message's creation time instead, so a retried email carries
// the same bytes. Lines are CRLF-terminated and folded at 75 octets on UTF-8
// boundaries. A notice missing what an invite needs is a KindInvalid error
// naming the field.
func Invite(n domain.Notice, method string) ([]byte, error) {
	return invite(n, method, time.Now())
}

// invite builds the calendar with stamp as DTSTAMP.
//
// Times are written in UTC (…Z): the simplest form every client reads, with no
// VTIMEZONE to get wrong; clients show them in the reader's own zone.
//
// The patient attends with PARTSTAT=ACCEPTED and RSVP=FALSE: they chose the
// time themselves (or agreed it with the front desk), so the invite records an
// accepted visit and asks no reply. Clients that reply anyway write to the
// ORGANIZER, the clinic mailbox the front desk reads.
func invite(n domain.Notice, method string, stamp time.Time) ([]byte, error) {
	if method != MethodRequest && method != MethodCancel {
		return nil, domain.Invalid("method", "Use REQUEST or CANCEL.")
	}
	if err := checkInviteNotice(n); err != nil {
		return nil, err
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, ProdID)
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropMethod, method)
	cal.Children = append(cal.Children, inviteEvent(n, method, stamp))

	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("encode invite: %w", err)
	}
	return fold(buf.Bytes()), nil
}

func inviteEvent(n domain.Notice, method string, stamp time.Time) *ical.Component {
	ev := ical.NewEvent()
	ev.Props.SetText(ical.PropUID, n.UID)
	ev.Props.Set(intProp(ical.PropSequence, n.Sequence))
	ev.Props.SetDateTime(ical.PropDateTimeStamp, stamp.UTC().Truncate(time.Second))
	ev.Props.SetDateTime(ical.PropDateTimeStart, n.Start.UTC())
	ev.Props.SetDateTime(ical.PropDateTimeEnd, n.End.UTC())
	ev.Props.SetText(ical.PropSummary, oneLine(summary(n)))
	if n.ClinicAddress != "" {
		ev.Props.SetText(ical.PropLocation, cleanText(n.ClinicAddress))
	}
	ev.Props.SetText(ical.PropDescription, cleanText(description(n, method)))
	ev.Props.SetText(ical.PropTransparency, "OPAQUE")
	ev.Props.Set(party(ical.PropOrganizer, n.Sender(), n.ClinicEmail))
	attendee := party(ical.PropAttendee, n.PatientName, n.PatientEmail)
	attendee.Params.Set(ical.ParamCalendarUserType, "INDIVIDUAL")
	attendee.Params.Set(ical.ParamRole, "REQ-PARTICIPANT")
	attendee.Params.Set(ical.ParamParticipationStatus, "ACCEPTED")
	attendee.Params.Set(ical.ParamRSVP, "FALSE")
	ev.Props.Set(attendee)
	if method == MethodCancel || n.Status == domain.StatusCancelled {
		ev.SetStatus(ical.EventCancelled)
	} else {
		ev.SetStatus(ical.EventConfirmed)
	}
	return ev.Component
}

// party is an ORGANIZER or ATTENDEE: a mailto URI with a cleaned CN.
func party(name, cn, email string) *ical.Prop {
	p := ical.NewProp(name)
	if cn = paramText(cn); cn != "" {
		p.Params.Set(ical.ParamCommonName, cn)
	}
	p.SetValueType(ical.ValueCalendarAddress)
	p.Value = "mailto:" + email
	return p
}

func intProp(name string, v int) *ical.Prop {
	p := ical.NewProp(name)
	p.Value = strconv.Itoa(v)
	return p
}

// summary is "<service> with <practitioner>", as a calendar shows the visit.
func summary(n domain.Notice) string {
	if n.PractitionerName == "" {
		return n.ServiceName
	}
	return n.ServiceName + " with " + n.PractitionerName
}

// description carries the manage link and the cancellation policy, so they
// travel with the event into the patient's calendar; a cancellation
// carries the link to book again instead.
func description(n domain.Notice, method string) string {
	var b strings.Builder
	if method == MethodCancel {
		fmt.Fprintf(&b, "This visit is cancelled: %s at %s.\n", summary(n), n.ClinicName)
	} else {
		fmt.Fprintf(&b, "%s at %s.\n", summary(n), n.ClinicName)
	}
	if n.Room != "" && method != MethodCancel {
		fmt.Fprintf(&b, "Room: %s\n", n.Room)
	}
	if n.WhatToBring != "" && method != MethodCancel {
		fmt.Fprintf(&b, "What to bring: %s\n", n.WhatToBring)
	}
	switch {
	case method == MethodCancel && n.BookURL != "":
		fmt.Fprintf(&b, "Book again: %s\n", n.BookURL) // the manage link can do nothing more
	case method != MethodCancel && n.ManageURL != "":
		fmt.Fprintf(&b, "Manage your booking: %s\n", n.ManageURL)
	}
	if n.CancelPolicy != "" && method != MethodCancel {
		fmt.Fprintf(&b, "Cancellation policy: %s\n", n.CancelPolicy)
	}
	if n.ClinicPhone != "" {
		fmt.Fprintf(&b, "Questions? Call %s.\n", n.ClinicPhone)
	}
	return strings.TrimRight(b.String(), "\n")
}

// checkInviteNotice rejects a notice an invite cannot be built from, naming
// the field at fault.
func checkInviteNotice(n domain.Notice) error {
	var v domain.Validation
	v.Check(n.UID != "" && !strings.ContainsFunc(n.UID, isUnsafeUIDRune), "notice.uid", "Needs a UID of printable characters.")
	v.Check(n.Sequence >= 0, "notice.sequence", "Must not be negative.")
	v.Check(!n.Start.IsZero() && n.End.After(n.Start), "notice.end", "The visit must end after it starts.")
	v.Check(n.ServiceName != "", "notice.service_name", "Name the service.")
	v.Check(isAddress(n.ClinicEmail), "notice.clinic_email", "Use a valid clinic email address.")
	v.Check(isAddress(n.PatientEmail), "notice.patient_email", "Use a valid patient email address.")
	return v.Err()
}

func isUnsafeUIDRune(r rune) bool { return r <= ' ' || r == 0x7f }

// isAddress reports whether s is a bare email address (no name, no angle
// brackets, nothing that could break a header or a mailto URI).
func isAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && !strings.ContainsAny(s, " \t\r\n\"<>")
}
