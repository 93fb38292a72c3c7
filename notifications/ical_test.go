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

// decode parses ics with go-ical and returns the calendar and its one event.
func decode(t *testing.T, ics []byte) (*ical.Calendar, ical.Event) {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(ics)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, ics)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("got %d events, want 1", len(events))
	}
	return cal, events[0]
}

func propText(t *testing.T, props ical.Props, name string) string {
	t.Helper()
	p := props.Get(name)
	if p == nil {
		t.Fatalf("no %s", name)
	}
	if p.ValueType() == ical.ValueText || p.ValueType() == ical.ValueDefault {
		s, err := p.Text()
		if err == nil {
			return s
		}
	}
	return p.Value
}

func TestInviteGolden(t *testing.T) {
	ics, err := invite(testNotice(), MethodRequest, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "invite_request.ics.golden", ics)
	cancel, err := invite(testMessage(domain.MessageCancellation).Notice, MethodCancel, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "invite_cancel.ics.golden", cancel)
}

func TestInviteProperties(t *testing.T) {
	n := testNotice()
	ics, err := invite(n, MethodRequest, fixedNow.Add(123*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, ics)
	cal, ev := decode(t, ics)
	for name, want := range map[string]string{
		ical.PropVersion:   "2.0",
		ical.PropProductID: ProdID,
		ical.PropMethod:    "REQUEST",
	} {
		if got := propText(t, cal.Props, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string]string{
		ical.PropUID:           n.UID,
		ical.PropSequence:      "0",
		ical.PropDateTimeStamp: "20261124T150000Z",
		ical.PropDateTimeStart: "20261201T140000Z",
		ical.PropDateTimeEnd:   "20261201T141500Z",
		ical.PropStatus:        "CONFIRMED",
		ical.PropSummary:       "Complimentary Case Review with Dr. Sam Rivera",
		ical.PropLocation:      n.ClinicAddress,
		ical.PropOrganizer:     "mailto:frontdesk@riverside.example",
		ical.PropAttendee:      "mailto:jane.doe@example.org",
	} {
		if got := propText(t, ev.Props, name); got != want {
			t.Errorf("VEVENT %s = %q, want %q", name, got, want)
		}
	}
	org := ev.Props.Get(ical.PropOrganizer)
	if cn := org.Params.Get(ical.ParamCommonName); cn != n.ClinicName {
		t.Errorf("ORGANIZER CN = %q, want %q", cn, n.ClinicName)
	}
	att := ev.Props.Get(ical.PropAttendee)
	for param, want := range map[string]string{
		ical.ParamCommonName: "Jane Doe", ical.ParamRole: "REQ-PARTICIPANT",
		ical.ParamParticipationStatus: "ACCEPTED", ical.ParamRSVP: "FALSE",
	} {
		if got := att.Params.Get(param); got != want {
			t.Errorf("ATTENDEE %s = %q, want %q", param, got, want)
		}
	}
	desc := propText(t, ev.Props, ical.PropDescription)
	for _, want := range []string{n.ManageURL, n.CancelPolicy} {
		if !strings.Contains(desc, want) {
			t.Errorf("DESCRIPTION %q lacks %q", desc, want)
		}
	}
}

func TestInviteCancel(t *testing.T) {
	m := testMessage(domain.MessageCancellation)
	ics, err := invite(m.Notice, MethodCancel, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	cal, ev := decode(t, ics)
	if got := propText(t, cal.Props, ical.PropMethod); got != "CANCEL" {
		t.Errorf("METHOD = %q, want CANCEL", got)
	}
	if got := propText(t, ev.Props, ical.PropStatus); got != "CANCELLED" {
		t.Errorf("STATUS = %q, want CANCELLED", got)
	}
	if got := propText(t, ev.Props, ical.PropSequence); got != "1" {
		t.Errorf("SEQUENCE = %q, want 1", got)
	}
	if got := propText(t, ev.Props, ical.PropUID); got != m.Notice.UID {
		t.Errorf("UID = %q, want %q", got, m.Notice.UID)
	}
}

// hostileNotice is patient input at its worst: multi-byte names, quotes,
// CR/LF, control characters and a long service name.
func hostileNotice() domain.Notice {
	n := testNotice()
	n.PatientName = "Zoë \"Zee\" Ångström-Øre 山田太郎 👩🏽‍⚕️\r\nline two\x07;,:\\"
	n.ClinicName = `Clinique "Les Érables" ; Santé, Massothérapie & Chiropratique 🌿`
	n.ServiceName = "Massage thérapeutique en profondeur — 90 minutes — 深层组织按摩 — séance complète"
	n.PractitionerName = "Dr. Ñuño Sánchez-Villaseñor 🇲🇽"
	n.ClinicAddress = "Ünit 7, 1234 Rue Saint-Éloi-de-la-Très-Longue-Avenue\r\nMontréal (Québec) H2X 1Y6 🇨🇦"
	n.CancelPolicy = strings.Repeat("Annulez 24 h à l'avance, s.v.p. ", 8)
	return n
}

func TestInviteLinesHostileInput(t *testing.T) {
	for _, method := range []string{MethodRequest, MethodCancel} {
		ics, err := invite(hostileNotice(), method, fixedNow)
		if err != nil {
			t.Fatalf("invite(%s) = %v", method, err)
		}
		checkLines(t, ics)
		_, ev := decode(t, ics)
		att := ev.Props.Get(ical.PropAttendee)
		if cn := att.Params.Get(ical.ParamCommonName); strings.ContainsAny(cn, "\"\r\n\x07") || !strings.Contains(cn, "山田太郎") {
			t.Errorf("ATTENDEE CN = %q: want quotes and controls gone, letters kept", cn)
		}
		if loc := propText(t, ev.Props, ical.PropLocation); !strings.Contains(loc, "Saint-Éloi") || strings.Contains(loc, "\r") {
			t.Errorf("LOCATION = %q", loc)
		}
	}
}

func TestFold(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"short", "A:b\r\n", "A:b\r\n"},
		{"exactly 75", "X:" + strings.Repeat("a", 73) + "\r\n", "X:" + strings.Repeat("a", 73) + "\r\n"},
		{"76", "X:" + strings.Repeat("a", 74) + "\r\n", "X:" + strings.Repeat("a", 73) + "\r\n a\r\n"},
		// "é" is two octets: the cut at octet 75 would split it, so it moves back one.
		{"utf8 boundary", "X:" + strings.Repeat("a", 72) + "é" + "b\r\n", "X:" + strings.Repeat("a", 72) + "\r\n éb\r\n"},
		{"continuations hold 74", "X:" + strings.Repeat("a", 73+74+1) + "\r\n",
			"X:" + strings.Repeat("a", 73) + "\r\n " + strings.Repeat("a", 74) + "\r\n a\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(fold([]byte(tc.in)))
			if got != tc.want {
				t.Errorf("fold(%q) =\n%q, want\n%q", tc.in, got, tc.want)
			}
			unfolded := strings.ReplaceAll(got, "\r\n ", "")
			if unfolded != tc.in {
				t.Errorf("unfolding gives %q, want %q", unfolded, tc.in)
			}
		})
	}
}

func TestInviteRejectsBadNotice(t *testing.T) {
	for _, tc := range []struct {
		field  string
		method string
		edit   func(*domain.Notice)
	}{
		{"method", "PUBLISH", func(*domain.Notice) {}},
		{"notice.uid", MethodRequest, func(n *domain.Notice) { n.UID = "" }},
		{"notice.uid", MethodRequest, func(n *domain.Notice) { n.UID = "a\r\nb" }},
		{"notice.end", MethodRequest, func(n *domain.Notice) { n.End = n.Start }},
		{"notice.patient_email", MethodRequest, func(n *domain.Notice) { n.PatientEmail = "jane\r\nBcc: x@y.z" }},
		{"notice.clinic_email", MethodRequest, func(n *domain.Notice) { n.ClinicEmail = "Clinic <a@b.c>" }},
	} {
		n := testNotice()
		tc.edit(&n)
		_, err := Invite(n, tc.method)
		var e *domain.Error
		if !errors.As(err, &e) || domain.ErrorKind(err) != domain.KindInvalid {
			t.Errorf("Invite with bad %s = %v, want a KindInvalid error", tc.field, err)
			continue
		}
		if !hasField(e, tc.field) {
			t.Errorf("Invite with bad %s = %v, want the field named", tc.field, err)
		}
	}
}

func hasField(e *domain.Error, field string) bool {
	for _, p := range e.Problems() {
		if p.Field == field {
			return true
		}
	}
	return false
}
