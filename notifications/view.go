package notifications

import (
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// view is what the email templates see: the notice, cleaned and with its
// times already written out in the reader's zone.
type view struct {
	Kind         domain.MessageKind
	ClinicName   string
	ClinicPhone  string
	ClinicEmail  string
	Address      []string // the clinic's address, line by line
	PatientName  string
	Practitioner string // "Ann Lee, Chiropractor"
	Service      string
	CaseReview   bool
	When         string // "Tuesday 1 December 2026, 9:00 AM – 9:15 AM EST"
	Zone         string // the zone When is in, named for people: "Eastern Time (New York)"
	Previous     string // the old time of a rescheduled visit, "" otherwise
	WhatToBring  string
	Room         string // the room; only when the clinic tells patients (or for staff)
	CancelPolicy string
	ManageURL    string // the patient's secret link; never in a practitioner's note
	BookURL      string // books the service again; a cancellation offers it instead of ManageURL
	Reason       string // why it was cancelled, for the practitioner only
	Change       string // for the practitioner: "New booking", "Moved", "Moved to you", "Moved to <name>" or "Cancelled"
	MovedTo      string // for the former practitioner: who has the visit now
	MovedFrom    string // for the new practitioner: whose calendar it came from
	OfferExpires string // a waitlist offer: until when the time is held, in the reader's zone
	AcceptURL    string // a waitlist offer's page, to accept it
	DeclineURL   string // the same page, asking to decline

	// Series lists the visits of a plan a series email tells of.
	Series []seriesVisit

	subjectWhen string // "Tue 1 Dec at 9:00 AM EST"
}

// seriesVisit is one visit of a plan as an email lists it.
type seriesVisit struct {
	When      string
	ManageURL string // the visit's own link; "" for staff and cancellations
}

func newView(m domain.Message) view {
	n := m.Notice
	zone := n.TimeZone
	if forStaff(m.Kind) {
		zone = n.ClinicTimeZone // the notice has no practitioner's zone; they work at the clinic
	}
	loc, zoneName := location(zone, n.ClinicTimeZone)
	v := view{
		Kind:         m.Kind,
		ClinicName:   oneLine(n.ClinicName),
		ClinicPhone:  oneLine(n.ClinicPhone),
		ClinicEmail:  n.ClinicEmail,
		Address:      lines(n.ClinicAddress),
		PatientName:  oneLine(n.PatientName),
		Practitioner: practitioner(n),
		Service:      oneLine(n.ServiceName),
		CaseReview:   n.ServiceKind == domain.KindCaseReview,
		When:         when(n.Start.In(loc), n.End.In(loc)),
		Zone:         domain.ZoneName(zoneName),
		WhatToBring:  cleanText(n.WhatToBring),
		Room:         oneLine(n.Room),
		CancelPolicy: cleanText(n.CancelPolicy),
		subjectWhen:  n.Start.In(loc).Format("Mon 2 Jan at 3:04 PM MST"),
	}
	if n.Series != nil {
		for _, sv := range n.Series.Visits {
			v.Series = append(v.Series, seriesVisit{When: when(sv.Start.In(loc), sv.End.In(loc)), ManageURL: sv.ManageURL})
		}
	}
	if movedInTime(n) {
		v.Previous = n.Previous.In(loc).Format("Monday 2 January 2006, 3:04 PM MST")
	}
	switch {
	case forStaff(m.Kind):
		v.Reason = cleanText(n.Reason)
		v.MovedTo, v.MovedFrom = oneLine(n.MovedTo), oneLine(n.MovedFrom)
		v.Change = change(n, v)
	case m.Kind == domain.MessageCancellation || m.Kind == domain.MessagePlanCancellation:
		v.BookURL = n.BookURL // the manage link can do nothing more
	case m.Kind == domain.MessageReplyRefused:
		v.Reason = cleanText(n.Reason)
	case m.Kind == domain.MessageWaitlistOffer:
		v.OfferExpires = n.OfferExpires.In(loc).Format("3:04 PM MST on Monday 2 January")
		if n.ManageURL != "" {
			v.AcceptURL, v.DeclineURL = n.ManageURL, n.ManageURL+"?answer=decline"
		}
	default:
		v.ManageURL = n.ManageURL
	}
	return v
}

// movedInTime reports whether the notice tells of a new time: a cancelled
// visit keeps its time, and a move to another practitioner may too.
func movedInTime(n domain.Notice) bool {
	return !n.Previous.IsZero() && !n.Previous.Equal(n.Start) && n.Status != domain.StatusCancelled
}

// forStaff reports whether a kind of message goes to the clinic's people
// rather than the patient: shown in the clinic's zone, with the reason and
// without the patient's link.
func forStaff(k domain.MessageKind) bool {
	return k == domain.MessagePractitioner || k == domain.MessagePractitionerInvite || k == domain.MessageFrontDesk
}

// location loads the first valid zone of names, falling back to UTC, and
// returns it with the name to show.
func location(names ...string) (*time.Location, string) {
	for _, name := range names {
		if loc, err := domain.LoadZone(name); err == nil {
			return loc, name
		}
	}
	return time.UTC, "UTC"
}

func when(start, end time.Time) string {
	return start.Format("Monday 2 January 2006, 3:04 PM") + " – " + end.Format("3:04 PM MST")
}

func practitioner(n domain.Notice) string {
	name, title := oneLine(n.PractitionerName), oneLine(n.PractitionerTitle)
	if title == "" {
		return name
	}
	return name + ", " + title
}

func change(n domain.Notice, v view) string {
	switch {
	case n.Series != nil && n.Status == domain.StatusCancelled:
		return "Plan visits cancelled"
	case n.Series != nil:
		return "New plan"
	case n.Status == domain.StatusCancelled:
		return "Cancelled"
	case v.MovedTo != "":
		return "Moved to " + v.MovedTo
	case v.MovedFrom != "":
		return "Moved to you"
	case v.Previous != "":
		return "Moved"
	}
	return "New booking"
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(cleanText(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// subject names what happened, the service and when, in the reader's zone:
// "Confirmed: Complimentary Case Review, Tue 1 Dec at 9:00 AM EST".
func subject(k domain.MessageKind, v view) string {
	switch k {
	case domain.MessageConfirmation:
		return "Confirmed: " + v.Service + ", " + v.subjectWhen
	case domain.MessageRescheduled:
		return "Rescheduled: " + v.Service + ", " + v.subjectWhen
	case domain.MessageCancellation:
		return "Cancelled: " + v.Service + ", " + v.subjectWhen
	case domain.MessageReminder:
		return "Reminder: " + v.Service + ", " + v.subjectWhen
	case domain.MessagePlanConfirmation:
		return "Booked: " + strconv.Itoa(len(v.Series)) + " visits, " + v.Service + ", from " + v.subjectWhen
	case domain.MessagePlanCancellation:
		return "Cancelled: " + strconv.Itoa(len(v.Series)) + " visits, " + v.Service + ", from " + v.subjectWhen
	case domain.MessageReplyRefused:
		return "Still booked, please call us: " + v.Service + ", " + v.subjectWhen
	case domain.MessageWaitlistOffer:
		return "A time opened for you: " + v.Service + ", " + v.subjectWhen
	case domain.MessageFrontDesk:
		return "Please call " + v.PatientName + ": declined by email inside the cut-off, " + v.subjectWhen
	}
	return v.Change + ": " + v.Service + " with " + v.PatientName + ", " + v.subjectWhen
}
