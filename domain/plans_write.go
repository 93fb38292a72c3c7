package domain

import (
	"context"
	"slices"
	"time"
)

// Message kinds of a plan: one email for the whole series.
const (
	// MessagePlanConfirmation tells the patient of every visit of a new
	// plan: one email, one invite (METHOD:REQUEST, its own UID) per visit.
	MessagePlanConfirmation MessageKind = "plan_confirmation"
	// MessagePlanCancellation tells the patient that the rest of a plan is
	// cancelled: one email, one METHOD:CANCEL per visit.
	MessagePlanCancellation MessageKind = "plan_cancellation"
)

// NoticeVisit is one visit of a series in a notice (Notice.Visits).
type NoticeVisit struct {
	BookingID  string
	UID        string
	Sequence   int
	Status     Status
	Start, End time.Time
	ManageURL  string // the visit's own link; "" in staff notes and cancellations
	Room       string
}

// write stores the plan with the free visits.
func (p *Plans) write(ctx context.Context, sr series, pr Practitioner, free []visitCheck) (PlanBooked, error) {
	s := p.Scheduler
	plan := Plan{ID: NewID(), PatientID: sr.patient.ID, ServiceID: sr.service.ID, PractitionerID: pr.ID,
		EveryWeeks: sr.everyWeeks, Count: sr.count, Status: PlanActive, Source: sr.source,
		CreatedBy: sr.actor.UserID, CreatedAt: sr.now}
	if sr.review != nil {
		plan.SourceBookingID = sr.review.ID
	}
	visits := make([]BookingDetail, len(free))
	tokens := make([]string, len(free))
	for i, c := range free {
		tokens[i] = ""
		visits[i] = sr.visit(pr, plan.ID, c, &tokens[i])
		if c.roomID != "" {
			visits[i].Room = sr.rooms[slices.IndexFunc(sr.rooms, func(r Room) bool { return r.ID == c.roomID })]
		}
	}
	w := PlanWrite{Plan: &plan, Patient: &sr.patient, ConsumeHold: sr.holdID,
		Messages: s.planMessages(sr.clinic, visits, tokens, MessagePlanConfirmation, sr.now),
		Audit:    planAudits(sr, plan, visits)}
	if sr.review != nil {
		w.Outcome = OutcomePlanStarted
	}
	w.Visits = make([]Booking, len(visits))
	for i, v := range visits {
		w.Visits[i] = v.Booking
	}
	if err := p.Store.CreatePlan(ctx, w); err != nil {
		return PlanBooked{}, wrap("create plan", err)
	}
	plan.PatientID = sr.patient.ID
	urls := make([]string, len(tokens))
	for i, t := range tokens {
		urls[i] = s.manageURL(t)
	}
	for i := range visits {
		visits[i].PatientID, visits[i].Patient = sr.patient.ID, sr.patient
	}
	return PlanBooked{Plan: PlanDetail{Plan: plan, Patient: sr.patient, Service: sr.service, Practitioner: pr, Visits: visits},
		Tokens: tokens, ManageURLs: urls}, nil
}

// visit is the booking of one free visit, with its own UID and manage
// token (stored in *token).
func (sr series) visit(pr Practitioner, planID string, c visitCheck, token *string) BookingDetail {
	raw, hash := NewToken()
	*token = raw
	block := sr.service.Block(c.start)
	b := Booking{
		ID: NewID(), UID: NewID(), PlanID: planID,
		ServiceID: sr.service.ID, PractitionerID: pr.ID, PatientID: sr.patient.ID,
		Start: c.start.UTC(), End: c.start.Add(sr.service.Duration).UTC(),
		BlockStart: block.Start.UTC(), BlockEnd: block.End.UTC(), RoomID: c.roomID,
		Status: StatusConfirmed, AttendeeStatus: AttendeeNeedsAction,
		Source: SourcePlan, Attribution: sr.attrib, TimeZone: sr.timeZone,
		ManageHash: hash, CreatedBy: sr.actor.UserID,
		CreatedAt: sr.now, UpdatedAt: sr.now, ChangedAt: sr.now,
	}
	return BookingDetail{Booking: b, Service: sr.service, Practitioner: pr, Patient: sr.patient}
}

// planMessages are the emails of a change to several visits of a plan at
// once: one to the patient of kind, listing every visit (with its own
// invite), a reminder per visit for a new plan, and one note to the
// practitioner. A patient whose address bounces gets theirs held.
func (s *Scheduler) planMessages(c Clinic, visits []BookingDetail, tokens []string, kind MessageKind, now time.Time) []Message {
	first := visits[0]
	n := s.notice(c, first, tokens[0])
	n.Changed = now.UTC()
	n.Series = &NoticeSeries{PlanID: first.PlanID, Visits: make([]NoticeVisit, len(visits))}
	for i, v := range visits {
		n.Series.Visits[i] = NoticeVisit{BookingID: v.ID, UID: v.UID, Sequence: v.Sequence, Status: v.Status,
			Start: v.Start, End: v.End, Room: roomNameIf(c.EmailShowsRoom, v)}
		if kind == MessagePlanConfirmation {
			n.Series.Visits[i].ManageURL = s.manageURL(tokens[i])
		}
	}
	if kind == MessagePlanCancellation {
		n.ManageURL = ""
	}
	msgs := []Message{newMessage(first.ID, kind, first.Patient.Email, now, now, n)}
	if kind == MessagePlanConfirmation && c.Policy.ReminderBefore > 0 {
		for i, v := range visits {
			if due := v.Start.Add(-c.Policy.ReminderBefore); due.After(now) {
				rn := s.notice(c, v, tokens[i])
				rn.Changed = now.UTC()
				msgs = append(msgs, newMessage(v.ID, MessageReminder, v.Patient.Email, now, due, rn))
			}
		}
	}
	if first.Patient.EmailStatus == EmailBouncing {
		holdAll(msgs)
	}
	if to := first.Practitioner.Email; to != "" {
		staff := n
		staff.ManageURL, staff.BookURL = "", ""
		staff.Room = roomNameIf(true, first)
		staff.Series = &NoticeSeries{PlanID: first.PlanID, Visits: slices.Clone(n.Series.Visits)}
		for i := range staff.Series.Visits {
			staff.Series.Visits[i].ManageURL = ""
			staff.Series.Visits[i].Room = roomNameIf(true, visits[i])
		}
		msgs = append(msgs, newMessage(first.ID, practitionerKind(first.Practitioner), to, now, now, staff))
	}
	return msgs
}

// planAudits are the audit entries of a new plan: the plan, each visit's
// creation, and the case review's outcome.
func planAudits(sr series, plan Plan, visits []BookingDetail) []AuditEntry {
	starts := make([]time.Time, len(visits))
	for i, v := range visits {
		starts[i] = v.Start
	}
	out := []AuditEntry{{ID: NewID(), At: sr.now, Actor: sr.actor, Action: "plan.create", EntityType: "plan",
		EntityID: plan.ID, After: map[string]any{"plan": plan, "visits": starts}}}
	for _, v := range visits {
		out = append(out, *auditEntry(change{action: "booking.create", actor: sr.actor, after: v}, sr.now))
	}
	if r := sr.review; r != nil {
		out = append(out, outcomeAudit(sr.actor, r.Booking, OutcomePlanStarted, sr.now))
	}
	return out
}

// outcomeAudit records a case review's outcome changing.
func outcomeAudit(actor Actor, b Booking, o ReviewOutcome, now time.Time) AuditEntry {
	return AuditEntry{ID: NewID(), At: now, Actor: actor, Action: "booking.review_outcome", EntityType: "booking",
		EntityID: b.ID, Before: map[string]any{"review_outcome": string(b.ReviewOutcome)},
		After: map[string]any{"review_outcome": string(o)}}
}
