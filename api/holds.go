package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// holdRequest is the body of POST /api/v1/holds.
type holdRequest struct {
	ServiceID      string `json:"service_id"`
	PractitionerID string `json:"practitioner_id"`
	Start          string `json:"start"`
	TimeZone       string `json:"time_zone"`
}

// holdJSON is a hold as the holder sees it, in the requested zone.
type holdJSON struct {
	ID             string  `json:"id"`
	ServiceID      string  `json:"service_id"`
	Start          string  `json:"start"`
	End            string  `json:"end"`
	PractitionerID string  `json:"practitioner_id"`
	RoomID         *string `json:"room_id"`
	ExpiresAt      string  `json:"expires_at"`
}

type heldJSON struct {
	Hold      holdJSON `json:"hold"`
	HoldToken string   `json:"hold_token"`
}

func toHoldJSON(h domain.Hold, loc *time.Location) holdJSON {
	out := holdJSON{ID: h.ID, ServiceID: h.ServiceID, Start: rfc3339(h.Start, loc), End: rfc3339(h.End, loc),
		PractitionerID: h.PractitionerID, ExpiresAt: rfc3339(h.ExpiresAt, loc)}
	if h.RoomID != "" {
		out.RoomID = &h.RoomID
	}
	return out
}

// HoldClientKey is the client identity of an API hold: the client's
// address (as the rate limits see it), hashed. A client holds one time at a
// time, so a second hold from the same address releases the first; clients
// behind one address (a clinic's waiting-room Wi-Fi) share that one hold
// through the API, while the web pages key on a per-browser cookie.
func HoldClientKey(ip string) string { return domain.HashToken("ip:" + ip) }

// createHold handles POST /api/v1/holds: 201 with the hold and its token
// (shown once), 409 naming what keeps the time.
func (s *Server) createHold(c echo.Context) error {
	var req holdRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	var start time.Time
	if req.Start != "" {
		var err error
		if start, err = parseInstant("start", req.Start); err != nil {
			return err
		}
	}
	loc, err := s.requestZone(c, "time_zone", req.TimeZone)
	if err != nil {
		return err
	}
	got, err := s.Scheduler.PlaceHold(c.Request().Context(), domain.HoldRequest{
		ServiceID: req.ServiceID, PractitionerID: req.PractitionerID, Start: start, TimeZone: req.TimeZone,
		ClientKey: HoldClientKey(c.RealIP()), Actor: actor(c),
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, heldJSON{Hold: toHoldJSON(got.Hold, loc), HoldToken: got.Token})
}

// deleteHold handles DELETE /api/v1/holds/{hold_token}: 204, the time is
// free at once; 404 for a token that opens no hold.
func (s *Server) deleteHold(c echo.Context) error {
	if err := s.Scheduler.ReleaseHold(c.Request().Context(), c.Param("hold_token"), actor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
