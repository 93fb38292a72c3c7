package domain

import "time"

// Privacy is how much of a patient a calendar feed shows.
type Privacy string

const (
	PrivacyBusy     Privacy = "busy"     // "Busy": no patient at all
	PrivacyInitials Privacy = "initials" // "J. D."
	PrivacyFullName Privacy = "full"     // "Jane Doe"
)

// Valid reports whether p is a known level.
func (p Privacy) Valid() bool {
	return p == PrivacyBusy || p == PrivacyInitials || p == PrivacyFullName
}

// FeedToken is the secret in a subscribable calendar URL. PractitionerID ""
// is the whole clinic's feed.
type FeedToken struct {
	ID             string
	PractitionerID string
	Hash           string
	Privacy        Privacy
	CreatedBy      string
	CreatedAt      time.Time
	RevokedAt      time.Time
}

// FeedEvent is one visit or time-off block as a feed shows it. It holds no
// contact details, intake, notes or reasons: nothing the feed must not leak.
type FeedEvent struct {
	UID          string
	Sequence     int
	Summary      string // service and patient at the feed's privacy level
	Start, End   time.Time
	Cancelled    bool
	Busy         bool   // time off
	Practitioner string // name, for the clinic-wide feed
	Room         string // the room's name, the event's LOCATION; "" when none
	LastModified time.Time
}

// Feed is a rendered calendar's content and the instant it last changed.
type Feed struct {
	Name         string
	TimeZone     string
	Events       []FeedEvent
	LastModified time.Time // never goes backwards: see FeedStore
}
