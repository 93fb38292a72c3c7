package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/frontdesk/frontdesk/domain"
)

// TestRoomsPage sets up a room by keyboard alone, gives it to the massage,
// and deactivates it while a visit holds it: the page lists the visit and
// asks whether it keeps the room.
func TestRoomsPage(t *testing.T) {
	a := startApp(t)
	b := newBrowser(t)
	ctx := context.Background()
	password := a.addStaff(t, "admin@riverside.example", domain.RoleAdmin)
	b.do(chromedp.Navigate(a.URL+"/staff/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "admin@riverside.example"), chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/staff/login"] button`)), chromedp.WaitVisible(chromedp.CSS(".cal")))

	// Keyboard only: focus the name, type, Tab to the kind, Enter submits.
	b.do(chromedp.Navigate(a.URL+"/staff/setup/rooms"), chromedp.WaitVisible(chromedp.CSS("#f-name")),
		chromedp.Focus(chromedp.CSS("#f-name")), chromedp.KeyEvent("Treatment room 1"), chromedp.KeyEvent(kb.Enter))
	b.waitText(".flash", "Saved")
	b.mustSee("Treatment room 1")
	rooms, err := a.Scheduler.Rooms(ctx, true)
	if err != nil || len(rooms) != 1 || rooms[0].Name != "Treatment room 1" || !rooms[0].Active || rooms[0].Kind != domain.RoomKindRoom {
		t.Fatalf("rooms after the form = %+v, %v", rooms, err)
	}
	room := rooms[0]

	// Patients' emails name the room only when the clinic says so: the
	// checkbox saves that one setting, audited as a clinic change.
	checked := func() (on bool) {
		b.eval(`document.querySelector("#f-email_shows_room").checked`, &on)
		return on
	}
	b.do(chromedp.Navigate(a.URL+"/staff/setup/rooms"), chromedp.WaitVisible(chromedp.CSS("#f-email_shows_room")))
	if checked() {
		t.Fatal("the email setting is on before anyone set it")
	}
	b.do(chromedp.Focus(chromedp.CSS(`#f-email_shows_room`)), chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.CSS(`form[action="/staff/setup/rooms/email"] button`)), chromedp.KeyEvent(kb.Enter))
	b.waitText(".flash", "Saved")
	if !checked() {
		t.Error("the email setting is not shown on after saving it")
	}
	cl, err := a.Store.Clinic(ctx)
	if err != nil || !cl.EmailShowsRoom || cl.Name == "" || cl.TimeZone != "America/New_York" {
		t.Fatalf("clinic after the email setting = %+v, %v; want email_shows_room and the rest unchanged", cl, err)
	}
	audit, err := a.Store.Audit(ctx, domain.AuditFilter{EntityID: "clinic"})
	must(t, "audit", err)
	if len(audit) != 1 || audit[0].Action != "clinic.update" || audit[0].Actor.Role != domain.RoleAdmin {
		t.Errorf("clinic audit = %+v, want one clinic.update by the admin", audit)
	}

	// The services page offers the room; checking it by keyboard saves it.
	b.do(chromedp.Navigate(a.URL+"/staff/setup/services?edit="+a.Massage.ID), chromedp.WaitVisible(chromedp.CSS(`input[name=room_ids]`)),
		chromedp.Focus(chromedp.CSS(`input[name=room_ids]`)), chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.CSS(`#f-name`)), chromedp.KeyEvent(kb.Enter))
	b.waitText(".flash", "Saved")
	svc, err := a.Store.Service(ctx, a.Massage.ID)
	if err != nil || len(svc.RoomIDs) != 1 || svc.RoomIDs[0] != room.ID {
		t.Fatalf("massage rooms = %v, %v; want the new room", svc.RoomIDs, err)
	}
	start := domain.WallClock(domain.Date{Year: 2026, Month: 6, Day: 2}, domain.At(10, 0), loadZone("America/New_York"))
	got, err := a.Scheduler.Book(ctx, domain.BookRequest{ServiceID: a.Massage.ID, PractitionerID: a.Therapist.ID, Start: start,
		Actor: domain.ActorPatient, Patient: domain.Patient{Name: "Grace Hopper", Email: "grace@example.com"}})
	must(t, "book in the room", err)
	if got.Booking.RoomID != room.ID {
		t.Fatalf("booking room = %q, want %s", got.Booking.RoomID, room.ID)
	}

	// The day has a column per room, showing who holds it.
	b.do(chromedp.Navigate(a.URL+"/staff?view=rooms&date=2026-06-02"), chromedp.WaitVisible(chromedp.CSS(".cal")))
	b.mustSee("Treatment room 1", "Grace Hopper", "Jordan Rivera")
	b.inspect("32-calendar-rooms")
	b.do(chromedp.Navigate(a.URL+"/staff/daysheet?date=2026-06-02&practitioner="+a.Therapist.ID), chromedp.WaitVisible(chromedp.CSS(".sheetlist")))
	if got := b.text(".sheetlist tbody tr"); !strings.Contains(got, "Grace Hopper") || !strings.Contains(got, "Treatment room 1") {
		t.Errorf("day sheet row = %q, want the visit with its room", got)
	}
	b.do(chromedp.Navigate(a.URL+"/staff/bookings/"+got.Booking.ID), chromedp.WaitVisible(chromedp.CSS("#f-room_id")))
	b.mustSee("Room", "Treatment room 1")

	// Deactivating it asks about the visit first.
	b.do(chromedp.Navigate(a.URL+"/staff/setup/rooms?edit="+room.ID), chromedp.WaitVisible(chromedp.CSS(`input[name=active]`)),
		chromedp.Focus(chromedp.CSS(`input[name=active]`)), chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.CSS("#f-name")), chromedp.KeyEvent(kb.Enter))
	b.waitText("#f-future_visits legend", "1 future visit still uses")
	b.mustSee("Grace Hopper", "Tue 2 Jun 2026, 10:00", "They keep the room")
	b.inspect("30-rooms-decision")
	if r, _ := a.Store.Room(ctx, room.ID); !r.Active {
		t.Fatal("the room was deactivated before staff decided about its visit")
	}
	b.do(chromedp.Focus(chromedp.CSS(`input[name=future_visits][value=keep]`)), chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.CSS("#f-name")), chromedp.KeyEvent(kb.Enter))
	b.waitText(".flash", "Saved")
	if r, _ := a.Store.Room(ctx, room.ID); r.Active {
		t.Error("the room is still active after keep")
	}
	if d, _ := a.Store.Booking(ctx, got.Booking.ID); d.RoomID != room.ID {
		t.Errorf("the kept visit's room = %q, want %s", d.RoomID, room.ID)
	}
	b.do(chromedp.Navigate(a.URL+"/staff/setup/rooms"), chromedp.WaitVisible(chromedp.CSS("table.list")))
	b.inspect("31-rooms")
}
