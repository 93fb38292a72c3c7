package domain

import (
	"context"
	"fmt"
	"time"
)

// VisitsAction says what a change to a practitioner's schedule (time off,
// a date override) does with the confirmed visits it would leave outside
// their hours. Nothing happens to a visit silently: without an action the
// change is refused with a *VisitsCoveredError listing them.
type VisitsAction string

const (
	VisitsAsk    VisitsAction = ""       // refuse, listing the visits
	VisitsKeep   VisitsAction = "keep"   // save the change; the visits stay (staff move them one by one)
	VisitsCancel VisitsAction = "cancel" // cancel each, emailing the patient, in the change's transaction
)

// Valid reports whether a is a known action.
func (a VisitsAction) Valid() bool { return a == VisitsAsk || a == VisitsKeep || a == VisitsCancel }

// OverVisits is the caller's answer for covered visits.
type OverVisits struct {
	Action VisitsAction
	// Message goes to each patient whose visit is cancelled (the
	// cancellation email's reason), e.g. "Dr. Chen is unwell today".
	Message string
}

// VisitsCoveredError refuses a schedule change that covers confirmed
// visits until the caller says what to do with them.
type VisitsCoveredError struct {
	Visits []BookingDetail
}

func (e *VisitsCoveredError) Error() string {
	return fmt.Sprintf("%d confirmed visits are covered: say keep or cancel in visits", len(e.Visits))
}

// Unwrap makes it a 409 naming the field that decides.
func (e *VisitsCoveredError) Unwrap() error {
	return &Error{Kind: KindConflict, Field: "visits",
		Message: "Confirmed visits fall in this time. Move them first, or say keep (they stay) or cancel (each patient is emailed) in visits."}
}

// CoveredByTimeOff returns the practitioner's confirmed visits, not yet
// over, that overlap [start, end), oldest first.
func (s *Setup) CoveredByTimeOff(ctx context.Context, practitionerID string, start, end time.Time) ([]BookingDetail, error) {
	return s.confirmedVisits(ctx, practitionerID, start, end, func(BookingDetail) bool { return true })
}

// CoveredByOverride returns the practitioner's confirmed visits on the
// override's day (in their zone) that do not lie inside one of its ranges.
func (s *Setup) CoveredByOverride(ctx context.Context, o DateOverride) ([]BookingDetail, error) {
	p, err := s.Store.Practitioner(ctx, o.PractitionerID)
	if err != nil {
		return nil, err
	}
	loc := p.Location()
	from, to := WallClock(o.Date, 0, loc), WallClock(o.Date.AddDays(1), 0, loc)
	inside := func(v BookingDetail) bool {
		for _, r := range o.Ranges {
			rs := WallClock(o.Date, r.Start, loc)
			re := WallClock(o.Date, r.End, loc)
			if r.CrossesMidnight() {
				re = WallClock(o.Date.AddDays(1), r.End, loc)
			}
			if !v.Start.Before(rs) && !v.End.After(re) {
				return true
			}
		}
		return false
	}
	return s.confirmedVisits(ctx, o.PractitionerID, from, to, func(v BookingDetail) bool {
		return !v.Start.Before(from) && !inside(v)
	})
}

// VisitReader lists bookings: a SetupStore that has it lets Setup find
// the visits a schedule change covers (package storage's does).
type VisitReader interface {
	Bookings(ctx context.Context, f BookingFilter) ([]BookingDetail, error)
}

func (s *Setup) confirmedVisits(ctx context.Context, practitionerID string, from, to time.Time, keep func(BookingDetail) bool) ([]BookingDetail, error) {
	r, ok := s.Store.(VisitReader)
	if !ok {
		return nil, nil
	}
	list, err := r.Bookings(ctx, BookingFilter{PractitionerID: practitionerID, From: from, To: to, Statuses: []Status{StatusConfirmed}, Limit: 1000})
	if err != nil {
		return nil, wrap("load covered visits", err)
	}
	now := s.Clock.Now()
	out := list[:0]
	for _, v := range list {
		if v.End.After(now) && keep(v) { // a past visit only waits to be marked
			out = append(out, v)
		}
	}
	return out, nil
}

// settleVisits applies over to the covered visits inside the change's
// transaction tx: nothing for keep, a cancellation (with its email and
// audit entry) for each on cancel, and the refusal when no action was
// given.
func (s *Setup) settleVisits(ctx context.Context, tx SetupWriter, by Actor, covered []BookingDetail, over OverVisits) error {
	if len(covered) == 0 || over.Action == VisitsKeep {
		return nil
	}
	if over.Action != VisitsCancel {
		return &VisitsCoveredError{Visits: covered}
	}
	store, ok := tx.(Store)
	if !ok || s.Bookings == nil {
		return Invalid("visits", "Visits cannot be cancelled from here; cancel them on the calendar first.")
	}
	sched := *s.Bookings
	sched.Store, sched.OnFreed = store, nil // the freed time is the time off's
	for _, v := range covered {
		if _, err := sched.Cancel(ctx, by, v.ID, over.Message); err != nil {
			return fmt.Errorf("cancel covered visit %s: %w", v.ID, err)
		}
	}
	return nil
}

// inTx is s reading through the change's transaction, so the visits it
// finds are those the change commits beside.
func (s *Setup) inTx(tx SetupWriter) *Setup {
	c := *s
	if st, ok := tx.(SetupStore); ok {
		c.Store = st
	}
	return &c
}

func (s *Setup) coverTimeOff(ctx context.Context, tx SetupWriter, by Actor, t TimeOff, over OverVisits) ([]BookingDetail, error) {
	covered, err := s.inTx(tx).CoveredByTimeOff(ctx, t.PractitionerID, t.Start, t.End)
	if err != nil {
		return nil, err
	}
	return covered, s.settleVisits(ctx, tx, by, covered, over)
}

// auditOver is a schedule change's audit snapshot: the entry, and what
// was decided for the visits it covers.
func auditOver(entry any, covered []BookingDetail, over OverVisits) any {
	if len(covered) == 0 {
		return entry
	}
	ids := make([]string, len(covered))
	for i, v := range covered {
		ids[i] = v.ID
	}
	return map[string]any{"entry": entry, "visits": string(over.Action), "visit_ids": ids, "message": over.Message}
}
