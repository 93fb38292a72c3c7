package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/domain"
)

func TestHealthAndMetrics(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.do(req{method: "GET", path: "/healthz"}).want(t, 200, "healthz")
		e.do(req{method: "GET", path: "/readyz"}).want(t, 200, "readyz")
		e.do(req{method: "GET", path: "/api/v1/services"}).want(t, 200, "services")
		spec := e.do(req{method: "GET", path: "/api/openapi.yaml"}).want(t, 200, "openapi.yaml")
		if !strings.HasPrefix(string(spec.body), "openapi: 3.0") {
			t.Errorf("openapi.yaml = %.40s", spec.body)
		}
		e.do(req{method: "GET", path: "/metrics"}).want(t, 404, "metrics without METRICS_TOKEN")
		e.srv.MetricsToken = "metrics-test-token-0123"
		e.do(req{method: "GET", path: "/metrics"}).want(t, 401, "metrics without the token")
		e.do(req{method: "GET", path: "/metrics", header: map[string]string{"Authorization": "Bearer wrong"}}).want(t, 401, "metrics with a wrong token")
		m := string(e.do(req{method: "GET", path: "/metrics", header: map[string]string{"Authorization": "Bearer metrics-test-token-0123"}}).want(t, 200, "metrics").body)
		want := `frontdesk_http_request_duration_seconds_count{method="GET",route="/api/v1/services",status="200"} 1`
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	})
}

// failingPing is a store whose database has gone away for Ping.
type failingPing struct{ domain.Store }

func (failingPing) Ping(context.Context) error {
	return errors.New("dial tcp 127.0.0.1:5432: connection refused")
}

func TestReadyzWhenTheDatabaseIsDown(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.srv.Store = failingPing{e.store}
		r := e.do(req{method: "GET", path: "/readyz"}).want(t, 503, "readyz")
		if strings.Contains(string(r.body), "5432") {
			t.Errorf("readyz leaks the error: %s", r.body)
		}
		e.do(req{method: "GET", path: "/healthz"}).want(t, 200, "healthz stays up")
	})
}

func TestErrorsAreProblems(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		r := e.do(req{method: "GET", path: "/api/v1/nothing-here"}).want(t, 404, "unknown route")
		if r.json(t)["status"] != 404.0 {
			t.Errorf("404 problem = %s", r.body)
		}
		r = e.do(req{method: "PATCH", path: "/api/v1/services"}).want(t, 405, "wrong method")
		if r.header.Get("Allow") == "" {
			t.Error("405 without Allow")
		}
		r = e.do(req{method: "GET", path: "/test/panic"}).want(t, 500, "panic")
		if strings.Contains(string(r.body), "boom") {
			t.Errorf("panic leaks: %s", r.body)
		}
		if !strings.Contains(e.logs.String(), "boom") {
			t.Error("the panic is not logged")
		}
		// A body over the limit without a declared length is still refused.
		hr, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/bookings", io.NopCloser(strings.NewReader(`{"notes":"`+strings.Repeat("x", 80<<10)+`"}`)))
		hr.Header.Set("Content-Type", "application/json")
		hr.ContentLength = -1
		resp, err := e.client.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Errorf("chunked oversized body = %d, want 413", resp.StatusCode)
		}
		for _, path := range []string{"/api/v1/users", "/api/v1/practitioners", "/api/v1/services"} {
			for _, body := range []string{`{"name": 1}`, `{"nope": true}`, `{`, `[]`, `{} {}`} {
				r := e.do(req{method: "POST", path: path, role: "admin", body: body})
				if r.status != 400 {
					t.Errorf("POST %s %s = %d, want 400: %s", path, body, r.status, r.body)
				}
			}
		}
	})
}

func TestRequestIDsHeadersAndLogs(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		r := e.do(req{method: "GET", path: "/api/v1/services", header: map[string]string{"X-Request-ID": "abc-123"}})
		if r.header.Get("X-Request-ID") != "abc-123" {
			t.Errorf("X-Request-ID = %q, want the client's", r.header.Get("X-Request-ID"))
		}
		r = e.do(req{method: "GET", path: "/api/v1/services", header: map[string]string{"X-Request-ID": "bad id\twith spaces"}})
		if id := r.header.Get("X-Request-ID"); id == "" || strings.Contains(id, " ") {
			t.Errorf("X-Request-ID = %q, want a fresh one", id)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("security headers = %v", r.header)
		}
		booked := e.mustBook(0, "logs@example.com")
		e.do(req{method: "GET", path: "/api/v1/manage/" + booked.ManageToken}).want(t, 200, "manage")
		logs := e.logs.String()
		if strings.Contains(logs, booked.ManageToken) || strings.Contains(logs, booked.ManageToken[:10]) {
			t.Error("the logs hold a manage token")
		}
		if !strings.Contains(logs, booked.ManageToken[:6]+"…") || !strings.Contains(logs, `"route":"/api/v1/manage/:token"`) || !strings.Contains(logs, `"request_id":"abc-123"`) {
			t.Errorf("the access log lacks the masked path, route or request id:\n%s", logs)
		}
	})
}
