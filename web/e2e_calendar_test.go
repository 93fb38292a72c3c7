package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/frontdesk/frontdesk/domain"
)

// deskDay is a day of the calendar tests, in the clinic's zone.
func deskAt(day, h, m int) time.Time {
	return domain.WallClock(domain.Date{Year: 2026, Month: 6, Day: day}, domain.At(h, m), loadZone("America/New_York"))
}

// addThird adds Sam Patel, who gives massages and case reviews 9:00–17:00.
func (a *app) addThird(t *testing.T) domain.Practitioner {
	t.Helper()
	ctx := context.Background()
	p := domain.Practitioner{Name: "Sam Patel", Title: "Massage & chiropractic", TimeZone: "America/New_York", Active: true, Color: "#9333ea",
		ServiceIDs: []string{a.Massage.ID, a.Review.ID}}
	must(t, "create Sam", a.Store.CreatePractitioner(ctx, &p))
	var hours []domain.WorkingHours
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		hours = append(hours, domain.WorkingHours{PractitionerID: p.ID, Weekday: wd, Range: domain.TimeRange{Start: domain.At(9, 0), End: domain.At(17, 0)}})
	}
	must(t, "set Sam's hours", a.Store.SetWorkingHours(ctx, p.ID, hours))
	return p
}

// deskActor is the staff user with the email, as an actor.
func (a *app) deskActor(t *testing.T, email string) domain.Actor {
	t.Helper()
	u, err := a.Store.UserByEmail(context.Background(), email)
	must(t, "find "+email, err)
	return domain.ActorOf(u)
}

// staffBook books as the front desk (overbook when asked).
func (a *app) staffBook(t *testing.T, svc domain.Service, p domain.Practitioner, start time.Time, name string, overbook bool) domain.Booking {
	t.Helper()
	if _, err := a.Store.UserByEmail(context.Background(), "other.desk@riverside.example"); err != nil {
		a.addStaff(t, "other.desk@riverside.example", domain.RoleFrontDesk)
	}
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"
	req := domain.BookRequest{ServiceID: svc.ID, PractitionerID: p.ID, Start: start, Actor: a.deskActor(t, "other.desk@riverside.example"),
		Patient: domain.Patient{Name: name, Email: email, Phone: "+1 555 0100"}, Overbook: overbook, Notes: "Called in."}
	if svc.Kind == domain.KindCaseReview {
		req.Intake = &domain.Intake{PainAreas: []string{"neck"}, Duration: "weeks", Tried: []string{"nothing"}, Notes: "Stiff in the morning."}
	}
	got, err := a.Scheduler.Book(context.Background(), req)
	must(t, "book "+name, err)
	return got.Booking.Booking
}

func (b *browser) signIn(a *app, email, password string) {
	b.t.Helper()
	b.do(chromedp.Navigate(a.URL+"/staff/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		chromedp.SendKeys(chromedp.CSS("#f-email"), email), chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/staff/login"] button`)), chromedp.WaitVisible(chromedp.CSS(".cal")))
}

// center is the middle of the first element matching css, in the viewport.
func (b *browser) center(css string) (x, y float64) {
	b.t.Helper()
	var r struct{ X, Y float64 }
	b.eval(fmt.Sprintf(`(function(){ var e = document.querySelector(%q); e.scrollIntoView({block: "center", inline: "center"});
		var r = e.getBoundingClientRect(); return {X: r.left + r.width / 2, Y: r.top + Math.min(r.height / 2, 8)}; })()`, css), &r)
	return r.X, r.Y
}

// drag presses on from, moves in steps to to, and lets go.
func (b *browser) drag(fromX, fromY, toX, toY float64) {
	b.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MouseMoved, fromX, fromY),
		chromedp.MouseEvent(chromedp.MousePressed, fromX, fromY, chromedp.ButtonLeft, chromedp.ClickCount(1))}
	for i := 1; i <= 10; i++ {
		x, y := fromX+(toX-fromX)*float64(i)/10, fromY+(toY-fromY)*float64(i)/10
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x, y, chromedp.ButtonLeft, func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, toX, toY, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	b.do(steps...)
}

// settle waits until the calendar is the server's latest and laid out: a
// refresh that a booking started may still be on its way, and it replaces
// the cards a drag would grab (refresh chains onto one in flight).
func (b *browser) settle() {
	b.t.Helper()
	var ok bool
	b.eval(`window.frontdesk.refresh().then(function () {
		return new Promise(function (done) { requestAnimationFrame(function () { requestAnimationFrame(function () { done(true); }); }); });
	})`, &ok)
}

// rowTop is the viewport y of the top of a clinic-local minute on the grid.
func (b *browser) rowY(hhmm string) float64 {
	b.t.Helper()
	var y float64
	b.eval(fmt.Sprintf(`(function(){ var g = document.getElementById("cal-grid"), line = g.querySelector(".line");
		var m = %d, start = +g.getAttribute("data-start-min"), r = line.getBoundingClientRect();
		return r.top + (m - start) / 15 * r.height; })()`, minutesOf(hhmm)), &y)
	return y
}

func minutesOf(hhmm string) int {
	var h, m int
	fmt.Sscanf(hhmm, "%d:%d", &h, &m)
	return h*60 + m
}

// colX is the viewport x of the middle of a practitioner's column.
func (b *browser) colX(practitionerID string) float64 {
	b.t.Helper()
	var x float64
	b.eval(fmt.Sprintf(`(function(){ var h = document.querySelector('#cal-grid .colhead[data-practitioner=%q]'); var r = h.getBoundingClientRect(); return r.left + r.width / 2; })()`, practitionerID), &x)
	return x
}

// TestFrontDeskCalendar runs a morning at the desk in Chromium: click a
// free time and book it in the panel, drag a visit to another
// practitioner, drag one onto a taken time (who is in the way is said, the
// visit stays), mark arrived and undo by keys, refuse a stale move, and
// print the day sheet to PDF.
func TestFrontDeskCalendar(t *testing.T) {
	a := startApp(t)
	b := newBrowser(t)
	ctx := context.Background()
	sam := a.addThird(t)
	password := a.addStaff(t, "desk@riverside.example", domain.RoleFrontDesk)
	grace := a.staffBook(t, a.Massage, a.Therapist, deskAt(2, 10, 0), "Grace Hopper", false)
	kj := a.staffBook(t, a.Massage, a.Therapist, deskAt(2, 14, 0), "Katherine Johnson", false)
	b.signIn(a, "desk@riverside.example", password)
	b.do(chromedp.Navigate(a.URL+"/staff?date=2026-06-02"), chromedp.WaitVisible(chromedp.CSS("#cal-grid")))
	b.mustSee("Grace Hopper", "Katherine Johnson", "Sam Patel", "Keyboard shortcuts", "Confirmed")

	// Click Sam's free 11:00: the panel opens with Sam, the day and the time.
	free := fmt.Sprintf(`#cal-grid a.free[data-practitioner=%q][data-time="11:00"]`, sam.ID)
	x, y := b.center(free)
	b.do(chromedp.MouseClickXY(x, y), chromedp.WaitVisible(chromedp.CSS("#book-panel #f-time")))
	if got := b.value("#book-panel #f-time"); got != "11:00" {
		t.Errorf("panel time = %q, want 11:00", got)
	}
	if got := b.value("#book-panel #f-practitioner_id"); got != sam.ID {
		t.Errorf("panel practitioner = %q, want Sam", got)
	}
	if got := b.value("#book-panel #f-date"); got != "2026-06-02" {
		t.Errorf("panel date = %q", got)
	}
	// The massage: the free times list follows the service.
	b.do(chromedp.SetValue(chromedp.CSS("#book-panel #f-service_id"), a.Massage.ID),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#book-panel #f-service_id").dispatchEvent(new Event("change", {bubbles: true}))`))
	b.waitText("#book-panel #free-times", "Swedish Massage")
	b.waitText("#book-panel #free-times", "11:00 AM")
	b.inspect("40-calendar-panel")
	b.do(chromedp.Click(chromedp.CSS(`#book-panel #free-times a.slot[data-time="11:30"]`)))
	if got := b.value("#book-panel #f-time"); got != "11:30" {
		t.Errorf("after choosing 11:30 the time is %q", got)
	}
	b.do(chromedp.SetValue(chromedp.CSS("#book-panel #f-time"), "11:05"), // any minute
		chromedp.SendKeys(chromedp.CSS(`#book-panel [name="patient.name"]`), "Mary Jackson"),
		chromedp.SendKeys(chromedp.CSS(`#book-panel [name="patient.email"]`), "mary@example.com"),
		chromedp.Click(chromedp.CSS(`#book-panel button[type=submit].primary`)))
	b.waitText("#cal-message", "The visit was booked.")
	b.waitText("#cal-grid", "Mary Jackson")
	b.do(chromedp.WaitNotVisible(chromedp.CSS("#book-panel")))
	mary, err := a.Store.Bookings(ctx, domain.BookingFilter{PractitionerID: sam.ID, From: deskAt(2, 0, 0), To: deskAt(3, 0, 0)})
	must(t, "Sam's day", err)
	if len(mary) != 1 || mary[0].Patient.Name != "Mary Jackson" || !mary[0].Start.Equal(deskAt(2, 11, 5)) || mary[0].ServiceID != a.Massage.ID {
		t.Fatalf("Sam's day after the panel = %+v, want Mary's massage at 11:05", mary)
	}

	// An existing patient, found from the panel: Grace again, with Sam at 1 PM.
	x, y = b.center(fmt.Sprintf(`#cal-grid a.free[data-practitioner=%q][data-time="13:00"]`, sam.ID))
	b.do(chromedp.MouseClickXY(x, y), chromedp.WaitVisible(chromedp.CSS("#book-panel #q")),
		chromedp.SendKeys(chromedp.CSS("#book-panel #q"), "grace"+kb.Enter))
	b.waitText("#book-panel #f-patient_id", "grace.hopper@example.com")
	b.do(chromedp.Click(chromedp.CSS(`#book-panel input[name=patient_id]:not([value=""])`)),
		chromedp.SetValue(chromedp.CSS("#book-panel #f-service_id"), a.Massage.ID))
	if got := b.value("#book-panel #f-time"); got != "13:00" {
		t.Errorf("after the search the panel's time is %q, want 13:00", got)
	}
	b.do(chromedp.Click(chromedp.CSS(`#book-panel button[type=submit].primary`)))
	b.waitText("#cal-message", "The visit was booked.")
	b.do(chromedp.WaitNotVisible(chromedp.CSS("#book-panel")))
	again, err := a.Store.Bookings(ctx, domain.BookingFilter{PatientID: grace.PatientID, From: deskAt(2, 0, 0), To: deskAt(3, 0, 0)})
	must(t, "Grace's day", err)
	if len(again) != 2 || again[1].PractitionerID != sam.ID || !again[1].Start.Equal(deskAt(2, 13, 0)) {
		t.Fatalf("Grace's visits after the panel search = %d, want her 10:00 and Sam at 13:00", len(again))
	}

	// Drag Grace from Jordan to Sam at 9:00.
	b.settle()
	gx, gy := b.center("#v-" + grace.ID)
	var grab float64
	b.eval(fmt.Sprintf(`document.getElementById("v-%s").getBoundingClientRect().top`, grace.ID), &grab)
	b.drag(gx, gy, b.colX(sam.ID), b.rowY("09:00")+(gy-grab))
	b.waitText("#cal-message", "Grace Hopper moved to 9:00 AM with Sam Patel")
	moved, err := a.Store.Booking(ctx, grace.ID)
	must(t, "load Grace", err)
	if moved.PractitionerID != sam.ID || !moved.Start.Equal(deskAt(2, 9, 0)) {
		t.Fatalf("Grace after the drag: %s at %s, want Sam at 9:00", moved.Practitioner.Name, moved.Start)
	}
	b.waitText(fmt.Sprintf(`#v-%s[data-practitioner=%q][data-time="09:00"]`, grace.ID, sam.ID), "Grace Hopper") // her card is in Sam's column

	// Drag Katherine onto Sam's 9:30: Grace is in the way; nothing moves.
	b.settle()
	kx, ky := b.center("#v-" + kj.ID)
	b.eval(fmt.Sprintf(`document.getElementById("v-%s").getBoundingClientRect().top`, kj.ID), &grab)
	b.drag(kx, ky, b.colX(sam.ID), b.rowY("09:30")+(ky-grab))
	b.waitText("#cal-message", "In the way: Grace Hopper 9:00 AM–10:00 AM")
	b.snap("41-calendar-clash")
	still, err := a.Store.Booking(ctx, kj.ID)
	must(t, "load Katherine", err)
	if still.PractitionerID != a.Therapist.ID || !still.Start.Equal(kj.Start) || still.Version() != kj.Version() {
		t.Errorf("the refused drag changed Katherine: %s at %s", still.Practitioner.Name, still.Start)
	}
	var back string
	b.eval(fmt.Sprintf(`document.getElementById("v-%s").getAttribute("data-practitioner")`, kj.ID), &back)
	if back != a.Therapist.ID {
		t.Errorf("Katherine's card is in column %s after the refused drag", back)
	}

	// Keys: focus Grace, a = arrived, u = undo.
	b.do(chromedp.Focus(chromedp.CSS("#v-"+grace.ID)), chromedp.KeyEvent("a"))
	b.waitText("#cal-message", "Grace Hopper: Arrived.")
	b.waitText("#v-"+grace.ID, "Arrived")
	if got, _ := a.Store.Booking(ctx, grace.ID); got.Status != domain.StatusArrived {
		t.Fatalf("after a: status %s, want arrived", got.Status)
	}
	b.snap("42-calendar-arrived")
	b.do(chromedp.KeyEvent("u"))
	b.waitText("#cal-message", "Grace Hopper: back to Confirmed.")
	b.waitText("#v-"+grace.ID, "Confirmed")
	if got, _ := a.Store.Booking(ctx, grace.ID); got.Status != domain.StatusConfirmed {
		t.Fatalf("after u: status %s, want confirmed", got.Status)
	}

	// Another desk moves Katherine behind this page; the keyboard move from
	// the stale page is refused and the calendar shows the newer data.
	a.Clock.Set(a.Clock.Now().Add(time.Minute))
	_, err = a.Scheduler.Move(ctx, domain.MoveRequest{Actor: a.deskActor(t, "other.desk@riverside.example"), ID: kj.ID, Start: deskAt(2, 15, 0)})
	must(t, "the other desk's move", err)
	b.do(chromedp.Focus(chromedp.CSS("#v-"+kj.ID)), chromedp.KeyEvent("v"), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	b.waitText("#cal-message", "Moving Katherine Johnson to 2:30 PM")
	b.do(chromedp.KeyEvent(kb.Enter))
	b.waitText("#cal-message", "Someone else changed this visit meanwhile")
	b.waitText(fmt.Sprintf(`#v-%s[data-time="15:00"]`, kj.ID), "Katherine Johnson")
	if got, _ := a.Store.Booking(ctx, kj.ID); !got.Start.Equal(deskAt(2, 15, 0)) {
		t.Errorf("the stale move overwrote the newer one: Katherine at %s", got.Start)
	}

	// The day sheet prints, a page per practitioner, with every visit.
	b.do(chromedp.Navigate(a.URL+"/staff/daysheet?date=2026-06-02"), chromedp.WaitVisible(chromedp.CSS(".sheet")))
	pdf := b.printPDF("43-daysheet")
	text := pdfText(t, pdf)
	for _, want := range []string{"Grace Hopper", "Katherine Johnson", "Mary Jackson", "Sam Patel", "Jordan Rivera", "Dr. Maya Chen", "9:00 AM", "3:00 PM", "11:05 AM", "1:00 PM"} {
		if !strings.Contains(squash(text), squash(want)) {
			t.Errorf("the printed day sheet does not say %q; it says:\n%s", want, text)
		}
	}
	if n := pdfPages(pdf); n != 3 {
		t.Errorf("the day sheet printed on %d pages, want 3 (one per practitioner)", n)
	}
}

// snap saves the page as it is now, after changes made in place (a fresh
// page is weighed by inspect; the refreshes here would count twice).
func (b *browser) snap(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatalf("save screenshot: %v", err)
	}
	b.axe(name)
}

// printPDF prints the page as Chromium would and saves it with the
// screenshots.
func (b *browser) printPDF(name string) []byte {
	b.t.Helper()
	var pdf []byte
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{})
		pdf = res.Data
		return err
	}))
	if err := os.WriteFile(filepath.Join(b.dir, name+".pdf"), pdf, 0o644); err != nil {
		b.t.Fatalf("save pdf: %v", err)
	}
	return pdf
}

// squash drops whitespace and undoes ligatures: the PDF's text runs split
// words differently and print "ﬁ" for "fi".
func squash(s string) string {
	return ligatures.Replace(strings.Join(strings.Fields(s), ""))
}

var ligatures = strings.NewReplacer("ﬀ", "ff", "ﬁ", "fi", "ﬂ", "fl", "ﬃ", "ffi", "ﬄ", "ffl")

// fullDay books Monday 1 June as a busy clinic: 33 visits across three
// practitioners, three deliberate overbooks, and by 12:45 every status.
func fullDay(t *testing.T, a *app, sam domain.Practitioner) []domain.Booking {
	t.Helper()
	names := strings.Split("Ada Lovelace,Alan Turing,Barbara Liskov,Claude Shannon,Dorothy Vaughan,Edsger Dijkstra,Frances Allen,Grace Hopper,"+
		"Hedy Lamarr,Ivan Sutherland,Joan Clarke,Ken Thompson,Leslie Lamport,Margaret Hamilton,Niklaus Wirth,Olga Taussky,Peter Naur,"+
		"Radia Perlman,Shafi Goldwasser,Tim Berners-Lee,Ursula Franklin,Vint Cerf,Wendy Hall,Xiao Ming,Yukihiro Matsumoto,Zhores Alferov,"+
		"Annie Easley,Bjarne Stroustrup,Carol Shaw,Dennis Ritchie,Evelyn Boyd,Fran Bilas,Gordon Bell", ",")
	type v struct {
		svc      domain.Service
		p        domain.Practitioner
		h, m     int
		overbook bool
	}
	var plan []v
	for _, hm := range [][2]int{{9, 0}, {9, 20}, {9, 40}, {10, 0}, {10, 20}, {10, 40}, {11, 0}, {11, 20}, {11, 40}, {13, 0}, {13, 20}, {13, 40}, {14, 0}, {14, 20}} {
		plan = append(plan, v{a.Review, a.Chiro, hm[0], hm[1], false})
	}
	plan = append(plan, v{a.Review, a.Chiro, 10, 0, true}, v{a.Review, a.Chiro, 10, 5, true})
	for _, hm := range [][2]int{{9, 0}, {10, 10}, {11, 20}, {12, 30}, {13, 40}, {14, 50}} {
		plan = append(plan, v{a.Massage, a.Therapist, hm[0], hm[1], false})
	}
	plan = append(plan, v{a.Massage, a.Therapist, 9, 30, true})
	for _, x := range []v{{a.Massage, sam, 9, 0, false}, {a.Review, sam, 10, 10, false}, {a.Review, sam, 10, 30, false}, {a.Massage, sam, 11, 0, false},
		{a.Massage, sam, 12, 10, false}, {a.Review, sam, 13, 30, false}, {a.Review, sam, 13, 50, false}, {a.Massage, sam, 14, 10, false},
		{a.Massage, sam, 15, 20, false}, {a.Review, sam, 11, 15, true}} {
		plan = append(plan, x)
	}
	var out []domain.Booking
	for i, x := range plan {
		out = append(out, a.staffBook(t, x.svc, x.p, deskAt(1, x.h, x.m), names[i%len(names)], x.overbook))
	}
	ctx := context.Background()
	a.Clock.Set(deskAt(1, 12, 45))
	desk := a.deskActor(t, "other.desk@riverside.example")
	set := func(i int, st domain.Status) {
		_, err := a.Scheduler.SetStatus(ctx, desk, out[i].ID, st)
		must(t, "status of "+names[i], err)
	}
	for _, i := range []int{0, 2, 3, 4, 5, 6, 7, 16, 17, 23, 24, 25} {
		set(i, domain.StatusCompleted)
	}
	set(1, domain.StatusNoShow)
	set(19, domain.StatusArrived) // the 12:30 massage
	set(27, domain.StatusArrived) // Sam's 12:10
	_, err := a.Scheduler.Cancel(ctx, desk, out[13].ID, "Called in sick")
	must(t, "cancel", err)
	return out
}

// TestCalendarFullDay saves a full day at desktop (1440) and tablet (820)
// width, with the week, month and day sheet, and checks the day's layout:
// every visit shown with its status, overlapping visits side by side and
// never covering each other.
func TestCalendarFullDay(t *testing.T) {
	a := startApp(t)
	b := newBrowser(t)
	sam := a.addThird(t)
	password := a.addStaff(t, "desk@riverside.example", domain.RoleAdmin)
	visits := fullDay(t, a, sam)
	b.signIn(a, "desk@riverside.example", password)
	b.do(chromedp.Navigate(a.URL+"/staff?date=2026-06-01&cancelled=1"), chromedp.WaitVisible(chromedp.CSS("#cal-grid")))
	var shown int
	b.eval(`document.querySelectorAll("#cal-grid .visit").length`, &shown)
	if shown != len(visits) {
		t.Errorf("the day shows %d visits, want %d", shown, len(visits))
	}
	b.mustSee("Completed", "No-show", "Arrived", "Cancelled", "Confirmed", "Overbooked", "Training", "12:45 PM")
	// No two visit cards overlap on screen, hovered or not.
	overlapJS := `(function(){ var cs = Array.from(document.querySelectorAll("#cal-grid .visit")).map(e => e.getBoundingClientRect()), n = 0;
		for (var i = 0; i < cs.length; i++) for (var j = i + 1; j < cs.length; j++) {
			var a = cs[i], b = cs[j];
			if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) n++;
		} return n; })()`
	for _, w := range []int64{1440, 820} {
		var n int
		b.do(chromedp.EmulateViewport(w, 1000))
		b.eval(overlapJS, &n)
		if n != 0 {
			t.Errorf("at %d px, %d pairs of visit cards cover each other", w, n)
		}
	}
	long := fmt.Sprintf("#v-%s", visits[16].ID) // Jordan's 9:00 massage, beside the 9:30 squeeze-in
	x, y := b.center(long)
	b.do(chromedp.MouseEvent(chromedp.MouseMoved, x, y))
	var n int
	b.eval(overlapJS, &n)
	if n != 0 {
		t.Errorf("hovering a long visit, %d pairs of cards cover each other", n)
	}
	b.wide("50-full-day")
	b.do(chromedp.Navigate(a.URL+"/staff?view=week&date=2026-06-01"), chromedp.WaitVisible(chromedp.CSS("#cal-grid")))
	b.mustSee("Week of Monday 1 June", "Sam Patel", "Jordan Rivera", "Dr. Maya Chen")
	b.wide("51-week-everyone")
	b.do(chromedp.Navigate(a.URL+"/staff?view=week&date=2026-06-01&practitioner="+sam.ID), chromedp.WaitVisible(chromedp.CSS("#cal-grid")))
	b.wide("52-week-sam")
	b.do(chromedp.Navigate(a.URL+"/staff?view=month&date=2026-06-01"), chromedp.WaitVisible(chromedp.CSS("table.month")))
	b.mustSee("June 2026", "32 visits", "Dr. Maya Chen: 15")
	b.wide("53-month")
	b.do(chromedp.Navigate(a.URL+"/staff/daysheet?date=2026-06-01"), chromedp.WaitVisible(chromedp.CSS(".sheet")))
	b.wide("54-daysheet")
	text := squash(pdfText(t, b.printPDF("55-daysheet-full")))
	for i, v := range visits {
		if i == 13 {
			continue // cancelled: not on the sheet
		}
		d, err := a.Store.Booking(context.Background(), v.ID)
		must(t, "load visit", err)
		if !strings.Contains(text, squash(d.Patient.Name)) {
			t.Errorf("the printed day sheet misses %s", d.Patient.Name)
		}
	}
}

// wide saves the page at desktop (1440) and tablet (820) width and runs
// axe-core on it.
func (b *browser) wide(name string) {
	b.t.Helper()
	b.screenshots(name, viewport{"desktop", 1440, 900}, viewport{"tablet", 820, 1180})
	b.axe(name)
}
