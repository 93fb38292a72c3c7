package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/domain"
)

// client is a cookie-keeping HTTP client that does not follow redirects.
func client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	must(t, "cookie jar", err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	must(t, "GET "+u, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	must(t, "read body", err)
	return res, string(body)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := c.PostForm(u, form)
	must(t, "POST "+u, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	must(t, "read body", err)
	return res, string(body)
}

// TestDoubleSubmitBooksOnce sends the details form twice with one
// idempotency key, as a double click does: one booking, one manage link.
func TestDoubleSubmitBooksOnce(t *testing.T) {
	a := startApp(t)
	c := client(t)
	start := domain.WallClock(domain.Date{Year: 2026, Month: 6, Day: 3}, domain.At(10, 0), loadZone("America/New_York"))
	form := url.Values{
		"idempotency_key": {"double-click-key-1"}, "practitioner": {a.Therapist.ID}, "tz": {"America/Chicago"},
		"start": {start.Format("2006-01-02T15:04:05Z07:00")}, "patient.name": {"Mary Jackson"}, "patient.email": {"mary@example.com"},
	}
	var locations []string
	for range 2 {
		res, body := post(t, c, a.URL+"/book/"+a.Massage.ID+"/details", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST details = %d, want 303:\n%s", res.StatusCode, body)
		}
		locations = append(locations, res.Header.Get("Location"))
	}
	if locations[0] != locations[1] || !strings.HasPrefix(locations[0], "/manage/") {
		t.Errorf("redirects = %q, want the same manage link twice", locations)
	}
	got, err := a.Store.Bookings(context.Background(), domain.BookingFilter{PractitionerID: a.Therapist.ID})
	must(t, "list bookings", err)
	if len(got) != 1 {
		t.Errorf("bookings after a double submit = %d, want 1", len(got))
	}
}

// TestBadInputNamesTheField sends a booking form with a bad email and no
// name: 422, the form again, each message next to its field.
func TestBadInputNamesTheField(t *testing.T) {
	a := startApp(t)
	start := domain.WallClock(domain.Date{Year: 2026, Month: 6, Day: 3}, domain.At(10, 0), loadZone("America/New_York"))
	res, body := post(t, client(t), a.URL+"/book/"+a.Massage.ID+"/details", url.Values{
		"start": {start.Format("2006-01-02T15:04:05Z07:00")}, "patient.email": {"not-an-email"}, "idempotency_key": {"k2"},
	})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST details = %d, want 422", res.StatusCode)
	}
	for _, want := range []string{`id="err-patient-email"`, `id="err-patient-name"`, `aria-describedby="err-patient-email"`, `value="not-an-email"`} {
		if !strings.Contains(body, want) {
			t.Errorf("422 page lacks %s", want)
		}
	}
	res, body = get(t, client(t), a.URL+"/book/"+a.Massage.ID+"/details?start=tomorrow")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose a time") {
		t.Errorf("GET details?start=tomorrow = %d, want 422 naming the time", res.StatusCode)
	}
}

// TestStaffAccess checks sign-in redirects, roles and the CSRF token.
func TestStaffAccess(t *testing.T) {
	a := startApp(t)
	res, _ := get(t, client(t), a.URL+"/staff/setup/users")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/staff/login?next=") {
		t.Errorf("GET /staff/setup/users without a session = %d → %q, want 303 to sign-in", res.StatusCode, res.Header.Get("Location"))
	}

	ctx := context.Background()
	password := a.addStaff(t, "front@riverside.example", domain.RoleFrontDesk)
	c := client(t)
	res, _ = post(t, c, a.URL+"/staff/login", url.Values{"email": {"front@riverside.example"}, "password": {password}, "next": {"/staff/patients"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/staff/patients" {
		t.Fatalf("sign-in = %d → %q, want 303 to /staff/patients", res.StatusCode, res.Header.Get("Location"))
	}
	res, body := get(t, c, a.URL+"/staff/setup/users")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Not allowed") {
		t.Errorf("front desk on the users page = %d, want the 403 page", res.StatusCode)
	}
	res, body = post(t, c, a.URL+"/staff/feeds", url.Values{"privacy": {"busy"}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "Reload the page") {
		t.Errorf("POST without the CSRF token = %d, want 403 asking to reload", res.StatusCode)
	}
	toks, err := a.Store.FeedTokens(ctx)
	must(t, "list feed tokens", err)
	if len(toks) != 0 {
		t.Errorf("a POST without the CSRF token made %d feed tokens", len(toks))
	}
	res, _ = get(t, c, a.URL+"/staff/bookings/not-an-id")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET a malformed booking id = %d, want 404", res.StatusCode)
	}
}
