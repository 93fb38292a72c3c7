package api

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

func TestClientIPExtractor(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer string
		header     http.Header
		want       string
	}{
		{"untrusted peer, forged XFF", "203.0.113.9:5000", http.Header{"X-Forwarded-For": {"198.51.100.1"}}, "203.0.113.9"},
		{"untrusted peer, forged Forwarded", "203.0.113.9:5000", http.Header{"Forwarded": {"for=198.51.100.1"}}, "203.0.113.9"},
		{"trusted proxy, one hop", "10.1.1.1:80", http.Header{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1"},
		{"rightmost untrusted hop wins", "10.1.1.1:80", http.Header{"X-Forwarded-For": {"6.6.6.6, 198.51.100.1, 10.2.2.2"}}, "198.51.100.1"},
		{"several XFF lines", "10.1.1.1:80", http.Header{"X-Forwarded-For": {"6.6.6.6", "198.51.100.2"}}, "198.51.100.2"},
		{"bare address trusted", "192.0.2.7:80", http.Header{"X-Forwarded-For": {"198.51.100.3"}}, "198.51.100.3"},
		{"Forwarded with port and quotes", "10.1.1.1:80", http.Header{"Forwarded": {`for="[2001:db8::1]:4711";proto=https`}}, "2001:db8::1"},
		{"Forwarded chain", "10.1.1.1:80", http.Header{"Forwarded": {"for=6.6.6.6, for=198.51.100.4;by=10.1.1.1"}}, "198.51.100.4"},
		{"XFF read before Forwarded", "10.1.1.1:80", http.Header{"Forwarded": {"for=6.6.6.6"}, "X-Forwarded-For": {"198.51.100.5"}}, "198.51.100.5"},
		{"garbage hop stops trust", "10.1.1.1:80", http.Header{"X-Forwarded-For": {"6.6.6.6, nonsense"}}, "10.1.1.1"},
		{"garbage behind a good hop", "10.1.1.1:80", http.Header{"X-Forwarded-For": {"nonsense, 198.51.100.6"}}, "198.51.100.6"},
		{"all hops trusted", "10.1.1.1:80", http.Header{"X-Forwarded-For": {"10.3.3.3, 10.2.2.2"}}, "10.3.3.3"},
		{"trusted proxy without header", "10.1.1.1:80", http.Header{}, "10.1.1.1"},
		{"IPv4-mapped peer", "[::ffff:10.1.1.1]:80", http.Header{"X-Forwarded-For": {"198.51.100.7"}}, "198.51.100.7"},
	} {
		r := &http.Request{RemoteAddr: tc.peer, Header: tc.header}
		if got := clientIPExtractor(trusted)(r); got != tc.want {
			t.Errorf("%s: client = %s, want %s", tc.name, got, tc.want)
		}
		if got := clientIPExtractor(nil)(r); got != peerAddr(r).String() {
			t.Errorf("%s: with no trusted proxies client = %s, want the peer", tc.name, got)
		}
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []netip.Prefix
		bad  bool
	}{
		{in: "", want: nil},
		{in: "127.0.0.1/32", want: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
		{in: "10.1.2.3/8,::1", want: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}},
		{in: "10.0.0.0/33", bad: true},
		{in: "proxy.example", bad: true},
	} {
		got, err := ParseTrustedProxies(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("ParseTrustedProxies(%q) error = %v, want error %v", tc.in, err, tc.bad)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("ParseTrustedProxies(%q) = %v, want %v", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("ParseTrustedProxies(%q) = %v, want %v", tc.in, got, tc.want)
			}
		}
	}
}

// proxiedClient sends requests from local address ip (any 127.0.0.0/8
// address is this machine) through a real reverse proxy.
func proxiedClient(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// startProxy starts httputil.ReverseProxy on 127.0.0.1 in front of target;
// it appends the client's address to X-Forwarded-For as real proxies do.
func startProxy(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(u)
		r.Out.Header["X-Forwarded-For"] = r.In.Header["X-Forwarded-For"] // keep what came in, as nginx's $proxy_add_x_forwarded_for does
		r.SetXForwarded()
	}}
	srv := &http.Server{Handler: rp}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// limitedAfter sends public writes until one is answered 429 and returns
// how many were not, up to max.
func limitedAfter(t *testing.T, client *http.Client, base string, header map[string]string, max int) int {
	t.Helper()
	for i := range max {
		r := doWith(t, client, base, "", req{method: "POST", path: "/api/v1/bookings", body: "{}", header: header})
		if r.status == http.StatusTooManyRequests {
			return i
		}
	}
	return max
}

// TestTrustedProxyRateLimits: behind a real reverse proxy with
// TRUSTED_PROXIES naming it, two clients have a limit each; without the
// setting, forwarding headers a client forges change nothing.
func TestTrustedProxyRateLimits(t *testing.T) {
	const limit = 3
	t.Run("behind a trusted proxy", func(t *testing.T) {
		e := newEnv(t, storagetest.Open(t, storagetest.SQLite), limit, func(s *Server) {
			s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		})
		proxy := startProxy(t, e.ts.URL)
		a, b := proxiedClient("127.0.0.2"), proxiedClient("127.0.0.3")
		if n := limitedAfter(t, a, proxy, nil, 10); n != limit {
			t.Fatalf("client A was limited after %d writes, want %d", n, limit)
		}
		if n := limitedAfter(t, b, proxy, nil, 10); n != limit {
			t.Errorf("client B was limited after %d writes, want its own %d", n, limit)
		}
		// A forged hop to the left of the proxy's is not believed.
		forged := map[string]string{"X-Forwarded-For": "198.51.100.99"}
		if n := limitedAfter(t, a, proxy, forged, 10); n != 0 {
			t.Errorf("client A with a forged X-Forwarded-For got %d more writes, want 0", n)
		}
	})
	t.Run("no trusted proxies", func(t *testing.T) {
		e := newEnv(t, storagetest.Open(t, storagetest.SQLite), limit)
		for i := range limit {
			fresh := map[string]string{"X-Forwarded-For": net.IPv4(198, 51, 100, byte(i+1)).String(), "Forwarded": "for=203.0.113.1", "X-Real-IP": "203.0.113.2"}
			if r := e.do(req{method: "POST", path: "/api/v1/bookings", body: "{}", header: fresh}); r.status == 429 {
				t.Fatalf("write %d limited early", i)
			}
		}
		forged := map[string]string{"X-Forwarded-For": "198.51.100.200", "Forwarded": "for=203.0.113.3", "X-Real-IP": "203.0.113.4"}
		e.do(req{method: "POST", path: "/api/v1/bookings", body: "{}", header: forged}).want(t, 429, "forged headers past the limit")
		// And behind an untrusted proxy every client shares its address.
		proxy := startProxy(t, e.ts.URL)
		if n := limitedAfter(t, proxiedClient("127.0.0.4"), proxy, nil, 10); n != 0 {
			t.Errorf("through an untrusted proxy a new client got %d writes, want 0 (the proxy's bucket is spent)", n)
		}
	})
}

// TestSignInLimitedPerAddress: one address spraying many emails is cut off
// after auth.SignInAddrBurst failures; another address still signs in.
func TestSignInLimitedPerAddress(t *testing.T) {
	e := newEnv(t, storagetest.Open(t, storagetest.SQLite), 0, func(s *Server) {
		s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	proxy := startProxy(t, e.ts.URL)
	sprayer := proxiedClient("127.0.0.5")
	tried := 0
	for i := range auth.SignInAddrBurst + 5 {
		r := doWith(t, sprayer, proxy, "", req{method: "POST", path: "/api/v1/auth/tokens",
			body: map[string]string{"email": "nobody" + string(rune('a'+i)) + "@example.com", "password": "wrong-password"}})
		if r.status == http.StatusTooManyRequests {
			break
		}
		if r.status != http.StatusUnauthorized {
			t.Fatalf("sign-in %d = %d, want 401: %s", i, r.status, r.body)
		}
		tried++
	}
	if tried != auth.SignInAddrBurst {
		t.Errorf("one address tried %d emails, want %d", tried, auth.SignInAddrBurst)
	}
	other := proxiedClient("127.0.0.6")
	doWith(t, other, proxy, "", req{method: "POST", path: "/api/v1/auth/tokens",
		body: map[string]string{"email": "admin@clinic.example", "password": testPassword}}).want(t, 201, "sign-in from another address")
	// The sprayer's limit holds for a real account too.
	doWith(t, sprayer, proxy, "", req{method: "POST", path: "/api/v1/auth/tokens",
		body: map[string]string{"email": "admin@clinic.example", "password": testPassword}}).want(t, 429, "sign-in from the sprayer")
}

// TestSignInHashingIsCapped: with every hashing slot taken, a sign-in waits
// its turn and is then told to retry; it never hashes beside them.
func TestSignInHashingIsCapped(t *testing.T) {
	e := newEnv(t, storagetest.Open(t, storagetest.SQLite), 0, func(s *Server) {
		s.Auth = auth.New(s.Store, s.Clock, s.BaseURL)
		s.Auth.HashWait = 200 * time.Millisecond
	})
	for range auth.MaxConcurrentHashes {
		e.srv.Auth.Hashing <- struct{}{}
	}
	began := time.Now()
	r := e.do(req{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "admin@clinic.example", "password": testPassword}})
	r.want(t, 429, "sign-in with no hashing slot free")
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if took := time.Since(began); took < 200*time.Millisecond {
		t.Errorf("refused after %v, want a wait of the 200ms queue time", took)
	}
	<-e.srv.Auth.Hashing
	e.do(req{method: "POST", path: "/api/v1/auth/tokens", body: map[string]string{"email": "admin@clinic.example", "password": testPassword}}).want(t, 201, "sign-in with a slot free")
}
