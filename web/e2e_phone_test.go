package web

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// phoneScreen is an iPhone 12–15's viewport in CSS pixels.
const phoneWidth, phoneHeight = 390, 844

// TestPhoneTimesWeekOnOneScreen: on a phone the week of open times is a
// day picker, so choosing a time takes about one screen, not a scroll
// through seven days of slots; every day stays one tap (or arrow key) away.
func TestPhoneTimesWeekOnOneScreen(t *testing.T) {
	a := startApp(t)
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(phoneWidth, phoneHeight))
	times := a.URL + "/book/" + a.Massage.ID + "/times?practitioner=" + a.Therapist.ID + "&tz=Europe%2FBerlin&week=2026-06-02"
	b.do(chromedp.Navigate(times), chromedp.WaitVisible(chromedp.CSS(".week a.slot")))
	shot(t, b, "times-phone")
	// From the week's navigation to its last time: what the patient scans
	// to choose (before the day picker, about 4,200 px of the page's 4,567).
	var span, page float64
	b.eval(`document.querySelector(".week").getBoundingClientRect().bottom - document.querySelector(".weeknav").getBoundingClientRect().top`, &span)
	b.eval(`document.documentElement.scrollHeight`, &page)
	if span > phoneHeight || page > 1.5*phoneHeight {
		t.Errorf("at %d px wide the week takes %.0f px and the page %.0f px; want the week on one screen (%d px)", phoneWidth, span, page, phoneHeight)
	}
	t.Logf("phone: week %.0f px, page %.0f px", span, page)
	// Another day is one tap away and shows its times.
	var shown int
	b.do(chromedp.Click(chromedp.CSS(`label[for="pick-3"]`)))
	b.eval(`Array.from(document.querySelectorAll(".week .day")).filter(d => d.offsetParent !== null).length`, &shown)
	var third string
	b.eval(`(Array.from(document.querySelectorAll(".week .day")).find(d => d.offsetParent !== null) || {}).ariaLabel || ""`, &third)
	if shown != 1 || third == "" || third != b.attr(".week .day:nth-child(4)", "aria-label") {
		t.Errorf("after choosing the fourth day %d days show (%q); want that day alone", shown, third)
	}
	shot(t, b, "times-phone-day4")
	// On a desktop the whole week shows side by side.
	b.do(chromedp.EmulateViewport(1366, 900))
	b.eval(`Array.from(document.querySelectorAll(".week .day")).filter(d => d.offsetParent !== null).length`, &shown)
	if shown != 7 {
		t.Errorf("desktop shows %d days, want the week", shown)
	}
	shot(t, b, "times-desktop")
	b.axe("times-phone")
}

// attr returns an attribute of the first element matching css.
func (b *browser) attr(css, name string) string {
	b.t.Helper()
	var v string
	b.eval(`(document.querySelector(`+jsString(css)+`) || {getAttribute(){return ""}}).getAttribute(`+jsString(name)+`) || ""`, &v)
	return v
}

func jsString(s string) string { return "'" + s + "'" }

// shot saves a screenshot of the whole page under name.
func shot(t *testing.T, b *browser, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644); err != nil {
		t.Fatalf("save screenshot: %v", err)
	}
}

// TestDetailsPageInBrowser: the details page of a visit inside the cancel
// cut-off, booked from another zone, warns, shows both clocks, and
// suggests the fix of a typed email typo without blocking.
func TestDetailsPageInBrowser(t *testing.T) {
	a := startApp(t)
	b := newBrowser(t)
	details := a.URL + detailsURL(a.Massage.ID, a.Therapist.ID, nyAt(0, 15, 0), "Europe/Berlin", arrival{})
	b.do(chromedp.Navigate(details), chromedp.WaitVisible(chromedp.CSS("#f-patient-email")))
	b.mustSee("cannot be cancelled online", "9:00 PM your time · 3:00 PM at the clinic")
	b.do(chromedp.SendKeys(chromedp.CSS("#f-patient-name"), "Mary Jackson"),
		chromedp.SendKeys(chromedp.CSS("#f-patient-email"), "mary@gmial.com\t"))
	b.waitText("#f-patient-email-suggest", "Did you mean mary@gmail.com?")
	b.inspect("10-details-typo")
	b.do(chromedp.Click(chromedp.CSS("#f-patient-email-suggest button")))
	if got := b.value("#f-patient-email"); got != "mary@gmail.com" {
		t.Errorf("after taking the suggestion the email is %q", got)
	}
	b.do(chromedp.Click(chromedp.CSS(`form[action$="/details"] button[type=submit]`)))
	b.waitText(".confirm", "You are booked")
	b.mustSee("mary@gmail.com", "your time · 3:00 PM at the clinic")
	b.inspect("11-booked-other-zone")
}
