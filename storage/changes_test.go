package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// TestBookingKeepsChangeAndCommitment: the last change patients see and the
// start the cancel cut-off counts from round-trip on both engines; a new
// booking's last change is its creation.
func TestBookingKeepsChangeAndCommitment(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		b := newBooking(fx, fx.Therapist.ID, monday)
		mustBook(t, s, &b, "ada@example.com")
		got, err := s.Booking(ctx, b.ID)
		if err != nil || !got.LastChange().Equal(b.CreatedAt) || !got.CutoffFrom.IsZero() {
			t.Fatalf("new booking: last change %v, cutoff from %v, %v; want %v and none", got.LastChange(), got.CutoffFrom, err, b.CreatedAt)
		}
		moved := got.Booking
		moved.Start, moved.End = monday.Add(48*time.Hour), monday.Add(49*time.Hour)
		moved.BlockStart, moved.BlockEnd = moved.Start, moved.Start.Add(70*time.Minute)
		moved.ChangedAt, moved.CutoffFrom, moved.UpdatedAt = monday.Add(-time.Hour), monday, monday.Add(-time.Hour)
		if err := s.UpdateBooking(ctx, &moved, domain.Effects{}); err != nil {
			t.Fatal(err)
		}
		got, err = s.Booking(ctx, b.ID)
		if err != nil || !got.ChangedAt.Equal(moved.ChangedAt) || !got.CutoffFrom.Equal(monday) {
			t.Errorf("moved booking: changed %v, cutoff from %v, %v; want %v and %v", got.ChangedAt, got.CutoffFrom, err, moved.ChangedAt, monday)
		}
	})
}

// TestTimeOffStamped: time off is stamped when it is set (never its start)
// and keeps its SEQUENCE.
func TestTimeOffStamped(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		before := time.Now().UTC().Add(-time.Second)
		off := domain.TimeOff{PractitionerID: fx.Therapist.ID, Start: time.Now().Add(30 * 24 * time.Hour), End: time.Now().Add(31 * 24 * time.Hour)}
		if err := s.CreateTimeOff(ctx, &off); err != nil {
			t.Fatal(err)
		}
		offs, err := s.TimeOffs(ctx, fx.Therapist.ID, time.Time{}, time.Time{})
		if err != nil || len(offs) != 1 {
			t.Fatalf("TimeOffs = %+v, %v", offs, err)
		}
		if got := offs[0].UpdatedAt; got.Before(before) || got.After(time.Now()) || offs[0].Sequence != 0 {
			t.Errorf("time off stamped %v SEQUENCE %d, want about now (%v) and 0", got, offs[0].Sequence, before)
		}
	})
}
