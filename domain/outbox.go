package domain

import (
	"strings"
	"time"
)

// MessageKind is the reason an email is sent.
type MessageKind string

const (
	MessageConfirmation MessageKind = "confirmation" // to the patient: METHOD:REQUEST
	MessageRescheduled  MessageKind = "rescheduled"  // to the patient: METHOD:REQUEST, SEQUENCE raised
	MessageCancellation MessageKind = "cancellation" // to the patient: METHOD:CANCEL
	MessageReminder     MessageKind = "reminder"     // to the patient, before the visit; no invite
	MessagePractitioner MessageKind = "practitioner" // a note to the practitioner of any change
	// MessageReplyRefused answers a patient who declined the invite by
	// email inside the cut-off: the visit stays, please call.
	MessageReplyRefused MessageKind = "reply_refused"
	// MessageFrontDesk alerts the clinic's own address to something only
	// staff can settle (a decline inside the cut-off).
	MessageFrontDesk MessageKind = "front_desk"
	// MessagePractitionerInvite is the visit as an invite in the
	// practitioner's own calendar (Practitioner.SendInvites): REQUEST, or
	// CANCEL when the visit is cancelled or moves to someone else.
	MessagePractitionerInvite MessageKind = "practitioner_invite"
	// MessageWaitlistOffer offers a waitlist patient a freed time, with
	// the link to accept or decline it (Notice.ManageURL) before
	// Notice.OfferExpires. No invite: nothing is booked yet.
	MessageWaitlistOffer MessageKind = "waitlist_offer"
)

// MessageStatus is where an outbox row is.
type MessageStatus string

const (
	MessagePending   MessageStatus = "pending"
	MessageSent      MessageStatus = "sent"
	MessageDead      MessageStatus = "dead"      // gave up after MaxAttempts; staff may retry
	MessageCancelled MessageStatus = "cancelled" // a reminder for a visit that moved or was cancelled
)

// MaxAttempts is how often the worker tries a message before it is dead.
const MaxAttempts = 8

// Message is one email in the transactional outbox. It is written in the
// same transaction as the booking change it tells of.
type Message struct {
	ID        string
	MessageID string // the email's Message-ID, without angle brackets; see MessageIDFor
	BookingID string
	Kind      MessageKind
	To        string
	Status    MessageStatus
	DueAt     time.Time // not sent before
	Attempts  int
	LastError string
	SentAt    time.Time
	CreatedAt time.Time
	Notice    Notice
}

// Notice is the snapshot of a booking an email is composed from. It is taken
// when the change happens, so a late delivery still tells what was decided
// then. ManageURL carries the patient's secret link and is erased once sent.
type Notice struct {
	UID      string
	Sequence int
	Status   Status

	ClinicName     string
	ClinicEmail    string // From: and ORGANIZER
	SenderName     string // the display name of From: and the ORGANIZER's CN; empty (older rows): ClinicName
	ClinicPhone    string
	ClinicAddress  string
	ClinicTimeZone string
	WhatToBring    string
	CancelPolicy   string // one sentence, in every email and the invite's DESCRIPTION

	PatientName  string
	PatientEmail string
	TimeZone     string // the patient's zone: times are shown in it, named

	PractitionerName  string
	PractitionerTitle string
	PractitionerEmail string

	ServiceName string
	ServiceKind ServiceKind
	Room        string // the room's name: in the patient's emails only when the clinic wants it
	Start, End  time.Time
	Previous    time.Time // the old start, for a change of time; zero when the time stayed
	ManageURL   string
	Reason      string // cancellation reason, for the practitioner's note only

	// Changed is when the change the notice tells of was made (UTC): the
	// DTSTAMP of a calendar built from it.
	Changed time.Time
	// BookURL books the same service again; a cancellation offers it
	// instead of the manage link.
	BookURL string
	// MovedTo names the practitioner who took the visit over, in the note
	// to the practitioner it was moved away from; MovedFrom names the one
	// it came from, in the note to the one who has it now.
	MovedTo, MovedFrom string
	// Series lists the visits of a plan a series email tells of, each
	// with its own invite; nil for an email about one visit. (A pointer
	// keeps Notice comparable.)
	Series *NoticeSeries
	// OfferExpires is when a waitlist offer lapses (MessageWaitlistOffer).
	OfferExpires time.Time
}

// NoticeSeries is the visits of a plan in one email.
type NoticeSeries struct {
	PlanID string
	Visits []NoticeVisit
}

// MessageIDFor is the Message-ID an outbox row with the id goes out with:
// the id at the domain of the clinic's address (the sender), or at
// "frontdesk" without one. Stable, so a sink can spot a duplicate and a
// bounce can be matched to the row.
func MessageIDFor(id, clinicEmail string) string {
	dom := "frontdesk"
	if at := strings.LastIndexByte(clinicEmail, '@'); at >= 0 && at < len(clinicEmail)-1 {
		dom = strings.ToLower(clinicEmail[at+1:])
	}
	return id + "@" + dom
}

// MessageFilter selects outbox rows for the staff notifications page.
type MessageFilter struct {
	Statuses  []MessageStatus
	BookingID string
	// PatientID selects what was written to the patient about any of
	// their visits (PatientMessageKinds), not the notes to practitioners
	// or the front desk.
	PatientID string
	Limit     int
}

// PatientMessageKinds are the kinds of email a patient receives.
var PatientMessageKinds = []MessageKind{MessageConfirmation, MessageRescheduled, MessageCancellation, MessageReminder, MessageReplyRefused}

// Sender is the display name the message comes from: SenderName, or the
// clinic's name for a notice written before the clinic had a sender name.
func (n Notice) Sender() string {
	if n.SenderName != "" {
		return n.SenderName
	}
	return n.ClinicName
}

// OutboxStats is the outbox queue at one instant. A message being sent (its
// claim's lease running) counts as Scheduled until the lease runs out.
type OutboxStats struct {
	Queued    int // pending and due: waiting for a worker
	Scheduled int // pending, due later (reminders, retries after a backoff, leased)
	Retrying  int // pending after at least one failed attempt (also in Queued or Scheduled)
	Sent      int
	Dead      int // given up on; staff may retry them
	// OldestQueued is when the longest-waiting queued message fell due;
	// zero when none is queued.
	OldestQueued time.Time
}
