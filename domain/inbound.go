package domain

import (
	"context"
	"time"
)

// AttendeeStatus is the patient's answer to the invite, as their calendar
// sent it back (iCalendar PARTSTAT).
type AttendeeStatus string

const (
	AttendeeNeedsAction AttendeeStatus = "needs_action" // no answer yet
	AttendeeAccepted    AttendeeStatus = "accepted"
	AttendeeDeclined    AttendeeStatus = "declined"
	AttendeeTentative   AttendeeStatus = "tentative"
)

// EmailStatus says whether mail to a patient's address arrives.
type EmailStatus string

const (
	EmailOK       EmailStatus = "ok"
	EmailBouncing EmailStatus = "bouncing" // a delivery failed for good: mail to it is held until staff fix it
)

// InboundKind is what a received message turned out to be.
type InboundKind string

const (
	InboundReply   InboundKind = "reply"   // an iMIP REPLY: accepted, declined, tentative
	InboundCounter InboundKind = "counter" // an iMIP COUNTER: a proposed new time
	InboundBounce  InboundKind = "bounce"  // a delivery status notification
	InboundOther   InboundKind = "other"   // anything else
)

// InboundState is where a received message is, and what came of it.
type InboundState string

const (
	InboundReceived         InboundState = "received"          // stored, not processed yet
	InboundApplied          InboundState = "applied"           // acted on the booking
	InboundUnchanged        InboundState = "unchanged"         // the booking already records this answer
	InboundRefused          InboundState = "refused"           // a decline inside the cut-off: the front desk was alerted, the patient asked to call
	InboundProposal         InboundState = "proposal"          // a proposed time waiting for the front desk
	InboundProposalAccepted InboundState = "proposal_accepted" // staff moved the visit to it
	InboundProposalDeclined InboundState = "proposal_declined" // staff turned it down
	InboundOutdated         InboundState = "outdated"          // answers an older version of the invite
	InboundUnauthenticated  InboundState = "unauthenticated"   // no DKIM pass for the patient's domain
	InboundNotPatient       InboundState = "not_patient"       // From or ATTENDEE is not the booking's patient
	InboundUnknownBooking   InboundState = "unknown_booking"   // the UID is none of ours
	InboundClosed           InboundState = "booking_closed"    // the visit was cancelled, is over or has started
	InboundAutoReply        InboundState = "auto_reply"        // an automatic message: never acted on
	InboundDuplicate        InboundState = "duplicate"         // a message with this Message-ID was processed already
	InboundMalformed        InboundState = "malformed"         // could not be read
	InboundBounceRecorded   InboundState = "bounce_recorded"   // the address is marked bouncing
	InboundBounceUnmatched  InboundState = "bounce_unmatched"  // matches no message we sent
	InboundIgnored          InboundState = "ignored"           // neither a calendar answer nor a bounce
	InboundFailed           InboundState = "failed"            // processing kept failing; kept for staff
)

// InboundMessage is one received email: stored whole before anything is
// done with it, then processed once from a queue.
type InboundMessage struct {
	ID           string
	ReceivedAt   time.Time
	SHA256       string // hex digest of the raw bytes: one row per distinct message
	Size         int
	MessageID    string // without angle brackets; "" when it had none
	EnvelopeFrom string // the SMTP MAIL FROM
	Attempts     int    // processing attempts before this one

	From          string // the From header's address, lower-cased
	Subject       string
	Kind          InboundKind
	State         InboundState
	Detail        string // what happened, for staff
	BookingID     string // the booking it is about, "" for none
	ProposedStart time.Time
	ProposedEnd   time.Time
	ProcessedAt   time.Time
}

// InboundMail is what the inbound door read from a message, for the rules
// to judge. The door parses MIME, iCalendar and delivery reports and checks
// signatures; the rules decide what may be done with the result.
type InboundMail struct {
	MessageID string
	From      string // the From header's address, lower-cased
	Subject   string
	AutoReply bool   // Auto-Submitted (not "no"), Precedence bulk/junk/list, or the like
	Malformed string // why the message could not be read; "" when it could
	// Authenticated lists the domains a valid DKIM signature (or a trusted
	// Authentication-Results header) vouches for, lower-cased.
	Authenticated []string
	Calendar      *CalendarAnswer // the text/calendar part, when there is one
	Bounce        *Bounce         // the delivery report, when it is one
}

// CalendarAnswer is the iTIP message (RFC 5546) of a calendar part.
type CalendarAnswer struct {
	Method   string // REPLY, COUNTER, …
	UID      string
	Attendee string // the ATTENDEE's mailto address, lower-cased
	PartStat string // ACCEPTED, DECLINED, TENTATIVE, …
	Sequence int    // -1 when the part carries none
	Start    time.Time
	End      time.Time // the proposed time of a COUNTER
	Comment  string
}

// Bounce is a report that mail could not be delivered.
type Bounce struct {
	Recipients []string // the addresses that failed for good, lower-cased; empty when the report names none
	MessageIDs []string // Message-IDs of the returned message, without angle brackets
	Reason     string   // the status or diagnostic, for staff
}

// InboundFilter selects received messages for staff, newest first.
type InboundFilter struct {
	BookingID string
	Limit     int
}

// InboundStore keeps received mail and what processing needs. Methods
// return ErrNotFound for a missing row and ErrUnavailable when the
// database cannot be reached.
type InboundStore interface {
	// SaveInbound stores a received message (m.ID, ReceivedAt, SHA256, Size,
	// MessageID, EnvelopeFrom) with its raw bytes, state received and due
	// now. When a message with the same SHA256 is stored already it stores
	// nothing and reports duplicate, with m.ID set to the stored one.
	SaveInbound(ctx context.Context, m *InboundMessage, raw []byte) (duplicate bool, err error)
	// ClaimInbound takes up to limit unprocessed messages due at now,
	// oldest first, with their raw bytes, and hides them from other
	// processors until now+lease (FOR UPDATE SKIP LOCKED on PostgreSQL).
	ClaimInbound(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]ClaimedInbound, error)
	// RetryInbound records a failed processing attempt, due again at next.
	RetryInbound(ctx context.Context, id, lastErr string, next time.Time) error
	// FinishInbound records m's outcome (From, Subject, Kind, State, Detail,
	// BookingID, the proposal, ProcessedAt) and takes it out of the queue.
	FinishInbound(ctx context.Context, m InboundMessage) error
	InboundMessage(ctx context.Context, id string) (InboundMessage, error)
	InboundMessages(ctx context.Context, f InboundFilter) ([]InboundMessage, error)
	// InboundSeen reports whether another processed message than exceptID
	// has the Message-ID.
	InboundSeen(ctx context.Context, messageID, exceptID string) (bool, error)

	// BookingByUID returns the booking with the iCalendar UID.
	BookingByUID(ctx context.Context, uid string) (BookingDetail, error)
	// SentMessage returns the outbox row that went out with the Message-ID.
	SentMessage(ctx context.Context, messageID string) (Message, error)
	// MarkEmailBouncing marks the patient with the address bouncing and
	// makes their pending outbox rows dead with reason, in one transaction;
	// ErrNotFound when no patient has the address.
	MarkEmailBouncing(ctx context.Context, email, reason string, at time.Time) (Patient, error)
	// SetPatientEmail stores the patient's (lower-cased) address and marks
	// it ok; ErrDuplicate when another patient has it.
	SetPatientEmail(ctx context.Context, patientID, email string) (Patient, error)
}

// ClaimedInbound is a claimed message with its raw bytes.
type ClaimedInbound struct {
	Message InboundMessage
	Raw     []byte
}
