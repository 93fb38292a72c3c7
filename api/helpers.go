package api

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// pathID returns the path parameter name if it has the shape of an id;
// anything else cannot exist, so it is a 404 before the database is asked.
func pathID(c echo.Context, name string) (string, error) {
	id := c.Param(name)
	if !domain.IsID(id) {
		return "", domain.ErrNotFound
	}
	return id, nil
}

// mayActFor answers 403 unless the signed-in user may act on the
// practitioner's schedule.
func mayActFor(c echo.Context, practitionerID string) error {
	u, ok := auth.UserFrom(c)
	if !ok {
		return domain.ErrUnauthorized
	}
	if !u.Can(practitionerID) {
		return domain.ErrForbidden
	}
	return nil
}

// isDesk reports whether the user sees every practitioner's data.
func isDesk(c echo.Context) bool {
	u, ok := auth.UserFrom(c)
	return ok && (u.Role == domain.RoleAdmin || u.Role == domain.RoleFrontDesk)
}

// rfc3339 formats t in loc, or "" for the zero time.
func rfc3339(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}

// loadZone reads an IANA zone name from a request.
func loadZone(field, name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, domain.Invalid(field, "Use an IANA time zone such as America/New_York.")
	}
	loc, err := domain.LoadZone(name)
	if err != nil {
		return nil, domain.Invalid(field, "Unknown time zone; use an IANA name such as America/New_York.")
	}
	return loc, nil
}

// minutes converts a whole number of minutes from JSON, saturated (see
// domain.Minutes) so that validation sees a huge number as huge.
func minutes(n int) time.Duration { return domain.Minutes(n) }

// actor is who the request acts as: the staff user or the patient.
func actor(c echo.Context) domain.Actor { return auth.Actor(c) }
