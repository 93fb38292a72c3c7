package notifications

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// planWorld is a real store with a booked 12-visit weekly plan crossing
// the end of daylight saving time in New York.
type planWorld struct {
	store *storage.Store
	sched *domain.Scheduler
	plans *domain.Plans
	staff domain.Actor
	plan  domain.PlanBooked
}

func newPlanWorld(t *testing.T) planWorld {
	t.Helper()
	s := storagetest.Open(t, storagetest.SQLite)
	fx := storagetest.Seed(t, s)
	sched := &domain.Scheduler{Store: s, Clock: domaintest.NewClock(time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)),
		BaseURL: "https://clinic.example"}
	w := planWorld{store: s, sched: sched, plans: &domain.Plans{Scheduler: sched, Store: s},
		staff: domain.Actor{UserID: domain.NewID(), Name: "Desk", Role: domain.RoleFrontDesk}}
	ctx := context.Background()
	p, err := s.Patient(ctx, mustPatient(t, s))
	if err != nil {
		t.Fatal(err)
	}
	w.plan, err = w.plans.Create(ctx, domain.PlanRequest{Actor: w.staff, PatientID: p.ID, ServiceID: fx.Massage.ID,
		PractitionerID: fx.Therapist.ID, FirstStart: time.Date(2026, 10, 5, 14, 0, 0, 0, time.UTC),
		EveryWeeks: 1, Count: 12})
	if err != nil {
		t.Fatalf("create plan: %v", err)
	}
	return w
}

// mustPatient stores a patient by booking a past-free visit and returns its id.
func mustPatient(t *testing.T, s *storage.Store) string {
	t.Helper()
	ctx := context.Background()
	list, _ := s.Services(ctx, false)
	prs, _ := s.Practitioners(ctx, false)
	start := time.Date(2026, 10, 2, 14, 0, 0, 0, time.UTC)
	b := domain.Booking{ID: domain.NewID(), UID: domain.NewID(), ServiceID: list[1].ID, PractitionerID: prs[0].ID,
		Start: start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(70 * time.Minute),
		Status: domain.StatusConfirmed, Source: domain.SourceStaff, TimeZone: "America/New_York",
		AttendeeStatus: domain.AttendeeNeedsAction}
	p := domain.Patient{Name: "Grace Hopper", Email: "grace@example.com"}
	if err := s.CreateBooking(ctx, &b, &p, domain.Effects{}); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// newMessages returns the messages not in seen, and adds them to it.
func newMessages(t *testing.T, s *storage.Store, seen map[string]bool) []domain.Message {
	t.Helper()
	all, err := s.Messages(context.Background(), domain.MessageFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.Message
	for _, m := range all {
		if !seen[m.ID] {
			seen[m.ID] = true
			out = append(out, m)
		}
	}
	return out
}

func ofKind(msgs []domain.Message, k domain.MessageKind) []domain.Message {
	var out []domain.Message
	for _, m := range msgs {
		if m.Kind == k {
			out = append(out, m)
		}
	}
	return out
}

// seriesAttachments composes m and returns its calendar alternative and
// its .ics attachments.
func seriesAttachments(t *testing.T, m domain.Message) (alt []byte, files [][]byte) {
	t.Helper()
	msg, err := Compose(m)
	if err != nil {
		t.Fatalf("compose %s: %v", m.Kind, err)
	}
	_, parts := parseMIME(t, writeMsg(t, msg))
	for _, p := range parts {
		switch {
		case strings.HasPrefix(p.contentType, "text/calendar"):
			alt = p.body
		case strings.HasPrefix(p.disposition, "attachment") && strings.Contains(p.disposition, ".ics"):
			files = append(files, p.body)
		}
	}
	return alt, files
}

// TestPlanInvitesParse: the plan's one email carries one invite per visit,
// each its own UID, and every one reads the same in ical.js,
// python-icalendar and libical; moving or cancelling one visit sends an
// update of exactly that one (same UID, SEQUENCE raised); cancelling the
// rest is one email with a CANCEL per remaining visit.
func TestPlanInvitesParse(t *testing.T) {
	w := newPlanWorld(t)
	ctx := context.Background()
	seen := map[string]bool{}
	first := newMessages(t, w.store, seen)
	confirmations := ofKind(first, domain.MessagePlanConfirmation)
	if len(confirmations) != 1 || len(ofKind(first, domain.MessageConfirmation)) != 0 {
		t.Fatalf("plan emails: %d series confirmations, %d single ones; want one series email",
			len(confirmations), len(ofKind(first, domain.MessageConfirmation)))
	}
	alt, files := seriesAttachments(t, confirmations[0])
	visits := w.plan.Plan.Visits
	if len(files) != len(visits) || !bytes.Equal(alt, files[0]) {
		t.Fatalf("%d invites attached for %d visits (alternative equals the first: %v)", len(files), len(visits), bytes.Equal(alt, files[0]))
	}
	uids := map[string]bool{}
	for i, ics := range files {
		checkOne(t, ics, "REQUEST", visits[i].UID, 0, visits[i].Start)
		uids[visits[i].UID] = true
	}
	if len(uids) != len(visits) {
		t.Fatalf("UIDs are not distinct: %v", uids)
	}

	// Move visit 3 and cancel visit 4: each mail is about that visit alone.
	moved, err := w.sched.Reschedule(ctx, w.staff, visits[2].ID, visits[2].Start.Add(time.Hour), "", false)
	if err != nil {
		t.Fatalf("move one visit: %v", err)
	}
	if _, err := w.sched.Cancel(ctx, w.staff, visits[3].ID, ""); err != nil {
		t.Fatalf("cancel one visit: %v", err)
	}
	changes := newMessages(t, w.store, seen)
	for _, m := range changes {
		if m.BookingID != visits[2].ID && m.BookingID != visits[3].ID {
			t.Errorf("a change of visits 3 and 4 mailed about booking %s (%s)", m.BookingID, m.Kind)
		}
	}
	for _, tc := range []struct {
		kind   domain.MessageKind
		method string
		visit  domain.BookingDetail
		start  time.Time
	}{
		{domain.MessageRescheduled, "REQUEST", visits[2], moved.Start},
		{domain.MessageCancellation, "CANCEL", visits[3], visits[3].Start},
	} {
		got := ofKind(changes, tc.kind)
		if len(got) != 1 {
			t.Fatalf("%d %s emails, want 1", len(got), tc.kind)
		}
		ics, err := Invite(got[0].Notice, tc.method)
		if err != nil {
			t.Fatal(err)
		}
		checkOne(t, ics, tc.method, tc.visit.UID, 1, tc.start)
	}

	// Cancel the rest from visit 7: one email, six cancellations.
	rest, err := w.plans.CancelRest(ctx, w.staff, w.plan.Plan.ID, visits[6].Start, "")
	if err != nil {
		t.Fatalf("cancel the rest: %v", err)
	}
	after := newMessages(t, w.store, seen)
	series := ofKind(after, domain.MessagePlanCancellation)
	if len(series) != 1 || len(ofKind(after, domain.MessageCancellation)) != 0 {
		t.Fatalf("cancelling the rest sent %d series and %d single cancellations", len(series), len(ofKind(after, domain.MessageCancellation)))
	}
	_, files = seriesAttachments(t, series[0])
	if len(files) != 6 {
		t.Fatalf("%d cancellations attached, want 6", len(files))
	}
	for i, ics := range files {
		checkOne(t, ics, "CANCEL", visits[6+i].UID, 1, visits[6+i].Start)
	}
	if p := rest.Progress(time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)); p.Upcoming != 5 || p.Cancelled != 7 {
		t.Errorf("progress after cancelling the rest = %+v, want 5 upcoming and 7 cancelled", p)
	}
}

// checkOne reads ics in all three parsers: one event with the UID,
// SEQUENCE and start, and the method.
func checkOne(t *testing.T, ics []byte, method, uid string, seq int, start time.Time) {
	t.Helper()
	checkLines(t, ics)
	js, py := parsers(t, ics)
	for name, r := range map[string]calReport{"ical.js": js, "python-icalendar": py} {
		if r.Method != method || len(r.Events) != 1 {
			t.Fatalf("%s reads METHOD %q with %d events, want %s with one", name, r.Method, len(r.Events), method)
		}
		ev := r.Events[0]
		if ev.UID != uid || ev.Sequence != seq || !ev.Start.Equal(start) {
			t.Errorf("%s reads UID %s SEQUENCE %d start %s, want %s %d %s", name, ev.UID, ev.Sequence, ev.Start, uid, seq, start)
		}
	}
}
