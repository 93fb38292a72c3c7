package api

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
)

// ParseTrustedProxies reads TRUSTED_PROXIES: comma-separated CIDRs (or bare
// addresses, taken as one host) of the reverse proxies in front of the
// server. Empty means none.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, aerr := netip.ParseAddr(part)
			if aerr != nil {
				return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or an address", part)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// clientIPExtractor finds the client's address for rate limits and logs.
// A peer outside trusted is the client, whatever headers it sends. A trusted
// peer (a reverse proxy) is believed about the hops before it: the client is
// the rightmost hop of X-Forwarded-For (or, without one, of Forwarded) that
// is not itself a trusted proxy. Headers are read from trusted peers only,
// so with no trusted proxies forged headers change nothing.
func clientIPExtractor(trusted []netip.Prefix) echo.IPExtractor {
	return func(r *http.Request) string {
		peer := peerAddr(r)
		if !peer.IsValid() {
			return r.RemoteAddr
		}
		if !isTrusted(trusted, peer) {
			return peer.String()
		}
		hops := forwardedHops(r.Header)
		client := peer
		for i := len(hops) - 1; i >= 0; i-- {
			hop, ok := parseHop(hops[i])
			if !ok {
				break // an unreadable hop: trust stops at the proxy that wrote it
			}
			client = hop
			if !isTrusted(trusted, hop) {
				break
			}
		}
		return client.String()
	}
}

// peerAddr is the address of the connection's other end.
func peerAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

func isTrusted(trusted []netip.Prefix, a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedHops lists the forwarding chain, nearest the client first. Every
// X-Forwarded-For line counts (a proxy may add its own line); Forwarded
// (RFC 7239) is read only when there is no X-Forwarded-For, so a client
// cannot slip a Forwarded header past a proxy that writes only the other.
func forwardedHops(h http.Header) []string {
	var hops []string
	if xff := h.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, line := range xff {
			hops = append(hops, strings.Split(line, ",")...)
		}
		return hops
	}
	for _, line := range h.Values("Forwarded") {
		for _, elem := range strings.Split(line, ",") {
			hops = append(hops, forwardedFor(elem))
		}
	}
	return hops
}

// forwardedFor is the for= value of one Forwarded element ("" if none).
func forwardedFor(elem string) string {
	for _, pair := range strings.Split(elem, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if ok && strings.EqualFold(k, "for") {
			return v
		}
	}
	return ""
}

// parseHop reads one hop: an address, optionally quoted, bracketed or with
// a port (Forwarded writes "[2001:db8::1]:4711").
func parseHop(s string) (netip.Addr, bool) {
	s = strings.Trim(strings.TrimSpace(s), `"`)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
