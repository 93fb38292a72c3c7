// Package csp builds each response's Content-Security-Policy: api starts it
// for every response, web pages that may be framed widen it.
package csp

import (
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// Policy is the Content-Security-Policy of one response, built up by
// whoever handles it and written as one header just before the response
// goes out: every part of the server that cares about a directive sets
// that directive, and the directives are merged, never two headers.
// api's securityHeaders starts every response's policy with frame-ancestors
// 'none'; a page that may be framed (the booking pages, for the clinic's
// own site) sets frame-ancestors to the allowed origins.
type Policy struct {
	order   []string
	sources map[string][]string
}

// Set replaces a directive's sources; no sources removes the directive.
func (p *Policy) Set(directive string, sources ...string) {
	if p.sources == nil {
		p.sources = map[string][]string{}
	}
	if len(sources) == 0 {
		delete(p.sources, directive)
		p.order = slices.DeleteFunc(p.order, func(d string) bool { return d == directive })
		return
	}
	if _, ok := p.sources[directive]; !ok {
		p.order = append(p.order, directive)
	}
	p.sources[directive] = slices.Clone(sources)
}

// Add appends sources to a directive, skipping those it has.
func (p *Policy) Add(directive string, sources ...string) {
	merged := slices.Clone(p.Sources(directive))
	for _, s := range sources {
		if !slices.Contains(merged, s) {
			merged = append(merged, s)
		}
	}
	p.Set(directive, merged...)
}

// Sources returns a directive's sources (nil when it is not set).
func (p *Policy) Sources(directive string) []string { return p.sources[directive] }

// String is the header's value: directives in the order first set.
func (p *Policy) String() string {
	parts := make([]string, 0, len(p.order))
	for _, d := range p.order {
		parts = append(parts, strings.TrimSpace(d+" "+strings.Join(p.sources[d], " ")))
	}
	return strings.Join(parts, "; ")
}

const ctxPolicy = "fd.csp"

// ResponsePolicy returns the policy of c's response, to change before the
// handler writes its answer. Outside securityHeaders it returns a policy
// nobody writes.
func ResponsePolicy(c echo.Context) *Policy {
	if p, ok := c.Get(ctxPolicy).(*Policy); ok {
		return p
	}
	return &Policy{}
}

// defaults is the policy every response starts with: resources from this
// origin only, no plugins, no <base>, forms posting here. Pages use no
// inline script; style attributes place the calendar's grid and colours,
// hence 'unsafe-inline' for styles alone.
func defaults(p *Policy) {
	p.Set("frame-ancestors", "'none'")
	p.Set("default-src", "'self'")
	p.Set("script-src", "'self'")
	p.Set("style-src", "'self'", "'unsafe-inline'")
	p.Set("img-src", "'self'", "data:")
	p.Set("connect-src", "'self'")
	p.Set("form-action", "'self'")
	p.Set("base-uri", "'none'")
	p.Set("object-src", "'none'")
}

// Start gives c's response a policy refusing to be framed, and
// writes it (with X-Frame-Options for browsers that do not read
// frame-ancestors, while framing is refused) as the response is committed.
func Start(c echo.Context) {
	p := &Policy{}
	defaults(p)
	c.Set(ctxPolicy, p)
	res := c.Response()
	res.Before(func() {
		h := res.Header()
		if v := p.String(); v != "" {
			h.Set("Content-Security-Policy", v)
		}
		if slices.Equal(p.Sources("frame-ancestors"), []string{"'none'"}) {
			h.Set("X-Frame-Options", "DENY")
		} else {
			h.Del("X-Frame-Options")
		}
	})
}

// NoIndex reports whether search engines must not index path: staff
// pages, the patient's own pages reached by a secret link (manage, offers,
// waitlist entries, plans), feeds and the API. The server sends
// X-Robots-Tag for them, and pages carry the meta tag too.
func NoIndex(path string) bool {
	for _, p := range []string{"/staff", "/manage", "/feeds/", "/api/", "/offers/", "/waitlist/", "/plans/", "/holds/"} {
		if path == strings.TrimSuffix(p, "/") || strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}
