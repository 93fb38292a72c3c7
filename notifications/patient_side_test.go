package notifications

import (
	"bytes"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/tools/icalcheck"
)

// quotedName is a patient whose name holds what RFC 6868 encodes: double
// quotes and a caret.
const quotedName = `Jim "JJ" O'Neil ^_^`

// calReport is what check.js (ical.js) and check.py (python-icalendar)
// report of a calendar.
type calReport struct {
	Method string `json:"method"`
	Events []struct {
		UID          string    `json:"uid"`
		Sequence     int       `json:"sequence"`
		Status       string    `json:"status"`
		Summary      string    `json:"summary"`
		DTStamp      time.Time `json:"dtstamp"`
		LastModified string    `json:"last_modified"`
		OrganizerCN  string    `json:"organizer_cn"`
		AttendeeCNs  []string  `json:"attendee_cns"`
		Start        time.Time `json:"start"`
		End          time.Time `json:"end"`
	} `json:"events"`
}

// parsers reads ics with all three independent parsers and returns the
// reports of ical.js and python-icalendar (libical only reports errors).
func parsers(t *testing.T, ics []byte) (icaljs, python calReport) {
	t.Helper()
	libicalCheck(t, ics)
	icalcheck.Run(t, ics, &icaljs)
	icalcheck.RunPython(t, ics, &python)
	return icaljs, python
}

// TestAttendeeNameRFC6868: quotes in a name are encoded as ^' (and a caret
// as ^^), not dropped, and every parser reads the name back.
func TestAttendeeNameRFC6868(t *testing.T) {
	n := testNotice()
	n.PatientName = quotedName
	n.ClinicName = `Clinique "Les Érables", Montréal`
	ics, err := invite(n, MethodRequest, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(ics, []byte(`CN=Jim ^'JJ^' O'Neil ^^_^^`)) {
		t.Errorf("ATTENDEE not encoded per RFC 6868:\n%s", ics)
	}
	js, py := parsers(t, ics)
	for name, r := range map[string]calReport{"ical.js": js, "python-icalendar": py} {
		if len(r.Events) != 1 || len(r.Events[0].AttendeeCNs) != 1 || r.Events[0].AttendeeCNs[0] != quotedName ||
			r.Events[0].OrganizerCN != n.ClinicName {
			t.Errorf("%s reads %+v, want attendee %q and organizer %q", name, r.Events, quotedName, n.ClinicName)
		}
	}
}

// TestMoveToAnotherPractitionerInvites: the patient's invite for a move to
// another practitioner keeps the UID, raises SEQUENCE and names the new
// practitioner; every parser agrees.
func TestMoveToAnotherPractitionerInvites(t *testing.T) {
	first := testNotice()
	moved := first
	moved.Sequence, moved.PractitionerName, moved.PatientName = 1, "Cleo Knead", quotedName
	for _, n := range []domain.Notice{first, moved} {
		ics, err := invite(n, MethodRequest, fixedNow)
		if err != nil {
			t.Fatal(err)
		}
		js, py := parsers(t, ics)
		for name, r := range map[string]calReport{"ical.js": js, "python-icalendar": py} {
			want := n.ServiceName + " with " + n.PractitionerName
			if len(r.Events) != 1 || r.Events[0].UID != first.UID || r.Events[0].Sequence != n.Sequence || r.Events[0].Summary != want {
				t.Errorf("%s reads %+v, want UID %s SEQUENCE %d SUMMARY %q", name, r.Events, first.UID, n.Sequence, want)
			}
		}
	}
}

// TestFeedTimeOffIndependentParsers: time off in a clinic feed is named once,
// stamped when it was set (never its start, in the future), and carries its
// SEQUENCE; all three parsers read it so.
func TestFeedTimeOffIndependentParsers(t *testing.T) {
	set := fixedNow.Add(-48 * time.Hour)
	f := domain.Feed{Name: "Riverside", TimeZone: "America/New_York", LastModified: fixedNow, Events: []domain.FeedEvent{{
		UID: "timeoff-3c9a", Sequence: 2, Summary: "Away", Busy: true, Practitioner: "Sam",
		Start: fixedNow.Add(30 * 24 * time.Hour), End: fixedNow.Add(31 * 24 * time.Hour), LastModified: set,
	}, {
		UID: "b1", Summary: "Busy", Practitioner: "Sam",
		Start: fixedNow.Add(24 * time.Hour), End: fixedNow.Add(25 * time.Hour), LastModified: set,
	}}}
	ics, err := FeedCalendar(f)
	if err != nil {
		t.Fatal(err)
	}
	js, py := parsers(t, ics)
	for name, r := range map[string]calReport{"ical.js": js, "python-icalendar": py} {
		if len(r.Events) != 2 {
			t.Fatalf("%s reads %d events, want 2", name, len(r.Events))
		}
		off := r.Events[0]
		if off.Summary != "Away (Sam)" || off.Sequence != 2 || !off.DTStamp.Equal(set) || off.DTStamp.After(fixedNow) {
			t.Errorf("%s reads time off %+v, want SUMMARY Away (Sam), SEQUENCE 2, DTSTAMP %v", name, off, set)
		}
	}
}

// TestComposeMessageIDUsesSenderDomain: a domain-less Message-ID scores as
// spam; the id is the outbox row's at the clinic's own domain.
func TestComposeMessageIDUsesSenderDomain(t *testing.T) {
	msg := testMessage(domain.MessageConfirmation)
	m, err := Compose(msg)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := parseMIME(t, writeMsg(t, m))
	if got, want := h.Get("Message-Id"), messageID(msg); got != want {
		t.Errorf("Message-ID = %q, want %q", got, want)
	}
}

// TestCancellationEmailOffersBookAgain: a cancelled visit's link can do
// nothing more; the email offers to book again instead.
func TestCancellationEmailOffersBookAgain(t *testing.T) {
	msg := testMessage(domain.MessageCancellation)
	msg.Notice.BookURL = "https://book.riverside.example/book/9c1f"
	m, err := Compose(msg)
	if err != nil {
		t.Fatal(err)
	}
	_, parts := parseMIME(t, writeMsg(t, m))
	for _, p := range parts[:3] { // text, HTML and the invite's DESCRIPTION
		body := strings.ReplaceAll(string(p.body), "\r\n ", "")
		if !strings.Contains(body, msg.Notice.BookURL) || !strings.Contains(body, "Book again") {
			t.Errorf("%s lacks the book-again link:\n%s", p.path, body)
		}
		if strings.Contains(body, msg.Notice.ManageURL) || strings.Contains(body, "Manage your booking") {
			t.Errorf("%s still offers the manage link:\n%s", p.path, body)
		}
	}
}

// TestPractitionerNoteTimes: "Was:" shows only when the time changed.
func TestPractitionerNoteTimes(t *testing.T) {
	cancelled := testMessage(domain.MessagePractitioner)
	cancelled.Notice.Status = domain.StatusCancelled
	stale := testMessage(domain.MessagePractitioner)
	stale.Notice.Previous = stale.Notice.Start // an older notice that set it anyway
	moved := testMessage(domain.MessagePractitioner)
	moved.Notice.Previous = moved.Notice.Start.Add(-24 * time.Hour)
	for _, tc := range []struct {
		name    string
		msg     domain.Message
		wantWas bool
	}{{"cancelled", cancelled, false}, {"same time", stale, false}, {"moved", moved, true}} {
		m, err := Compose(tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		_, parts := parseMIME(t, writeMsg(t, m))
		for _, p := range parts {
			if got := strings.Contains(string(p.body), "Was:"); got != tc.wantWas {
				t.Errorf("%s: %s shows Was: %v, want %v:\n%s", tc.name, p.path, got, tc.wantWas, p.body)
			}
		}
	}
}

// TestPractitionerNoteMovedAway: the former practitioner's note is addressed
// to them and says who has the visit now; the new one's says where it came
// from.
func TestPractitionerNoteMovedAway(t *testing.T) {
	away := testMessage(domain.MessagePractitioner)
	away.Notice.Previous = away.Notice.Start.Add(-time.Hour)
	away.Notice.PractitionerName, away.Notice.MovedTo = "Ben Hands", "Cleo Knead"
	m, err := Compose(away)
	if err != nil {
		t.Fatal(err)
	}
	h, parts := parseMIME(t, writeMsg(t, m))
	subj, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if !strings.HasPrefix(h.Get("To"), `"Ben Hands"`) || !strings.HasPrefix(subj, "Moved to Cleo Knead:") {
		t.Errorf("To %q, Subject %q; want Ben, and the visit moved to Cleo", h.Get("To"), subj)
	}
	if text := string(parts[0].body); !strings.Contains(text, "no longer on your calendar") || !strings.Contains(text, "Cleo Knead") {
		t.Errorf("former practitioner's note:\n%s", text)
	}
	in := testMessage(domain.MessagePractitioner)
	in.Notice.Previous, in.Notice.MovedFrom = in.Notice.Start.Add(-time.Hour), "Ben Hands"
	m, err = Compose(in)
	if err != nil {
		t.Fatal(err)
	}
	h, parts = parseMIME(t, writeMsg(t, m))
	subj, _ = new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if !strings.HasPrefix(subj, "Moved to you:") || !strings.Contains(string(parts[0].body), "from Ben Hands") {
		t.Errorf("new practitioner's note: subject %q\n%s", subj, parts[0].body)
	}
}

// TestVisitCalendarStampIsLastChange: the downloaded .ics carries the last
// change's time, so it never outranks the invite it repeats.
func TestVisitCalendarStampIsLastChange(t *testing.T) {
	n := testNotice()
	n.Changed = fixedNow.Add(-3 * time.Hour)
	ics, err := VisitCalendar(n)
	if err != nil {
		t.Fatal(err)
	}
	js, py := parsers(t, ics)
	for name, r := range map[string]calReport{"ical.js": js, "python-icalendar": py} {
		if len(r.Events) != 1 || !r.Events[0].DTStamp.Equal(n.Changed) {
			t.Errorf("%s reads %+v, want DTSTAMP %v", name, r.Events, n.Changed)
		}
	}
}
