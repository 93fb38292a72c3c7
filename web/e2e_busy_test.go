package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/notifications"
	"github.com/frontdesk/frontdesk/notifications/busycal"
)

// TestBusyCalendarPages adds a practitioner's Outlook calendar on their
// setup page by keyboard, lets the poller read it from a local server,
// and checks the status there, the shaded busy time on the staff calendar,
// and the alert once the calendar keeps failing. The URL's secret path is
// never on a page.
func TestBusyCalendarPages(t *testing.T) {
	a := startApp(t)
	b := newBrowser(t)
	ctx := context.Background()
	body, err := os.ReadFile("../notifications/busycal/testdata/outlook-published.ics")
	must(t, "read fixture", err)
	var mu sync.Mutex
	failing := false
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		_, _ = w.Write(body)
	}))
	defer feed.Close()
	const secretPath = "/owa/calendar/5c1d@riverside.example/9f8e7d6c5b4a/calendar.ics"

	password := a.addStaff(t, "desk@riverside.example", domain.RoleAdmin)
	b.do(chromedp.Navigate(a.URL+"/staff"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "desk@riverside.example"), chromedp.SendKeys(chromedp.CSS("#f-password"), password+"\r"),
		chromedp.WaitVisible(chromedp.CSS(".cal")))

	b.do(chromedp.Navigate(a.URL+"/staff/setup/hours/"+a.Therapist.ID), chromedp.WaitVisible(chromedp.CSS("#busy-h")))
	b.do(chromedp.SendKeys(chromedp.CSS("#f-url"), "ftp://nowhere/x.ics"), chromedp.SendKeys(chromedp.CSS("#f-label"), "Brooklyn clinic\r"))
	b.waitText("#problem", "starting with https://")
	b.mustSee("Give the calendar's address")
	b.do(chromedp.Navigate(a.URL+"/staff/setup/hours/"+a.Therapist.ID), chromedp.WaitVisible(chromedp.CSS("#f-url")),
		chromedp.SendKeys(chromedp.CSS("#f-url"), feed.URL+secretPath), chromedp.SendKeys(chromedp.CSS("#f-label"), "Brooklyn clinic\r"))
	b.waitText("#busy-h + p + ul", "Not read yet")

	allow, err := busycal.ParseAllow("127.0.0.1")
	must(t, "allow", err)
	bi := &domain.BusyImport{Store: a.Store.(domain.BusyStore), Fetcher: &busycal.Fetcher{Allow: allow, Timeout: 5 * time.Second},
		Expander: busycal.Expander{}, Clock: a.Clock, OwnProdID: notifications.ProdID}
	if n, err := bi.Poll(ctx); err != nil || n != 1 {
		t.Fatalf("Poll = %d, %v", n, err)
	}
	b.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#busy-h")))
	b.mustSee("Brooklyn clinic", feed.URL+"/…", "busy times")
	b.inspect("30-busy-calendars")

	b.do(chromedp.Navigate(a.URL+"/staff?date=2026-06-02"), chromedp.WaitVisible(chromedp.CSS(".cal")))
	b.mustSee("Busy", "from Brooklyn clinic")
	var shaded int
	b.eval(`document.querySelectorAll(".cal .busy").length`, &shaded)
	if shaded == 0 {
		t.Error("no shaded busy time on the calendar of Tuesday 2 June")
	}
	b.inspect("31-calendar-busy")

	mu.Lock()
	failing = true
	mu.Unlock()
	for range domain.BusyAlertAfter {
		a.Clock.Advance(domain.DefaultBusyInterval)
		if _, err := bi.Poll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	b.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".cal")))
	b.mustSee("Busy calendars failing", "Brooklyn clinic of Jordan Rivera", "503", "from Brooklyn clinic")
	b.inspect("32-calendar-busy-failing")
	b.do(chromedp.Navigate(a.URL+"/staff/setup/hours/"+a.Therapist.ID), chromedp.WaitVisible(chromedp.CSS("#busy-h")))
	b.mustSee("Last attempt failed", "last good busy times are still used")
	if html := b.text("body"); strings.Contains(html, "9f8e7d6c5b4a") {
		t.Error("the setup page shows the calendar's secret path")
	}
	var page string
	b.eval(`document.documentElement.outerHTML`, &page)
	if strings.Contains(page, "9f8e7d6c5b4a") {
		t.Error("the page's HTML holds the calendar's secret path")
	}

	b.do(chromedp.Click(chromedp.CSS(`form[action*="/busy-calendars/"] button`)))
	b.waitText("#busy-h + p + ul", "None.")
}
