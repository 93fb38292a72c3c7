package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/frontdesk/frontdesk/domain"
)

// TestStaffAnswersProposal: a patient's calendar proposed another time by
// email; the front desk sees it on the visit's page with the invite answer
// and the address's state, and accepts it by keyboard, which moves the visit.
func TestStaffAnswersProposal(t *testing.T) {
	var inbox *domain.Inbox
	a := startApp(t, func(s *Site) {
		inbox = &domain.Inbox{Store: s.Store.(domain.InboundStore), Scheduler: s.Scheduler, Clock: s.Clock}
		s.Inbox = inbox
	})
	b := newBrowser(t)
	ctx := context.Background()
	at := func(h, m int) time.Time {
		return domain.WallClock(domain.Date{Year: 2026, Month: 6, Day: 2}, domain.At(h, m), loadZone("America/New_York"))
	}
	booked, err := a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Massage.ID, PractitionerID: a.Therapist.ID, Start: at(11, 0),
		Actor: domain.ActorPatient, Patient: domain.Patient{Name: "Grace Hopper", Email: "grace@example.com"}})
	must(t, "book", err)
	d := booked.Booking
	store := a.Store.(domain.InboundStore)
	m := domain.InboundMessage{ID: domain.NewID(), ReceivedAt: e2eStart, SHA256: domain.NewID()}
	_, err = store.SaveInbound(ctx, &m, []byte("raw"))
	must(t, "store the proposal", err)
	got, err := inbox.Process(ctx, m, domain.InboundMail{From: "grace@example.com", Subject: "New Time Proposed", Authenticated: []string{"example.com"},
		Calendar: &domain.CalendarAnswer{Method: "COUNTER", UID: d.UID, Attendee: "grace@example.com", PartStat: "TENTATIVE",
			Sequence: d.Sequence, Start: at(14, 0), End: at(15, 0)}})
	if err != nil || got.State != domain.InboundProposal {
		t.Fatalf("Process(COUNTER) = %s, %v", got.State, err)
	}
	_, err = store.MarkEmailBouncing(ctx, "grace@example.com", "550 5.1.1", e2eStart)
	must(t, "mark bouncing", err)

	password := a.addStaff(t, "desk@riverside.example", domain.RoleFrontDesk)
	b.do(chromedp.Navigate(a.URL+"/staff/bookings/"+d.ID), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "desk@riverside.example"), chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/staff/login"] button`)), chromedp.WaitVisible(chromedp.CSS("#mail-h")))
	b.mustSee("Email replies", "Proposed new time", "2:00 PM", "Invite answer", "No answer", "Bouncing")
	b.inspect("30-booking-proposal")

	accept := `form[action$="/proposals/` + m.ID + `/accept"] button`
	b.do(chromedp.Focus(chromedp.CSS(accept)), chromedp.KeyEvent(kb.Enter))
	b.waitText(".flash", "The visit was moved to the time the patient proposed.")
	moved, err := a.Store.Booking(ctx, d.ID)
	must(t, "load booking", err)
	if !moved.Start.Equal(at(14, 0)) {
		t.Fatalf("after accepting, the visit starts %v, want %v", moved.Start, at(14, 0))
	}
	b.mustSee("Proposal accepted")
	var forms int
	b.eval(`document.querySelectorAll('form[action$="/accept"]').length`, &forms)
	if forms != 0 {
		t.Errorf("an answered proposal still offers %d accept buttons", forms)
	}

	// The bouncing address: another patient's is refused inline, a right one saved.
	_, err = a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Massage.ID, PractitionerID: a.Therapist.ID, Start: at(9, 0),
		Actor: domain.ActorPatient, Patient: domain.Patient{Name: "Katherine Johnson", Email: "kj@example.com"}})
	must(t, "book Katherine", err)
	b.do(chromedp.SetValue(chromedp.CSS("#f-email"), "kj@example.com"), chromedp.Click(chromedp.CSS(`form[action$="/patient-email"] button`)))
	b.waitText("#problem", "already exists")
	b.do(chromedp.SetValue(chromedp.CSS("#f-email"), "grace.hopper@example.com"), chromedp.Click(chromedp.CSS(`form[action$="/patient-email"] button`)))
	b.waitText(".flash", "The address is saved")
	fixed, err := a.Store.Booking(ctx, d.ID)
	must(t, "load booking", err)
	if fixed.Patient.Email != "grace.hopper@example.com" || fixed.Patient.EmailStatus != domain.EmailOK {
		t.Fatalf("patient after the fix: %s (%s)", fixed.Patient.Email, fixed.Patient.EmailStatus)
	}

	b.do(chromedp.Navigate(a.URL+"/staff?date=2026-06-02"), chromedp.WaitVisible(chromedp.CSS(".cal")))
	b.mustSee("Grace Hopper", "Invite: No answer")
	b.inspect("31-calendar-attendee")
}
