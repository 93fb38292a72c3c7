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

// TestUpdateTimeOffRaisesSequence: changing time off keeps its id, raises
// its SEQUENCE and stamps the change; another practitioner's id is not
// found.
func TestUpdateTimeOffRaisesSequence(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		set := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
		off := domain.TimeOff{PractitionerID: fx.Therapist.ID, Start: monday, End: monday.Add(3 * time.Hour), UpdatedAt: set}
		if err := s.CreateTimeOff(ctx, &off); err != nil {
			t.Fatal(err)
		}
		changed := off
		changed.End, changed.Reason, changed.UpdatedAt = monday.Add(5*time.Hour), "Course", set.Add(time.Hour)
		if err := s.UpdateTimeOff(ctx, &changed); err != nil {
			t.Fatalf("UpdateTimeOff = %v", err)
		}
		offs, err := s.TimeOffs(ctx, fx.Therapist.ID, time.Time{}, time.Time{})
		if err != nil || len(offs) != 1 {
			t.Fatalf("TimeOffs = %+v, %v", offs, err)
		}
		got := offs[0]
		if got.ID != off.ID || got.Sequence != 1 || !got.End.Equal(changed.End) || got.Reason != "Course" || !got.UpdatedAt.Equal(set.Add(time.Hour)) || changed.Sequence != 1 {
			t.Errorf("after UpdateTimeOff: %+v (returned SEQUENCE %d); want the same id, SEQUENCE 1, the new end, reason and stamp", got, changed.Sequence)
		}
		other := changed
		other.PractitionerID = fx.Chiropractor.ID
		if err := s.UpdateTimeOff(ctx, &other); domain.ErrorKind(err) != domain.KindNotFound {
			t.Errorf("UpdateTimeOff(another practitioner's) = %v, want not found", err)
		}
		bad := changed
		bad.End = bad.Start
		if err := s.UpdateTimeOff(ctx, &bad); domain.ErrorKind(err) != domain.KindInvalid {
			t.Errorf("UpdateTimeOff(end = start) = %v, want invalid", err)
		}
	})
}
