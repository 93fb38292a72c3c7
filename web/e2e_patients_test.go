package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/frontdesk/frontdesk/domain"
)

// TestPatientSearchAndHistory: the desk types part of a patient's phone
// number and the matches follow the typing (no button); the record shows
// contact details, every visit with its status, the intake answers, notes
// and the emails sent, and "Book again" opens the form for them.
func TestPatientSearchAndHistory(t *testing.T) {
	a := startApp(t)
	ctx := context.Background()
	password := a.addStaff(t, "desk@riverside.example", domain.RoleFrontDesk)
	at := func(d, h int) time.Time {
		return domain.WallClock(domain.Date{Year: 2026, Month: 6, Day: d}, domain.At(h, 0), loadZone("America/New_York"))
	}
	grace := domain.Patient{Name: "Grace Hopper", Email: "grace@example.com", Phone: "+1 212 555 0199"}
	review, err := a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Review.ID, PractitionerID: a.Chiro.ID, Start: at(1, 11),
		Actor: domain.ActorPatient, Patient: grace, Notes: "Parking at the back?",
		Intake: &domain.Intake{PainAreas: []string{"neck", "shoulders"}, Duration: "months", Tried: []string{"massage"}, Notes: "Worse at the desk."}})
	must(t, "book Grace's review", err)
	_, err = a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Massage.ID, PractitionerID: a.Therapist.ID, Start: at(3, 14),
		Actor: domain.ActorPatient, Patient: grace})
	must(t, "book Grace's massage", err)
	_, err = a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Massage.ID, PractitionerID: a.Therapist.ID, Start: at(1, 10),
		Actor: domain.ActorPatient, Patient: domain.Patient{Name: "Katherine Johnson", Email: "kj@example.com", Phone: "+1 757 555 0100"}})
	must(t, "book Katherine", err)
	// The review is over by the afternoon: it is a past visit, attended.
	a.Clock.Set(at(1, 13))
	_, err = a.Scheduler.SetStatus(ctx, domain.Actor{UserID: domain.NewID(), Name: "Desk", Role: domain.RoleFrontDesk}, review.Booking.ID, domain.StatusCompleted)
	must(t, "complete the review", err)

	b := newBrowser(t)
	b.do(chromedp.Navigate(a.URL+"/staff/patients"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "desk@riverside.example"), chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/staff/login"] button`)), chromedp.WaitVisible(chromedp.CSS("#q")))
	b.mustSee("Grace Hopper", "Katherine Johnson")

	// Typing narrows the list without pressing Search.
	b.do(chromedp.SendKeys(chromedp.CSS("#q"), "0199"))
	waitJS(t, b, `document.querySelectorAll("#patient-results a.patient-link").length === 1 && location.search === "?q=0199"`, 5*time.Second, "the matches to follow the typing")
	if got := b.text("#patient-results"); !strings.Contains(got, "Grace Hopper") || strings.Contains(got, "Katherine") {
		t.Errorf("results for 0199 = %q, want Grace alone", got)
	}
	b.inspect("70-patient-search")

	// Down arrow to the match, Enter opens the record.
	b.do(chromedp.KeyEvent(kb.ArrowDown))
	var focused string
	b.eval(`document.activeElement.textContent`, &focused)
	if focused != "Grace Hopper" {
		t.Fatalf("after Down from the search box the focus is on %q, want the match", focused)
	}
	b.do(chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#book-again")))
	b.mustSee("Grace Hopper", "grace@example.com", "+1 212 555 0199", "Coming visits", "Past visits",
		"Swedish Massage", "Complimentary Case Review", "Completed", "Confirmed", "Neck, Shoulders", "Worse at the desk.", "Parking at the back?", "Messages sent", "Confirmation")
	coming, past := b.text(`section[aria-labelledby="coming-h"]`), b.text(`section[aria-labelledby="past-h"]`)
	if !strings.Contains(coming, "Swedish Massage") || strings.Contains(coming, "Case Review") || !strings.Contains(past, "Case Review") {
		t.Errorf("coming = %q\npast = %q; want the massage coming and the review past", coming, past)
	}
	if strings.Contains(b.text("main"), "kj@example.com") {
		t.Error("another patient's details are on Grace's record")
	}
	b.axe("patient-record")
	b.inspect("71-patient-record")

	b.do(chromedp.Click(chromedp.CSS("#book-again")), chromedp.WaitVisible(chromedp.CSS(`[name=service_id]`)))
	var picked struct{ Patient, Service, Practitioner string }
	b.eval(`({Patient: (document.querySelector('[name=patient_id]:checked')||{}).value || "",
		Service: document.querySelector('[name=service_id]').value, Practitioner: document.querySelector('[name=practitioner_id]').value})`, &picked)
	if picked.Service != a.Massage.ID || picked.Practitioner != a.Therapist.ID || picked.Patient == "" {
		t.Errorf("book again prefilled %+v, want Grace with the massage and %s", picked, a.Therapist.Name)
	}
}
