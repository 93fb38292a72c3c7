package web

import (
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/csp"
	"github.com/frontdesk/frontdesk/domain"
)

// The clinic's own website shows the booking flow in a frame: one
// <script src="…/embed.js" data-service="…" async></script> adds a button
// (or, with data-mode="inline", the frame itself) whose frame opens
// /?embed=1&origin=<the site>&ref=<the page>&utm_…=… here. The booking
// pages then drop their header and footer, carry those parameters on every
// link and form of the flow (no cookie is needed, and none crosses sites),
// and tell the site their height by postMessage, to that origin only.
// Only EMBED_ORIGINS (and Frontdesk itself) may frame them; every other
// page refuses framing.

//go:embed static/embed.js
var embedJS []byte

// ParseOrigins reads EMBED_ORIGINS: comma-separated origins such as
// https://clinic.example (scheme, host and port only).
func ParseOrigins(v string) ([]string, error) {
	var out []string
	for _, raw := range strings.Split(v, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(raw, " ;'\"") {
			return nil, fmt.Errorf("%q is not an origin such as https://clinic.example", raw)
		}
		out = append(out, u.Scheme+"://"+strings.ToLower(u.Host))
	}
	return out, nil
}

// serveEmbedJS handles GET /embed.js.
func serveEmbedJS(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", embedJS)
}

// frameable lets EMBED_ORIGINS frame the booking pages, and Frontdesk's
// own pages (the live preview of the widget on the setup page).
func (s *Site) frameable(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		csp.ResponsePolicy(c).Set("frame-ancestors", append([]string{"'self'"}, s.EmbedOrigins...)...)
		return next(c)
	}
}

// mayFrame reports whether origin may frame the booking pages: one of
// EMBED_ORIGINS, or this site itself.
func (s *Site) mayFrame(c echo.Context, origin string) bool {
	return origin != "" && (slices.Contains(s.EmbedOrigins, origin) || origin == c.Scheme()+"://"+c.Request().Host)
}

// arrival is how the visitor came to the booking pages: in the frame on
// the clinic's site, and from which page and campaign.
type arrival struct {
	Embed       bool
	Origin      string // the framing site, when it is one of EMBED_ORIGINS
	Attribution domain.Attribution
}

// carried are the parameters an arrival travels in, link to link.
var carried = []string{"embed", "origin", "ref", "utm_source", "utm_medium", "utm_campaign", "utm_content"}

// arrivalOf reads the arrival from the query or form. Values beyond their
// bounds are dropped here rather than refused: a link someone else wrote
// must still open the booking pages. A visitor linked straight here from
// another site brings that page as the Referer.
func (s *Site) arrivalOf(c echo.Context) arrival {
	a := arrival{Embed: formOrQuery(c, "embed") == "1"}
	if o := formOrQuery(c, "origin"); a.Embed && s.mayFrame(c, o) {
		a.Origin = o
	}
	at := domain.Attribution{
		Referrer: formOrQuery(c, "ref"), UTMSource: formOrQuery(c, "utm_source"), UTMMedium: formOrQuery(c, "utm_medium"),
		UTMCampaign: formOrQuery(c, "utm_campaign"), UTMContent: formOrQuery(c, "utm_content"),
	}.Clean()
	if at.Referrer == "" && !a.Embed {
		at.Referrer = s.foreignReferer(c)
	}
	a.Attribution = boundedAttribution(at)
	return a
}

// foreignReferer is the page (without its query) of a request's Referer
// from another site, "" for one from these pages.
func (s *Site) foreignReferer(c echo.Context) string {
	u, err := url.Parse(c.Request().Referer())
	if err != nil || u.Host == "" || strings.EqualFold(u.Host, c.Request().Host) {
		return ""
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}

// boundedAttribution drops the fields the domain would refuse.
func boundedAttribution(a domain.Attribution) domain.Attribution {
	for _, f := range []struct {
		field string
		value *string
	}{
		{"attribution.referrer", &a.Referrer}, {"attribution.utm_source", &a.UTMSource},
		{"attribution.utm_medium", &a.UTMMedium}, {"attribution.utm_campaign", &a.UTMCampaign},
		{"attribution.utm_content", &a.UTMContent},
	} {
		if err := a.Validate(); err != nil && fieldAtFault(err, f.field) {
			*f.value = ""
		}
	}
	return a
}

func fieldAtFault(err error, field string) bool {
	e, ok := err.(*domain.Error)
	if !ok {
		return false
	}
	for _, p := range e.Problems() {
		if p.Field == field {
			return true
		}
	}
	return false
}

// values is the arrival as query parameters.
func (a arrival) values() url.Values {
	v := url.Values{}
	if a.Embed {
		v.Set("embed", "1")
	}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("origin", a.Origin)
	set("ref", a.Attribution.Referrer)
	set("utm_source", a.Attribution.UTMSource)
	set("utm_medium", a.Attribution.UTMMedium)
	set("utm_campaign", a.Attribution.UTMCampaign)
	set("utm_content", a.Attribution.UTMContent)
	return v
}

// source is the booking source the arrival records.
func (a arrival) source() domain.Source {
	if a.Embed {
		return domain.SourceEmbed
	}
	return domain.SourceOnline
}

// keep is the arrival as the templates need it.
type keep struct {
	Embed  bool
	Origin string       // post the page's height to this origin ("" = nobody)
	Q      template.URL // "?embed=1&…" to end a link without a query, or ""
	A      template.URL // "&embed=1&…" to end a link with one, or ""
	Hidden []hiddenField
}

type hiddenField struct{ Name, Value string }

func (a arrival) keep() keep {
	v := a.values()
	k := keep{Embed: a.Embed, Origin: a.Origin}
	if enc := v.Encode(); enc != "" {
		k.Q, k.A = template.URL("?"+enc), template.URL("&"+enc)
	}
	for _, name := range carried {
		if x := v.Get(name); x != "" {
			k.Hidden = append(k.Hidden, hiddenField{name, x})
		}
	}
	return k
}

// withArrival adds the arrival's parameters to a query.
func withArrival(q url.Values, a arrival) url.Values {
	for k, vs := range a.values() {
		q[k] = vs
	}
	return q
}

// framing is the part of the arrival the manage pages keep: whether they
// are in the widget, and for which site. The booking is made, so its
// attribution is not carried further.
func (s *Site) framing(c echo.Context) arrival {
	a := s.arrivalOf(c)
	return arrival{Embed: a.Embed, Origin: a.Origin}
}
