package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// A plan of care is a series of visits of one service with one
// practitioner, every few weeks at the same local time, booked in one step:
// by staff (often from the case review that recommended it) or by a patient
// booking a regular massage online. Every visit is an ordinary booking that
// names its plan, so moving or cancelling one visit is the booking's own
// change; cancelling the rest of a plan is one change of its own.

// PlanStatus is where a plan is. Plans are stored active or cancelled;
// completed is read off the visits (no live visit ahead).
type PlanStatus string

const (
	PlanActive    PlanStatus = "active"
	PlanCancelled PlanStatus = "cancelled"
	PlanCompleted PlanStatus = "completed"
)

// The bounds of a plan. Staff plans reach at most PlanHorizon ahead; a
// patient's online series stays inside the clinic's booking horizon.
const (
	MaxPlanVisits       = 52
	MaxPlanEveryWeeks   = 8
	MaxSeriesVisits     = 12 // a patient's online series
	MaxSeriesEveryWeeks = 4
	PlanHorizon         = 366 * 24 * time.Hour
	planAlternatives    = 3 // free times offered per conflicting visit
	planAlternativeDays = 3 // looked for this many days either side of a conflict
)

// OnConflict says what staff want when some visits of a plan cannot be booked.
type OnConflict string

const (
	OnConflictFail OnConflict = "fail" // book nothing, list the conflicts with alternatives
	OnConflictSkip OnConflict = "skip" // book the free visits, report the skipped ones
)

// ReviewOutcome is what came of a case review: the conversion the reports count.
type ReviewOutcome string

const (
	OutcomePlanStarted ReviewOutcome = "plan_started" // set when a plan is made from the review
	OutcomeDeclined    ReviewOutcome = "declined"
	OutcomeFollowUp    ReviewOutcome = "follow_up" // the patient will decide later
)

// Valid reports whether o is a known outcome.
func (o ReviewOutcome) Valid() bool {
	return o == OutcomePlanStarted || o == OutcomeDeclined || o == OutcomeFollowUp
}

// Plan is a series of visits.
type Plan struct {
	ID              string
	PatientID       string
	ServiceID       string
	PractitionerID  string
	SourceBookingID string // the case review it follows; "" when none
	EveryWeeks      int
	Count           int        // visits asked for (booked ones are the plan's bookings)
	Status          PlanStatus // active or cancelled as stored
	Source          Source     // staff, online or embed: who made the plan
	CreatedBy       string     // the staff user; "" for the patient
	CreatedAt       time.Time
	CancelledAt     time.Time
}

// PlanDetail is a plan with its names and visits.
type PlanDetail struct {
	Plan
	Patient      Patient
	Service      Service
	Practitioner Practitioner
	Visits       []BookingDetail // every visit, cancelled ones too, by start
}

// PlanProgress counts a plan's visits for the plan and manage pages.
type PlanProgress struct {
	Done      int // attended, or past and not marked a no-show
	Upcoming  int // live and not started
	Missed    int // no-shows
	Cancelled int
}

// Progress counts the visits at now.
func (d PlanDetail) Progress(now time.Time) PlanProgress {
	var p PlanProgress
	for _, v := range d.Visits {
		switch {
		case v.Status == StatusCancelled:
			p.Cancelled++
		case v.Status == StatusNoShow:
			p.Missed++
		case v.Status == StatusConfirmed && v.Start.After(now):
			p.Upcoming++
		default:
			p.Done++
		}
	}
	return p
}

// StatusAt is the plan's status at now: completed once an active plan has
// no live visit ahead.
func (d PlanDetail) StatusAt(now time.Time) PlanStatus {
	if d.Status == PlanActive && d.Progress(now).Upcoming == 0 {
		return PlanCompleted
	}
	return d.Status
}

// Rest is the live visits starting at or after from that may still be
// cancelled: confirmed and not started.
func (d PlanDetail) Rest(from, now time.Time) []BookingDetail {
	var out []BookingDetail
	for _, v := range d.Visits {
		if v.Status == StatusConfirmed && !v.Start.Before(from) && v.Start.After(now) {
			out = append(out, v)
		}
	}
	return out
}

// PlanFilter selects plans.
type PlanFilter struct {
	PatientID       string
	SourceBookingID string
	Limit           int
}

// PlanWrite is everything creating a plan writes in one transaction.
type PlanWrite struct {
	Plan     *Plan
	Visits   []Booking // PlanID set; PatientID set by the store
	Patient  *Patient  // an existing patient by ID, or found by email or created
	Messages []Message
	Audit    []AuditEntry
	// Outcome, when set, is stored on Plan.SourceBookingID.
	Outcome ReviewOutcome
	// ConsumeHold is the id of the patient's own hold the series ends
	// (its first visit's), or "". The holds in the visits' way that have
	// expired at Plan.CreatedAt are deleted first, as for any booking.
	ConsumeHold string
}

// PlanCancel is everything cancelling the rest of a plan writes.
type PlanCancel struct {
	Plan     Plan // its Status and CancelledAt as they are to be stored
	Visits   []Booking
	Messages []Message
	Audit    []AuditEntry
}

// PlanStore keeps plans.
type PlanStore interface {
	// CreatePlan stores w in one transaction. A visit whose block another
	// live booking of the practitioner (or room) holds makes it write
	// nothing and return *VisitTakenError naming the visit.
	CreatePlan(ctx context.Context, w PlanWrite) error
	// Plan returns the plan with its names and every visit; ErrNotFound.
	Plan(ctx context.Context, id string) (PlanDetail, error)
	// Plans returns the matching plans with their visits, newest first.
	Plans(ctx context.Context, f PlanFilter) ([]PlanDetail, error)
	// CancelPlan stores c's plan status, visits (with their pending
	// reminders cancelled), messages and audit entries in one transaction.
	CancelPlan(ctx context.Context, c PlanCancel) error
	// SetReviewOutcome stores the outcome of booking id (or clears it for
	// "") with its audit entry in one transaction; ErrNotFound.
	SetReviewOutcome(ctx context.Context, id string, o ReviewOutcome, audit AuditEntry) error
}

// VisitTakenError is a plan write that found a visit taken by another
// booking meanwhile: visit Index, or -1 when the store cannot tell which;
// Err is ErrSlotTaken or ErrRoomTaken.
type VisitTakenError struct {
	Index int
	Err   error
}

func (e *VisitTakenError) Error() string { return fmt.Sprintf("visit %d: %v", e.Index, e.Err) }

// Unwrap is the conflict itself.
func (e *VisitTakenError) Unwrap() error { return e.Err }

// PlanConflict is one visit of a plan that cannot be booked.
type PlanConflict struct {
	Start        time.Time
	Reason       string      // taken, room_taken, away, outside_hours, off_grid, too_soon, too_far
	Message      string      // the same for people
	Alternatives []time.Time // the nearest free starts, earliest first
}

// PlanSkip is a visit left out of a plan booked with OnConflictSkip.
type PlanSkip struct {
	Start   time.Time
	Reason  string
	Message string
}

// PlanConflictError refuses a plan some of whose visits are not free
// (OnConflictFail, or no visit free at all): nothing was booked.
type PlanConflictError struct {
	Conflicts []PlanConflict
	Field     string // the request's first start: "first_start" (staff) or "start" (online)
}

func (e *PlanConflictError) Error() string {
	starts := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		starts[i] = c.Start.UTC().Format(time.RFC3339) + " " + c.Reason
	}
	return "plan conflicts: " + strings.Join(starts, ", ")
}

// Unwrap makes it a 409 staff can act on.
func (e *PlanConflictError) Unwrap() error {
	msg := fmt.Sprintf("%d of the visits cannot be booked; nothing was booked. Choose other times or skip them.", len(e.Conflicts))
	if len(e.Conflicts) == 1 {
		msg = "One of the visits cannot be booked; nothing was booked. Choose another time or skip it."
	}
	field := e.Field
	if field == "" {
		field = "first_start"
	}
	return &Error{Kind: KindConflict, Field: field, Message: msg}
}

// ConflictsOf returns the conflicts a *PlanConflictError lists.
func ConflictsOf(err error) ([]PlanConflict, bool) {
	var pc *PlanConflictError
	if errors.As(err, &pc) {
		return pc.Conflicts, true
	}
	return nil, false
}

// conflictReason names why CanBook refused a visit.
func conflictReason(err error) (reason, message string) {
	switch {
	case errors.Is(err, ErrHoldTaken):
		return "held", "Someone else is finishing a booking for that time."
	case errors.Is(err, ErrRoomTaken):
		return "room_taken", "No room the service needs is free then."
	case errors.Is(err, ErrSlotTaken):
		return "taken", "The practitioner has another visit then."
	case errors.Is(err, ErrPractitionerAway):
		return "away", "The practitioner is away then."
	case errors.Is(err, ErrSlotOutsideHours):
		return "outside_hours", "That is outside the practitioner's working hours."
	case errors.Is(err, ErrSlotOffGrid):
		return "off_grid", "That is not one of the offered start times."
	case errors.Is(err, ErrSlotTooSoon):
		return "too_soon", "That is too soon to book online."
	case errors.Is(err, ErrSlotTooFar):
		return "too_far", "That is past the booking horizon."
	}
	var e *Error
	if errors.As(err, &e) {
		return "unavailable", e.Message
	}
	return "unavailable", "That time cannot be booked."
}
