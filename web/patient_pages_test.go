package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// bookForm is a details form for a massage with the therapist at start.
func bookForm(a *app, start time.Time, name, email string) url.Values {
	return url.Values{
		"idempotency_key": {domain.NewID()}, "practitioner": {a.Therapist.ID}, "tz": {"America/New_York"},
		"start": {start.Format(time.RFC3339)}, "patient.name": {name}, "patient.email": {email},
	}
}

// nyAt is hh:mm in New York, days after Monday 1 June 2026.
func nyAt(days, h, m int) time.Time {
	return domain.WallClock(domain.Date{Year: 2026, Month: 6, Day: 1}.AddDays(days), domain.At(h, m), loadZone("America/New_York"))
}

// TestErrorsInFormOrder: an empty name has its own message, and the
// summary lists the problems in the order of the form.
func TestErrorsInFormOrder(t *testing.T) {
	a := startApp(t)
	form := bookForm(a, nyAt(2, 10, 0), "", "not-an-email")
	form.Set("patient.phone", "12")
	_, body := post(t, client(t), a.URL+"/book/"+a.Massage.ID+"/details", form)
	if !strings.Contains(body, "Give your name.") {
		t.Errorf("the empty name's message is not \"Give your name.\":\n%s", excerpt(body, "err-patient-name"))
	}
	summary := body[strings.Index(body, `id="problem"`):]
	summary = summary[:strings.Index(summary, "</div>")]
	name, email, phone := strings.Index(summary, "#f-patient-name"), strings.Index(summary, "#f-patient-email"), strings.Index(summary, "#f-patient-phone")
	if name < 0 || email < 0 || phone < 0 || !(name < email && email < phone) {
		t.Errorf("summary order name %d, email %d, phone %d; want the form's order:\n%s", name, email, phone, summary)
	}
}

// TestPagesBasics: /favicon.ico, a meta description, gzip on pages (never
// on feeds) and HEAD on the manage link.
func TestPagesBasics(t *testing.T) {
	a := startApp(t)
	c := client(t)
	res, body := get(t, c, a.URL+"/favicon.ico")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/x-icon" || len(body) < 100 {
		t.Errorf("GET /favicon.ico = %d %q, %d bytes; want an icon", res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
	_, body = get(t, c, a.URL+"/")
	if !strings.Contains(body, `<meta name="description" content="`) {
		t.Errorf("landing page has no meta description")
	}
	req, _ := http.NewRequest("GET", a.URL+"/book/"+a.Massage.ID+"/times", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := c.Do(req)
	must(t, "GET times", err)
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("times page Content-Encoding = %q, want gzip", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	must(t, "gunzip", err)
	html, err := io.ReadAll(zr)
	if err != nil || !strings.Contains(string(html), "</html>") {
		t.Errorf("gunzipped times page: %v", err)
	}
	feedToken, hash := domain.NewToken()
	must(t, "feed token", a.Store.CreateFeedToken(context.Background(), &domain.FeedToken{ID: domain.NewID(), Hash: hash, Privacy: domain.PrivacyBusy}))
	req, _ = http.NewRequest("GET", a.URL+"/feeds/"+feedToken+".ics", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err = c.Do(req)
	must(t, "GET feed", err)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "" {
		t.Errorf("feed = %d with Content-Encoding %q, want 200 and never gzip", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	booked := bookThroughPage(t, a, c, nyAt(3, 10, 0))
	head, err := c.Head(a.URL + booked)
	must(t, "HEAD manage", err)
	head.Body.Close()
	if head.StatusCode != 200 || !strings.HasPrefix(head.Header.Get("Content-Type"), "text/html") {
		t.Errorf("HEAD %s = %d %q, want 200 like GET", booked, head.StatusCode, head.Header.Get("Content-Type"))
	}
}

// bookThroughPage books a massage through the details form and returns the
// manage path it redirects to (without its query).
func bookThroughPage(t *testing.T, a *app, c *http.Client, start time.Time) string {
	t.Helper()
	res, body := post(t, c, a.URL+"/book/"+a.Massage.ID+"/details", bookForm(a, start, "Mary Jackson", "mary@example.com"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST details = %d, want 303:\n%s", res.StatusCode, body)
	}
	path, _, _ := strings.Cut(res.Header.Get("Location"), "?")
	return path
}

// TestAddToOutlookOffersBoth: Outlook.com and Microsoft 365 are different
// sites; the manage page links both.
func TestAddToOutlookOffersBoth(t *testing.T) {
	a := startApp(t)
	c := client(t)
	_, body := get(t, c, a.URL+bookThroughPage(t, a, c, nyAt(3, 10, 0)))
	for _, want := range []string{"https://outlook.live.com/calendar/0/deeplink/compose?", "https://outlook.office.com/calendar/0/deeplink/compose?", "Microsoft 365"} {
		if !strings.Contains(body, want) {
			t.Errorf("manage page lacks %q", want)
		}
	}
}

func TestFriendlyZoneNames(t *testing.T) {
	for name, want := range map[string]string{
		"America/New_York":               "Eastern Time (New York)",
		"America/Los_Angeles":            "Pacific Time (Los Angeles)",
		"Europe/London":                  "UK Time (London)",
		"Europe/Berlin":                  "Central European Time (Berlin)",
		"Asia/Kolkata":                   "India Time (Kolkata)",
		"America/Argentina/Buenos_Aires": "Buenos Aires",
		"UTC":                            "UTC",
	} {
		if got := zoneLabel(loadZone(name)); got != want {
			t.Errorf("zoneLabel(%s) = %q, want %q", name, got, want)
		}
	}
	a := startApp(t)
	_, body := get(t, client(t), a.URL+"/book/"+a.Massage.ID+"/times?tz=America/Chicago")
	if !strings.Contains(body, "Central Time (Chicago)") || strings.Contains(body, ">America/Chicago<") {
		t.Errorf("times page does not name the zone for people:\n%s", excerpt(body, "zonebar"))
	}
}
