package domain

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// Inbox judges received mail: calendar answers from patients and bounces.
// It changes bookings only through the Scheduler's use cases and rules (a
// declined invite is the patient's own cancellation, under the cut-off of
// the manage link), and only for a message that is authentic: From and
// ATTENDEE are the booking's patient, and a DKIM signature of the patient's
// domain passed. Anything else is recorded with a state and never acted on.
type Inbox struct {
	Store     InboundStore
	Scheduler *Scheduler
	Clock     Clock
}

// actorReply is the patient, answering by email.
var actorReply = Actor{Name: "patient (email reply)"}

// Process judges the stored message m with what the door read from it and
// records the outcome. It returns the message as recorded; an error means
// the store failed, and processing should be tried again later.
func (in *Inbox) Process(ctx context.Context, m InboundMessage, mail InboundMail) (InboundMessage, error) {
	m.From, m.Subject = mail.From, mail.Subject
	if m.MessageID == "" {
		m.MessageID = mail.MessageID
	}
	m.Kind, m.State, m.Detail = InboundOther, InboundIgnored, ""
	got, err := in.judge(ctx, m, mail)
	if err != nil {
		return InboundMessage{}, err
	}
	got.ProcessedAt = in.now()
	if err := in.Store.FinishInbound(ctx, got); err != nil {
		return InboundMessage{}, wrap("record inbound outcome", err)
	}
	return got, nil
}

// judge decides what m is and what to do with it.
func (in *Inbox) judge(ctx context.Context, m InboundMessage, mail InboundMail) (InboundMessage, error) {
	switch {
	case mail.Malformed != "":
		return outcome(m, InboundOther, InboundMalformed, mail.Malformed), nil
	case mail.Bounce != nil:
		return in.bounce(ctx, m, *mail.Bounce)
	case mail.AutoReply:
		return outcome(m, InboundOther, InboundAutoReply, "An automatic message (auto-reply or list mail): never acted on."), nil
	case mail.Calendar == nil:
		return outcome(m, InboundOther, InboundIgnored, "Neither a calendar answer nor a bounce."), nil
	}
	cal := *mail.Calendar
	switch cal.Method {
	case "REPLY":
		m.Kind = InboundReply
	case "COUNTER":
		m.Kind = InboundCounter
	default:
		return outcome(m, InboundOther, InboundIgnored, "A calendar message with method "+clip(cal.Method, 20)+", not a reply."), nil
	}
	if m.MessageID != "" {
		seen, err := in.Store.InboundSeen(ctx, m.MessageID, m.ID)
		if err != nil {
			return m, wrap("check inbound duplicate", err)
		}
		if seen {
			return outcome(m, m.Kind, InboundDuplicate, "A message with this Message-ID was processed already."), nil
		}
	}
	d, err := in.Store.BookingByUID(ctx, cal.UID)
	if errors.Is(err, ErrNotFound) {
		return outcome(m, m.Kind, InboundUnknownBooking, "The calendar UID is not one of our visits."), nil
	}
	if err != nil {
		return m, wrap("find booking by uid", err)
	}
	m.BookingID = d.ID
	if st, why := in.check(d, mail, cal); st != "" {
		return outcome(m, m.Kind, st, why), nil
	}
	if m.Kind == InboundCounter {
		return in.counter(m, d, cal)
	}
	return in.answer(ctx, m, d, cal)
}

// check returns the state of a calendar answer that may not act on d, and
// why; "" when it may.
func (in *Inbox) check(d BookingDetail, mail InboundMail, cal CalendarAnswer) (InboundState, string) {
	patient := NormalizeEmail(d.Patient.Email)
	switch {
	case mail.From != patient:
		return InboundNotPatient, "From (" + clip(mail.From, 254) + ") is not the booking's patient."
	case NormalizeEmail(cal.Attendee) != patient:
		return InboundNotPatient, "The ATTENDEE (" + clip(cal.Attendee, 254) + ") is not the booking's patient."
	case !Vouched(patient, mail.Authenticated):
		return InboundUnauthenticated, "No valid DKIM signature of the patient's domain: From may be forged."
	case d.Status == StatusCancelled:
		return InboundClosed, "The visit was cancelled already."
	case d.Status != StatusConfirmed:
		return InboundClosed, "The visit is over or the patient has checked in."
	case !in.now().Before(d.Start):
		return InboundClosed, "The visit has started or passed."
	case cal.Sequence >= 0 && cal.Sequence < d.Sequence:
		return InboundOutdated, "The answer is to an older version of the invite."
	}
	return "", ""
}

// Vouched reports whether one of the authenticated domains vouches for the
// address: its own domain, or a parent of it (relaxed alignment, as DMARC
// has it: a signature of example.com vouches for mail.example.com).
func Vouched(address string, authenticated []string) bool {
	at := strings.LastIndexByte(address, '@')
	if at < 0 {
		return false
	}
	dom := strings.ToLower(address[at+1:])
	for _, a := range authenticated {
		a = strings.ToLower(strings.TrimSuffix(a, "."))
		if a != "" && (dom == a || strings.HasSuffix(dom, "."+a)) {
			return true
		}
	}
	return false
}

// answer applies an ACCEPTED, TENTATIVE or DECLINED reply.
func (in *Inbox) answer(ctx context.Context, m InboundMessage, d BookingDetail, cal CalendarAnswer) (InboundMessage, error) {
	var st AttendeeStatus
	switch strings.ToUpper(cal.PartStat) {
	case "ACCEPTED":
		st = AttendeeAccepted
	case "TENTATIVE":
		st = AttendeeTentative
	case "DECLINED":
		return in.decline(ctx, m, d)
	default:
		return outcome(m, m.Kind, InboundIgnored, "The reply's PARTSTAT ("+clip(cal.PartStat, 30)+") is no answer."), nil
	}
	if d.AttendeeStatus == st {
		return outcome(m, m.Kind, InboundUnchanged, "The booking records this answer already."), nil
	}
	now := in.now()
	after := d
	after.AttendeeStatus, after.UpdatedAt = st, now
	if _, err := in.Scheduler.update(ctx, Clinic{}, d, after, change{action: "booking.attendee", actor: actorReply}, now); err != nil {
		return m, err
	}
	return outcome(m, m.Kind, InboundApplied, "The patient answered "+string(st)+"."), nil
}

// decline cancels d as the patient's own cancellation; inside the cut-off
// the visit stays, the patient gets the "please call" answer and the front
// desk an alert.
func (in *Inbox) decline(ctx context.Context, m InboundMessage, d BookingDetail) (InboundMessage, error) {
	if d.AttendeeStatus == AttendeeDeclined {
		return outcome(m, m.Kind, InboundUnchanged, "The patient declined before; the visit stays booked as the front desk left it."), nil
	}
	before := d
	d.AttendeeStatus = AttendeeDeclined
	_, err := in.Scheduler.cancel(ctx, d, actorReply, "Declined the invitation by email.", "")
	switch {
	case err == nil:
		return outcome(m, m.Kind, InboundApplied, "Cancelled: the patient declined the invitation."), nil
	case ErrorKind(err) == KindConflict:
		return in.refuse(ctx, m, before, d, err)
	}
	return m, err
}

// refuse records a decline the rules do not allow online: the booking
// keeps its time with attendee status declined, the patient is told why
// and whom to call, and the front desk is alerted, in one transaction.
func (in *Inbox) refuse(ctx context.Context, m InboundMessage, before, d BookingDetail, why error) (InboundMessage, error) {
	s := in.Scheduler
	c, err := s.Store.Clinic(ctx)
	if err != nil {
		return m, wrap("load clinic", err)
	}
	now := in.now()
	after := d
	after.UpdatedAt = now
	n := s.notice(c, after, "")
	n.ManageURL, n.Reason = "", errorMessage(why)
	fx := Effects{Audit: auditEntry(change{action: "booking.decline_refused", actor: actorReply, before: &before.Booking, after: after}, now)}
	fx.Messages = append(fx.Messages, newMessage(d.ID, MessageReplyRefused, d.Patient.Email, now, now, n))
	if c.Email != "" {
		fx.Messages = append(fx.Messages, newMessage(d.ID, MessageFrontDesk, c.Email, now, now, n))
	}
	b := after.Booking
	if err := s.Store.UpdateBooking(ctx, &b, fx); err != nil {
		return m, wrap("record refused decline", err)
	}
	return outcome(m, m.Kind, InboundRefused, "Declined inside the cancellation cut-off: the visit stays booked, the front desk was alerted and the patient asked to call. "+n.Reason), nil
}

// counter records a proposed new time for the front desk to accept or
// decline.
func (in *Inbox) counter(m InboundMessage, d BookingDetail, cal CalendarAnswer) (InboundMessage, error) {
	switch {
	case cal.Start.IsZero():
		return outcome(m, m.Kind, InboundIgnored, "The proposal names no time."), nil
	case !cal.Start.After(in.now()):
		return outcome(m, m.Kind, InboundIgnored, "The proposed time has passed."), nil
	}
	end := cal.End
	if !end.After(cal.Start) {
		end = cal.Start.Add(d.End.Sub(d.Start))
	}
	m.ProposedStart, m.ProposedEnd = cal.Start.UTC(), end.UTC()
	return outcome(m, m.Kind, InboundProposal, "The patient proposes another time."), nil
}

// bounce marks the address of the message a delivery report returns as
// bouncing. The report must name a Message-ID we sent (random, known only
// to the mail servers on the way), so a forged bounce cannot silence an
// address it does not know a message to.
func (in *Inbox) bounce(ctx context.Context, m InboundMessage, b Bounce) (InboundMessage, error) {
	m.Kind = InboundBounce
	for _, id := range b.MessageIDs {
		sent, err := in.Store.SentMessage(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return m, wrap("find bounced message", err)
		}
		to := NormalizeEmail(sent.To)
		if len(b.Recipients) > 0 && !slices.Contains(b.Recipients, to) {
			continue
		}
		m.BookingID = sent.BookingID
		_, err = in.Store.MarkEmailBouncing(ctx, to, "The address bounced: "+clip(b.Reason, 200), in.now())
		if errors.Is(err, ErrNotFound) {
			return outcome(m, m.Kind, InboundBounceRecorded, "Mail to "+to+" bounced; it is no patient's address. "+clip(b.Reason, 200)), nil
		}
		if err != nil {
			return m, wrap("mark address bouncing", err)
		}
		return outcome(m, m.Kind, InboundBounceRecorded, "Mail to "+to+" bounced: the address is marked bouncing and mail to it is held. "+clip(b.Reason, 200)), nil
	}
	return outcome(m, m.Kind, InboundBounceUnmatched, "The report names no message we sent to the failed address."), nil
}

// AcceptProposal moves the visit to the time a COUNTER proposed, as a
// staff reschedule (same rules: working hours and overlaps), and records
// the answer. KindConflict when the proposal was answered already.
func (in *Inbox) AcceptProposal(ctx context.Context, actor Actor, id string) (InboundMessage, BookingDetail, error) {
	m, err := in.proposal(ctx, actor, id)
	if err != nil {
		return InboundMessage{}, BookingDetail{}, err
	}
	d, err := in.Scheduler.Reschedule(ctx, actor, m.BookingID, m.ProposedStart, "", false)
	if err != nil {
		return InboundMessage{}, BookingDetail{}, err
	}
	m.State, m.Detail = InboundProposalAccepted, "Moved to the proposed time by "+actor.Name+"."
	m.ProcessedAt = in.now()
	if err := in.Store.FinishInbound(ctx, m); err != nil {
		return InboundMessage{}, BookingDetail{}, wrap("record proposal answer", err)
	}
	return m, d, nil
}

// DeclineProposal records that staff turned a proposed time down; the
// visit keeps its time.
func (in *Inbox) DeclineProposal(ctx context.Context, actor Actor, id string) (InboundMessage, error) {
	m, err := in.proposal(ctx, actor, id)
	if err != nil {
		return InboundMessage{}, err
	}
	m.State, m.Detail = InboundProposalDeclined, "Declined by "+actor.Name+"; the visit keeps its time."
	m.ProcessedAt = in.now()
	if err := in.Store.FinishInbound(ctx, m); err != nil {
		return InboundMessage{}, wrap("record proposal answer", err)
	}
	return m, nil
}

// proposal loads an open proposal whose booking the actor may change.
func (in *Inbox) proposal(ctx context.Context, actor Actor, id string) (InboundMessage, error) {
	if !actor.Staff() {
		return InboundMessage{}, ErrForbidden
	}
	if !IsID(id) {
		return InboundMessage{}, ErrNotFound
	}
	m, err := in.Store.InboundMessage(ctx, id)
	if err != nil {
		return InboundMessage{}, wrap("load inbound message", err)
	}
	if m.Kind != InboundCounter || m.BookingID == "" {
		return InboundMessage{}, ErrNotFound
	}
	if _, err := in.Scheduler.staffBooking(ctx, actor, m.BookingID); err != nil {
		return InboundMessage{}, err
	}
	if m.State != InboundProposal {
		return InboundMessage{}, Conflict("This proposal was answered already.")
	}
	return m, nil
}

// outcome is m with its kind, state and detail set.
func outcome(m InboundMessage, k InboundKind, st InboundState, detail string) InboundMessage {
	m.Kind, m.State, m.Detail = k, st, detail
	return m
}

// errorMessage is the message of a domain error, safe to show.
func errorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Please call the clinic."
}

// clip shortens s to at most n bytes for a detail line.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

func (in *Inbox) now() time.Time {
	if in.Clock == nil {
		return in.Scheduler.now()
	}
	return in.Clock.Now()
}

// FixEmail is the front desk fixing a patient's address after a bounce
// (the same address, checked with the patient, or a corrected one): it is
// stored and marked ok, so mail goes to it again. Mail held meanwhile stays
// dead on the notifications page, where staff may retry it. Admin and front
// desk only.
func (in *Inbox) FixEmail(ctx context.Context, actor Actor, patientID, email string) (Patient, error) {
	if actor.Role != RoleAdmin && actor.Role != RoleFrontDesk {
		return Patient{}, ErrForbidden
	}
	if !IsID(patientID) {
		return Patient{}, ErrNotFound
	}
	email = NormalizeEmail(email)
	if !validEmail(email) {
		return Patient{}, Invalid("email", "Give a valid email address.")
	}
	p, err := in.Store.SetPatientEmail(ctx, patientID, email)
	if err != nil {
		return Patient{}, wrap("set patient email", err)
	}
	return p, nil
}
