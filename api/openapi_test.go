package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// specChecker validates every response a test receives against
// openapi.yaml, and that every error is problem+json.
type specChecker struct {
	t      testing.TB
	router routers.Router
	next   http.RoundTripper

	mu   sync.Mutex
	seen map[string]bool // "METHOD path-template status" checked
}

func newSpecChecker(t testing.TB, serverURL string) *specChecker {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPISpec)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not valid OpenAPI 3: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: serverURL}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("route openapi.yaml: %v", err)
	}
	return &specChecker{t: t, router: router, next: http.DefaultTransport, seen: map[string]bool{}}
}

// RoundTrip sends req and checks the response it gets.
func (sc *specChecker) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := sc.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	sc.check(req, resp, body)
	return resp, nil
}

func (sc *specChecker) check(req *http.Request, resp *http.Response, body []byte) {
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode >= 400 && ct != "application/problem+json" {
		sc.t.Errorf("%s %s = %d with Content-Type %q, want application/problem+json", req.Method, req.URL.Path, resp.StatusCode, ct)
	}
	if strings.HasPrefix(req.URL.Path, "/test/") {
		return // the tests' stand-ins for web pages
	}
	if resp.StatusCode >= 500 && resp.StatusCode != http.StatusServiceUnavailable {
		sc.t.Errorf("%s %s = %d: %s", req.Method, req.URL.Path, resp.StatusCode, body)
	}
	route, params, err := sc.router.FindRoute(req)
	if err != nil {
		// Unknown paths and methods are answered 404/405 and are not in the spec.
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			sc.t.Errorf("%s %s (%d) is not documented in openapi.yaml: %v", req.Method, req.URL.Path, resp.StatusCode, err)
		}
		return
	}
	if !strings.Contains(ct, "json") && resp.StatusCode < 400 {
		return // metrics, the yaml itself
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		sc.t.Errorf("%s %s = %d does not match openapi.yaml: %v\nbody: %s", req.Method, req.URL.Path, resp.StatusCode, err, body)
	}
	sc.mu.Lock()
	sc.seen[req.Method+" "+route.Path] = true
	sc.mu.Unlock()
}
