package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/api/csp"
	"github.com/frontdesk/frontdesk/domain"
)

//go:embed templates static
var assets embed.FS

// pages holds one template set per page: the layout, the partials and the page.
var pages = mustParsePages()

func mustParsePages() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials.html"))
	files, err := fs.Glob(assets, "templates/pages/*.html")
	if err != nil {
		panic(err)
	}
	out := make(map[string]*template.Template, len(files))
	for _, f := range files {
		t := template.Must(template.Must(base.Clone()).ParseFS(assets, f))
		out[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return out
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err)
	}
	fsrv := http.FileServer(http.FS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// layout is what the page frame needs: the clinic, the signed-in user and
// the CSRF token for forms.
type layout struct {
	Title  string
	Clinic domain.Clinic
	User   *domain.User
	CSRF   string
	Nav    string // the staff menu entry to highlight
	Flash  string // a one-line success message
	Keep   keep   // how a patient arrived, for the booking pages' links (embed.go)
	// NoIndex asks search engines not to index the page (csp.NoIndex:
	// staff pages, the patient's manage page), beside the X-Robots-Tag.
	NoIndex bool
	// Description is the page's meta description: the page data's own
	// (a service's) or one sentence about the clinic.
	Description string
}

// describer is page data with a meta description of its own.
type describer interface{ Description() string }

// description is d's meta description, or the clinic's.
func description(d any, c domain.Clinic) string {
	if x, ok := d.(describer); ok {
		if s := x.Description(); s != "" {
			return s
		}
	}
	return "Book, reschedule or cancel a visit at " + c.Name + " online, in your own time zone."
}

// view is the data of every template: the frame and the page's own data.
type view struct {
	L layout
	D any
}

// render executes page with d inside the layout and writes it with status.
func (s *Site) render(c echo.Context, status int, page, title string, d any) error {
	l := layout{Title: title, Clinic: s.clinic(c), CSRF: auth.CSRFToken(c), Flash: flash(c), Keep: s.arrivalOf(c).keep()}
	l.Description = description(d, l.Clinic)
	l.NoIndex = csp.NoIndex(c.Request().URL.Path)
	if u, ok := auth.UserFrom(c); ok {
		l.User = &u
		l.Nav = navOf(c.Path())
	}
	body, err := renderPage(page, view{L: l, D: d})
	if err != nil {
		return err
	}
	if l.User != nil || strings.HasPrefix(c.Path(), "/manage") {
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	return c.HTMLBlob(status, body)
}

// navOf names the staff menu entry of a route: "calendar", "bookings",
// "practitioners", …
func navOf(route string) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(route, "/staff"), "/")
	rest = strings.TrimPrefix(rest, "setup/")
	first, _, _ := strings.Cut(rest, "/")
	if first == "" {
		return "calendar"
	}
	return first
}

// partView is the data of a piece of a page: the frame's fields a form
// needs (the CSRF token) and the page's data.
func (s *Site) partView(c echo.Context, d any) view {
	l := layout{Clinic: s.clinic(c), CSRF: auth.CSRFToken(c)}
	if u, ok := auth.UserFrom(c); ok {
		l.User = &u
	}
	return view{L: l, D: d}
}

// renderPart writes one named template of a page with data, without the
// layout: the piece a panel on the calendar swaps in.
func (s *Site) renderPart(c echo.Context, status int, page, name string, data any) error {
	t, ok := pages[page]
	if !ok {
		return fmt.Errorf("render %s: no such page", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s/%s: %w", page, name, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// renderPage executes one page template into bytes.
func renderPage(page string, v view) ([]byte, error) {
	t, ok := pages[page]
	if !ok {
		return nil, fmt.Errorf("render %s: no such page", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("render %s: %w", page, err)
	}
	return buf.Bytes(), nil
}

// clinic returns the clinic's settings, or a placeholder before setup so
// the error pages still render.
func (s *Site) clinic(c echo.Context) domain.Clinic {
	if cl, ok := c.Get("web.clinic").(domain.Clinic); ok {
		return cl
	}
	cl, err := s.Store.Clinic(c.Request().Context())
	if err != nil {
		cl = domain.Clinic{Name: "Frontdesk", TimeZone: "UTC", Policy: domain.DefaultPolicy}
	}
	c.Set("web.clinic", cl)
	return cl
}

// flash reads the ?done= message a redirect after a POST carries.
func flash(c echo.Context) string {
	return flashes[c.QueryParam("done")]
}

var flashes = map[string]string{
	"notes":     "Staff notes saved.",
	"status":    "Status updated.",
	"moved":     "The visit was moved.",
	"cancelled": "The visit was cancelled.",
	"booked":    "The visit was booked.",
	"saved":     "Saved.",
	"deleted":   "Deleted.",
	"retried":   "The message is queued again.",
	"rotated":   "A new feed link was made; the old one no longer works.",

	"proposal-accepted": "The visit was moved to the time the patient proposed.",
	"proposal-declined": "The proposed time was declined; the visit keeps its time.",
	"plan-cancelled":    "The rest of the plan is cancelled; the patient gets one email.",
	"plan-booked":       "The plan is booked; the patient gets one email with every visit.",
	"outcome":           "The outcome of the review is saved.",
	"email-fixed":       "The address is saved; mail goes to it again. Held messages can be retried on the notifications page.",
	"offered":           "The time is offered; the patient is emailed and it is held for them until the offer expires.",
	"removed":           "The entry was removed from the waitlist.",
}

// seeOther redirects after a successful POST.
func seeOther(c echo.Context, url string) error {
	return c.Redirect(http.StatusSeeOther, url)
}
