package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// busyCalendarJSON is a busy calendar as staff see it: never its URL, only
// the scheme and host in url_hint.
type busyCalendarJSON struct {
	ID            string  `json:"id"`
	Label         string  `json:"label"`
	URLHint       string  `json:"url_hint"`
	LastFetchedAt *string `json:"last_fetched_at"`
	LastError     *string `json:"last_error"`
	Events        int     `json:"events"`
	Failures      int     `json:"failures"`
	Alerting      bool    `json:"alerting"`
	CreatedAt     string  `json:"created_at"`
}

// busyCalendarInput is POST …/busy-calendars.
type busyCalendarInput struct {
	URL   string `json:"url"`
	Label string `json:"label"`
}

func toBusyCalendarJSON(c domain.BusyCalendar) busyCalendarJSON {
	out := busyCalendarJSON{
		ID: c.ID, Label: c.Label, URLHint: c.URLHint, Events: c.Events, Failures: c.Failures,
		Alerting: c.Alerting(), CreatedAt: c.CreatedAt.UTC().Format(time.RFC3339),
	}
	if !c.LastFetchedAt.IsZero() {
		s := c.LastFetchedAt.UTC().Format(time.RFC3339)
		out.LastFetchedAt = &s
	}
	if c.LastError != "" {
		out.LastError = &c.LastError
	}
	return out
}

// busyImport returns the configured busy import, else one over the store
// when it keeps busy calendars (listing and adding need no fetcher).
func (s *Server) busyImport() (*domain.BusyImport, error) {
	if s.Busy != nil {
		return s.Busy, nil
	}
	if bs, ok := s.Store.(domain.BusyStore); ok {
		return &domain.BusyImport{Store: bs, Clock: s.Clock}, nil
	}
	return nil, errors.New("busy calendars: no store for them is configured")
}

// listBusyCalendars handles GET /api/v1/practitioners/{id}/busy-calendars.
func (s *Server) listBusyCalendars(c echo.Context) error {
	p, err := s.practitionerFor(c)
	if err != nil {
		return err
	}
	bi, err := s.busyImport()
	if err != nil {
		return err
	}
	list, err := bi.Calendars(c.Request().Context(), p.ID)
	if err != nil {
		return err
	}
	out := make([]busyCalendarJSON, len(list))
	for i, bc := range list {
		out[i] = toBusyCalendarJSON(bc)
	}
	return c.JSON(http.StatusOK, map[string]any{"calendars": out})
}

// createBusyCalendar handles POST /api/v1/practitioners/{id}/busy-calendars.
// The URL is a secret: neither the answer nor the audit entry holds it.
func (s *Server) createBusyCalendar(c echo.Context) error {
	p, err := s.practitionerFor(c)
	if err != nil {
		return err
	}
	var in busyCalendarInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	bi, err := s.busyImport()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	bc, err := bi.AddCalendar(ctx, domain.NewBusyCalendar{PractitionerID: p.ID, URL: in.URL, Label: in.Label, By: auth.Actor(c)})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"calendar": toBusyCalendarJSON(bc)})
}

// deleteBusyCalendar handles DELETE /api/v1/practitioners/{id}/busy-calendars/{cid}.
func (s *Server) deleteBusyCalendar(c echo.Context) error {
	p, err := s.practitionerFor(c)
	if err != nil {
		return err
	}
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	bi, err := s.busyImport()
	if err != nil {
		return err
	}
	if err := bi.RemoveCalendar(c.Request().Context(), auth.Actor(c), p.ID, cid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
