package domain_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// practitionerNotes returns the practitioner notes written since n messages.
func (f *schedFixture) practitionerNotes(n int) []domain.Message {
	var out []domain.Message
	for _, m := range f.messages()[n:] {
		if m.Kind == domain.MessagePractitioner {
			out = append(out, m)
		}
	}
	return out
}

// TestMoveToAnotherPractitionerTellsEachTheirOwn: the former practitioner's
// note is addressed to them, by their name, and says where the visit went;
// the new one's says where it came from.
func TestMoveToAnotherPractitionerTellsEachTheirOwn(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	f.cleo.Email = "cleo@clinic.test"
	if err := f.store.UpdatePractitioner(ctx, &f.cleo); err != nil {
		t.Fatal(err)
	}
	got := mustBook(t, f, f.req())
	n := len(f.messages())
	if _, err := f.sched.Reschedule(ctx, f.desk, got.Booking.ID, f.at(1, 10, 0), f.cleo.ID, false); err != nil {
		t.Fatal(err)
	}
	notes := f.practitionerNotes(n)
	if len(notes) != 2 {
		t.Fatalf("practitioner notes = %d, want one each for Cleo and Ben", len(notes))
	}
	byTo := map[string]domain.Notice{}
	for _, m := range notes {
		byTo[m.To] = m.Notice
	}
	ben, cleo := byTo["ben@clinic.test"], byTo["cleo@clinic.test"]
	if ben.PractitionerName != "Ben Hands" || ben.PractitionerEmail != "ben@clinic.test" || ben.MovedTo != "Cleo Knead" || ben.MovedFrom != "" {
		t.Errorf("Ben's note = name %q email %q moved to %q from %q; want his own name and the visit moved to Cleo",
			ben.PractitionerName, ben.PractitionerEmail, ben.MovedTo, ben.MovedFrom)
	}
	if cleo.PractitionerName != "Cleo Knead" || cleo.MovedFrom != "Ben Hands" || cleo.MovedTo != "" {
		t.Errorf("Cleo's note = name %q moved from %q to %q; want hers, moved from Ben", cleo.PractitionerName, cleo.MovedFrom, cleo.MovedTo)
	}
	// Same time, other practitioner: the time did not change, so no "Was:".
	if !ben.Previous.IsZero() || !cleo.Previous.IsZero() {
		t.Errorf("Previous = %v / %v for a move at the same time, want none", ben.Previous, cleo.Previous)
	}
}

// TestCancelNoteHasNoPreviousTime: a cancellation does not move the visit,
// so no note carries a "Was:" time equal to "When:".
func TestCancelNoteHasNoPreviousTime(t *testing.T) {
	f := newSchedFixture(t)
	got := mustBook(t, f, f.req())
	n := len(f.messages())
	if _, err := f.sched.Cancel(context.Background(), f.desk, got.Booking.ID, "called"); err != nil {
		t.Fatal(err)
	}
	for _, m := range f.messages()[n:] {
		if !m.Notice.Previous.IsZero() {
			t.Errorf("%s notice Previous = %v, want none for a cancellation", m.Kind, m.Notice.Previous)
		}
	}
}

// TestCancellationOffersBookAgain: the cancellation notice carries the link
// to book the same service again, not a manage link that can do nothing.
func TestCancellationOffersBookAgain(t *testing.T) {
	f := newSchedFixture(t)
	got := mustBook(t, f, f.req())
	f.clock.Set(f.at(0, 9, 0))
	n := len(f.messages())
	if _, err := f.sched.CancelByToken(context.Background(), got.ManageToken, ""); err != nil {
		t.Fatal(err)
	}
	for _, m := range f.messages()[n:] {
		if m.Kind == domain.MessageCancellation {
			if want := schedBaseURL + "/book/" + f.massage.ID; m.Notice.BookURL != want {
				t.Errorf("BookURL = %q, want %q", m.Notice.BookURL, want)
			}
			return
		}
	}
	t.Fatal("no cancellation email")
}

// TestVisitNoticeChangedIsTheLastChange: the downloaded calendar's DTSTAMP
// is the last change the patient was told of, not the visit's start, and
// staff notes do not move it.
func TestVisitNoticeChangedIsTheLastChange(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	got := mustBook(t, f, f.req())
	booked := f.clock.Now()
	n, err := f.sched.VisitNotice(ctx, got.ManageToken)
	if err != nil || !n.Changed.Equal(booked) {
		t.Fatalf("VisitNotice.Changed = %v, %v; want the booking time %v", n.Changed, err, booked)
	}
	f.clock.Set(booked.Add(time.Hour))
	if _, err := f.sched.RescheduleByToken(ctx, got.ManageToken, f.at(2, 13, 0)); err != nil {
		t.Fatal(err)
	}
	moved := f.clock.Now()
	f.clock.Set(moved.Add(time.Hour))
	if _, err := f.sched.SetStaffNotes(ctx, f.desk, got.Booking.ID, "knee"); err != nil {
		t.Fatal(err)
	}
	if n, _ = f.sched.VisitNotice(ctx, got.ManageToken); !n.Changed.Equal(moved) {
		t.Errorf("VisitNotice.Changed = %v, want the reschedule %v (staff notes are not a change the patient sees)", n.Changed, moved)
	}
}

// TestCancelCutoffFollowsTheOriginalCommitment: moving a visit that is
// already inside the cancel cut-off does not reopen online cancellation.
func TestCancelCutoffFollowsTheOriginalCommitment(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	got := mustBook(t, f, f.req()) // Tuesday 10:00
	// Monday 20:00: 14 hours before, inside the 24-hour cancel cut-off but
	// outside the 12-hour reschedule cut-off.
	f.clock.Set(f.at(0, 20, 0))
	d, err := f.sched.RescheduleByToken(ctx, got.ManageToken, f.at(8, 10, 0))
	if err != nil {
		t.Fatalf("RescheduleByToken = %v", err)
	}
	if d.CancelDeadline(domain.DefaultPolicy).After(f.clock.Now()) {
		t.Errorf("CancelDeadline = %v, want it passed (the original visit was inside the cut-off)", d.CancelDeadline(domain.DefaultPolicy))
	}
	_, err = f.sched.CancelByToken(ctx, got.ManageToken, "")
	if e := wantErr(t, err, domain.KindConflict, ""); !strings.Contains(e.Message, "call") {
		t.Errorf("CancelByToken after moving out of the cut-off = %q, want call the clinic", e.Message)
	}
	// Moving again keeps the commitment.
	if _, err := f.sched.RescheduleByToken(ctx, got.ManageToken, f.at(9, 10, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sched.CancelByToken(ctx, got.ManageToken, ""); domain.ErrorKind(err) != domain.KindConflict {
		t.Errorf("CancelByToken after a second move = %v, want KindConflict", err)
	}
	// Staff can still cancel.
	if _, err := f.sched.Cancel(ctx, f.desk, got.Booking.ID, "called"); err != nil {
		t.Errorf("staff Cancel = %v", err)
	}
}

// TestCancelCutoffMoveBeforeCutoff: a move made in good time commits to
// the new time only.
func TestCancelCutoffMoveBeforeCutoff(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	got := mustBook(t, f, f.req())
	if _, err := f.sched.RescheduleByToken(ctx, got.ManageToken, f.at(8, 10, 0)); err != nil { // Monday 08:00: 26 hours before
		t.Fatal(err)
	}
	f.clock.Set(f.at(1, 11, 0)) // after the original time, a week before the new one
	if _, err := f.sched.CancelByToken(ctx, got.ManageToken, ""); err != nil {
		t.Errorf("CancelByToken = %v, want nil", err)
	}
}

func TestPatientNameMessages(t *testing.T) {
	for _, tc := range []struct {
		name, want string
	}{
		{"", "Give your name."},
		{"   ", "Give your name."},
		{"Jane\r\nBcc: x@example.com", "Give the name on one line."},
		{strings.Repeat("a", 121), "Keep the name to 120 characters or fewer."},
	} {
		err := domain.Patient{Name: tc.name, Email: "jane@example.com"}.Validate("patient.")
		e := wantErr(t, err, domain.KindInvalid, "patient.name")
		if p := e.Problems(); len(p) != 1 || p[0].Message != tc.want {
			t.Errorf("Validate(name %q) = %v, want %q", tc.name, p, tc.want)
		}
	}
}
