package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/domain"
)

// TestTimeOffOverVisitsWarns: time off typed over a confirmed visit is not
// saved; the hours page lists the visit with free times to move it to. One
// click moves it and saves the time off. A day off over another visit,
// answered "cancel" with a message, cancels it and emails the patient.
func TestTimeOffOverVisitsWarns(t *testing.T) {
	a := startApp(t)
	ctx := context.Background()
	password := a.addStaff(t, "desk@riverside.example", domain.RoleFrontDesk)
	ny := loadZone("America/New_York")
	at := func(d, h int) time.Time {
		return domain.WallClock(domain.Date{Year: 2026, Month: 6, Day: d}, domain.At(h, 0), ny)
	}
	grace, err := a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Massage.ID, PractitionerID: a.Therapist.ID, Start: at(2, 10),
		Actor: domain.ActorPatient, Patient: domain.Patient{Name: "Grace Hopper", Email: "grace@example.com"}})
	must(t, "book Grace", err)
	kate, err := a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Massage.ID, PractitionerID: a.Therapist.ID, Start: at(3, 14),
		Actor: domain.ActorPatient, Patient: domain.Patient{Name: "Katherine Johnson", Email: "kj@example.com"}})
	must(t, "book Katherine", err)
	timeOff := func() []domain.TimeOff {
		list, err := a.Store.TimeOffs(ctx, a.Therapist.ID, at(2, 0), at(4, 0))
		must(t, "list time off", err)
		return list
	}

	b := newBrowser(t)
	hours := a.URL + "/staff/setup/hours/" + a.Therapist.ID
	b.do(chromedp.Navigate(hours), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "desk@riverside.example"), chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/staff/login"] button`)), chromedp.WaitVisible(chromedp.CSS("#f-start_date")))
	b.eval(`(() => { const v = {start_date: "2026-06-02", start_time: "09:00", end_date: "2026-06-02", end_time: "13:00", reason: "First-aid course"};
		for (const k in v) document.getElementById("f-" + k).value = v[k];
		document.getElementById("f-reason").form.requestSubmit(); return true })()`, nil)
	b.waitText("#covered-h", "1 confirmed visit falls in this time off")
	b.mustSee("Nothing is saved yet.", "Grace Hopper", "Move Grace Hopper to:", "Save and keep the visit", "emailing each patient")
	if n := len(timeOff()); n != 0 {
		t.Fatalf("the warning saved %d time off, want none yet", n)
	}
	var offered []string
	b.eval(`Array.from(document.querySelectorAll(".free-times button[name=to]")).map(b => b.value)`, &offered)
	if len(offered) == 0 {
		t.Fatal("no free times offered to move the visit to")
	}
	for _, v := range offered {
		if strings.HasPrefix(v, "2026-06-02 ") && v >= "2026-06-02 08" && v < "2026-06-02 13" {
			t.Errorf("free time %s lies in the time off being saved", v)
		}
	}
	b.axe("timeoff-covered")
	b.inspect("80-timeoff-over-visit")

	b.do(chromedp.Click(chromedp.CSS(".free-times button[name=to]")))
	b.waitText(".flash", "Saved.")
	moved, err := a.Store.Booking(ctx, grace.Booking.ID)
	must(t, "load Grace's visit", err)
	want, _ := time.ParseInLocation("2006-01-02 15:04", offered[0], ny)
	if !moved.Start.Equal(want) || moved.Status != domain.StatusConfirmed {
		t.Errorf("Grace's visit is %s at %v, want confirmed at %v", moved.Status, moved.Start, want)
	}
	if list := timeOff(); len(list) != 1 || list[0].Reason != "First-aid course" {
		t.Errorf("time off after the move = %+v, want the course", list)
	}

	// A day off over Katherine's visit: cancel it with a message.
	b.eval(`(() => { const f = document.getElementById("f-date"); f.value = "2026-06-03"; f.form.requestSubmit(); return true })()`, nil)
	b.waitText("#covered-h", "1 confirmed visit falls in this day's new hours")
	b.mustSee("Katherine Johnson")
	b.do(chromedp.SendKeys(chromedp.CSS("#f-patient_message"), "Jordan is ill that day; please book another time."),
		chromedp.Click(chromedp.CSS(`button[name=visits][value=cancel]`)))
	b.waitText(".flash", "Saved.")
	cancelled, err := a.Store.Booking(ctx, kate.Booking.ID)
	must(t, "load Katherine's visit", err)
	if cancelled.Status != domain.StatusCancelled || cancelled.CancelReason != "Jordan is ill that day; please book another time." {
		t.Errorf("Katherine's visit is %s (%q), want cancelled with the message", cancelled.Status, cancelled.CancelReason)
	}
	msgs, err := a.Store.Messages(ctx, domain.MessageFilter{BookingID: kate.Booking.ID})
	must(t, "list messages", err)
	var kinds []string
	for _, m := range msgs {
		kinds = append(kinds, fmt.Sprintf("%s to %s", m.Kind, m.To))
	}
	if !strings.Contains(strings.Join(kinds, ", "), "cancellation to kj@example.com") {
		t.Errorf("Katherine's messages = %v, want a cancellation", kinds)
	}
}
