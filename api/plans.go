package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// planRequest is the body of POST /api/v1/plans.
type planRequest struct {
	PatientID      string `json:"patient_id"`
	BookingID      string `json:"booking_id"`
	ServiceID      string `json:"service_id"`
	PractitionerID string `json:"practitioner_id"`
	FirstStart     string `json:"first_start"`
	EveryWeeks     int    `json:"every_weeks"`
	Count          int    `json:"count"`
	OnConflict     string `json:"on_conflict"`
}

// repeatJSON is the "repeat" member of a patient's POST /api/v1/bookings.
type repeatJSON struct {
	EveryWeeks int `json:"every_weeks"`
	Count      int `json:"count"`
}

type planJSON struct {
	ID              string          `json:"id"`
	Status          string          `json:"status"`
	PatientID       string          `json:"patient_id"`
	ServiceID       string          `json:"service_id"`
	PractitionerID  string          `json:"practitioner_id"`
	SourceBookingID *string         `json:"source_booking_id"`
	EveryWeeks      int             `json:"every_weeks"`
	Count           int             `json:"count"`
	Source          string          `json:"source"`
	CreatedAt       string          `json:"created_at"`
	CancelledAt     string          `json:"cancelled_at,omitempty"`
	Service         nameRef         `json:"service"`
	Practitioner    nameRef         `json:"practitioner"`
	Visits          []planVisitJSON `json:"visits"`
	Skipped         []planSkipJSON  `json:"skipped"`
	Progress        progressJSON    `json:"progress"`
}

type planVisitJSON struct {
	BookingID string `json:"booking_id"`
	Start     string `json:"start"`
	End       string `json:"end"`
	Status    string `json:"status"`
}

type planSkipJSON struct {
	Start   string `json:"start"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

type progressJSON struct {
	Done      int `json:"done"`
	Upcoming  int `json:"upcoming"`
	Missed    int `json:"missed"`
	Cancelled int `json:"cancelled"`
}

// toPlanJSON writes a plan with times in the practitioner's zone (the
// wall-clock time the series keeps).
func toPlanJSON(d domain.PlanDetail, skipped []domain.PlanSkip, now time.Time) planJSON {
	loc := d.Practitioner.Location()
	pr := d.Progress(now)
	out := planJSON{
		ID: d.ID, Status: string(d.StatusAt(now)), PatientID: d.PatientID, ServiceID: d.ServiceID,
		PractitionerID: d.PractitionerID, EveryWeeks: d.EveryWeeks, Count: d.Count, Source: string(d.Source),
		CreatedAt: rfc3339(d.CreatedAt, time.UTC), CancelledAt: rfc3339(d.CancelledAt, time.UTC),
		Service:      nameRef{ID: d.ServiceID, Name: d.Service.Name},
		Practitioner: nameRef{ID: d.PractitionerID, Name: d.Practitioner.Name},
		Visits:       make([]planVisitJSON, len(d.Visits)), Skipped: make([]planSkipJSON, len(skipped)),
		Progress: progressJSON{Done: pr.Done, Upcoming: pr.Upcoming, Missed: pr.Missed, Cancelled: pr.Cancelled},
	}
	if d.SourceBookingID != "" {
		out.SourceBookingID = &d.SourceBookingID
	}
	for i, v := range d.Visits {
		out.Visits[i] = planVisitJSON{BookingID: v.ID, Start: rfc3339(v.Start, loc), End: rfc3339(v.End, loc), Status: string(v.Status)}
	}
	for i, sk := range skipped {
		out.Skipped[i] = planSkipJSON{Start: rfc3339(sk.Start, loc), Reason: sk.Reason, Message: sk.Message}
	}
	return out
}

// createPlan handles POST /api/v1/plans (staff): 201 with the plan.
func (s *Server) createPlan(c echo.Context) error {
	var req planRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	var first time.Time
	if req.FirstStart != "" {
		var err error
		if first, err = parseInstant("first_start", req.FirstStart); err != nil {
			return err
		}
	}
	p, err := s.plans()
	if err != nil {
		return err
	}
	got, err := p.Create(c.Request().Context(), domain.PlanRequest{
		Actor: auth.Actor(c), PatientID: req.PatientID, BookingID: req.BookingID,
		ServiceID: req.ServiceID, PractitionerID: req.PractitionerID, FirstStart: first,
		EveryWeeks: req.EveryWeeks, Count: req.Count, OnConflict: domain.OnConflict(req.OnConflict),
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"plan": toPlanJSON(got.Plan, got.Skipped, s.Clock.Now())})
}

// getPlan handles GET /api/v1/plans/{id}.
func (s *Server) getPlan(c echo.Context) error {
	p, err := s.plans()
	if err != nil {
		return err
	}
	d, err := p.Plan(c.Request().Context(), auth.Actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"plan": toPlanJSON(d, nil, s.Clock.Now())})
}

// listPlans handles GET /api/v1/plans?patient_id=.
func (s *Server) listPlans(c echo.Context) error {
	p, err := s.plans()
	if err != nil {
		return err
	}
	list, err := p.PatientPlans(c.Request().Context(), auth.Actor(c), c.QueryParam("patient_id"))
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	out := make([]planJSON, len(list))
	for i, d := range list {
		out[i] = toPlanJSON(d, nil, now)
	}
	return c.JSON(http.StatusOK, map[string]any{"plans": out})
}

type cancelPlanRequest struct {
	From   string `json:"from"`
	Reason string `json:"reason"`
}

// cancelFrom decodes the optional body of a plan cancellation.
func cancelFrom(c echo.Context) (time.Time, string, error) {
	var req cancelPlanRequest
	if c.Request().ContentLength != 0 {
		if err := decodeStrict(c, &req); err != nil {
			return time.Time{}, "", err
		}
	}
	if req.From == "" {
		return time.Time{}, req.Reason, nil
	}
	from, err := parseInstant("from", req.From)
	return from, req.Reason, err
}

// cancelPlan handles POST /api/v1/plans/{id}/cancel {"from"?,"reason"?}:
// every visit not started from then on is cancelled, in one email.
func (s *Server) cancelPlan(c echo.Context) error {
	from, reason, err := cancelFrom(c)
	if err != nil {
		return err
	}
	p, err := s.plans()
	if err != nil {
		return err
	}
	d, err := p.CancelRest(c.Request().Context(), auth.Actor(c), c.Param("id"), from, reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"plan": toPlanJSON(d, nil, s.Clock.Now())})
}

// managePlan handles GET /api/v1/manage/{token}/plan: the plan of the
// patient's visit.
func (s *Server) managePlan(c echo.Context) error {
	p, err := s.plans()
	if err != nil {
		return err
	}
	d, err := p.PlanByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"plan": toPlanJSON(d, nil, s.Clock.Now())})
}

// manageCancelPlan handles POST /api/v1/manage/{token}/plan/cancel
// {"from"?}: the patient cancels the rest of their plan.
func (s *Server) manageCancelPlan(c echo.Context) error {
	from, _, err := cancelFrom(c)
	if err != nil {
		return err
	}
	p, err := s.plans()
	if err != nil {
		return err
	}
	d, err := p.CancelRestByToken(c.Request().Context(), c.Param("token"), from)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"plan": toPlanJSON(d, nil, s.Clock.Now())})
}

// setReviewOutcome handles PUT /api/v1/bookings/{id}/review-outcome
// {"review_outcome": plan_started|declined|follow_up|null}.
func (s *Server) setReviewOutcome(c echo.Context) error {
	var req struct {
		ReviewOutcome *string `json:"review_outcome"`
	}
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	var o domain.ReviewOutcome
	if req.ReviewOutcome != nil {
		o = domain.ReviewOutcome(*req.ReviewOutcome)
		if o == "" {
			return domain.Invalid("review_outcome", "Use plan_started, declined or follow_up, or null to clear it.")
		}
	}
	p, err := s.plans()
	if err != nil {
		return err
	}
	d, err := p.SetReviewOutcome(c.Request().Context(), auth.Actor(c), c.Param("id"), o)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"booking": toStaffBooking(d)})
}

// bookSeries answers a patient's POST /api/v1/bookings with "repeat":
// 201 with the first visit, its manage link, and the plan.
func (s *Server) bookSeries(c echo.Context, req domain.BookRequest, r repeatJSON) error {
	p, err := s.plans()
	if err != nil {
		return err
	}
	got, err := p.BookSeries(c.Request().Context(), req, domain.Repeat{EveryWeeks: r.EveryWeeks, Count: r.Count})
	if err != nil {
		return err
	}
	first := got.Plan.Visits[0]
	return c.JSON(http.StatusCreated, map[string]any{
		"booking":      toPublicBooking(first),
		"manage_token": got.Tokens[0],
		"manage_url":   got.ManageURLs[0],
		"plan":         toPlanJSON(got.Plan, got.Skipped, s.Clock.Now()),
	})
}

// errNoPlans answers plan routes on a server built without plans.
var errNoPlans = &domain.Error{Kind: domain.KindUnavailable, Message: "Plans are not available on this server."}

// plans is the plans use case over the store.
func (s *Server) plans() (*domain.Plans, error) {
	if s.Plans == nil {
		return nil, errNoPlans
	}
	return s.Plans, nil
}

// wirePlans builds Plans over Store when it keeps plans.
func (s *Server) wirePlans() {
	if ps, ok := s.Store.(domain.PlanStore); ok && s.Plans == nil && s.Scheduler != nil {
		s.Plans = &domain.Plans{Scheduler: s.Scheduler, Store: ps}
	}
}

// optionalID is id, or nil (JSON null) for "".
func optionalID(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}
