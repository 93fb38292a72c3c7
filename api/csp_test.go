package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/frontdesk/frontdesk/api/csp"
	"github.com/labstack/echo/v4"
)

func TestPolicyMergesDirectives(t *testing.T) {
	var p csp.Policy
	p.Set("frame-ancestors", "'none'")
	p.Add("default-src", "'self'")
	p.Add("default-src", "'self'", "https://cdn.example")
	p.Set("frame-ancestors", "https://blog.example", "https://www.example")
	if got, want := p.String(), "frame-ancestors https://blog.example https://www.example; default-src 'self' https://cdn.example"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	p.Set("frame-ancestors")
	if got, want := p.String(), "default-src 'self' https://cdn.example"; got != want {
		t.Errorf("after removing frame-ancestors: %q, want %q", got, want)
	}
}

// defaultPolicy is what every response's policy holds after frame-ancestors.
const defaultPolicy = "; default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"

// TestResponsePolicyIsOneHeader: a handler that allows framing gets one
// merged header and no X-Frame-Options; others refuse framing both ways.
func TestResponsePolicyIsOneHeader(t *testing.T) {
	e := echo.New()
	e.Use(securityHeaders)
	e.GET("/framed", func(c echo.Context) error {
		csp.ResponsePolicy(c).Set("frame-ancestors", "https://blog.example")
		csp.ResponsePolicy(c).Add("img-src", "'self'")
		return c.String(http.StatusOK, "ok")
	})
	e.GET("/plain", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	for _, tc := range []struct{ path, csp, xfo string }{
		{"/framed", "frame-ancestors https://blog.example" + defaultPolicy, ""},
		{"/plain", "frame-ancestors 'none'" + defaultPolicy, "DENY"},
		{"/missing", "frame-ancestors 'none'" + defaultPolicy, "DENY"},
	} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if got := rec.Header().Values("Content-Security-Policy"); len(got) != 1 || got[0] != tc.csp {
			t.Errorf("%s: Content-Security-Policy %q, want one %q", tc.path, got, tc.csp)
		}
		if got := rec.Header().Get("X-Frame-Options"); got != tc.xfo {
			t.Errorf("%s: X-Frame-Options %q, want %q", tc.path, got, tc.xfo)
		}
	}
}
