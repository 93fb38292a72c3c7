package notifications

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/tools/icalcheck"
)

// The calendars below are read by two parsers that share no code with
// go-ical: Mozilla's ical.js (Thunderbird) and libical (Evolution, KDE).

// icalCheck runs tools/icalcheck/check.js on ics and returns its report.
func icalCheck(t *testing.T, ics []byte) icalReport {
	t.Helper()
	var r icalReport
	icalcheck.Run(t, ics, &r)
	return r
}

type icalReport struct {
	Method  string `json:"method"`
	Version string `json:"version"`
	Events  []struct {
		UID      string    `json:"uid"`
		Sequence int       `json:"sequence"`
		Status   string    `json:"status"`
		Start    time.Time `json:"start"`
		End      time.Time `json:"end"`
	} `json:"events"`
}

// libicalCheck round-trips ics through libical's icalfilter and fails on any
// X-LIC-ERROR it reports.
func libicalCheck(t *testing.T, ics []byte) {
	t.Helper()
	bin, err := exec.LookPath("icalfilter")
	if err != nil {
		t.Fatalf("icalfilter (libical) is not installed: run `apt-get install -y ical2html` (%v)", err)
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.ics"), filepath.Join(dir, "out.ics")
	if err := os.WriteFile(in, ics, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(bin, in, out).CombinedOutput(); err != nil {
		t.Fatalf("icalfilter: %v: %s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(got, []byte("X-LIC-ERROR")) {
		t.Errorf("libical reports errors:\n%s", got)
	}
	if !bytes.Contains(got, []byte("BEGIN:VCALENDAR")) {
		t.Errorf("libical wrote no calendar:\n%s", got)
	}
}

func TestInvitesIndependentParsers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		notice domain.Notice
		method string
		status string
	}{
		{"request", testNotice(), MethodRequest, "CONFIRMED"},
		{"reschedule", testMessage(domain.MessageRescheduled).Notice, MethodRequest, "CONFIRMED"},
		{"cancel", testMessage(domain.MessageCancellation).Notice, MethodCancel, "CANCELLED"},
		{"hostile request", hostileNotice(), MethodRequest, "CONFIRMED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ics, err := invite(tc.notice, tc.method, fixedNow)
			if err != nil {
				t.Fatal(err)
			}
			libicalCheck(t, ics)
			r := icalCheck(t, ics)
			if r.Method != tc.method || r.Version != "2.0" || len(r.Events) != 1 {
				t.Fatalf("ical.js reads %+v", r)
			}
			ev := r.Events[0]
			if ev.UID != tc.notice.UID || ev.Sequence != tc.notice.Sequence || ev.Status != tc.status ||
				!ev.Start.Equal(tc.notice.Start) || !ev.End.Equal(tc.notice.End) {
				t.Errorf("ical.js reads %+v, want UID %s SEQUENCE %d STATUS %s %v–%v", ev,
					tc.notice.UID, tc.notice.Sequence, tc.status, tc.notice.Start, tc.notice.End)
			}
		})
	}
}

func TestFeedIndependentParsers(t *testing.T) {
	f := testFeed(40)
	f.Name = hostileNotice().ClinicName
	ics, err := FeedCalendar(f)
	if err != nil {
		t.Fatal(err)
	}
	libicalCheck(t, ics)
	r := icalCheck(t, ics)
	if r.Method != "" || len(r.Events) != len(f.Events) {
		t.Fatalf("ical.js reads METHOD %q and %d events, want none and %d", r.Method, len(r.Events), len(f.Events))
	}
	for i, ev := range r.Events {
		want := f.Events[i]
		if ev.UID != want.UID || ev.Sequence != want.Sequence || !ev.Start.Equal(want.Start) || !ev.End.Equal(want.End) {
			t.Errorf("event %d: ical.js reads %+v, want %+v", i, ev, want)
		}
	}
}
