package inbound_test

import (
	"bytes"
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/inbound"
)

// TestPractitionerInvites: a practitioner who opted in gets each visit as
// an invite they attend, with the booking's UID; a move raises SEQUENCE, a
// move to someone else withdraws theirs, a cancellation cancels it.
// python-icalendar reads every invite independently.
func TestPractitionerInvites(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for _, p := range []*domain.Practitioner{&e.fx.Therapist, &e.fx.Chiropractor} {
			p.SendInvites = true
			if err := e.store.UpdatePractitioner(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		d := e.invited(outsideCutoff)
		desk := domain.Actor{UserID: domain.NewID(), Name: "Desk", Role: domain.RoleFrontDesk}
		later := d.Start.Add(4 * time.Hour) // 14:00, inside both practitioners' hours
		if _, err := e.sched.Reschedule(ctx, desk, d.ID, later, "", false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.sched.Reschedule(ctx, desk, d.ID, later, e.fx.Chiropractor.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.sched.Cancel(ctx, desk, d.ID, "clinic closed"); err != nil {
			t.Fatal(err)
		}
		e.deliver()
		type invite struct {
			to, method string
			seq        int
		}
		want := []invite{
			{"sam@example.com", "REQUEST", 0},   // booked
			{"sam@example.com", "REQUEST", 1},   // moved in time
			{"avery@example.com", "REQUEST", 2}, // moved to Avery
			{"sam@example.com", "CANCEL", 2},    // … and away from Sam
			{"avery@example.com", "CANCEL", 3},  // cancelled
		}

		got := map[string][]*domain.CalendarAnswer{}
		for _, addr := range []string{"sam@example.com", "avery@example.com"} {
			for _, m := range e.box.to(addr) {
				r := inbound.Read(m.Data, "")
				if r.Calendar == nil {
					t.Fatalf("a note to %s carries no invite: %s", addr, m.Data)
				}
				got[addr] = append(got[addr], r.Calendar)
				checkWithPython(t, m.Data, addr)
			}
		}
		// Calendar clients order an event's messages by SEQUENCE, not by
		// arrival; the outbox may deliver two rows queued at one instant
		// in either order.
		for _, list := range got {
			slices.SortStableFunc(list, func(a, b *domain.CalendarAnswer) int { return a.Sequence - b.Sequence })
		}
		seen := map[string]int{}
		for _, w := range want {
			list := got[w.to]
			i := seen[w.to]
			if i >= len(list) {
				t.Fatalf("%s got %d invites, want more (%s seq %d)", w.to, len(list), w.method, w.seq)
			}
			c := list[i]
			seen[w.to]++
			if c.Method != w.method || c.Sequence != w.seq || c.UID != d.UID || c.Attendee != w.to {
				t.Errorf("invite %d to %s = %s seq %d uid %s attendee %s; want %s seq %d uid %s attendee %s",
					i, w.to, c.Method, c.Sequence, c.UID, c.Attendee, w.method, w.seq, d.UID, w.to)
			}
		}
	})
}

// checkWithPython parses the invite in an email with python-icalendar and
// checks it names addr as its attendee.
func checkWithPython(t *testing.T, eml []byte, addr string) {
	t.Helper()
	const script = `
import sys, email, icalendar
msg = email.message_from_bytes(sys.stdin.buffer.read())
for part in msg.walk():
    if part.get_content_type() == "text/calendar":
        cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        ev = next(iter(cal.walk("VEVENT")))
        print(cal["METHOD"], str(ev["ATTENDEE"]).lower(), ev["UID"])
        break
`
	cmd := exec.Command("/usr/bin/python3", "-c", script)
	cmd.Stdin = bytes.NewReader(eml)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python-icalendar: %v: %s", err, out)
	}
	if !strings.Contains(string(out), "mailto:"+addr) {
		t.Errorf("python-icalendar reads %q, want attendee %s", out, addr)
	}
}
