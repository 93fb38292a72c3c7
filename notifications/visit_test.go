package notifications

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/frontdesk/frontdesk/domain"
)

func TestVisitCalendar(t *testing.T) {
	for _, tc := range []struct {
		name   string
		notice domain.Notice
		status string
	}{
		{"confirmed", testNotice(), "CONFIRMED"},
		{"rescheduled", testMessage(domain.MessageRescheduled).Notice, "CONFIRMED"},
		{"cancelled", testMessage(domain.MessageCancellation).Notice, "CANCELLED"},
		{"hostile", hostileNotice(), "CONFIRMED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.notice
			ics, err := VisitCalendar(n)
			if err != nil {
				t.Fatalf("VisitCalendar = %v", err)
			}
			checkLines(t, ics)
			cal, ev := decode(t, ics)
			if m := propText(t, cal.Props, ical.PropMethod); m != MethodPublish {
				t.Errorf("METHOD = %q, want PUBLISH", m)
			}
			if uid := propText(t, ev.Props, ical.PropUID); uid != n.UID {
				t.Errorf("UID = %q, want the invites' %q", uid, n.UID)
			}
			if ev.Props.Get(ical.PropAttendee) != nil {
				t.Error("a PUBLISH calendar has an ATTENDEE")
			}
			if ev.Props.Get(ical.PropOrganizer) == nil {
				t.Error("no ORGANIZER, which PUBLISH requires")
			}
			start, err := ev.DateTimeStart(nil)
			if err != nil || !start.Equal(n.Start) {
				t.Errorf("DTSTART = %v, %v; want %v", start, err, n.Start)
			}
			if strings.Contains(string(ics), "RSVP") {
				t.Error("a PUBLISH calendar asks for a reply")
			}

			libicalCheck(t, ics)
			r := icalCheck(t, ics)
			if r.Method != MethodPublish || len(r.Events) != 1 {
				t.Fatalf("ical.js reads %+v, want METHOD:PUBLISH and one event", r)
			}
			got := r.Events[0]
			if got.UID != n.UID || got.Sequence != n.Sequence || got.Status != tc.status ||
				!got.Start.Equal(n.Start) || !got.End.Equal(n.End) {
				t.Errorf("ical.js reads %+v, want UID %s SEQUENCE %d STATUS %s %v–%v",
					got, n.UID, n.Sequence, tc.status, n.Start, n.End)
			}

			again, err := VisitCalendar(n)
			if err != nil || !bytes.Equal(again, ics) {
				t.Errorf("a second VisitCalendar differs (err %v): the download must be deterministic", err)
			}
		})
	}
}

// TestVisitCalendarMatchesInvite: the download and the invite describe the
// same event, so a calendar holding one updates it from the other.
func TestVisitCalendarMatchesInvite(t *testing.T) {
	n := testMessage(domain.MessageRescheduled).Notice
	inv, err := invite(n, MethodRequest, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := VisitCalendar(n)
	if err != nil {
		t.Fatal(err)
	}
	_, a := decode(t, inv)
	_, b := decode(t, pub)
	for _, name := range []string{ical.PropUID, ical.PropSequence, ical.PropDateTimeStart, ical.PropDateTimeEnd,
		ical.PropSummary, ical.PropLocation, ical.PropStatus} {
		if x, y := propText(t, a.Props, name), propText(t, b.Props, name); x != y {
			t.Errorf("%s: invite %q, download %q", name, x, y)
		}
	}
}

func TestVisitCalendarRejectsBadNotice(t *testing.T) {
	for _, tc := range []struct {
		field string
		edit  func(*domain.Notice)
	}{
		{"notice.uid", func(n *domain.Notice) { n.UID = "" }},
		{"notice.uid", func(n *domain.Notice) { n.UID = "a b" }},
		{"notice.sequence", func(n *domain.Notice) { n.Sequence = -1 }},
		{"notice.end", func(n *domain.Notice) { n.End = n.Start }},
		{"notice.service_name", func(n *domain.Notice) { n.ServiceName = "" }},
		{"notice.clinic_email", func(n *domain.Notice) { n.ClinicEmail = "not an address" }},
		{"notice.changed", func(n *domain.Notice) { n.Changed = time.Time{} }},
	} {
		n := testNotice()
		tc.edit(&n)
		_, err := VisitCalendar(n)
		if !namesField(err, tc.field) {
			t.Errorf("VisitCalendar(bad %s) = %v, want a KindInvalid error naming it", tc.field, err)
		}
	}
	n := testNotice()
	n.PatientEmail = ""
	if _, err := VisitCalendar(n); err != nil {
		t.Errorf("VisitCalendar(no patient email) = %v, want nil: the download names no attendee", err)
	}
}

// namesField reports whether err is a KindInvalid error naming field.
func namesField(err error, field string) bool {
	if domain.ErrorKind(err) != domain.KindInvalid {
		return false
	}
	var e *domain.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, p := range e.Problems() {
		if p.Field == field {
			return true
		}
	}
	return false
}
