package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// managePage is the patient's own view of a visit, reached by the secret link.
type managePage struct {
	B         domain.BookingDetail
	Token     string
	Zone      zone
	Booked    bool // just booked: this is the confirmation
	Done      string
	Live      bool
	Past      bool
	CanCancel bool
	CanMove   bool
	CancelBy  string // "24 hours"
	MoveBy    string
	Week      *weekView
	OpenTimes bool // the reschedule times start unfolded
	Links     calendarLinks
	Problem   formProblem
	Reason    string
	ClinicLoc *time.Location // shown beside the patient's zone when they differ
	// ConfirmMove asks to confirm a move to its time; ConfirmCancel asks
	// to confirm the cancellation. Nothing changes until the patient does.
	ConfirmMove   *slotView
	ConfirmCancel bool
	CancelRule    string // the clinic's cancel cut-off, in one sentence
	// Plan is the plan of care the visit belongs to, nil when none;
	// PlanCancellable counts its visits the patient may still cancel.
	Plan            *domain.PlanDetail
	PlanProgress    domain.PlanProgress
	PlanCancellable int
}

// manage handles GET /manage/:token.
func (s *Site) manage(c echo.Context) error {
	d, err := s.managePage(c)
	if err != nil {
		return err
	}
	return s.renderManage(c, http.StatusOK, d)
}

func (s *Site) renderManage(c echo.Context, status int, d managePage) error {
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	title := "Your visit"
	if d.Booked {
		title = "You are booked"
	}
	return s.render(c, status, "manage", title, d)
}

// managePage loads the booking behind the token and what the patient may do.
func (s *Site) managePage(c echo.Context) (managePage, error) {
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	token := c.Param("token")
	b, err := s.Scheduler.Manage(c.Request().Context(), token)
	if err != nil {
		return managePage{}, err
	}
	clinic := s.clinic(c)
	policy := clinic.Policy
	now := s.Clock.Now()
	z := visitorZone(c, b.TimeZone)
	d := managePage{
		B: b, Token: token, Zone: z, Booked: c.QueryParam("booked") == "1", Done: c.QueryParam("done"),
		Live: b.Live(), Past: !b.Start.After(now),
		CancelBy: describeDuration(policy.CancelCutoff), MoveBy: describeDuration(policy.RescheduleCutoff),
		Links: linksFor(b, clinic, token), ClinicLoc: clinic.Location(), CancelRule: domain.CancelPolicy(clinic),
	}
	// The domain's rule, so the page never offers what the use case refuses
	// (a visit moved inside the cut-off stays uncancellable online).
	d.CanCancel = b.CanCancelOnline(policy, now)
	d.CanMove = b.Status == domain.StatusConfirmed && now.Add(policy.RescheduleCutoff).Before(b.Start)
	d.OpenTimes = c.QueryParam("week") != "" || c.QueryParam("reschedule") == "1"
	if d.CanMove {
		if err := s.manageWeek(c, &d); err != nil {
			return managePage{}, err
		}
	}
	if err := s.managePlan(c, &d); err != nil {
		return managePage{}, err
	}
	return d, nil
}

// manageWeek adds the week of open times the patient can move to.
func (s *Site) manageWeek(c echo.Context, d *managePage) error {
	from, err := s.weekStart(c.QueryParam("week"), d.Zone.Loc)
	if err != nil {
		return err
	}
	slots, err := s.openSlots(c.Request().Context(), d.B.ServiceID, d.B.PractitionerID, from, 7, d.Zone.Loc)
	if err != nil {
		return err
	}
	w := buildWeek(slots, from, s.today(d.Zone.Loc), d.Zone, withArrival(url.Values{}, s.framing(c)), nil)
	d.Week = &w
	return nil
}

// manageReschedule handles POST /manage/:token/reschedule. The first
// submit (a chosen time) shows what will happen; the one with confirm=1
// moves the visit.
func (s *Site) manageReschedule(c echo.Context) error {
	token := c.Param("token")
	start, err := time.Parse(time.RFC3339, c.FormValue("start"))
	if err != nil {
		return s.afterManage(c, token, domain.Invalid("start", "Choose one of the open times."), "rescheduled")
	}
	if c.FormValue("confirm") != "1" {
		d, err := s.managePage(c)
		if err != nil {
			return err
		}
		v := slotViews([]domain.Slot{{Start: start}}, d.Zone.Loc)[0]
		d.ConfirmMove, d.OpenTimes = &v, false
		return s.renderManage(c, http.StatusOK, d)
	}
	_, err = s.Scheduler.RescheduleByToken(c.Request().Context(), token, start)
	return s.afterManage(c, token, err, "rescheduled")
}

// manageCancel handles POST /manage/:token/cancel: the first submit shows
// what cancelling means, the one with confirm=1 cancels.
func (s *Site) manageCancel(c echo.Context) error {
	token := c.Param("token")
	if c.FormValue("confirm") != "1" {
		d, err := s.managePage(c)
		if err != nil {
			return err
		}
		d.ConfirmCancel, d.Reason = true, trimmed(c.FormValue("reason"))
		return s.renderManage(c, http.StatusOK, d)
	}
	_, err := s.Scheduler.CancelByToken(c.Request().Context(), token, trimmed(c.FormValue("reason")))
	return s.afterManage(c, token, err, "cancelled")
}

// afterManage redirects to the manage page after a change, or shows it
// again with the problem.
func (s *Site) afterManage(c echo.Context, token string, err error, done string) error {
	tz := c.FormValue("tz")
	if err == nil {
		q := withArrival(url.Values{"done": {done}, "tz": {tz}}, s.framing(c))
		return seeOther(c, "/manage/"+url.PathEscape(token)+"?"+q.Encode())
	}
	p, ok := problemOf(err)
	if !ok {
		return err
	}
	d, lerr := s.managePage(c)
	if lerr != nil {
		return lerr
	}
	d.Problem, d.Reason = p, c.FormValue("reason")
	d.OpenTimes = done == "rescheduled"
	return s.renderManage(c, statusOf(err), d)
}
