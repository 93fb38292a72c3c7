package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// hoursJSON is one weekly interval: weekday 0 (Sunday) to 6, local "HH:MM".
type hoursJSON struct {
	Weekday int    `json:"weekday"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

type hoursBody struct {
	Hours *[]hoursJSON `json:"hours"` // required: [] closes every day, absent or null is a mistake
}

// practitionerFor checks the user may act for the practitioner in the path
// (403) and that it exists (404).
func (s *Server) practitionerFor(c echo.Context) (domain.Practitioner, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return domain.Practitioner{}, err
	}
	if err := mayActFor(c, id); err != nil {
		return domain.Practitioner{}, err
	}
	return s.Store.Practitioner(c.Request().Context(), id)
}

// getHours handles GET /api/v1/practitioners/{id}/hours.
func (s *Server) getHours(c echo.Context) error {
	p, err := s.practitionerFor(c)
	if err != nil {
		return err
	}
	hours, err := s.Store.WorkingHours(c.Request().Context(), p.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"time_zone": p.TimeZone, "hours": toHoursJSON(hours)})
}

func toHoursJSON(hours []domain.WorkingHours) []hoursJSON {
	out := make([]hoursJSON, 0, len(hours))
	for _, h := range hours {
		out = append(out, hoursJSON{Weekday: int(h.Weekday), Start: h.Range.Start.String(), End: h.Range.End.String()})
	}
	return out
}

// putHours handles PUT /api/v1/practitioners/{id}/hours: the whole week at once.
func (s *Server) putHours(c echo.Context) error {
	p, err := s.practitionerFor(c)
	if err != nil {
		return err
	}
	var in hoursBody
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	if in.Hours == nil {
		return domain.Invalid("hours", "Send the weekly hours; an empty list closes every day.")
	}
	hours, err := parseHours(*in.Hours)
	if err != nil {
		return err
	}
	if hours, err = s.Setup.SetWorkingHours(c.Request().Context(), auth.Actor(c), p.ID, hours); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"time_zone": p.TimeZone, "hours": toHoursJSON(hours)})
}

func parseHours(in []hoursJSON) ([]domain.WorkingHours, error) {
	var v domain.Validation
	out := make([]domain.WorkingHours, 0, len(in))
	for i, h := range in {
		field := fmt.Sprintf("hours[%d]", i)
		if h.Weekday < 0 || h.Weekday > 6 {
			v.Add(field+".weekday", "Use 0 (Sunday) to 6 (Saturday).")
			continue
		}
		if r, ok := domain.ParseTimeRange(&v, field+".start", field+".end", h.Start, h.End); ok {
			out = append(out, domain.WorkingHours{Weekday: time.Weekday(h.Weekday), Range: r})
		}
	}
	if len(in) > domain.MaxWeeklyIntervals {
		v.Add("hours", "At most 168 intervals.")
	}
	return out, v.Err()
}

// overrideJSON is a date whose hours differ from the week's; no ranges
// means closed.
type overrideJSON struct {
	ID     string      `json:"id"`
	Date   string      `json:"date"`
	Ranges []rangeJSON `json:"ranges"`
	Note   string      `json:"note"`
}

type rangeJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type overrideInput struct {
	Date   string      `json:"date"`
	Ranges []rangeJSON `json:"ranges"`
	Note   string      `json:"note"`
	visitsInput
}

// visitsInput is what a schedule change does with the confirmed visits it
// covers: without it such a change answers 409 listing them.
type visitsInput struct {
	Visits         string `json:"visits"`          // keep | cancel
	PatientMessage string `json:"patient_message"` // for cancel: in each patient's email
}

func (in visitsInput) over(v *domain.Validation) domain.OverVisits {
	a := domain.VisitsAction(in.Visits)
	v.Check(a.Valid(), "visits", "Use keep (the visits stay) or cancel (each patient is emailed).")
	v.Check(len([]rune(in.PatientMessage)) <= domain.MaxNotes, "patient_message", "Keep it under 1000 characters.")
	v.Text("patient_message", in.PatientMessage)
	return domain.OverVisits{Action: a, Message: in.PatientMessage}
}

func toOverrideJSON(o domain.DateOverride) overrideJSON {
	rs := make([]rangeJSON, 0, len(o.Ranges))
	for _, r := range o.Ranges {
		rs = append(rs, rangeJSON{Start: r.Start.String(), End: r.End.String()})
	}
	return overrideJSON{ID: o.ID, Date: o.Date.String(), Ranges: rs, Note: o.Note}
}

// listOverrides handles GET /api/v1/practitioners/{id}/overrides?from=&to=
// (dates; default: from today for a year).
func (s *Server) listOverrides(c echo.Context) error {
	p, err := s.practitionerFor(c)
	if err != nil {
		return err
	}
	today := domain.DateOf(s.Clock.Now().In(p.Location()))
	from, err := dateParam(c, "from", today)
	if err != nil {
		return err
	}
	to, err := dateParam(c, "to", from.AddDays(366))
	if err != nil {
		return err
	}
	list, err := s.Store.DateOverrides(c.Request().Context(), p.ID, from, to)
	if err != nil {
		return err
	}
	out := make([]overrideJSON, 0, len(list))
	for _, o := range list {
		out = append(out, toOverrideJSON(o))
	}
	return c.JSON(http.StatusOK, map[string]any{"overrides": out})
}

// createOverride handles POST /api/v1/practitioners/{id}/overrides; it
// replaces an override of the same date.
func (s *Server) createOverride(c echo.Context) error {
	p, err := s.practitionerFor(c)
	if err != nil {
		return err
	}
	var in overrideInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	var v domain.Validation
	d, derr := domain.ParseDate(in.Date)
	v.Check(derr == nil, "date", "Use YYYY-MM-DD.")
	v.Check(len(in.Note) <= 500, "note", "At most 500 characters.")
	o := domain.DateOverride{PractitionerID: p.ID, Date: d, Note: in.Note}
	over := in.over(&v)
	for i, r := range in.Ranges {
		field := fmt.Sprintf("ranges[%d]", i)
		if tr, ok := domain.ParseTimeRange(&v, field+".start", field+".end", r.Start, r.End); ok {
			o.Ranges = append(o.Ranges, tr)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	o, err = s.Setup.SaveDateOverrideOver(c.Request().Context(), auth.Actor(c), o, over)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"override": toOverrideJSON(o)})
}

// deleteOverride handles DELETE /api/v1/practitioners/{id}/overrides/{oid}.
func (s *Server) deleteOverride(c echo.Context) error {
	p, err := s.practitionerFor(c)
	if err != nil {
		return err
	}
	oid, err := pathID(c, "oid")
	if err != nil {
		return err
	}
	if err := s.Setup.DeleteDateOverride(c.Request().Context(), auth.Actor(c), p.ID, oid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// timeOffJSON is an absolute interval the practitioner is away.
type timeOffJSON struct {
	ID     string `json:"id"`
	Start  string `json:"start"`
	End    string `json:"end"`
	Reason string `json:"reason"`
}

type timeOffInput struct {
	Start  string `json:"start"`
	End    string `json:"end"`
	Reason string `json:"reason"`
	visitsInput
}

func toTimeOffJSON(t domain.TimeOff, loc *time.Location) timeOffJSON {
	return timeOffJSON{ID: t.ID, Start: rfc3339(t.Start, loc), End: rfc3339(t.End, loc), Reason: t.Reason}
}

// listTimeOff handles GET /api/v1/practitioners/{id}/time-off?from=&to=
// (RFC 3339; default: from 30 days ago for a year).
func (s *Server) listTimeOff(c echo.Context) error {
	p, err := s.practitionerFor(c)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	from, err := instantParam(c, "from", now.Add(-30*day))
	if err != nil {
		return err
	}
	to, err := instantParam(c, "to", from.Add(396*day))
	if err != nil {
		return err
	}
	list, err := s.Store.TimeOffs(c.Request().Context(), p.ID, from, to)
	if err != nil {
		return err
	}
	out := make([]timeOffJSON, 0, len(list))
	for _, t := range list {
		out = append(out, toTimeOffJSON(t, p.Location()))
	}
	return c.JSON(http.StatusOK, map[string]any{"time_off": out})
}

// createTimeOff handles POST /api/v1/practitioners/{id}/time-off.
func (s *Server) createTimeOff(c echo.Context) error {
	p, err := s.practitionerFor(c)
	if err != nil {
		return err
	}
	t, over, err := s.readTimeOff(c, p.ID, domain.NewID())
	if err != nil {
		return err
	}
	t, err = s.Setup.CreateTimeOffOver(c.Request().Context(), auth.Actor(c), t, over)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"time_off": toTimeOffJSON(t, p.Location())})
}

// readTimeOff decodes and checks a time-off body for the practitioner,
// stamped now, and what to do with the visits it covers.
func (s *Server) readTimeOff(c echo.Context, practitionerID, id string) (domain.TimeOff, domain.OverVisits, error) {
	var in timeOffInput
	if err := decodeStrict(c, &in); err != nil {
		return domain.TimeOff{}, domain.OverVisits{}, err
	}
	var v domain.Validation
	start, err1 := time.Parse(time.RFC3339, in.Start)
	end, err2 := time.Parse(time.RFC3339, in.End)
	v.Check(err1 == nil, "start", "Give an RFC 3339 time, such as 2026-03-10T09:00:00-05:00.")
	v.Check(err2 == nil, "end", "Give an RFC 3339 time, such as 2026-03-10T17:00:00-05:00.")
	v.Check(err1 != nil || err2 != nil || start.Before(end), "end", "Must be after start.")
	v.Check(len(in.Reason) <= 500, "reason", "At most 500 characters.")
	v.Instant("start", start)
	v.Instant("end", end)
	v.Text("reason", in.Reason)
	over := in.over(&v)
	if err := v.Err(); err != nil {
		return domain.TimeOff{}, over, err
	}
	return domain.TimeOff{ID: id, PractitionerID: practitionerID, Start: start.UTC(), End: end.UTC(), Reason: in.Reason,
		UpdatedAt: s.Clock.Now().UTC()}, over, nil
}

// updateTimeOff handles PUT /api/v1/practitioners/{id}/time-off/{tid}: the
// entry changes in place, so feeds show a new SEQUENCE of the same event
// rather than one removed and another added.
func (s *Server) updateTimeOff(c echo.Context) error {
	p, err := s.practitionerFor(c)
	if err != nil {
		return err
	}
	tid, err := pathID(c, "tid")
	if err != nil {
		return err
	}
	t, over, err := s.readTimeOff(c, p.ID, tid)
	if err != nil {
		return err
	}
	if t, err = s.Setup.UpdateTimeOffOver(c.Request().Context(), auth.Actor(c), t, over); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"time_off": toTimeOffJSON(t, p.Location())})
}

// deleteTimeOff handles DELETE /api/v1/practitioners/{id}/time-off/{tid}.
func (s *Server) deleteTimeOff(c echo.Context) error {
	p, err := s.practitionerFor(c)
	if err != nil {
		return err
	}
	tid, err := pathID(c, "tid")
	if err != nil {
		return err
	}
	if err := s.Setup.DeleteTimeOff(c.Request().Context(), auth.Actor(c), p.ID, tid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// dateParam reads an optional YYYY-MM-DD query parameter.
func dateParam(c echo.Context, name string, def domain.Date) (domain.Date, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	d, err := domain.ParseDate(v)
	if err != nil {
		return domain.Date{}, domain.Invalid(name, "Use YYYY-MM-DD.")
	}
	return d, nil
}

// instantParam reads an optional RFC 3339 query parameter.
func instantParam(c echo.Context, name string, def time.Time) (time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	return parseInstant(name, v)
}
