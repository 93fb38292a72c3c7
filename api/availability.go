package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

type slotJSON struct {
	Start          string `json:"start"`
	End            string `json:"end"`
	PractitionerID string `json:"practitioner_id"`
}

// availability handles GET /api/v1/availability?service_id=&practitioner_id=&from=&to=&tz=:
// open slots in [from, to] (days in tz, default the clinic's zone), each
// with its practitioner, times carrying tz's offset. Staff may add
// ignore_policy=true to see times inside the notice and beyond the horizon.
func (s *Server) availability(c echo.Context) error {
	ctx := c.Request().Context()
	q, err := s.availabilityQuery(c)
	if err != nil {
		return err
	}
	slots, err := s.Scheduler.Availability(ctx, q)
	if err != nil {
		return err
	}
	out := make([]slotJSON, 0, len(slots))
	for _, sl := range slots {
		out = append(out, slotJSON{Start: rfc3339(sl.Start, q.Location), End: rfc3339(sl.End, q.Location), PractitionerID: sl.PractitionerID})
	}
	return c.JSON(http.StatusOK, map[string]any{"time_zone": q.Location.String(), "slots": out})
}

func (s *Server) availabilityQuery(c echo.Context) (domain.AvailabilityQuery, error) {
	var q domain.AvailabilityQuery
	var v domain.Validation
	q.ServiceID = c.QueryParam("service_id")
	v.Check(q.ServiceID != "", "service_id", "Choose a service.")
	v.Check(q.ServiceID == "" || domain.IsID(q.ServiceID), "service_id", "Unknown service.")
	q.PractitionerID = c.QueryParam("practitioner_id")
	v.Check(q.PractitionerID == "" || domain.IsID(q.PractitionerID), "practitioner_id", "Unknown practitioner.")
	ignore, err := boolParam(c, "ignore_policy")
	if err != nil {
		return q, err
	}
	if ignore && !isStaff(c) {
		return q, domain.Forbidden("Only staff may ignore the booking policy.")
	}
	q.IgnorePolicy = ignore
	loc, err := s.requestZone(c, "tz", c.QueryParam("tz"))
	if err != nil {
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.KindInvalid {
			return q, err
		}
		v.Add("tz", de.Message)
	}
	if err := v.Err(); err != nil {
		return q, err
	}
	q.Location = loc
	today := domain.DateOf(s.Clock.Now().In(loc))
	if q.From, err = dateParam(c, "from", today); err != nil {
		return q, err
	}
	if q.To, err = dateParam(c, "to", q.From.AddDays(13)); err != nil {
		return q, err
	}
	switch {
	case q.To.Before(q.From):
		return q, domain.Invalid("to", "Must not be before from.")
	case q.From.AddDays(domain.MaxAvailabilityDays - 1).Before(q.To):
		return q, domain.Invalid("to", "Ask for at most 62 days at once.")
	}
	return q, nil
}

// requestZone loads the zone named in a request, the clinic's zone when
// the name is empty.
func (s *Server) requestZone(c echo.Context, field, name string) (*time.Location, error) {
	if name == "" {
		cl, err := s.Store.Clinic(c.Request().Context())
		if err != nil {
			return nil, err
		}
		return cl.Location(), nil
	}
	return loadZone(field, name)
}
