package domain

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Plan returns plan id for staff who may see its practitioner's calendar.
func (p *Plans) Plan(ctx context.Context, actor Actor, id string) (PlanDetail, error) {
	if !actor.Staff() {
		return PlanDetail{}, ErrForbidden
	}
	if !IsID(id) {
		return PlanDetail{}, ErrNotFound
	}
	d, err := p.Store.Plan(ctx, id)
	if err != nil {
		return PlanDetail{}, wrap("load plan", err)
	}
	if !actor.Can(d.PractitionerID) {
		return PlanDetail{}, ErrForbidden
	}
	return d, nil
}

// PatientPlans lists a patient's plans, newest first, for staff; a
// practitioner sees only their own.
func (p *Plans) PatientPlans(ctx context.Context, actor Actor, patientID string) ([]PlanDetail, error) {
	if !actor.Staff() {
		return nil, ErrForbidden
	}
	if !IsID(patientID) {
		return nil, Invalid("patient_id", "Choose the patient.")
	}
	list, err := p.Store.Plans(ctx, PlanFilter{PatientID: patientID, Limit: 200})
	if err != nil {
		return nil, wrap("list plans", err)
	}
	out := list[:0]
	for _, d := range list {
		if actor.Can(d.PractitionerID) {
			out = append(out, d)
		}
	}
	return out, nil
}

// PlanByToken returns the plan of the visit a patient's manage link opens,
// as the patient may see it; ErrNotFound when the visit is not in a plan.
func (p *Plans) PlanByToken(ctx context.Context, token string) (PlanDetail, error) {
	b, err := p.Scheduler.byToken(ctx, token)
	if err != nil {
		return PlanDetail{}, err
	}
	if b.PlanID == "" {
		return PlanDetail{}, ErrNotFound
	}
	d, err := p.Store.Plan(ctx, b.PlanID)
	if err != nil {
		return PlanDetail{}, wrap("load plan", err)
	}
	for i := range d.Visits {
		d.Visits[i] = patientView(d.Visits[i])
	}
	return d, nil
}

// CancelRest cancels, for staff, every visit of plan id that starts at or
// after from (zero: now) and has not started: one transaction, one email
// to the patient with a cancellation per visit (same UIDs, SEQUENCE
// raised), one note to the practitioner. The plan is cancelled when no
// live visit is left ahead. KindConflict when nothing is left to cancel.
func (p *Plans) CancelRest(ctx context.Context, actor Actor, id string, from time.Time, reason string) (PlanDetail, error) {
	d, err := p.Plan(ctx, actor, id)
	if err != nil {
		return PlanDetail{}, err
	}
	return p.cancelRest(ctx, actor, d, from, reason)
}

// CancelRestByToken is CancelRest for the patient, from the manage link of
// any visit of the plan: the visits inside the cancel cut-off stay (the
// patient calls the clinic about those).
func (p *Plans) CancelRestByToken(ctx context.Context, token string, from time.Time) (PlanDetail, error) {
	d, err := p.PlanByToken(ctx, token)
	if err != nil {
		return PlanDetail{}, err
	}
	got, err := p.cancelRest(ctx, ActorPatient, d, from, "")
	if err != nil {
		return PlanDetail{}, err
	}
	for i := range got.Visits {
		got.Visits[i] = patientView(got.Visits[i])
	}
	return got, nil
}

func (p *Plans) cancelRest(ctx context.Context, actor Actor, d PlanDetail, from time.Time, reason string) (PlanDetail, error) {
	s := p.Scheduler
	reason = strings.TrimSpace(reason)
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > MaxNotes {
		return PlanDetail{}, Invalid("reason", "Keep the reason under 1000 characters.")
	}
	c, err := s.Store.Clinic(ctx)
	if err != nil {
		return PlanDetail{}, wrap("load clinic", err)
	}
	now := s.now()
	if from.IsZero() || from.Before(now) {
		from = now
	}
	rest := d.Rest(from, now)
	if !actor.Staff() {
		kept := rest[:0]
		for _, v := range rest {
			if v.CanCancelOnline(c.Policy, now) {
				kept = append(kept, v)
			}
		}
		if len(kept) == 0 && len(rest) > 0 {
			return PlanDetail{}, callClinic(c, "cancelled online", c.Policy.CancelCutoff)
		}
		rest = kept
	}
	if len(rest) == 0 {
		return PlanDetail{}, &Error{Kind: KindConflict, Field: "from", Message: "No visit of this plan is left to cancel from then."}
	}
	ch := PlanCancel{Plan: d.Plan}
	cancelled := make([]BookingDetail, len(rest))
	for i, v := range rest {
		after := v
		after.Status, after.CancelledAt, after.CancelReason = StatusCancelled, now, reason
		after.Sequence, after.UpdatedAt, after.ChangedAt = v.Sequence+1, now, now
		cancelled[i] = after
		ch.Visits = append(ch.Visits, after.Booking)
		ch.Audit = append(ch.Audit, *auditEntry(change{action: "booking.cancel", actor: actor, before: &v.Booking, after: after}, now))
	}
	after := d
	after.Visits = replaceVisits(d.Visits, cancelled)
	if after.Progress(now).Upcoming == 0 {
		ch.Plan.Status, ch.Plan.CancelledAt = PlanCancelled, now
	}
	after.Plan = ch.Plan
	ch.Audit = append([]AuditEntry{{ID: NewID(), At: now, Actor: actor, Action: "plan.cancel", EntityType: "plan",
		EntityID: d.ID, Before: d.Plan, After: map[string]any{"plan": ch.Plan, "from": from, "cancelled": len(rest)}}}, ch.Audit...)
	ch.Messages = s.planMessages(c, cancelled, make([]string, len(cancelled)), MessagePlanCancellation, now)
	if err := p.Store.CancelPlan(ctx, ch); err != nil {
		return PlanDetail{}, wrap("cancel plan", err)
	}
	if s.OnFreed != nil {
		for _, v := range cancelled {
			s.OnFreed(ctx, v.PractitionerID, v.Block())
		}
	}
	return after, nil
}

func replaceVisits(all, changed []BookingDetail) []BookingDetail {
	out := make([]BookingDetail, len(all))
	copy(out, all)
	for i := range out {
		for _, c := range changed {
			if c.ID == out[i].ID {
				out[i] = c
			}
		}
	}
	return out
}

// SetReviewOutcome records, for staff, what came of case review id:
// declined, follow_up or plan_started ("" clears it). Audited.
func (p *Plans) SetReviewOutcome(ctx context.Context, actor Actor, id string, o ReviewOutcome) (BookingDetail, error) {
	if o != "" && !o.Valid() {
		return BookingDetail{}, Invalid("review_outcome", "Use plan_started, declined or follow_up.")
	}
	d, err := p.Scheduler.staffBooking(ctx, actor, id)
	if err != nil {
		return BookingDetail{}, err
	}
	if d.Service.Kind != KindCaseReview {
		return BookingDetail{}, Invalid("review_outcome", "Only a case review has an outcome.")
	}
	if d.ReviewOutcome == o {
		return d, nil
	}
	if err := p.Store.SetReviewOutcome(ctx, d.ID, o, outcomeAudit(actor, d.Booking, o, p.Scheduler.now())); err != nil {
		return BookingDetail{}, wrap("store review outcome", err)
	}
	d.ReviewOutcome = o
	return d, nil
}

// Repeat is a patient's request to book a visit as a series.
type Repeat struct {
	EveryWeeks int
	Count      int
}

// BookSeries books req as the first of a series the patient asked for
// online: every 1–4 weeks, up to 12 visits, each under the rules of a
// single online booking (notice, horizon, hours, free time and room); all
// or nothing (a conflict answers *PlanConflictError with alternatives).
// With no practitioner chosen, the first who has every visit free takes it.
// One confirmation email carries the whole series.
func (p *Plans) BookSeries(ctx context.Context, req BookRequest, r Repeat) (PlanBooked, error) {
	s := p.Scheduler
	if req.Actor.Staff() {
		req.Actor = ActorPatient // staff book plans through Create
	}
	if req.Overbook || req.OverbookRoom || req.RoomID != "" {
		return PlanBooked{}, Forbidden("Only staff may overbook or choose the room.")
	}
	now := s.now()
	var v Validation
	checkRepeat(&v, "repeat.", r.EveryWeeks, r.Count, MaxSeriesEveryWeeks, MaxSeriesVisits)
	bp, err := s.plan(ctx, req, now)
	if err != nil {
		if rerr := v.Err(); rerr != nil {
			mergeInto(&v, err)
			return PlanBooked{}, v.Err()
		}
		return PlanBooked{}, err
	}
	checkSeriesService(&v, bp.service, true)
	if err := s.useHold(ctx, &bp); err != nil {
		return PlanBooked{}, err
	}
	sr := series{clinic: bp.clinic, now: now, actor: ActorPatient, service: bp.service, patient: bp.patient,
		candidates: bp.candidates, rooms: bp.rooms, source: sourceOf(req), attrib: req.Attribution.Clean(),
		timeZone: req.TimeZone, everyWeeks: r.EveryWeeks, count: r.Count, first: req.Start, onConflict: OnConflictFail,
		startField: "start", holdID: bp.hold}
	if sr.timeZone == "" {
		sr.timeZone = bp.clinic.TimeZone
	}
	checkSeriesStart(&v, "start", sr, bp.clinic.Policy.Horizon)
	if err := v.Err(); err != nil {
		return PlanBooked{}, err
	}
	return p.book(ctx, sr)
}
