package domain

import (
	"context"
	"time"
)

// Event kinds.
const (
	EventBooking = "booking" // a booking was created, changed or removed
	// EventResync tells a subscriber that events it asked for are no longer
	// kept (or were too many to replay): reload everything shown.
	EventResync = "resync"
)

// Event is one change to a booking, as live calendars receive it. The
// database writes it in the transaction of the change, so an event exists
// exactly when its change was committed, whichever door made it.
type Event struct {
	Seq            int64 // the event's position in the log; a stream's resume point
	Kind           string
	BookingID      string
	PractitionerID string
	RoomID         string // "" when the visit holds no room
	Start, End     time.Time
	Status         Status
	// Change is what happened: created, moved (time, practitioner or
	// room), cancelled, status (arrived, completed, no-show and back),
	// updated (anything else) or deleted.
	Change string
	// PreviousPractitionerID is whose calendar a move to another
	// practitioner took the visit from; "" otherwise.
	PreviousPractitionerID string
	At                     time.Time
}

// VisibleTo reports whether u may see e: front desk and admins see every
// event, a practitioner those of visits on (or leaving) their own calendar.
func (e Event) VisibleTo(u User) bool {
	if e.Kind == EventResync {
		return true
	}
	return u.Can(e.PractitionerID) || (e.PreviousPractitionerID != "" && u.Can(e.PreviousPractitionerID))
}

// EventLog reads the events the database keeps (a day's worth).
type EventLog interface {
	// EventsAfter returns, oldest first, at most limit events after seq
	// after. Where the engine can commit events out of Seq order
	// (PostgreSQL), it also returns those written in the few seconds
	// before event after, which may have committed later: a subscriber
	// drops the ones it had by Seq. It returns ErrEventsGone when after is
	// older than the oldest event kept.
	EventsAfter(ctx context.Context, after int64, limit int) ([]Event, error)
}

// ErrEventsGone: the events asked for were pruned; reload instead.
var ErrEventsGone = &Error{Kind: KindNotFound, Message: "Those changes are no longer kept; reload."}

// EventStream delivers events as they are committed, on any replica.
type EventStream interface {
	// Subscribe returns a channel of the events after seq after (resume
	// true: replayed from the log first, then live), or of the events from
	// now on (resume false). The channel is closed when ctx ends, when the
	// stream shuts down, or when the subscriber falls too far behind; a
	// subscriber then reconnects with the Seq it saw last. An EventResync
	// event says the replay could not be given.
	Subscribe(ctx context.Context, after int64, resume bool) <-chan Event
}
