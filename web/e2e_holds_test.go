package web

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/domain"
)

// TestHoldCountdownBrowser: choosing a time holds it and the page counts
// down; while it lives nobody else can book it; once it has ended the page
// says so, a time still free is booked on submit, and a time someone took
// meanwhile falls back to the nearest times with everything typed kept.
func TestHoldCountdownBrowser(t *testing.T) {
	const holdFor = 4 * time.Second
	a := startApp(t, func(s *Site) { s.Scheduler.HoldDuration = holdFor })
	b := newBrowser(t)
	ctx := context.Background()
	times := a.URL + "/book/" + a.Massage.ID + "/times?practitioner=" + a.Therapist.ID + "&tz=Europe%2FBerlin&week=2026-06-03"
	open := func(nth string) time.Time {
		b.do(chromedp.Navigate(times), chromedp.WaitVisible(chromedp.CSS(".week a.slot")),
			chromedp.Click(chromedp.CSS(".week a.slot"+nth)), chromedp.WaitVisible(chromedp.CSS("#f-patient-name")))
		start, err := time.Parse(time.RFC3339, b.value(`input[name="start"]`))
		must(t, "read the chosen start", err)
		return start
	}
	book := func(start time.Time, email string) error {
		_, err := a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Massage.ID, PractitionerID: a.Therapist.ID,
			Start: start, Actor: domain.ActorPatient, Patient: domain.Patient{Name: "Eve Faster", Email: email}})
		return err
	}

	// Still free after the hold ended: the submit books it.
	start := open(":first-of-type")
	b.waitText("#hold", "We are holding this time for you until")
	first := b.text("[data-hold-clock]")
	if err := book(start, "eve@example.com"); !errors.Is(err, domain.ErrHoldTaken) {
		t.Errorf("another patient's booking over the hold = %v, want ErrHoldTaken", err)
	}
	b.do(chromedp.SendKeys(chromedp.CSS("#f-patient-name"), "Grace Hopper"),
		chromedp.SendKeys(chromedp.CSS("#f-patient-email"), "grace@example.com"))
	b.waitText("[data-hold-ended]", "Your hold has ended")
	b.do(chromedp.WaitVisible(chromedp.CSS("[data-hold-ended]")))
	if first == "" || !strings.HasPrefix(first, "0:0") {
		t.Errorf("countdown first read %q, want 0:0x", first)
	}
	b.inspect("18-hold-ended")
	a.Clock.Advance(holdFor + time.Second) // the server's clock agrees
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/details"] button[type=submit]`)))
	b.waitText(".confirm", "You are booked")

	// Taken after the hold ended: the nearest times, with what was typed.
	start = open(":last-of-type")
	b.waitText("#hold", "We are holding this time for you until")
	b.do(chromedp.SendKeys(chromedp.CSS("#f-patient-name"), "Alan Turing"),
		chromedp.SendKeys(chromedp.CSS("#f-patient-email"), "alan@example.com"))
	a.Clock.Advance(holdFor + time.Second)
	if err := book(start, "eve@example.com"); err != nil {
		t.Fatalf("booking over an expired hold = %v, want booked", err)
	}
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/details"] button[type=submit]`)))
	b.waitText("#problem", "was just taken")
	b.mustSee("Nearest open times", "Everything you typed is still here")
	if name, email := b.value("#f-patient-name"), b.value("#f-patient-email"); name != "Alan Turing" || email != "alan@example.com" {
		t.Errorf("after the clash the form holds %q, %q; want what was typed", name, email)
	}
	b.inspect("18-hold-taken")
}
