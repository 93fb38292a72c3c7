package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// hoursPage edits one practitioner's weekly hours, date overrides and time off.
type hoursPage struct {
	P         domain.Practitioner
	Loc       *time.Location
	Days      []weekdayHours
	Overrides []domain.DateOverride
	TimeOff   []domain.TimeOff
	Busy      []domain.BusyCalendar // the practitioner's own calendars, read as busy time
	Form      string                // which form the problem belongs to
	Problem   formProblem
	Covered   *coveredPanel // visits the time off or override being saved would cover
}

// weekdayHours is one weekday's two editable ranges.
type weekdayHours struct {
	Day    time.Weekday
	Ranges [2]rangeInput
}

// rangeInput is one "from–to" pair of inputs.
type rangeInput struct{ Start, End string }

// rangesPerDay is how many intervals a day may have on the form.
const rangesPerDay = 2

// hours handles GET /staff/setup/hours/:id.
func (s *Site) hours(c echo.Context) error {
	d, err := s.loadHours(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "hours", "Working hours", d)
}

// practitionerToEdit reads :id; a practitioner may edit only their own.
func (s *Site) practitionerToEdit(c echo.Context) (domain.Practitioner, error) {
	id := c.Param("id")
	if !domain.IsID(id) {
		return domain.Practitioner{}, domain.ErrNotFound
	}
	if u, _ := auth.UserFrom(c); !u.Can(id) {
		return domain.Practitioner{}, domain.Forbidden("You can change only your own hours.")
	}
	return s.Store.Practitioner(c.Request().Context(), id)
}

func (s *Site) loadHours(c echo.Context) (hoursPage, error) {
	p, err := s.practitionerToEdit(c)
	if err != nil {
		return hoursPage{}, err
	}
	ctx := c.Request().Context()
	weekly, err := s.Store.WorkingHours(ctx, p.ID)
	if err != nil {
		return hoursPage{}, err
	}
	loc := p.Location()
	today := s.today(loc)
	d := hoursPage{P: p, Loc: loc, Days: weekdayInputs(weekly)}
	if d.Overrides, err = s.Store.DateOverrides(ctx, p.ID, today, today.AddDays(366)); err != nil {
		return hoursPage{}, err
	}
	now := s.Clock.Now()
	if d.TimeOff, err = s.Store.TimeOffs(ctx, p.ID, now.Add(-24*time.Hour), now.Add(366*24*time.Hour)); err != nil {
		return hoursPage{}, err
	}
	if d.Busy, err = s.busyCalendars(c, p.ID); err != nil {
		return hoursPage{}, err
	}
	return d, nil
}

// weekdayInputs lays weekly hours out Monday first.
func weekdayInputs(weekly []domain.WorkingHours) []weekdayHours {
	days := make([]weekdayHours, 7)
	count := make([]int, 7)
	for i := range days {
		days[i].Day = time.Weekday((i + 1) % 7)
	}
	for _, h := range weekly {
		i := (int(h.Weekday) + 6) % 7
		if count[i] < rangesPerDay {
			days[i].Ranges[count[i]] = rangeInput{h.Range.Start.String(), h.Range.End.String()}
			count[i]++
		}
	}
	return days
}

// saveWeekly handles POST …/weekly: fields d{weekday}_{n}_start/_end.
func (s *Site) saveWeekly(c echo.Context) error {
	p, err := s.practitionerToEdit(c)
	if err != nil {
		return err
	}
	var hours []domain.WorkingHours
	var v domain.Validation
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		for n := range rangesPerDay {
			field := fmt.Sprintf("d%d_%d", wd, n)
			start, end := trimmed(c.FormValue(field+"_start")), trimmed(c.FormValue(field+"_end"))
			if start == "" && end == "" {
				continue
			}
			if r, ok := domain.ParseTimeRange(&v, field+"_start", field+"_end", start, end); ok {
				hours = append(hours, domain.WorkingHours{Weekday: wd, Range: r})
			}
		}
	}
	err = v.Err()
	if err == nil {
		_, err = s.Setup.SetWorkingHours(c.Request().Context(), staffActor(c), p.ID, hours)
	}
	return s.afterHours(c, err, "weekly")
}

// afterHours redirects back, or shows the page with the problem.
func (s *Site) afterHours(c echo.Context, err error, form string) error {
	if err == nil {
		return seeOther(c, "/staff/setup/hours/"+c.Param("id")+"?done=saved")
	}
	p, ok := problemOf(err)
	if !ok {
		return err
	}
	d, lerr := s.loadHours(c)
	if lerr != nil {
		return lerr
	}
	d.Form, d.Problem = form, p
	return s.render(c, statusOf(err), "hours", "Working hours", d)
}

// saveOverride handles POST …/overrides: a date with other hours
// ("09:00-12:00, 14:00-16:00") or none.
func (s *Site) saveOverride(c echo.Context) error {
	p, err := s.practitionerToEdit(c)
	if err != nil {
		return err
	}
	o := domain.DateOverride{PractitionerID: p.ID, Note: trimmed(c.FormValue("note"))}
	if o.Date, err = domain.ParseDate(c.FormValue("date")); err != nil {
		return s.afterHours(c, domain.Invalid("date", "Give the date as YYYY-MM-DD."), "override")
	}
	for _, part := range strings.Split(c.FormValue("ranges"), ",") {
		if part = trimmed(part); part == "" {
			continue
		}
		a, b, _ := strings.Cut(part, "-")
		var v domain.Validation
		r, ok := domain.ParseTimeRange(&v, "ranges", "ranges", trimmed(a), trimmed(b))
		if !ok {
			return s.afterHours(c, domain.Invalid("ranges", "Write hours as 09:00-12:00, 14:00-17:00."), "override")
		}
		o.Ranges = append(o.Ranges, r)
	}
	_, err = s.Setup.SaveDateOverrideOver(c.Request().Context(), staffActor(c), o, overVisits(c))
	loc := p.Location()
	inside := func(start, end time.Time) bool {
		for _, r := range o.Ranges {
			rs, re := domain.WallClock(o.Date, r.Start, loc), domain.WallClock(o.Date, r.End, loc)
			if r.CrossesMidnight() {
				re = domain.WallClock(o.Date.AddDays(1), r.End, loc)
			}
			if !start.Before(rs) && !end.After(re) {
				return true
			}
		}
		return false
	}
	blocked := func(start, end time.Time) bool { return domain.DateOf(start.In(loc)) == o.Date && !inside(start, end) }
	if shown, rerr := s.covered(c, err, "override", []string{"date", "ranges", "note"}, blocked); shown {
		return rerr
	}
	return s.afterHours(c, err, "override")
}

// deleteOverride handles POST …/overrides/:oid/delete.
func (s *Site) deleteOverride(c echo.Context) error {
	p, err := s.practitionerToEdit(c)
	if err != nil {
		return err
	}
	return s.afterHours(c, s.Setup.DeleteDateOverride(c.Request().Context(), staffActor(c), p.ID, c.Param("oid")), "override")
}

// saveTimeOff handles POST …/time-off: from and to in the practitioner's zone.
func (s *Site) saveTimeOff(c echo.Context) error {
	p, err := s.practitionerToEdit(c)
	if err != nil {
		return err
	}
	loc := p.Location()
	t := domain.TimeOff{PractitionerID: p.ID, Reason: trimmed(c.FormValue("reason")), UpdatedAt: s.Clock.Now().UTC()}
	if t.Start, err = localInstant(c.FormValue("start_date"), c.FormValue("start_time"), loc); err != nil {
		return s.afterHours(c, domain.Invalid("start_date", "Give the start as a date and a time."), "timeoff")
	}
	if t.End, err = localInstant(c.FormValue("end_date"), c.FormValue("end_time"), loc); err != nil {
		return s.afterHours(c, domain.Invalid("end_date", "Give the end as a date and a time."), "timeoff")
	}
	if !t.End.After(t.Start) {
		return s.afterHours(c, domain.Invalid("end_date", "The end must be after the start."), "timeoff")
	}
	_, err = s.Setup.CreateTimeOffOver(c.Request().Context(), staffActor(c), t, overVisits(c))
	blocked := func(start, end time.Time) bool { return start.Before(t.End) && end.After(t.Start) }
	if shown, rerr := s.covered(c, err, "timeoff", []string{"start_date", "start_time", "end_date", "end_time", "reason"}, blocked); shown {
		return rerr
	}
	return s.afterHours(c, err, "timeoff")
}

// deleteTimeOff handles POST …/time-off/:tid/delete.
func (s *Site) deleteTimeOff(c echo.Context) error {
	p, err := s.practitionerToEdit(c)
	if err != nil {
		return err
	}
	return s.afterHours(c, s.Setup.DeleteTimeOff(c.Request().Context(), staffActor(c), p.ID, c.Param("tid")), "timeoff")
}
