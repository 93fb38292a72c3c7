package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/domain"
)

// TestEndToEnd drives the whole app in headless Chromium: a visitor books,
// reschedules and cancels; a slot is taken under a visitor's feet; the
// front desk signs in, moves a visit and marks a no-show. Every page on the
// way is screenshot at phone and desktop width, checked with axe-core and
// weighed.
func TestEndToEnd(t *testing.T) {
	a := startApp(t)
	b := newBrowser(t)
	var manageURL string
	t.Run("book a case review", func(t *testing.T) {
		b.t = t
		manageURL = bookCaseReview(t, a, b)
	})
	t.Run("reschedule and cancel", func(t *testing.T) {
		b.t = t
		if manageURL == "" {
			t.Fatal("no manage link: the booking scenario failed")
		}
		rescheduleAndCancel(t, a, b, manageURL)
	})
	t.Run("slot taken before submit", func(t *testing.T) {
		b.t = t
		slotTaken(t, a, b)
	})
	t.Run("front desk", func(t *testing.T) {
		b.t = t
		frontDesk(t, a, b)
	})
}

// bookCaseReview goes from the landing page to the confirmation and checks
// the email arrives; it returns the manage link.
func bookCaseReview(t *testing.T, a *app, b *browser) string {
	b.do(chromedp.Navigate(a.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".feature a.button")))
	b.mustSee("Complimentary Case Review", "Free · 15 minutes", "Swedish Massage", "$95.00")
	b.inspect("01-landing")

	b.do(chromedp.Click(chromedp.CSS(".feature a.button")), chromedp.WaitVisible(chromedp.CSS(".people")))
	b.inspect("02-practitioner")

	b.do(chromedp.Click(chromedp.CSS(".people a.person:not(.first)")), chromedp.WaitVisible(chromedp.CSS(".week")))
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`new URLSearchParams(location.search).get("tz") === "Europe/Berlin" && document.readyState === "complete"`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the times page did not switch to the browser's zone: %v (at %s)", err, b.location())
	}
	b.do(chromedp.WaitVisible(chromedp.CSS(".week a.slot")))
	b.mustSee("Central European Time (Berlin)")
	b.inspect("03-times")

	// Next week, so the visit is outside the cancel and reschedule cut-offs.
	b.do(chromedp.Click(chromedp.CSS(".weeknav a:last-of-type")), chromedp.WaitVisible(chromedp.CSS(".week a.slot")))
	b.mustSee("Monday 8 June")
	b.do(chromedp.Click(chromedp.CSS(".week a.slot")), chromedp.WaitVisible(chromedp.CSS("#f-patient-name")))
	b.do(
		chromedp.SendKeys(chromedp.CSS("#f-patient-name"), "Ada Lovelace"),
		chromedp.SendKeys(chromedp.CSS("#f-patient-email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.CSS("#f-patient-phone"), "+49 30 1234567"),
		chromedp.Click(chromedp.CSS(`input[name="intake.pain_areas"][value="neck"]`)),
		chromedp.Click(chromedp.CSS(`input[name="intake.duration"][value="weeks"]`)),
		chromedp.Click(chromedp.CSS(`input[name="intake.tried"][value="massage"]`)),
		chromedp.SendKeys(chromedp.CSS("#f-intake-notes"), "Stiff neck after long days at the desk."),
	)
	b.inspect("04-details")

	b.do(chromedp.Click(chromedp.CSS(`form[action$="/details"] button[type=submit]`)))
	b.waitText(".confirm", "You are booked")
	b.mustSee("on its way to ada@example.com", "Central European Time (Berlin)", "Dr. Maya Chen", "120 River Street", "Add to your calendar")
	var links map[string]string
	b.eval(`({google: document.querySelector('a[href^="https://calendar.google.com"]').href,
		outlook: document.querySelector('a[href^="https://outlook.live.com"]').href,
		ics: document.querySelector('a[href$="/calendar.ics"]').href})`, &links)
	if !strings.Contains(links["google"], "action=TEMPLATE") || !strings.Contains(links["outlook"], "startdt=") || links["ics"] == "" {
		t.Errorf("add-to-calendar links = %v", links)
	}
	b.inspect("05-confirmation")

	loc, err := url.Parse(b.location())
	must(t, "parse location", err)
	token := strings.TrimPrefix(loc.Path, "/manage/")
	d, err := a.Scheduler.Manage(context.Background(), token)
	must(t, "manage booking", err)
	if d.Patient.Email != "ada@example.com" || d.Intake == nil || d.Intake.Duration != "weeks" || d.TimeZone != "Europe/Berlin" {
		t.Errorf("stored booking = %+v, intake %+v", d.Booking, d.Intake)
	}
	checkConfirmationEmail(t, a, "ada@example.com")
	checkReferrerPolicy(t, a.URL+loc.Path)
	return a.URL + loc.Path
}

// checkConfirmationEmail runs the outbox worker once and looks for the
// patient's invitation at the SMTP server.
func checkConfirmationEmail(t *testing.T, a *app, to string) {
	t.Helper()
	sent, err := a.Worker.RunOnce(context.Background())
	must(t, "run outbox worker", err)
	if sent == 0 {
		t.Fatalf("worker sent nothing")
	}
	for _, m := range a.Mail.Messages() {
		for _, rcpt := range m.To {
			if rcpt == to && strings.Contains(m.Data, "text/calendar") {
				return
			}
		}
	}
	t.Errorf("no invitation for %s among %d messages at the SMTP server", to, len(a.Mail.Messages()))
}

func checkReferrerPolicy(t *testing.T, manageURL string) {
	t.Helper()
	res, err := http.Get(manageURL)
	must(t, "GET manage page", err)
	res.Body.Close()
	if got := res.Header.Get("Referrer-Policy"); got != "no-referrer" || res.StatusCode != http.StatusOK {
		t.Errorf("GET manage page = %d with Referrer-Policy %q, want 200 and no-referrer", res.StatusCode, got)
	}
}

// rescheduleAndCancel uses the manage link: moves the visit, then cancels it.
func rescheduleAndCancel(t *testing.T, a *app, b *browser, manageURL string) {
	ctx := context.Background()
	token := manageURL[strings.LastIndex(manageURL, "/")+1:]
	before, err := a.Scheduler.Manage(ctx, token)
	must(t, "manage booking", err)

	b.do(chromedp.Navigate(manageURL), chromedp.WaitVisible(chromedp.CSS(".reschedule summary")),
		chromedp.Click(chromedp.CSS(".reschedule summary")), chromedp.WaitVisible(chromedp.CSS(`form[action$="/reschedule"] button.slot`)))
	b.mustSee("You can reschedule online up to 12 hours", "cancel up to 24 hours")
	b.inspect("06-manage")

	b.do(chromedp.Click(chromedp.CSS(`form[action$="/reschedule"] .day:nth-child(7) button.slot`)))
	b.waitText("#confirm", "Move your visit?")
	b.inspect("06b-confirm-move")
	b.do(chromedp.Click(chromedp.CSS(`#confirm button[type=submit]`)))
	b.waitText(".flash", "Your visit was moved")
	moved, err := a.Scheduler.Manage(ctx, token)
	must(t, "manage booking", err)
	if moved.Start.Equal(before.Start) || moved.ID != before.ID {
		t.Errorf("after reschedule: booking %s at %v, before %s at %v", moved.ID, moved.Start, before.ID, before.Start)
	}

	b.do(chromedp.SendKeys(chromedp.CSS("#f-reason"), "Feeling better"),
		chromedp.Click(chromedp.CSS(`form[action$="/cancel"] button[type=submit]`)))
	b.waitText("#confirm", "Cancel your visit on")
	b.mustSee("Cancel online up to 24 hours")
	b.inspect("06c-confirm-cancel")
	b.do(chromedp.Click(chromedp.CSS(`#confirm button[type=submit]`)))
	b.waitText(".flash", "Your visit is cancelled")
	gone, err := a.Scheduler.Manage(ctx, token)
	must(t, "manage booking", err)
	if gone.Status != domain.StatusCancelled || gone.CancelReason != "Feeling better" {
		t.Errorf("after cancel: status %s, reason %q", gone.Status, gone.CancelReason)
	}
	b.inspect("07-cancelled")

	b.do(chromedp.Navigate(a.URL+"/manage/no-such-token"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	b.mustSee("Page not found")
	b.inspect("08-not-found")
}

// slotTaken opens the details form, lets another booking take the slot,
// then submits: the page says so, offers the nearest times and keeps
// everything typed.
func slotTaken(t *testing.T, a *app, b *browser) {
	times := a.URL + "/book/" + a.Review.ID + "/times?practitioner=" + a.Chiro.ID + "&tz=Europe%2FBerlin&week=2026-06-03"
	b.do(chromedp.Navigate(times), chromedp.WaitVisible(chromedp.CSS(".week a.slot")),
		chromedp.Click(chromedp.CSS(".week a.slot")), chromedp.WaitVisible(chromedp.CSS("#f-patient-name")))
	b.do(
		chromedp.SendKeys(chromedp.CSS("#f-patient-name"), "Alan Turing"),
		chromedp.SendKeys(chromedp.CSS("#f-patient-email"), "alan@example.com"),
		chromedp.Click(chromedp.CSS(`input[name="intake.pain_areas"][value="back"]`)),
		chromedp.Click(chromedp.CSS(`input[name="intake.duration"][value="months"]`)),
	)
	start, err := time.Parse(time.RFC3339, b.value(`input[name="start"]`))
	must(t, "read the chosen start", err)
	// The page holds the time; once the hold has expired someone faster
	// takes it.
	a.Clock.Advance(domain.DefaultHoldDuration + time.Second)
	_, err = a.Scheduler.Book(context.Background(), domain.BookRequest{
		ServiceID: a.Review.ID, PractitionerID: a.Chiro.ID, Start: start, Actor: domain.ActorPatient,
		Patient: domain.Patient{Name: "Eve Faster", Email: "eve@example.com"},
		Intake:  &domain.Intake{PainAreas: []string{"neck"}, Duration: "days"},
	})
	must(t, "take the slot first", err)

	b.do(chromedp.Click(chromedp.CSS(`form[action$="/details"] button[type=submit]`)))
	b.waitText("#problem", "was just taken")
	b.mustSee("Nearest open times", "Everything you typed is still here")
	if name, email := b.value("#f-patient-name"), b.value("#f-patient-email"); name != "Alan Turing" || email != "alan@example.com" {
		t.Errorf("after the clash the form holds %q, %q; want what was typed", name, email)
	}
	var kept bool
	b.eval(`document.querySelector('input[name="intake.pain_areas"][value="back"]').checked && document.querySelector('input[name="intake.duration"][value="months"]').checked`, &kept)
	if !kept {
		t.Errorf("after the clash the intake answers were lost")
	}
	b.inspect("09-slot-taken")

	b.do(chromedp.Click(chromedp.CSS(`form[action$="/details"] button[type=submit]`)))
	b.waitText(".confirm", "You are booked")
	b.mustSee("alan@example.com")
}
