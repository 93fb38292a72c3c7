package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// embedSetupPage is the snippet for the clinic's website, with a live
// preview of what it adds.
type embedSetupPage struct {
	Base     string // the public origin the snippet loads from
	Service  string // a service id or kind, "" for every service
	Inline   bool
	Options  []embedOption
	Snippet  string
	Origins  []string // EMBED_ORIGINS
	Previews bool
}

type embedOption struct{ Value, Label string }

// embedSetup handles GET /staff/setup/embed?service=&mode=.
func (s *Site) embedSetup(c echo.Context) error {
	all, err := s.Store.Services(c.Request().Context(), false)
	if err != nil {
		return err
	}
	d := embedSetupPage{Base: strings.TrimRight(s.BaseURL, "/"), Service: string(domain.KindCaseReview),
		Inline: c.QueryParam("mode") == "inline", Origins: s.EmbedOrigins}
	if d.Base == "" {
		d.Base = c.Scheme() + "://" + c.Request().Host
	}
	d.Options = []embedOption{{"", "Every service"}, {string(domain.KindCaseReview), "The case review"}, {string(domain.KindMassage), "Every massage"}}
	for _, sv := range all {
		if sv.Active && sv.OnlineBookable {
			d.Options = append(d.Options, embedOption{sv.ID, sv.Name})
		}
	}
	if q := c.QueryParam("service"); c.QueryParams().Has("service") {
		for _, o := range d.Options {
			if o.Value == q {
				d.Service = q
			}
		}
		if q != d.Service {
			return domain.Invalid("service", "Choose a service from the list.")
		}
	}
	d.Snippet = embedSnippet(d.Base, d.Service, d.Inline)
	return s.render(c, http.StatusOK, "embed", "Website widget", d)
}

// embedSnippet is the one line the clinic's website needs.
func embedSnippet(base, service string, inline bool) string {
	var b strings.Builder
	b.WriteString(`<script src="` + base + `/embed.js"`)
	if service != "" {
		b.WriteString(` data-service="` + service + `"`)
	}
	if inline {
		b.WriteString(` data-mode="inline"`)
	}
	b.WriteString(` async></script>`)
	return b.String()
}
