package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

type slotJSON struct {
	Start          string `json:"start"`
	End            string `json:"end"`
	PractitionerID string `json:"practitioner_id"`
}

// availability handles GET /api/v1/availability?service_id=&practitioner_id=&from=&to=&tz=&each=:
// open slots in [from, to] (days in tz, default the clinic's zone), each
// with its practitioner, times carrying tz's offset. Without a practitioner
// each start comes once, with the practitioner a booking would get and
// practitioner_ids, everyone free then; each=practitioner gives instead one
// slot per practitioner and start. Staff may add ignore_policy=true to see
// times inside the notice and beyond the horizon.
func (s *Server) availability(c echo.Context) error {
	ctx := c.Request().Context()
	q, err := s.availabilityQuery(c)
	if err != nil {
		return err
	}
	each := c.QueryParam("each")
	if each != "" && each != "practitioner" {
		return domain.Invalid("each", "Leave each out, or give each=practitioner for one slot per practitioner.")
	}
	if q.PractitionerID == "" && each == "" {
		open, err := s.Scheduler.AvailabilityAnyone(ctx, q)
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, appendOpenTimes(nil, open, q.Location))
	}
	slots, err := s.Scheduler.Availability(ctx, q)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, appendAvailability(nil, slots, q.Location))
}

// appendAvailability writes the availability answer as encoding/json would
// write {"slots": []slotJSON, "time_zone": …} (keys in order, a newline at
// the end), without reflection: a month of a busy clinic is thousands of
// slots, and encoding them was most of the request's time.
func appendAvailability(buf []byte, slots []domain.Slot, loc *time.Location) []byte {
	buf = append(buf, `{"slots":[`...)
	for i, sl := range slots {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"start":"`...)
		buf = sl.Start.In(loc).AppendFormat(buf, time.RFC3339)
		buf = append(buf, `","end":"`...)
		buf = sl.End.In(loc).AppendFormat(buf, time.RFC3339)
		buf = append(buf, `","practitioner_id":`...)
		buf = appendJSONString(buf, sl.PractitionerID)
		buf = append(buf, '}')
	}
	buf = append(buf, `],"time_zone":`...)
	buf = appendJSONString(buf, loc.String())
	return append(buf, "}\n"...)
}

// appendOpenTimes writes the grouped answer of a query that names no
// practitioner, as appendAvailability does, each slot with
// "practitioner_ids" after "practitioner_id". The ids are quoted once, and
// a list equal to the previous slot's (most are) is copied from it.
func appendOpenTimes(buf []byte, open []domain.OpenTime, loc *time.Location) []byte {
	quoted := map[string][]byte{}
	quote := func(id string) []byte {
		q, ok := quoted[id]
		if !ok {
			q = appendJSONString(nil, id)
			quoted[id] = q
		}
		return q
	}
	var prev []string
	prevFrom, prevTo := 0, 0
	buf = append(buf, `{"slots":[`...)
	for i, o := range open {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"start":"`...)
		buf = o.Start.In(loc).AppendFormat(buf, time.RFC3339)
		buf = append(buf, `","end":"`...)
		buf = o.End.In(loc).AppendFormat(buf, time.RFC3339)
		buf = append(buf, `","practitioner_id":`...)
		buf = append(buf, quote(o.PractitionerID)...)
		buf = append(buf, `,"practitioner_ids":[`...)
		if i > 0 && slices.Equal(o.PractitionerIDs, prev) {
			seg := buf[prevFrom:prevTo]
			from := len(buf)
			buf = append(buf, seg...)
			prevFrom, prevTo = from, len(buf)
		} else {
			prevFrom = len(buf)
			for j, id := range o.PractitionerIDs {
				if j > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, quote(id)...)
			}
			prevTo, prev = len(buf), o.PractitionerIDs
		}
		buf = append(buf, "]}"...)
	}
	buf = append(buf, `],"time_zone":`...)
	buf = appendJSONString(buf, loc.String())
	return append(buf, "}\n"...)
}

// appendJSONString appends s as a JSON string, as encoding/json writes it.
func appendJSONString(buf []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		ch := s[i]
		plain = ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\' && ch != '<' && ch != '>' && ch != '&'
	}
	if plain {
		buf = append(buf, '"')
		buf = append(buf, s...)
		return append(buf, '"')
	}
	quoted, _ := json.Marshal(s) // a string always encodes
	return append(buf, quoted...)
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
	q.HoldToken = c.QueryParam("hold_token") // the caller's own hold stays offered to it
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
