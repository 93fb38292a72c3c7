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

// TestReportsAndWidgetPages: an admin picks a period on the reports page by
// keyboard and sees the funnel, utilisation, heat map and no-shows of a
// seeded May; the website widget page shows the snippet, follows the form,
// and its live preview opens the booking pages framed from Frontdesk itself.
func TestReportsAndWidgetPages(t *testing.T) {
	a := startApp(t)
	ctx := context.Background()
	ny := loadZone("America/New_York")
	add := func(svc domain.Service, p domain.Practitioner, email string, day, hour int, st domain.Status, src domain.Source, campaign string) {
		start := time.Date(2026, 5, day, hour, 0, 0, 0, ny).UTC()
		_, hash := domain.NewToken()
		b := domain.Booking{ID: domain.NewID(), UID: domain.NewID(), ServiceID: svc.ID, PractitionerID: p.ID,
			Start: start, End: start.Add(svc.Duration), BlockStart: start, BlockEnd: start.Add(svc.Duration + svc.BufferAfter),
			Status: st, Complimentary: svc.Kind == domain.KindCaseReview, Source: src, Attribution: domain.Attribution{UTMCampaign: campaign},
			TimeZone: "America/New_York", ManageHash: hash, CreatedAt: start.Add(-72 * time.Hour), UpdatedAt: start}
		if st == domain.StatusCancelled {
			b.CancelledAt = start.Add(-time.Hour)
		}
		pat := domain.Patient{Name: "Patient " + email, Email: email}
		must(t, "seed booking", a.Store.CreateBooking(ctx, &b, &pat, domain.Effects{}))
	}
	add(a.Review, a.Chiro, "p1@example.com", 4, 9, domain.StatusArrived, domain.SourceEmbed, "spring-neck")
	add(a.Review, a.Chiro, "p2@example.com", 5, 10, domain.StatusNoShow, domain.SourceEmbed, "spring-neck")
	add(a.Review, a.Chiro, "p3@example.com", 6, 11, domain.StatusCompleted, domain.SourceOnline, "")
	add(a.Massage, a.Therapist, "p1@example.com", 11, 14, domain.StatusCompleted, domain.SourceOnline, "")
	add(a.Massage, a.Therapist, "p4@example.com", 12, 15, domain.StatusCancelled, domain.SourceOnline, "")

	password := a.addStaff(t, "owner@riverside.example", domain.RoleAdmin)
	b := newBrowser(t)
	b.do(chromedp.Navigate(a.URL+"/staff/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")))
	b.do(chromedp.SendKeys(chromedp.CSS("#f-email"), "owner@riverside.example"), chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/staff/login"] button`)), chromedp.WaitVisible(chromedp.CSS(".cal")))

	b.do(chromedp.Click(chromedp.CSS(`.staffnav a[href="/staff/reports"]`)), chromedp.WaitVisible(chromedp.CSS(".reportrange")))
	// The period by keyboard: type the days, Enter submits.
	b.do(chromedp.Focus(chromedp.CSS("#f-from")), chromedp.SendKeys(chromedp.CSS("#f-from"), "05012026"),
		chromedp.Focus(chromedp.CSS("#f-to")), chromedp.SendKeys(chromedp.CSS("#f-to"), "05312026"), chromedp.KeyEvent(kb.Enter))
	b.waitJS(`location.search.includes("from=2026-05-01") && location.search.includes("to=2026-05-31")`)
	b.mustSee("Case reviews booked", "3 (100%)", "Attended", "2 (67%)", "Treatment booked", "1 (33%)", "spring-neck", "Embed",
		"Dr. Maya Chen", "Jordan Rivera", "Swedish Massage — 60 min", "Download the funnel as CSV")
	var cells int
	b.eval(`document.querySelectorAll("svg.heat rect").length`, &cells)
	if cells < 7*8 {
		t.Errorf("heat map has %d cells, want at least 7 rows of 8 hours", cells)
	}
	var csvLinks []string
	b.eval(`Array.from(document.querySelectorAll("a[download]")).map(a => a.getAttribute("href"))`, &csvLinks)
	if len(csvLinks) != 4 || !strings.Contains(csvLinks[0], "format=csv") {
		t.Errorf("CSV links = %v", csvLinks)
	}
	b.inspect("30-reports")

	b.do(chromedp.Navigate(a.URL+"/staff/setup/embed"), chromedp.WaitVisible(chromedp.CSS(".preview .fdx-button")))
	if got := b.value("#f-snippet"); got != `<script src="`+a.URL+`/embed.js" data-service="case_review" async></script>` {
		t.Errorf("snippet = %s", got)
	}
	b.do(chromedp.Click(chromedp.CSS(`input[name="mode"][value="inline"]`)), chromedp.WaitVisible(chromedp.CSS(".preview iframe.fdx-frame")))
	if got := b.value("#f-snippet"); got != `<script src="`+a.URL+`/embed.js" data-service="case_review" data-mode="inline" async></script>` {
		t.Errorf("snippet after choosing inline = %s", got)
	}
	b.waitFrameHeight()
	b.inFrame(chromedp.WaitVisible, ".people")
	b.inspect("31-widget-setup")
}

// waitJS waits until js is true in a loaded page, riding out navigations.
func (b *browser) waitJS(js string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && (`+js+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.t.Fatalf("never true at %s: %s", b.location(), js)
}
