package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// holdCookie names the browser for holds: a random id, so that a browser
// keeps one hold at a time (a new time releases the one before). Only its
// hash reaches the database.
const holdCookie = "fd_hold_client"

// holdView is the hold the details page keeps for the visitor.
type holdView struct {
	Token     string
	ExpiresAt time.Time
	Left      time.Duration // at rendering, for the page without its script
}

// LeftText is the time left, as "9:58".
func (h holdView) LeftText() string {
	s := int(h.Left.Round(time.Second) / time.Second)
	if s < 0 {
		s = 0
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// LeftSeconds is the time left in whole seconds: site.js counts down from
// it, so the countdown follows the server's clock, not the visitor's.
func (h holdView) LeftSeconds() int { return max(0, int(h.Left.Round(time.Second)/time.Second)) }

// holdClient returns the browser's hold key, setting the cookie when the
// browser has none yet.
func (s *Site) holdClient(c echo.Context) string {
	if ck, err := c.Cookie(holdCookie); err == nil && holdClientKey(ck.Value) != "" {
		return holdClientKey(ck.Value)
	}
	raw, _ := domain.NewToken()
	c.SetCookie(&http.Cookie{Name: holdCookie, Value: raw, Path: "/book/", MaxAge: 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https"})
	return holdClientKey(raw)
}

// holdClientKey is the client key of the browser cookie's value; "" for a
// value no server made.
func holdClientKey(cookie string) string {
	if len(cookie) < 32 || len(cookie) > 64 {
		return ""
	}
	return domain.HashToken("browser:" + cookie)
}

// placeHold keeps the details page's time for the visitor while they type.
// A time someone else keeps or booked marks the page Taken; one that can
// no longer be booked marks it Stale; both offer the nearest open times.
func (s *Site) placeHold(c echo.Context, d *detailsPage) error {
	got, err := s.Scheduler.PlaceHold(c.Request().Context(), domain.HoldRequest{
		ServiceID: d.Service.ID, PractitionerID: practitionerID(d.Practitioner), Start: d.Start,
		TimeZone: d.Zone.Name, ClientKey: s.holdClient(c), Actor: domain.ActorPatient,
	})
	switch {
	case err == nil:
		d.Hold = &holdView{Token: got.Token, ExpiresAt: got.Hold.ExpiresAt, Left: got.Hold.ExpiresAt.Sub(s.Clock.Now())}
		return nil
	case errors.Is(err, domain.ErrHoldTaken), errors.Is(err, domain.ErrSlotTaken), errors.Is(err, domain.ErrRoomTaken):
		d.Taken = true
	case domain.ErrorKind(err) == domain.KindInvalid:
		p, ok := problemOf(err)
		if !ok || p.Fields["start"] == "" {
			return err
		}
		d.Stale = p.Fields["start"]
	default:
		return err
	}
	alts, err := s.alternatives(c, *d)
	d.Alternatives = alts
	return err
}

// liveHold is the view of the hold the token opens, nil when it has ended.
func (s *Site) liveHold(c echo.Context, token string) *holdView {
	if token == "" {
		return nil
	}
	h, err := s.Scheduler.HoldByToken(c.Request().Context(), token)
	now := s.Clock.Now()
	if err != nil || !h.LiveAt(now) {
		return nil
	}
	return &holdView{Token: token, ExpiresAt: h.ExpiresAt, Left: h.ExpiresAt.Sub(now)}
}
