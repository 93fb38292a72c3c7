package busycal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// Allow is BUSY_FETCH_ALLOW: hosts and networks that may be fetched
// although they are loopback, private or otherwise not public.
type Allow struct {
	Hosts    []string // lower case
	Prefixes []netip.Prefix
}

// ParseAllow reads a comma-separated list of host names, IP addresses and
// CIDR prefixes.
func ParseAllow(s string) (Allow, error) {
	var a Allow
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
		case strings.Contains(item, "/"):
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return Allow{}, fmt.Errorf("%q is not a CIDR prefix", item)
			}
			a.Prefixes = append(a.Prefixes, p.Masked())
		default:
			if ip, err := netip.ParseAddr(item); err == nil {
				a.Prefixes = append(a.Prefixes, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
				continue
			}
			a.Hosts = append(a.Hosts, strings.ToLower(strings.TrimSuffix(item, ".")))
		}
	}
	return a, nil
}

func (a Allow) host(h string) bool {
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	for _, x := range a.Hosts {
		if x == h {
			return true
		}
	}
	return false
}

func (a Allow) addr(ip netip.Addr) bool {
	for _, p := range a.Prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Resolver is the part of *net.Resolver the fetcher uses.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Decision is what the fetcher decided for one connection: the host it
// was asked for, every address it resolved to, and the one it dials
// (invalid when it refused).
type Decision struct {
	Host     string
	Resolved []netip.Addr
	Dialled  netip.Addr
	Err      error
}

// Fetcher gets calendars over HTTP and HTTPS. Every connection, the first
// and each redirect's, is checked where it is dialled: the host is
// resolved, and only public addresses (or those Allow names) are dialled,
// by address, so a name that resolves differently a moment later cannot
// slip through.
type Fetcher struct {
	Allow    Allow
	Resolver Resolver                                                             // nil: net.DefaultResolver
	Dial     func(ctx context.Context, network, address string) (net.Conn, error) // nil: a net.Dialer
	// OnDecision, when set, hears every decision (tests record them).
	OnDecision func(Decision)
	MaxBytes   int64         // default 10 MB
	Timeout    time.Duration // the whole fetch, body included; default 30s
}

// Fetch limits.
const (
	DefaultMaxBytes = 10 << 20
	DefaultTimeout  = 30 * time.Second
	maxRedirects    = 3
)

// Fetch gets rawURL, conditionally when cond has validators. Its errors
// are sentences for staff and never contain the URL.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string, cond domain.Conditional) (domain.FetchedFeed, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return domain.FetchedFeed{}, errors.New("The address cannot be read.")
	}
	req.Header.Set("User-Agent", "Frontdesk busy-calendar import")
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	if cond.ETag != "" {
		req.Header.Set("If-None-Match", cond.ETag)
	}
	if cond.LastModified != "" {
		req.Header.Set("If-Modified-Since", cond.LastModified)
	}
	resp, err := f.client().Do(req)
	if err != nil {
		return domain.FetchedFeed{}, f.explain(ctx, req.URL.Hostname(), err)
	}
	defer resp.Body.Close()
	return f.read(ctx, resp)
}

// read turns an answer into a feed or a sentence.
func (f *Fetcher) read(ctx context.Context, resp *http.Response) (domain.FetchedFeed, error) {
	switch {
	case resp.StatusCode == http.StatusNotModified:
		return domain.FetchedFeed{NotModified: true, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return domain.FetchedFeed{}, fmt.Errorf("The calendar server refused access (%s): is the address still the current secret one?", resp.Status)
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return domain.FetchedFeed{}, fmt.Errorf("The calendar server does not know this calendar (%s): was it unpublished or its address reset?", resp.Status)
	case resp.StatusCode != http.StatusOK:
		return domain.FetchedFeed{}, fmt.Errorf("The calendar server answered %s.", resp.Status)
	}
	limit := f.maxBytes()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if ctx.Err() != nil {
			return domain.FetchedFeed{}, fmt.Errorf("The calendar did not arrive in full within %s.", f.timeout())
		}
		return domain.FetchedFeed{}, errors.New("The connection broke while the calendar was read.")
	}
	if int64(len(body)) > limit {
		return domain.FetchedFeed{}, fmt.Errorf("The calendar is larger than %d MB; Frontdesk reads at most that much.", limit>>20)
	}
	return domain.FetchedFeed{Body: body, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, nil
}

// refusedError is a connection the fetcher would not make.
type refusedError struct{ host string }

func (e *refusedError) Error() string {
	return fmt.Sprintf("Refused to connect to %s: it is a loopback, private or reserved address (BUSY_FETCH_ALLOW can name it).", e.host)
}

// redirectError is a redirect the fetcher would not follow.
type redirectError struct{ reason string }

func (e *redirectError) Error() string { return e.reason }

// explain turns a transport error into a sentence without the URL.
func (f *Fetcher) explain(ctx context.Context, host string, err error) error {
	var refused *refusedError
	var redirect *redirectError
	var dns *net.DNSError
	switch {
	case errors.As(err, &refused):
		return refused
	case errors.As(err, &redirect):
		return redirect
	case ctx.Err() != nil:
		return fmt.Errorf("The calendar server did not answer within %s.", f.timeout())
	case errors.As(err, &dns):
		return fmt.Errorf("The host %s cannot be found.", host)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("The calendar could not be fetched from %s: %s.", host, strings.TrimSuffix(redactHost(err.Error()), "."))
}

// redactHost keeps only the first line of a transport error: they carry
// addresses, never paths, but stay short.
func redactHost(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return clip(s)
}

func (f *Fetcher) client() *http.Client {
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would dial for us, unchecked
		DialContext:            f.dialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  f.timeout(),
		MaxResponseHeaderBytes: 64 << 10,
		DisableKeepAlives:      true,
	}
	return &http.Client{Transport: tr, CheckRedirect: checkRedirect}
}

// checkRedirect follows at most maxRedirects redirects, never from https
// to http, and only within the first host's domain (iCloud moves a
// calendar between its pNN-caldav hosts).
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	switch {
	case len(via) > maxRedirects:
		return &redirectError{fmt.Sprintf("The calendar server redirected more than %d times.", maxRedirects)}
	case first.Scheme == "https" && req.URL.Scheme != "https":
		return &redirectError{"The calendar server redirected from https to plain http; Frontdesk does not follow that."}
	case !sameSite(first.Hostname(), req.URL.Hostname()):
		return &redirectError{fmt.Sprintf("The calendar server redirected to another site (%s); Frontdesk only follows redirects within %s.", req.URL.Hostname(), first.Hostname())}
	}
	return nil
}

// sameSite reports whether two hosts share their last two labels.
func sameSite(a, b string) bool {
	site := func(h string) string {
		h = strings.ToLower(strings.TrimSuffix(h, "."))
		labels := strings.Split(h, ".")
		if len(labels) <= 2 {
			return h
		}
		return strings.Join(labels[len(labels)-2:], ".")
	}
	return site(a) == site(b)
}

// dialContext resolves the host, decides which address may be dialled,
// and dials it.
func (f *Fetcher) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	d := f.decide(ctx, host)
	if d.Err == nil {
		var conn net.Conn
		conn, err = f.dial()(ctx, network, net.JoinHostPort(d.Dialled.String(), port))
		if err != nil {
			d.Err = err
		}
		f.report(d)
		return conn, err
	}
	f.report(d)
	return nil, d.Err
}

func (f *Fetcher) report(d Decision) {
	if f.OnDecision != nil {
		f.OnDecision(d)
	}
}

// decide resolves host and picks the first address that may be dialled.
func (f *Fetcher) decide(ctx context.Context, host string) Decision {
	d := Decision{Host: host}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		d.Resolved = []netip.Addr{ip}
	} else {
		d.Resolved, err = f.resolver().LookupNetIP(ctx, "ip", host)
		if err != nil {
			d.Err = err
			return d
		}
	}
	for _, ip := range d.Resolved {
		ip = ip.Unmap()
		if Public(ip) || f.Allow.addr(ip) || f.Allow.host(host) {
			d.Dialled = ip
			return d
		}
	}
	d.Err = &refusedError{host: host}
	return d
}

func (f *Fetcher) resolver() Resolver {
	if f.Resolver == nil {
		return net.DefaultResolver
	}
	return f.Resolver
}

func (f *Fetcher) dial() func(context.Context, string, string) (net.Conn, error) {
	if f.Dial == nil {
		return (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	}
	return f.Dial
}

func (f *Fetcher) timeout() time.Duration {
	if f.Timeout <= 0 {
		return DefaultTimeout
	}
	return f.Timeout
}

func (f *Fetcher) maxBytes() int64 {
	if f.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return f.MaxBytes
}

// reserved are the ranges besides loopback, private, link-local,
// multicast and unspecified that are not the public internet, or that
// embed an IPv4 address that may not be (NAT64, 6to4, Teredo).
var reserved = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4",
		"64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32", "2002::/16",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// Public reports whether ip is an address on the public internet.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
