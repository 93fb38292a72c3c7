package domain

import (
	"context"
	"slices"
	"time"
)

// ErrStale: the booking changed after the caller read it; nothing was
// written. The caller shows the booking as it is now.
var ErrStale = &Error{Kind: KindConflict, Message: "Someone else changed this visit meanwhile. Nothing was changed; the calendar now shows it as it is."}

// VersionLayout writes a booking's version: its UpdatedAt to the
// microsecond, the precision both databases keep.
const VersionLayout = "2006-01-02T15:04:05.000000Z"

// Version is the token a client sends back to say which state it saw.
func (b Booking) Version() string {
	if b.UpdatedAt.IsZero() {
		return ""
	}
	return b.UpdatedAt.UTC().Format(VersionLayout)
}

// ParseVersion reads a version token; "" is the zero time (not checked).
func ParseVersion(field, raw string) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, Invalid(field, "Send back the version the booking was read with.")
	}
	return t.UTC().Truncate(time.Microsecond), nil
}

// checkVersion refuses a change based on an older read of d.
func checkVersion(d BookingDetail, version time.Time) error {
	if version.IsZero() || d.UpdatedAt.UTC().Truncate(time.Microsecond).Equal(version) {
		return nil
	}
	return ErrStale
}

// ClashError is a move refused because other visits hold the time: the
// answer names them, so the front desk sees who is in the way.
type ClashError struct {
	Err    error           // ErrSlotTaken, possibly naming the practitioner
	Visits []BookingDetail // the live visits overlapping the wanted block
}

func (e *ClashError) Error() string { return e.Err.Error() }

// Unwrap keeps errors.Is(err, ErrSlotTaken) and the 409.
func (e *ClashError) Unwrap() error { return e.Err }

// clash wraps a slot-taken answer for moving d to practitionerID at start
// with the visits in the way. Reading them failing keeps the plain answer.
func (s *Scheduler) clash(ctx context.Context, taken error, d BookingDetail, practitionerID string, start time.Time) error {
	block := d.Service.Block(start)
	list, err := s.Store.Bookings(ctx, BookingFilter{From: block.Start.Add(-12 * time.Hour), To: block.End.Add(12 * time.Hour), PractitionerID: practitionerID})
	if err != nil {
		return taken
	}
	var in []BookingDetail
	for _, b := range list {
		if b.ID != d.ID && b.Live() && b.Block().Overlaps(block) {
			in = append(in, b)
		}
	}
	slices.SortFunc(in, func(a, b BookingDetail) int { return a.Start.Compare(b.Start) })
	return &ClashError{Err: taken, Visits: in}
}
