package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/domain"
)

// TestPlanPages: from the case review's page the front desk starts a plan,
// sees the one taken week with the nearest free times before anything is
// booked, books the free visits, follows progress on the plan page and
// cancels the rest; a patient sees their plan on the manage page and
// cancels the rest of it there.
func TestPlanPages(t *testing.T) {
	a := startApp(t)
	b := newBrowser(t)
	ctx := context.Background()
	ny := loadZone("America/New_York")
	at := func(month time.Month, day, h, m int) time.Time {
		return domain.WallClock(domain.Date{Year: 2026, Month: month, Day: day}, domain.At(h, m), ny)
	}
	review, err := a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Review.ID, PractitionerID: a.Chiro.ID, Start: at(6, 2, 10, 0),
		Actor: domain.ActorPatient, Patient: domain.Patient{Name: "Rosa Parks", Email: "rosa@example.com"},
		Intake: &domain.Intake{PainAreas: []string{"back"}, Duration: "months", Tried: []string{"nothing"}}})
	must(t, "book the review", err)
	_, err = a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Massage.ID, PractitionerID: a.Therapist.ID, Start: at(6, 23, 10, 30),
		Actor: domain.ActorPatient, Patient: domain.Patient{Name: "Someone Else", Email: "else@example.com"}})
	must(t, "book week 3", err)

	password := a.addStaff(t, "desk@riverside.example", domain.RoleFrontDesk)
	b.do(chromedp.Navigate(a.URL+"/staff/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "desk@riverside.example"), chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/staff/login"] button`)), chromedp.WaitVisible(chromedp.CSS(".cal")))

	b.do(chromedp.Navigate(a.URL+"/staff/bookings/"+review.Booking.ID), chromedp.WaitVisible(chromedp.CSS("#outcome-h")),
		chromedp.Click(chromedp.CSS(`a[href^="/staff/plans/new?booking_id="]`)), chromedp.WaitVisible(chromedp.CSS("#plan-form")))
	b.mustSee("New plan of care for Rosa Parks", "Following the case review")
	if d, tm := b.value("#f-date"), b.value("#f-time"); d != "2026-06-09" || tm != "10:00" {
		t.Errorf("the form proposes %s %s, want a week after the review (2026-06-09 10:00)", d, tm)
	}
	b.do(chromedp.SetValue(chromedp.CSS("#f-practitioner_id"), a.Therapist.ID), chromedp.SetValue(chromedp.CSS("#f-count"), "6"),
		chromedp.Click(chromedp.CSS(`button[value=check]`)), chromedp.WaitVisible(chromedp.CSS("#preview")))
	b.mustSee("5 of 6 visits are free", "Nothing is booked yet", "Tuesday 23 June", "Nearest free")
	if n := planVisits(t, a, review.Booking.PatientID); n != 0 {
		t.Fatalf("checking the times booked %d visits", n)
	}
	b.inspect("plan-preview")

	b.do(chromedp.Click(chromedp.CSS(`#preview button[name=skip]`)), chromedp.WaitVisible(chromedp.CSS("#visits-h")))
	b.waitText(".flash", "The plan is booked")
	b.mustSee("5 upcoming", "0 done", "Move this one", "Cancel the rest")
	if n := planVisits(t, a, review.Booking.PatientID); n != 5 {
		t.Fatalf("the plan booked %d visits, want 5", n)
	}
	rv, err := a.Store.Booking(ctx, review.Booking.ID)
	must(t, "load review", err)
	if rv.ReviewOutcome != domain.OutcomePlanStarted {
		t.Errorf("review outcome = %q, want plan_started", rv.ReviewOutcome)
	}
	b.inspect("plan-page")

	b.do(chromedp.Click(chromedp.CSS(`form[action$="/cancel"] button`)), chromedp.WaitVisible(chromedp.CSS("#visits-h")))
	b.waitText(".flash", "The rest of the plan is cancelled")
	b.mustSee("5 cancelled", "Cancelled")

	// The patient's side: a plan booked by the desk, seen from a visit's link.
	pl := a.siteOf(t)
	got, err := pl.Create(ctx, domain.PlanRequest{Actor: domain.Actor{UserID: domain.NewID(), Role: domain.RoleFrontDesk, Name: "Desk"},
		BookingID: review.Booking.ID, ServiceID: a.Massage.ID, PractitionerID: a.Therapist.ID,
		FirstStart: at(6, 10, 14, 0), EveryWeeks: 2, Count: 4})
	must(t, "book a plan", err)
	b.do(chromedp.Navigate(got.ManageURLs[1]), chromedp.WaitVisible(chromedp.CSS("#plan-h")))
	b.mustSee("Your plan: 4 visits, every 2 weeks", "(this visit)", "Cancel the rest of the plan (4 visits)")
	b.inspect("manage-plan")
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/plan/cancel"] button`)))
	b.waitText(".flash", "The rest of your plan is cancelled")
	after, err := pl.Store.Plan(ctx, got.Plan.ID)
	must(t, "load plan", err)
	if after.Status != domain.PlanCancelled {
		t.Errorf("after the patient cancelled the rest the plan is %s", after.Status)
	}
}

// planVisits counts the live plan visits of a patient.
func planVisits(t *testing.T, a *app, patientID string) int {
	t.Helper()
	list, err := a.Store.Bookings(context.Background(), domain.BookingFilter{PatientID: patientID, Statuses: []domain.Status{domain.StatusConfirmed}})
	must(t, "list bookings", err)
	n := 0
	for _, b := range list {
		if b.PlanID != "" {
			n++
		}
	}
	return n
}

// siteOf is the plans use case over the app's store.
func (a *app) siteOf(t *testing.T) *domain.Plans {
	t.Helper()
	ps, ok := a.Store.(domain.PlanStore)
	if !ok {
		t.Fatal("the store keeps no plans")
	}
	return &domain.Plans{Scheduler: a.Scheduler, Store: ps}
}
