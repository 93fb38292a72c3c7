package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// feedTokenJSON is a feed link as listed; the secret is shown only once,
// when it is made.
type feedTokenJSON struct {
	ID             string `json:"id"`
	PractitionerID string `json:"practitioner_id"`
	Privacy        string `json:"privacy"`
	CreatedBy      string `json:"created_by"`
	CreatedAt      string `json:"created_at"`
}

func toFeedTokenJSON(t domain.FeedToken) feedTokenJSON {
	return feedTokenJSON{ID: t.ID, PractitionerID: t.PractitionerID, Privacy: string(t.Privacy),
		CreatedBy: t.CreatedBy, CreatedAt: rfc3339(t.CreatedAt, time.UTC)}
}

type feedTokenInput struct {
	PractitionerID string `json:"practitioner_id"`
	Privacy        string `json:"privacy"`
}

type feedTokenCreated struct {
	ID             string `json:"id"`
	URL            string `json:"url"`
	WebcalURL      string `json:"webcal_url"`
	PractitionerID string `json:"practitioner_id"`
	Privacy        string `json:"privacy"`
}

// listFeedTokens handles GET /api/v1/feed-tokens: live links, a
// practitioner's own only.
func (s *Server) listFeedTokens(c echo.Context) error {
	list, err := s.Store.FeedTokens(c.Request().Context())
	if err != nil {
		return err
	}
	u, _ := auth.UserFrom(c)
	out := make([]feedTokenJSON, 0, len(list))
	for _, t := range list {
		if t.RevokedAt.IsZero() && (isDesk(c) || (t.PractitionerID != "" && u.Can(t.PractitionerID))) {
			out = append(out, toFeedTokenJSON(t))
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"feed_tokens": out})
}

// createFeedToken handles POST /api/v1/feed-tokens {"practitioner_id"?,"privacy"?}:
// no practitioner is the whole clinic's feed (desk only); privacy defaults
// to "busy", the least a feed can show.
func (s *Server) createFeedToken(c echo.Context) error {
	var in feedTokenInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	if in.Privacy == "" {
		in.Privacy = string(domain.PrivacyBusy)
	}
	if !domain.Privacy(in.Privacy).Valid() {
		return domain.Invalid("privacy", "Use busy, initials or full.")
	}
	if in.PractitionerID != "" {
		if !domain.IsID(in.PractitionerID) {
			return domain.Invalid("practitioner_id", "Unknown practitioner.")
		}
		if err := mayActFor(c, in.PractitionerID); err != nil {
			return err
		}
	} else if !isDesk(c) {
		return domain.ErrForbidden
	}
	raw, hash := domain.NewToken()
	u, _ := auth.UserFrom(c)
	t, err := s.Setup.CreateFeedToken(c.Request().Context(), auth.Actor(c), domain.FeedToken{
		PractitionerID: in.PractitionerID, Hash: hash, Privacy: domain.Privacy(in.Privacy), CreatedBy: u.ID})
	if err != nil {
		return err
	}
	url := strings.TrimRight(s.BaseURL, "/") + "/feeds/" + raw + ".ics"
	return c.JSON(http.StatusCreated, feedTokenCreated{
		ID: t.ID, URL: url, WebcalURL: webcal(url), PractitionerID: t.PractitionerID, Privacy: string(t.Privacy),
	})
}

// webcal swaps the scheme for webcal://, which calendar apps subscribe to.
func webcal(url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		return "webcal" + url[i:]
	}
	return "webcal://" + url
}

// deleteFeedToken handles DELETE /api/v1/feed-tokens/{id}: the link stops
// working at once.
func (s *Server) deleteFeedToken(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, err := s.Store.FeedTokens(ctx)
	if err != nil {
		return err
	}
	var found *domain.FeedToken
	for i := range list {
		if list[i].ID == id && list[i].RevokedAt.IsZero() {
			found = &list[i]
		}
	}
	if found == nil {
		return domain.ErrNotFound
	}
	if !isDesk(c) {
		if err := mayActFor(c, found.PractitionerID); err != nil {
			return err
		}
	}
	if err := s.Setup.RevokeFeedToken(ctx, auth.Actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
