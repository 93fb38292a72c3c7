package web

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// feedsPage lists calendar feed links; a new link is shown once, just
// after it is made (only its hash is stored).
type feedsPage struct {
	Tokens        []feedRow
	Practitioners []domain.Practitioner
	New           *feedURLs
	Privacies     []domain.Privacy
	Problem       formProblem
}

// feedRow is one live feed token.
type feedRow struct {
	domain.FeedToken
	Owner string // the practitioner's name or "Whole clinic"
}

// feedURLs are a feed's subscribable addresses.
type feedURLs struct {
	Owner, HTTPS, Webcal string
	// WebcalHref is Webcal for a link: html/template would refuse the
	// webcal: scheme in an href, and this URL is built here, not typed.
	WebcalHref template.URL
}

var privacies = []domain.Privacy{domain.PrivacyBusy, domain.PrivacyInitials, domain.PrivacyFullName}

// feeds handles GET /staff/feeds.
func (s *Site) feeds(c echo.Context) error {
	d, err := s.loadFeeds(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "feeds", "Calendar feeds", d)
}

func (s *Site) loadFeeds(c echo.Context) (feedsPage, error) {
	ctx := c.Request().Context()
	toks, err := s.Store.FeedTokens(ctx)
	if err != nil {
		return feedsPage{}, err
	}
	ps, err := s.Store.Practitioners(ctx, true)
	if err != nil {
		return feedsPage{}, err
	}
	names := map[string]string{"": "Whole clinic"}
	for _, p := range ps {
		names[p.ID] = p.Name
	}
	d := feedsPage{Practitioners: ps, Privacies: privacies}
	for _, t := range toks {
		if t.RevokedAt.IsZero() {
			d.Tokens = append(d.Tokens, feedRow{FeedToken: t, Owner: names[t.PractitionerID]})
		}
	}
	return d, nil
}

// rotateFeed handles POST /staff/feeds: revokes the token in "revoke" (if
// any) and makes a new one for the practitioner ("" = the clinic).
func (s *Site) rotateFeed(c echo.Context) error {
	ctx := c.Request().Context()
	pid, privacy := c.FormValue("practitioner_id"), domain.Privacy(c.FormValue("privacy"))
	if !privacy.Valid() {
		return s.feedProblem(c, domain.Invalid("privacy", "Choose busy, initials or full name."))
	}
	if pid != "" && !domain.IsID(pid) {
		return s.feedProblem(c, domain.Invalid("practitioner_id", "Choose a practitioner from the list."))
	}
	if id := c.FormValue("revoke"); id != "" {
		if err := s.Setup.RevokeFeedToken(ctx, staffActor(c), id); err != nil {
			return err
		}
	}
	raw, hash := domain.NewToken()
	u, _ := auth.UserFrom(c)
	t, err := s.Setup.CreateFeedToken(ctx, staffActor(c), domain.FeedToken{PractitionerID: pid, Hash: hash, Privacy: privacy, CreatedBy: u.ID})
	if err != nil {
		return s.feedProblem(c, err)
	}
	d, err := s.loadFeeds(c)
	if err != nil {
		return err
	}
	urls := feedLinks(s.BaseURL, raw)
	for _, row := range d.Tokens {
		if row.ID == t.ID {
			urls.Owner = row.Owner
		}
	}
	d.New = &urls
	return s.render(c, http.StatusCreated, "feeds", "Calendar feeds", d)
}

func (s *Site) feedProblem(c echo.Context, err error) error {
	p, ok := problemOf(err)
	if !ok {
		return err
	}
	d, lerr := s.loadFeeds(c)
	if lerr != nil {
		return lerr
	}
	d.Problem = p
	return s.render(c, statusOf(err), "feeds", "Calendar feeds", d)
}

// feedLinks are the https:// and webcal:// forms of a feed's address.
func feedLinks(baseURL, raw string) feedURLs {
	base := strings.TrimRight(baseURL, "/")
	https := base + "/feeds/" + raw + ".ics"
	host := strings.TrimPrefix(strings.TrimPrefix(https, "https://"), "http://")
	webcal := "webcal://" + host
	return feedURLs{HTTPS: https, Webcal: webcal, WebcalHref: template.URL(webcal)}
}
