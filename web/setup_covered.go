package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// coveredPanel is the hours page's warning when time off or a date
// override would cover confirmed visits: the visits, each with free times
// to move it to, and the choices to save anyway keeping them or to cancel
// them with a message to each patient. Nothing is saved until staff choose.
type coveredPanel struct {
	Form    string        // "timeoff" or "override": which form was sent
	Action  string        // where the choices post (the same form's address)
	Hidden  []hiddenField // the form's values, sent again with a choice
	Visits  []coveredVisit
	Message string // the patient message typed, kept on a refusal
	Moved   string // the visit just moved, for the status line
}

// coveredVisit is a visit in the way, with where it could go.
type coveredVisit struct {
	domain.BookingDetail
	Free []freeSlot // Value is "YYYY-MM-DD HH:MM" in the clinic's zone
}

// freeTimesPerVisit is how many open starts each covered visit offers.
const freeTimesPerVisit = 6

// moveSearchDays is how far from its day a covered visit's free times are sought.
const moveSearchDays = 14

// overVisits reads the choice a warning's buttons send.
func overVisits(c echo.Context) domain.OverVisits {
	return domain.OverVisits{Action: domain.VisitsAction(c.FormValue("visits")), Message: trimmed(c.FormValue("patient_message"))}
}

// covered shows the hours page with the warning when err lists covered
// visits; ok false for any other error. blocked reports whether a start
// lies in the time being closed, so no free time offered falls in it.
func (s *Site) covered(c echo.Context, err error, form string, fields []string, blocked func(start, end time.Time) bool) (bool, error) {
	var cv *domain.VisitsCoveredError
	if !errors.As(err, &cv) {
		return false, nil
	}
	d, lerr := s.loadHours(c)
	if lerr != nil {
		return true, lerr
	}
	panel := &coveredPanel{Form: form, Action: c.Request().URL.Path, Message: trimmed(c.FormValue("patient_message"))}
	panel.Moved, _ = c.Get("web.moved").(string)
	for _, f := range fields {
		panel.Hidden = append(panel.Hidden, hiddenField{f, c.FormValue(f)})
	}
	loc := s.clinic(c).Location()
	for _, v := range cv.Visits {
		free, err := s.freeFor(c, v, loc, blocked)
		if err != nil {
			return true, err
		}
		panel.Visits = append(panel.Visits, coveredVisit{BookingDetail: v, Free: free})
	}
	d.Covered = panel
	return true, s.render(c, http.StatusConflict, "hours", "Working hours", d)
}

// freeFor lists open starts for v's service with its practitioner from
// v's day on, outside the time being closed.
func (s *Site) freeFor(c echo.Context, v domain.BookingDetail, loc *time.Location, blocked func(start, end time.Time) bool) ([]freeSlot, error) {
	day := domain.DateOf(v.Start.In(loc))
	slots, err := s.Scheduler.Availability(c.Request().Context(), domain.AvailabilityQuery{ServiceID: v.ServiceID, PractitionerID: v.PractitionerID,
		From: day, To: day.AddDays(moveSearchDays), Location: loc, IgnorePolicy: true})
	if domain.ErrorKind(err) == domain.KindInvalid || domain.ErrorKind(err) == domain.KindNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	var out []freeSlot
	for _, sl := range slots {
		if !sl.Start.After(now) || blocked(sl.Start, sl.End) {
			continue
		}
		t := sl.Start.In(loc)
		out = append(out, freeSlot{Label: t.Format("Mon 2 Jan, 3:04 PM"), Value: t.Format("2006-01-02 15:04")})
		if len(out) == freeTimesPerVisit {
			break
		}
	}
	return out, nil
}

// moveCovered handles POST /staff/setup/hours/:id/move-visit: one covered
// visit moves to a free time, then the time off or override the desk was
// saving is tried again, so it is saved once nothing is in its way.
func (s *Site) moveCovered(c echo.Context) error {
	p, err := s.practitionerToEdit(c)
	if err != nil {
		return err
	}
	loc := s.clinic(c).Location()
	date, clock, _ := strings.Cut(c.FormValue("to"), " ")
	start, err := localInstant(date, clock, loc)
	if err != nil {
		return s.afterHours(c, domain.Invalid("to", "Choose one of the free times."), c.FormValue("form"))
	}
	version, err := domain.ParseVersion("version", c.FormValue("version"))
	if err != nil {
		return s.afterHours(c, err, c.FormValue("form"))
	}
	moved, err := s.Scheduler.Move(c.Request().Context(), domain.MoveRequest{Actor: staffActor(c), ID: c.FormValue("booking_id"),
		Start: start, PractitionerID: p.ID, Version: version})
	if err != nil {
		return s.afterHours(c, err, c.FormValue("form"))
	}
	c.Set("web.moved", moved.Patient.Name+" moved to "+start.In(loc).Format("Mon 2 Jan, 3:04 PM"))
	if c.FormValue("form") == "override" {
		return s.saveOverride(c)
	}
	return s.saveTimeOff(c)
}
