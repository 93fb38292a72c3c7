package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// planForm is what staff type for a new plan.
type planForm struct {
	BookingID, PatientID, ServiceID, PractitionerID string
	Date, Time                                      string
	EveryWeeks, Count                               string
}

// newPlanPage is the form, and after "Check" the visits it would book.
type newPlanPage struct {
	Form          planForm
	Review        *domain.BookingDetail // the case review it follows
	Patient       domain.Patient
	Services      []domain.Service
	Practitioners []domain.Practitioner
	Preview       []domain.PlanPreviewVisit
	Free          int // visits of the preview that are free
	Loc           *time.Location
	Zone          string
	Problem       formProblem
}

// planPage is one plan for staff.
type planPage struct {
	P        domain.PlanDetail
	Progress domain.PlanProgress
	Status   domain.PlanStatus
	Loc      *time.Location
	Zone     string
	Skipped  []string // after booking with skip: the starts left out
	Problem  formProblem
	Now      time.Time
}

// plans is the plans use case (Register builds one over Store).
func (s *Site) plans() (*domain.Plans, error) {
	if s.Plans == nil {
		return nil, domain.ErrUnavailable
	}
	return s.Plans, nil
}

func readPlanForm(c echo.Context) planForm {
	get := func(k string) string { return trimmed(c.FormValue(k)) }
	f := planForm{BookingID: get("booking_id"), PatientID: get("patient_id"), ServiceID: get("service_id"),
		PractitionerID: get("practitioner_id"), Date: get("date"), Time: get("time"),
		EveryWeeks: get("every_weeks"), Count: get("count")}
	if f.EveryWeeks == "" {
		f.EveryWeeks = "1"
	}
	if f.Count == "" {
		f.Count = "6"
	}
	return f
}

// request is the domain's request for the form; the date and time are the
// clinic's wall clock.
func (f planForm) request(actor domain.Actor, loc *time.Location, rule domain.OnConflict) (domain.PlanRequest, error) {
	every, _ := strconv.Atoi(f.EveryWeeks)
	count, _ := strconv.Atoi(f.Count)
	req := domain.PlanRequest{Actor: actor, BookingID: f.BookingID, PatientID: f.PatientID, ServiceID: f.ServiceID,
		PractitionerID: f.PractitionerID, EveryWeeks: every, Count: count, OnConflict: rule}
	if f.Date == "" && f.Time == "" {
		return req, nil
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.Time, loc)
	if err != nil {
		return req, domain.Invalid("first_start", "Choose the date and time of the first visit.")
	}
	req.FirstStart = t
	return req, nil
}

// newPlanForm handles GET /staff/plans/new?booking_id=|patient_id=.
func (s *Site) newPlanForm(c echo.Context) error {
	d, err := s.loadNewPlan(c, readPlanForm(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "plannew", "New plan of care", d)
}

// loadNewPlan fills the form's choices and what it follows.
func (s *Site) loadNewPlan(c echo.Context, f planForm) (newPlanPage, error) {
	ctx := c.Request().Context()
	loc := s.clinic(c).Location()
	d := newPlanPage{Form: f, Loc: loc, Zone: zoneLabel(loc)}
	if f.BookingID != "" {
		if !domain.IsID(f.BookingID) {
			return d, domain.ErrNotFound
		}
		b, err := s.Store.Booking(ctx, f.BookingID)
		if err != nil {
			return d, err
		}
		d.Review, d.Patient = &b, b.Patient
		if d.Form.Date == "" {
			next := b.Start.In(loc).AddDate(0, 0, 7)
			d.Form.Date, d.Form.Time = next.Format(time.DateOnly), next.Format("15:04")
		}
	} else if f.PatientID != "" {
		p, err := s.Store.Patient(ctx, f.PatientID)
		if err != nil {
			return d, err
		}
		d.Patient = p
	}
	var err error
	if d.Services, err = s.Store.Services(ctx, false); err != nil {
		return d, err
	}
	if d.Practitioners, err = s.Store.Practitioners(ctx, false); err != nil {
		return d, err
	}
	return d, nil
}

// createPlan handles POST /staff/plans/new: action=check shows every visit
// (free, or the conflict and the nearest free times) and books nothing;
// action=book books them (skip=1: leaving out the conflicting ones).
func (s *Site) createPlan(c echo.Context) error {
	f := readPlanForm(c)
	d, err := s.loadNewPlan(c, f)
	if err != nil {
		return err
	}
	p, err := s.plans()
	if err != nil {
		return err
	}
	rule := domain.OnConflictFail
	if c.FormValue("skip") == "1" {
		rule = domain.OnConflictSkip
	}
	req, err := f.request(staffActor(c), d.Loc, rule)
	if err == nil && c.FormValue("action") == "book" {
		var got domain.PlanBooked
		if got, err = p.Create(c.Request().Context(), req); err == nil {
			q := url.Values{"done": {"plan-booked"}}
			return seeOther(c, "/staff/plans/"+got.Plan.ID+"?"+q.Encode())
		}
	}
	if err == nil || domain.ErrorKind(err) == domain.KindConflict {
		// Check (or a conflict on booking): show every visit.
		preview, perr := p.Preview(c.Request().Context(), req)
		if perr != nil {
			err = perr
		} else {
			d.Preview = preview
			for _, v := range preview {
				if v.Conflict == nil {
					d.Free++
				}
			}
		}
	}
	status := http.StatusOK
	if err != nil && domain.ErrorKind(err) != domain.KindConflict {
		pr, ok := problemOf(err)
		if !ok {
			return err
		}
		d.Problem, status = pr, statusOf(err)
	}
	return s.render(c, status, "plannew", "New plan of care", d)
}

// planPageFor loads plan id for staff.
func (s *Site) planPageFor(c echo.Context) (planPage, error) {
	p, err := s.plans()
	if err != nil {
		return planPage{}, err
	}
	d, err := p.Plan(c.Request().Context(), staffActor(c), c.Param("id"))
	if err != nil {
		return planPage{}, err
	}
	loc := s.clinic(c).Location()
	now := s.Clock.Now()
	return planPage{P: d, Progress: d.Progress(now), Status: d.StatusAt(now), Loc: loc, Zone: zoneLabel(loc), Now: now}, nil
}

// planPageHandler handles GET /staff/plans/:id.
func (s *Site) planPageHandler(c echo.Context) error {
	d, err := s.planPageFor(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "plan", "Plan of care", d)
}

// cancelPlan handles POST /staff/plans/:id/cancel: every visit not started
// from the date on (clinic time; empty: now), in one email.
func (s *Site) cancelPlan(c echo.Context) error {
	p, err := s.plans()
	if err != nil {
		return err
	}
	loc := s.clinic(c).Location()
	var from time.Time
	if v := trimmed(c.FormValue("from")); v != "" {
		day, perr := domain.ParseDate(v)
		if perr != nil {
			err = domain.Invalid("from", "Choose a date.")
		} else {
			from = domain.WallClock(day, 0, loc)
		}
	}
	if err == nil {
		_, err = p.CancelRest(c.Request().Context(), staffActor(c), c.Param("id"), from, c.FormValue("reason"))
	}
	if err == nil {
		return seeOther(c, "/staff/plans/"+c.Param("id")+"?done=plan-cancelled")
	}
	pr, ok := problemOf(err)
	if !ok {
		return err
	}
	d, lerr := s.planPageFor(c)
	if lerr != nil {
		return lerr
	}
	d.Problem = pr
	return s.render(c, statusOf(err), "plan", "Plan of care", d)
}

// bookingOutcome handles POST /staff/bookings/:id/outcome: what came of a
// case review.
func (s *Site) bookingOutcome(c echo.Context) error {
	p, err := s.plans()
	if err != nil {
		return err
	}
	_, err = p.SetReviewOutcome(c.Request().Context(), staffActor(c), c.Param("id"), domain.ReviewOutcome(c.FormValue("review_outcome")))
	return s.afterBookingAction(c, err, "outcome", "outcome", nil)
}

// managePlanCancel handles POST /manage/:token/plan/cancel: the patient
// cancels the rest of their plan.
func (s *Site) managePlanCancel(c echo.Context) error {
	p, err := s.plans()
	if err != nil {
		return err
	}
	token := c.Param("token")
	_, err = p.CancelRestByToken(c.Request().Context(), token, time.Time{})
	return s.afterManage(c, token, err, "plan_cancelled")
}

// managePlan adds the plan of the visit to the manage page.
func (s *Site) managePlan(c echo.Context, d *managePage) error {
	if d.B.PlanID == "" {
		return nil
	}
	p, err := s.plans()
	if err != nil {
		return err
	}
	plan, err := p.PlanByToken(c.Request().Context(), d.Token)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	pr := plan.Progress(now)
	d.Plan, d.PlanProgress = &plan, pr
	for _, v := range plan.Rest(now, now) {
		if v.CanCancelOnline(s.clinic(c).Policy, now) {
			d.PlanCancellable++
		}
	}
	return nil
}
