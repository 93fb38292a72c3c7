package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/domain"
)

// frontDesk signs in, finds a visit on the calendar, moves it (first into a
// clash, answered inline), marks a no-show once it has started, and looks
// at every staff page.
func frontDesk(t *testing.T, a *app, b *browser) {
	ctx := context.Background()
	password := a.addStaff(t, "desk@riverside.example", domain.RoleAdmin)
	at := func(h, m int) time.Time {
		return domain.WallClock(domain.Date{Year: 2026, Month: 6, Day: 1}, domain.At(h, m), loadZone("America/New_York"))
	}
	grace, err := a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Massage.ID, PractitionerID: a.Therapist.ID, Start: at(11, 0),
		Actor: domain.ActorPatient, Patient: domain.Patient{Name: "Grace Hopper", Email: "grace@example.com"}})
	must(t, "book Grace", err)
	_, err = a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Massage.ID, PractitionerID: a.Therapist.ID, Start: at(15, 0),
		Actor: domain.ActorPatient, Patient: domain.Patient{Name: "Katherine Johnson", Email: "kj@example.com"}})
	must(t, "book Katherine", err)

	b.do(chromedp.Navigate(a.URL+"/staff"), chromedp.WaitVisible(chromedp.CSS("#f-email")))
	b.inspect("10-login")
	b.do(chromedp.SendKeys(chromedp.CSS("#f-email"), "desk@riverside.example"), chromedp.SendKeys(chromedp.CSS("#f-password"), "not the password"),
		chromedp.Click(chromedp.CSS(`form[action="/staff/login"] button`)))
	b.waitText("#problem", "The email or password is not right.")
	b.do(chromedp.SetValue(chromedp.CSS("#f-email"), "desk@riverside.example"), chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/staff/login"] button`)), chromedp.WaitVisible(chromedp.CSS(".cal")))
	b.mustSee("Grace Hopper", "Katherine Johnson", "Jordan Rivera", "Dr. Maya Chen", "Training")
	b.inspect("11-calendar-day")

	b.do(chromedp.Navigate(a.URL+"/staff?view=week&practitioner="+a.Therapist.ID), chromedp.WaitVisible(chromedp.CSS(".cal")))
	b.mustSee("Week of Monday 1 June", "Grace Hopper")
	b.inspect("12-calendar-week")

	b.do(chromedp.Navigate(a.URL+"/staff"), chromedp.WaitVisible(chromedp.CSS(".cal")),
		chromedp.Click(chromedp.CSS(`a.visit[href$="`+grace.Booking.ID+`"]`)), chromedp.WaitVisible(chromedp.CSS("#move-h")))
	b.mustSee("Grace Hopper", "Swedish Massage")
	b.inspect("13-booking")

	// Into Katherine's time: the server's overlap rule answers inline.
	b.do(chromedp.SetValue(chromedp.CSS("#f-time"), "15:15"), chromedp.Click(chromedp.CSS(`form[action$="/move"] button[type=submit]`)))
	b.waitText("#problem", "taken")
	if v := b.value("#f-time"); v != "15:15" {
		t.Errorf("after the clash the move form holds %q, want 15:30", v)
	}
	b.inspect("14-booking-clash")

	b.do(chromedp.SetValue(chromedp.CSS("#f-time"), "13:00"), chromedp.Click(chromedp.CSS(`form[action$="/move"] button[type=submit]`)))
	b.waitText(".flash", "The visit was moved.")
	moved, err := a.Store.Booking(ctx, grace.Booking.ID)
	must(t, "load moved booking", err)
	if !moved.Start.Equal(at(13, 0)) {
		t.Errorf("moved visit starts %v, want %v", moved.Start, at(13, 0))
	}

	a.Clock.Set(at(13, 20))
	b.do(chromedp.Navigate(a.URL+"/staff/bookings/"+grace.Booking.ID), chromedp.WaitVisible(chromedp.CSS(`button[name=status][value=no_show]`)),
		chromedp.Click(chromedp.CSS(`button[name=status][value=no_show]`)))
	b.waitText(".flash", "Status updated.")
	b.mustSee("No show")
	noShow, err := a.Store.Booking(ctx, grace.Booking.ID)
	must(t, "load booking", err)
	if noShow.Status != domain.StatusNoShow {
		t.Errorf("status = %s, want no_show", noShow.Status)
	}

	staffPages := []struct{ name, path, sees string }{
		{"15-new-booking", "/staff/bookings/new?q=grace", "Grace Hopper"},
		{"16-patients", "/staff/patients?q=example", "Katherine Johnson"},
		{"17-practitioners", "/staff/setup/practitioners", "Jordan Rivera"},
		{"18-services", "/staff/setup/services", "Complimentary Case Review"},
		{"19-users", "/staff/setup/users", "desk@riverside.example"},
		{"20-hours", "/staff/setup/hours/" + a.Therapist.ID, "Training"},
		{"21-notifications", "/staff/notifications", "grace@example.com"},
		{"22-feeds", "/staff/feeds", "Make a feed link"},
	}
	for _, p := range staffPages {
		b.do(chromedp.Navigate(a.URL+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		b.mustSee(p.sees)
		b.inspect(p.name)
	}
	b.do(chromedp.Click(chromedp.CSS(`form[action="/staff/feeds"] button.primary`)))
	b.waitText(".newfeed", "New link")
	if v := b.value("#feed-webcal"); len(v) < 20 || v[:9] != "webcal://" {
		t.Errorf("new feed link = %q, want webcal://…", v)
	}
	b.inspect("23-feed-created")

	b.do(chromedp.Click(chromedp.CSS(".logout button")))
	b.waitText("h1", "Staff sign-in")
	b.do(chromedp.Navigate(a.URL + "/staff/setup/users"))
	b.waitText("h1", "Staff sign-in")
}
