package domain

import (
	"fmt"
	"strings"
	"time"
)

// change is one booking change, described for its effects.
type change struct {
	action string      // the audit action, "booking.create", …
	mail   MessageKind // the patient's email; "" = audit only
	actor  Actor
	before *Booking // nil for a new booking
	after  BookingDetail
	token  string // the raw manage token the patient's link carries
	// formerPractitioner is told too when a visit moves to someone else.
	formerPractitioner *Practitioner
	// version is the UpdatedAt the caller saw; set, the store refuses the
	// change (ErrStale) when the row changed since it was read.
	version time.Time
	offer   *OfferClaim // the waitlist offer the change accepts
	// consumeHold is the id of the hold the change books over (an offer's).
	consumeHold string
}

// effects returns what must be written with the change in its transaction:
// the audit entry, and for mailed changes the patient's email, a note to the
// practitioner and the reminder (the old reminder cancelled on any change).
func (s *Scheduler) effects(c Clinic, ch change, now time.Time) Effects {
	fx := Effects{Audit: auditEntry(ch, now), Offer: ch.offer, ConsumeHold: ch.consumeHold}
	if ch.mail == "" {
		return fx
	}
	d := ch.after
	n := s.notice(c, d, ch.token)
	n.Changed = now.UTC()
	if ch.before != nil {
		if !ch.before.Start.Equal(d.Start) {
			n.Previous = ch.before.Start
		}
		fx.CancelReminders = true
	}
	fx.Messages = append(fx.Messages, newMessage(d.ID, ch.mail, d.Patient.Email, now, now, n))
	if due := d.Start.Add(-c.Policy.ReminderBefore); ch.mail != MessageCancellation &&
		c.Policy.ReminderBefore > 0 && due.After(now) {
		fx.Messages = append(fx.Messages, newMessage(d.ID, MessageReminder, d.Patient.Email, now, due, n))
	}
	if d.Patient.EmailStatus == EmailBouncing {
		holdAll(fx.Messages)
	}
	fx.Messages = append(fx.Messages, practitionerNotes(ch, n, now)...)
	return fx
}

// heldBounced is why a message to a bouncing address is not sent.
const heldBounced = "Held: the patient's address bounced. Fix the address, then retry."

// holdAll makes the patient's messages dead at once, so none is sent to an
// address that bounced; staff retry them once the address is fixed.
func holdAll(msgs []Message) {
	for i := range msgs {
		msgs[i].Status, msgs[i].LastError = MessageDead, heldBounced
	}
}

// practitionerNotes tells the practitioner (and the former one, when the
// visit moved to someone else) of the change. The patient's link stays out
// of these emails; the reason, which the patient's own email does not
// repeat, goes in.
//
// When the visit moved to someone else each gets their own note: the new
// practitioner's names where it came from (MovedFrom); the former one's
// is addressed to them, with their own name, and names who has it now
// (MovedTo).
func practitionerNotes(ch change, n Notice, now time.Time) []Message {
	n.ManageURL, n.BookURL = "", ""
	n.Reason = ch.after.CancelReason
	f := ch.formerPractitioner
	moved := f != nil && f.ID != ch.after.PractitionerID
	n.Room = roomNameIf(true, ch.after) // the practitioner always needs to know where
	var out []Message
	if to := ch.after.Practitioner.Email; to != "" {
		mine := n
		if moved {
			mine.MovedFrom = f.Name
		}
		out = append(out, newMessage(ch.after.ID, practitionerKind(ch.after.Practitioner), to, now, now, mine))
	}
	if moved && f.Email != "" {
		theirs := n
		theirs.PractitionerName, theirs.PractitionerTitle, theirs.PractitionerEmail = f.Name, f.Title, f.Email
		theirs.MovedTo = ch.after.Practitioner.Name
		out = append(out, newMessage(ch.after.ID, practitionerKind(*f), f.Email, now, now, theirs))
	}
	return out
}

// practitionerKind is the note a practitioner gets of a change: an invite
// for their own calendar when they opted in (same UID as the patient's,
// SEQUENCE raised with every change), else a plain note.
func practitionerKind(p Practitioner) MessageKind {
	if p.SendInvites {
		return MessagePractitionerInvite
	}
	return MessagePractitioner
}

// newMessage is a pending outbox row, written now and due at due.
func newMessage(bookingID string, kind MessageKind, to string, now, due time.Time, n Notice) Message {
	id := NewID()
	return Message{
		ID: id, MessageID: MessageIDFor(id, n.ClinicEmail), BookingID: bookingID, Kind: kind, To: to,
		Status: MessagePending, DueAt: due, CreatedAt: now, Notice: n,
	}
}

// notice is the snapshot an email about d is composed from.
func (s *Scheduler) notice(c Clinic, d BookingDetail, token string) Notice {
	tz := d.TimeZone
	if tz == "" {
		tz = c.TimeZone
	}
	return Notice{
		UID: d.UID, Sequence: d.Sequence, Status: d.Status,
		ClinicName: c.Name, ClinicEmail: c.Email, SenderName: c.SenderName, ClinicPhone: c.Phone,
		ClinicAddress: c.Address, ClinicTimeZone: c.TimeZone,
		WhatToBring: c.WhatToBring, CancelPolicy: CancelPolicy(c),
		PatientName: d.Patient.Name, PatientEmail: d.Patient.Email, TimeZone: tz,
		PractitionerName: d.Practitioner.Name, PractitionerTitle: d.Practitioner.Title,
		PractitionerEmail: d.Practitioner.Email,
		ServiceName:       d.Service.Name, ServiceKind: d.Service.Kind,
		Start: d.Start, End: d.End, Changed: d.LastChange().UTC(),
		ManageURL: s.manageURL(token),
		BookURL:   s.bookURL(d.ServiceID),
		Room:      roomNameIf(c.EmailShowsRoom, d),
	}
}

// roomNameIf is the booking's room name when show is set.
func roomNameIf(show bool, d BookingDetail) string {
	if !show || d.RoomID == "" {
		return ""
	}
	return d.Room.Name
}

// auditEntry records the change with snapshots that leave out the manage
// hash: the audit log is read by people who must not open patients' links.
func auditEntry(ch change, now time.Time) *AuditEntry {
	e := &AuditEntry{
		ID: NewID(), At: now, Actor: ch.actor, Action: ch.action,
		EntityType: "booking", EntityID: ch.after.ID, After: snapshot(ch.after.Booking),
	}
	if ch.before != nil {
		e.Before = snapshot(*ch.before)
	}
	return e
}

// snapshot is b as the audit log keeps it.
func snapshot(b Booking) Booking {
	b.ManageHash = ""
	return b
}

// CancelPolicy is the clinic's cancellation policy in one sentence for
// patients, e.g. "Cancel or reschedule online up to 24 hours before your
// visit; after that, please call us at +1 555 0100."
func CancelPolicy(c Clinic) string {
	p := c.Policy
	call := "please call the clinic."
	if c.Phone != "" {
		call = "please call us at " + c.Phone + "."
	}
	switch {
	case p.CancelCutoff <= 0 && p.RescheduleCutoff <= 0:
		return "Cancel or reschedule online any time before your visit."
	case p.CancelCutoff == p.RescheduleCutoff:
		return "Cancel or reschedule online up to " + HumanDuration(p.CancelCutoff) +
			" before your visit; after that, " + call
	}
	return "Cancel online up to " + cutoffPhrase(p.CancelCutoff) + " and reschedule up to " +
		cutoffPhrase(p.RescheduleCutoff) + " your visit; after that, " + call
}

// cutoffPhrase is "24 hours before", or "the start of" for no cut-off.
func cutoffPhrase(d time.Duration) string {
	if d <= 0 {
		return "the start of"
	}
	return HumanDuration(d) + " before"
}

// HumanDuration writes d for people: "24 hours", "1 hour 30 minutes",
// "45 minutes", and days from three on: "3 days", "4 days 4 hours".
// Seconds are dropped.
func HumanDuration(d time.Duration) string {
	if d < time.Minute {
		return "0 minutes"
	}
	units := []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}}
	if d < 72*time.Hour {
		units = units[1:] // "24 hours" and "36 hours" read better than days
	}
	var parts []string
	for _, u := range units {
		if n := int(d / u.size); n > 0 {
			parts = append(parts, plural(n, u.name))
			d -= time.Duration(n) * u.size
		}
	}
	return strings.Join(parts, " ")
}

// plural is "1 hour" or "2 hours".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
