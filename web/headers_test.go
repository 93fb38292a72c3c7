package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/api"
	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// TestPageHeaders (issue 16, finding 10): every HTML page has a
// Content-Security-Policy allowing scripts from this site only; staff and
// manage pages and feeds say noindex in a header (and pages in a meta tag
// too), booking pages do not; /robots.txt keeps crawlers off them.
func TestPageHeaders(t *testing.T) {
	a := startApp(t)
	c := client(t)
	for _, tc := range []struct {
		path    string
		noindex bool
	}{
		{"/", false},
		{"/book/" + a.Massage.ID, false},
		{"/staff/login", true},
		{"/manage/not-a-real-token-at-all-but-long-enough", true},
		{"/feeds/not-a-real-token.ics", true},
	} {
		res, body := get(t, c, a.URL+tc.path)
		policy := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(policy, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", tc.path, policy, want)
			}
		}
		if got := strings.Contains(res.Header.Get("X-Robots-Tag"), "noindex"); got != tc.noindex {
			t.Errorf("%s: X-Robots-Tag %q, want noindex %v", tc.path, res.Header.Get("X-Robots-Tag"), tc.noindex)
		}
		if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			if got := strings.Contains(body, `<meta name="robots" content="noindex`); got != tc.noindex {
				t.Errorf("%s: robots meta tag %v, want %v", tc.path, got, tc.noindex)
			}
		}
	}
	res, body := get(t, c, a.URL+"/robots.txt")
	if res.StatusCode != 200 || !strings.Contains(body, "Disallow: /staff") || !strings.Contains(body, "Disallow: /manage/") || !strings.Contains(body, "Disallow: /feeds/") {
		t.Errorf("/robots.txt = %d %q", res.StatusCode, body)
	}
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("Strict-Transport-Security over http")
	}
}

// TestLoginCrossOrigin (issue 16, finding 11): a sign-in form posted from
// another site is refused before the password is checked; the same form
// from this site signs in.
func TestLoginCrossOrigin(t *testing.T) {
	a := startApp(t)
	pw := a.addStaff(t, "desk@clinic.example", domain.RoleFrontDesk)
	form := url.Values{"email": {"desk@clinic.example"}, "password": {pw}}
	for _, h := range []map[string]string{
		{"Origin": "https://attacker.example"},
		{"Origin": "null"},
		{"Sec-Fetch-Site": "cross-site"},
	} {
		c := client(t)
		r, _ := http.NewRequest(http.MethodPost, a.URL+"/staff/login", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range h {
			r.Header.Set(k, v)
		}
		res, err := c.Do(r)
		must(t, "post", err)
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden || len(res.Cookies()) > 0 {
			t.Errorf("cross-site sign-in %v = %d with cookies %v, want 403 and none", h, res.StatusCode, res.Cookies())
		}
	}
	c := client(t)
	r, _ := http.NewRequest(http.MethodPost, a.URL+"/staff/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", a.URL)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(r)
	must(t, "post", err)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("same-origin sign-in = %d, want 303", res.StatusCode)
	}
}

// TestHTTPSDeployment: with an https BASE_URL every response carries
// Strict-Transport-Security and the session cookie is __Host- prefixed
// (Secure, Path=/, no Domain), and the cookie signs the user in.
func TestHTTPSDeployment(t *testing.T) {
	a := startApp(t)
	pw := a.addStaff(t, "desk@clinic.example", domain.RoleFrontDesk)
	const base = "https://clinic.example"
	authn := auth.New(a.Store, a.Clock, base)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := &api.Server{Store: a.Store, Scheduler: a.Scheduler, Clock: a.Clock, Logger: log, BaseURL: base, Auth: authn}
	site := &Site{Scheduler: a.Scheduler, Store: a.Store, Auth: authn, BaseURL: base, Clock: a.Clock, Logger: log}
	srv.HTMLError = site.HTMLError
	e := srv.Echo()
	site.Register(e)
	do := func(r *http.Request) *http.Response {
		r.Host = "clinic.example"
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		return w.Result()
	}
	res := do(httptest.NewRequest(http.MethodGet, base+"/staff/login", nil))
	if got := res.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("Strict-Transport-Security = %q", got)
	}
	r := httptest.NewRequest(http.MethodPost, base+"/staff/login", strings.NewReader(url.Values{"email": {"desk@clinic.example"}, "password": {pw}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", base)
	res = do(r)
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == auth.SecureSessionCookie {
			session = ck
		}
	}
	if res.StatusCode != http.StatusSeeOther || session == nil || !session.Secure || session.Path != "/" || session.Domain != "" {
		t.Fatalf("https sign-in = %d, cookies %v; want a Secure __Host- session for /", res.StatusCode, res.Cookies())
	}
	r = httptest.NewRequest(http.MethodGet, base+"/staff", nil)
	r.AddCookie(session)
	if res := do(r); res.StatusCode != http.StatusOK {
		t.Errorf("/staff with the __Host- cookie = %d", res.StatusCode)
	}
	r = httptest.NewRequest(http.MethodGet, base+"/staff", nil)
	r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: session.Value})
	if res := do(r); res.StatusCode != http.StatusSeeOther {
		t.Errorf("/staff with the unprefixed cookie over https = %d, want a redirect to sign-in", res.StatusCode)
	}
}

// TestWebTooManyHasRetryAfter: a 429 on a page (sign-in failures) says
// when to come back.
func TestWebTooManyHasRetryAfter(t *testing.T) {
	a := startApp(t)
	c := client(t)
	var last *http.Response
	for range auth.SignInBurst + 1 {
		last, _ = post(t, c, a.URL+"/staff/login", url.Values{"email": {"nobody@clinic.example"}, "password": {"wrong password!"}})
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Errorf("sign-in after %d failures = %d, Retry-After %q", auth.SignInBurst, last.StatusCode, last.Header.Get("Retry-After"))
	}
}
