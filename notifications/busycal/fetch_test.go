package busycal

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// fakeResolver answers from a table; a name not in it does not exist.
type fakeResolver map[string][]string

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	list, ok := r[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	out := make([]netip.Addr, len(list))
	for i, s := range list {
		out[i] = netip.MustParseAddr(s)
	}
	return out, nil
}

var errNotDialled = errors.New("test: the dialer records and never connects")

// TestDialDecision checks which addresses the fetcher would dial, at the
// dialer, with a resolver and a dialer the test controls: no connection is
// ever opened.
func TestDialDecision(t *testing.T) {
	resolver := fakeResolver{
		"calendar.google.com": {"142.250.180.14"},
		"intranet.example":    {"10.0.0.5"},
		"metadata.example":    {"169.254.169.254"},
		"rebind.example":      {"192.168.1.20", "93.184.216.34"},
		"mapped.example":      {"::ffff:10.0.0.1"},
		"nat64.example":       {"64:ff9b::a00:1"},
		"cgnat.example":       {"100.64.3.4"},
		"v6.example":          {"2a00:1450:4009:81f::200e"},
		"ula.example":         {"fd12:3456:789a::1"},
	}
	allowNet, _ := ParseAllow("10.0.0.0/8")
	allowHost, _ := ParseAllow("metadata.example")
	tests := []struct {
		url   string
		allow Allow
		dial  string // "" = refused before dialling
	}{
		{"https://calendar.google.com/calendar/ical/x/private-y/basic.ics", Allow{}, "142.250.180.14:443"},
		{"https://v6.example/cal.ics", Allow{}, "[2a00:1450:4009:81f::200e]:443"},
		{"https://rebind.example/cal.ics", Allow{}, "93.184.216.34:443"},
		{"https://intranet.example/cal.ics", Allow{}, ""},
		{"https://intranet.example/cal.ics", allowNet, "10.0.0.5:443"},
		{"http://metadata.example/latest/meta-data/", Allow{}, ""},
		{"http://metadata.example/latest/meta-data/", allowHost, "169.254.169.254:80"},
		{"http://127.0.0.1:8080/feeds/x.ics", Allow{}, ""},
		{"http://[::1]:8080/feeds/x.ics", Allow{}, ""},
		{"http://0.0.0.0/x.ics", Allow{}, ""},
		{"https://mapped.example/x.ics", Allow{}, ""},
		{"https://nat64.example/x.ics", Allow{}, ""},
		{"https://cgnat.example/x.ics", Allow{}, ""},
		{"https://ula.example/x.ics", Allow{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			var dialled []string
			var decisions []Decision
			f := &Fetcher{
				Allow: tc.allow, Resolver: resolver,
				Dial: func(_ context.Context, _, address string) (net.Conn, error) {
					dialled = append(dialled, address)
					return nil, errNotDialled
				},
				OnDecision: func(d Decision) { decisions = append(decisions, d) },
			}
			_, err := f.Fetch(context.Background(), tc.url, domain.Conditional{})
			if err == nil {
				t.Fatal("Fetch succeeded without a connection")
			}
			if strings.Contains(err.Error(), "/x.ics") || strings.Contains(err.Error(), "private-y") {
				t.Errorf("error %q shows the URL's path", err)
			}
			if len(decisions) != 1 {
				t.Fatalf("decisions = %v, want one", decisions)
			}
			switch {
			case tc.dial == "" && len(dialled) > 0:
				t.Errorf("dialled %v, want a refusal", dialled)
			case tc.dial == "" && !strings.Contains(err.Error(), "Refused"):
				t.Errorf("error = %q, want a refusal", err)
			case tc.dial != "" && (len(dialled) != 1 || dialled[0] != tc.dial):
				t.Errorf("dialled %v, want %s", dialled, tc.dial)
			}
		})
	}
}

func TestPublic(t *testing.T) {
	for s, want := range map[string]bool{
		"8.8.8.8": true, "2606:4700::1111": true, "127.0.0.53": false, "10.1.2.3": false, "172.16.0.1": false,
		"192.168.0.1": false, "169.254.0.1": false, "fe80::1": false, "::1": false, "::": false, "224.0.0.1": false,
		"198.18.0.1": false, "255.255.255.255": false, "::ffff:127.0.0.1": false, "2002:a00:1::": false,
	} {
		if got := Public(netip.MustParseAddr(s)); got != want {
			t.Errorf("Public(%s) = %v, want %v", s, got, want)
		}
	}
}

// loopbackFetcher may fetch from the local test server only.
func loopbackFetcher(t *testing.T) *Fetcher {
	t.Helper()
	allow, err := ParseAllow("127.0.0.1/32")
	if err != nil {
		t.Fatal(err)
	}
	return &Fetcher{Allow: allow, Timeout: 5 * time.Second}
}

// calendarServer serves a fixture with an ETag and Last-Modified, as
// Google's fetch endpoint does, and counts the requests.
type calendarServer struct {
	*httptest.Server
	mu       sync.Mutex
	body     []byte
	etag     string
	requests int
	full     int // answers with a body
}

func newCalendarServer(t *testing.T, file string) *calendarServer {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	cs := &calendarServer{body: body, etag: `"v1"`}
	cs.Server = httptest.NewServer(http.HandlerFunc(cs.serve))
	t.Cleanup(cs.Close)
	return cs
}

func (cs *calendarServer) serve(w http.ResponseWriter, r *http.Request) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.requests++
	if !strings.HasPrefix(r.URL.Path, "/calendar/ical/") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("ETag", cs.etag)
	w.Header().Set("Last-Modified", "Wed, 03 Dec 2025 08:15:04 GMT")
	if r.Header.Get("If-None-Match") == cs.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	cs.full++
	w.Header().Set("Content-Type", "text/calendar; charset=UTF-8")
	_, _ = w.Write(cs.body)
}

func (cs *calendarServer) url() string {
	return cs.URL + "/calendar/ical/jane.harper.dc%40gmail.com/private-0f1e2d3c4b5a69788796a5b4c3d2e1f0/basic.ics"
}

func TestFetchConditional(t *testing.T) {
	cs := newCalendarServer(t, "google-basic.ics")
	f := loopbackFetcher(t)
	first, err := f.Fetch(context.Background(), cs.url(), domain.Conditional{})
	if err != nil || first.NotModified || len(first.Body) != len(cs.body) || first.ETag != `"v1"` {
		t.Fatalf("Fetch = %d bytes, etag %q, %v; want the body and its ETag", len(first.Body), first.ETag, err)
	}
	again, err := f.Fetch(context.Background(), cs.url(), domain.Conditional{ETag: first.ETag, LastModified: first.LastModified})
	if err != nil || !again.NotModified {
		t.Errorf("conditional Fetch = %+v, %v; want 304", again.NotModified, err)
	}
}

func TestFetchRefusesLoopbackUnlessAllowed(t *testing.T) {
	cs := newCalendarServer(t, "google-basic.ics")
	f := &Fetcher{Timeout: 5 * time.Second}
	_, err := f.Fetch(context.Background(), cs.url(), domain.Conditional{})
	if err == nil || !strings.Contains(err.Error(), "Refused") {
		t.Errorf("Fetch(loopback, no allow) = %v, want a refusal", err)
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.requests != 0 {
		t.Errorf("the server had %d requests, want none", cs.requests)
	}
}

func TestFetchBadAnswers(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/huge.ics", func(w http.ResponseWriter, r *http.Request) {
		line := []byte(strings.Repeat("X-FILLER:0123456789abcdef0123456789abcdef0123456789abcdef0123456\r\n", 1024))
		_, _ = w.Write([]byte("BEGIN:VCALENDAR\r\n"))
		for written := 0; written < 50<<20; written += len(line) {
			if _, err := w.Write(line); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/endless.ics", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("BEGIN:VCALENDAR\r\n"))
		w.(http.Flusher).Flush()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
				if _, err := w.Write([]byte("X-SLOW:1\r\n")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	})
	mux.HandleFunc("/away.ics", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://calendar.elsewhere.example/cal.ics", http.StatusFound)
	})
	mux.HandleFunc("/loop.ics", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop.ics", http.StatusFound)
	})
	mux.HandleFunc("/gone.ics", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusNotFound) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := loopbackFetcher(t)
	f.Timeout = time.Second
	var dials []Decision
	f.OnDecision = func(d Decision) { dials = append(dials, d) }
	for path, want := range map[string]string{
		"/huge.ics":    "larger than 10 MB",
		"/endless.ics": "within 1s",
		"/away.ics":    "another site",
		"/loop.ics":    "more than 3 times",
		"/gone.ics":    "does not know this calendar",
	} {
		t.Run(path, func(t *testing.T) {
			dials = nil
			start := time.Now()
			_, err := f.Fetch(context.Background(), srv.URL+path, domain.Conditional{})
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Fetch(%s) = %v, want %q", path, err, want)
			}
			if err != nil && strings.Contains(err.Error(), path) {
				t.Errorf("error %q shows the path", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Fetch(%s) took %v", path, d)
			}
			for _, d := range dials {
				if d.Host != "127.0.0.1" {
					t.Errorf("dialled %s, want only the test server", d.Host)
				}
			}
		})
	}
}
