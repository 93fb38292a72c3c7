package domain_test

import (
	"context"
	"errors"
	"testing"

	"github.com/frontdesk/frontdesk/domain"
)

func TestVisitNotice(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	got := mustBook(t, f, f.req())
	if _, err := f.sched.RescheduleByToken(ctx, got.ManageToken, f.at(2, 13, 0)); err != nil {
		t.Fatalf("RescheduleByToken = %v", err)
	}
	n, err := f.sched.VisitNotice(ctx, got.ManageToken)
	if err != nil {
		t.Fatalf("VisitNotice(token) = %v", err)
	}
	switch {
	case n.UID != got.Booking.UID:
		t.Errorf("UID = %q, want the booking's %q", n.UID, got.Booking.UID)
	case n.Sequence != 1:
		t.Errorf("Sequence = %d, want 1 after one reschedule", n.Sequence)
	case !n.Start.Equal(f.at(2, 13, 0)) || !n.End.Equal(f.at(2, 14, 0)):
		t.Errorf("times = %v–%v, want the rescheduled ones", n.Start, n.End)
	case n.ManageURL != schedBaseURL+"/manage/"+got.ManageToken:
		t.Errorf("ManageURL = %q, want the patient's link", n.ManageURL)
	case n.ServiceName != f.massage.Name || n.PractitionerName != f.ben.Name || n.ClinicEmail != "desk@clinic.test":
		t.Errorf("notice = %+v, want the massage with Ben at the clinic", n)
	case n.Status != domain.StatusConfirmed:
		t.Errorf("Status = %q, want confirmed", n.Status)
	}
}

func TestVisitNoticeCancelled(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	got := mustBook(t, f, f.req())
	if _, err := f.sched.CancelByToken(ctx, got.ManageToken, "my back is fine now"); err != nil {
		t.Fatalf("CancelByToken = %v", err)
	}
	n, err := f.sched.VisitNotice(ctx, got.ManageToken)
	if err != nil {
		t.Fatalf("VisitNotice(token of a cancelled visit) = %v", err)
	}
	if n.Status != domain.StatusCancelled || n.Sequence != 1 {
		t.Errorf("Status, Sequence = %q, %d; want cancelled, 1", n.Status, n.Sequence)
	}
	if n.Reason != "" {
		t.Errorf("Reason = %q, want it left out of the patient's own calendar", n.Reason)
	}
}

func TestVisitNoticeWrongToken(t *testing.T) {
	f := newSchedFixture(t)
	got := mustBook(t, f, f.req())
	for _, tok := range []string{"", "nope", got.ManageToken + "x"} {
		if _, err := f.sched.VisitNotice(context.Background(), tok); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("VisitNotice(%q) = %v, want ErrNotFound", tok, err)
		}
	}
}
