package domain

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Status is where a booking is in its life.
type Status string

const (
	StatusConfirmed Status = "confirmed"
	StatusArrived   Status = "arrived"
	StatusCompleted Status = "completed"
	StatusNoShow    Status = "no_show"
	StatusCancelled Status = "cancelled"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusConfirmed, StatusArrived, StatusCompleted, StatusNoShow, StatusCancelled:
		return true
	}
	return false
}

// Source says who made a booking.
type Source string

const (
	SourceOnline Source = "online" // the patient, on the web or API
	SourceStaff  Source = "staff"  // front desk, on the patient's behalf
)

// Intake is the short questionnaire of the complimentary case review.
type Intake struct {
	PainAreas []string // neck, back, shoulders, headaches, other
	Duration  string   // days, weeks, months, years
	Tried     []string // massage, chiropractic, physiotherapy, medication, nothing
	Notes     string   // free text, at most MaxIntakeNotes characters
}

// The intake's allowed answers.
var (
	PainAreas      = []string{"neck", "back", "shoulders", "headaches", "other"}
	PainDurations  = []string{"days", "weeks", "months", "years"}
	TriedTreatment = []string{"massage", "chiropractic", "physiotherapy", "medication", "nothing"}
)

// MaxIntakeNotes and MaxNotes bound free text from patients.
const (
	MaxIntakeNotes = 1000
	MaxNotes       = 1000
)

// Validate checks the answers; fields are named under "intake.".
func (in Intake) Validate() error {
	var v Validation
	v.Check(len(in.PainAreas) > 0, "intake.pain_areas", "Choose where it hurts.")
	v.Check(allIn(in.PainAreas, PainAreas), "intake.pain_areas", "Choose from neck, back, shoulders, headaches or other.")
	v.Check(slices.Contains(PainDurations, in.Duration), "intake.duration", "Choose days, weeks, months or years.")
	v.Check(allIn(in.Tried, TriedTreatment), "intake.tried", "Choose from massage, chiropractic, physiotherapy, medication or nothing.")
	v.Check(len([]rune(in.Notes)) <= MaxIntakeNotes, "intake.notes", "Keep it under 1000 characters.")
	v.Text("intake.notes", in.Notes)
	return v.Err()
}

func allIn(values, allowed []string) bool {
	if len(values) > len(allowed) {
		return false
	}
	for _, x := range values {
		if !slices.Contains(allowed, x) {
			return false
		}
	}
	return true
}

// Booking is one visit of one patient with one practitioner.
type Booking struct {
	ID             string // random UUID
	UID            string // iCalendar UID, a random UUID, stable for the booking's life
	ServiceID      string
	PractitionerID string
	PatientID      string
	Start, End     time.Time // the visit, UTC
	BlockStart     time.Time // Start minus the service's buffer before
	BlockEnd       time.Time // End plus the service's buffer after
	Status         Status
	Overbooked     bool   // a deliberate staff squeeze-in; exempt from the overlap constraint
	RoomID         string // the room the visit holds; "" when none
	RoomOverbooked bool   // staff chose to double-book the room too; exempt from the room's constraint
	Complimentary  bool   // the one-per-patient free case review
	PlanID         string // the plan of care the visit belongs to; "" when none
	// ReviewOutcome is what came of a case review ("" while undecided,
	// and on every other booking).
	ReviewOutcome ReviewOutcome
	Source        Source
	Attribution   Attribution // what brought the patient; fixed at creation
	TimeZone      string      // the patient's zone, for emails
	Intake        *Intake
	Notes         string // from the patient
	// GivenName and GivenPhone are what the request typed for the patient.
	// A booking never changes an existing patient's record (anyone may
	// type anyone's email): staff compare these with the record
	// (GivenDiffers) and correct it themselves. "" on older bookings.
	GivenName      string
	GivenPhone     string
	StaffNotes     string // never shown to the patient or in a feed
	CancelReason   string
	Sequence       int            // iCalendar SEQUENCE, raised on every mailed change
	AttendeeStatus AttendeeStatus // the patient's answer to the invite; "" reads as needs_action
	ManageHash     string
	CreatedBy      string // user id of staff, "" for the patient
	CreatedAt      time.Time
	UpdatedAt      time.Time
	CancelledAt    time.Time
	// ChangedAt is the last change patients and calendars see: the
	// booking, a move or the cancellation (staff notes and check-ins are
	// not). Zero (rows older than the column) means CreatedAt.
	ChangedAt time.Time
	// CutoffFrom is the start the patient's cancel cut-off counts from
	// when it is earlier than Start: the visit was moved by the patient
	// when it could already no longer be cancelled online. Zero: Start.
	CutoffFrom time.Time
}

// LastChange is ChangedAt, or CreatedAt for a booking that has none.
func (b Booking) LastChange() time.Time {
	if b.ChangedAt.IsZero() {
		return b.CreatedAt
	}
	return b.ChangedAt
}

// CancelDeadline is the last instant the patient may cancel online under
// p: CancelCutoff before the start of the commitment, which is the
// earliest start the visit had when the patient moved it inside the
// cut-off (CutoffFrom), else its start.
func (b Booking) CancelDeadline(p Policy) time.Time {
	start := b.Start
	if !b.CutoffFrom.IsZero() && b.CutoffFrom.Before(start) {
		start = b.CutoffFrom
	}
	return start.Add(-p.CancelCutoff)
}

// CanCancelOnline reports whether the patient may still cancel the visit
// themselves at now: it is live, not over, and now is before its
// CancelDeadline.
func (b Booking) CanCancelOnline(p Policy, now time.Time) bool {
	return b.Status == StatusConfirmed && now.Before(b.CancelDeadline(p))
}

// commitmentAfterMove is the CutoffFrom a visit has once the patient moves
// it at now: unchanged when its cancel deadline has passed (moving it does
// not reopen online cancellation), zero (the new start) otherwise.
func (b Booking) commitmentAfterMove(p Policy, now time.Time) time.Time {
	if now.Before(b.CancelDeadline(p)) {
		return time.Time{}
	}
	if b.CutoffFrom.IsZero() || b.Start.Before(b.CutoffFrom) {
		return b.Start
	}
	return b.CutoffFrom
}

// GivenDiffers reports whether the booking was made with a name or phone
// other than the patient's record p has: someone else booked with their
// email, or the patient's details changed. An empty phone given is no
// difference.
func (b Booking) GivenDiffers(p Patient) bool {
	return (b.GivenName != "" && b.GivenName != p.Name) || (b.GivenPhone != "" && b.GivenPhone != p.Phone)
}

// Live reports whether the booking still holds its time.
func (b Booking) Live() bool { return b.Status != StatusCancelled }

// Block is the interval the booking holds on the practitioner's calendar.
func (b Booking) Block() Interval { return Interval{b.BlockStart, b.BlockEnd} }

// BookingFilter selects bookings for staff lists, calendars and feeds.
type BookingFilter struct {
	From, To       time.Time // bookings overlapping [From, To); zero = unbounded
	PractitionerID string
	PatientID      string
	RoomID         string   // bookings holding the room
	PlanID         string   // the visits of a plan
	Statuses       []Status // empty = all
	UpdatedSince   time.Time
	Limit          int
}

// BookingDetail is a booking with the names staff and emails need.
type BookingDetail struct {
	Booking
	Service      Service
	Practitioner Practitioner
	Patient      Patient
	Room         Room // zero when the booking holds no room
}

// Initials returns "J. D." for "Jane Doe": the feed's middle privacy level.
// Each word gives its first letter; punctuation, digits and emoji are
// skipped ("J. Doe" is "J. D.", "😀 Jane" is "J."), and a word with no
// letter gives nothing.
func Initials(name string) string {
	var parts []string
	for _, w := range strings.Fields(name) {
		if i := strings.IndexFunc(w, unicode.IsLetter); i >= 0 {
			r, _ := utf8.DecodeRuneInString(w[i:])
			parts = append(parts, string(unicode.ToUpper(r))+".")
		}
	}
	return strings.Join(parts, " ")
}
