package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// TestUpdateBookingVersion: with IfUpdatedAt the update lands only while
// the row is as it was read; a second desk's older read gets ErrStale and
// the newer data stays.
func TestUpdateBookingVersion(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		b := newBooking(fx, fx.Therapist.ID, monday)
		b.UpdatedAt = monday.Add(-time.Hour).Add(123456789 * time.Nanosecond) // below the microsecond: truncated on both engines
		mustBook(t, s, &b, "a@example.com")
		read, err := s.Booking(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		first := read.Booking
		first.Status, first.UpdatedAt = domain.StatusArrived, monday.Add(-30*time.Minute)
		if err := s.UpdateBooking(ctx, &first, domain.Effects{IfUpdatedAt: read.UpdatedAt}); err != nil {
			t.Fatalf("update with the version read = %v", err)
		}
		second := read.Booking // the other desk read the same version
		second.StaffNotes, second.UpdatedAt = "late change", monday.Add(-20*time.Minute)
		if err := s.UpdateBooking(ctx, &second, domain.Effects{IfUpdatedAt: read.UpdatedAt}); !errors.Is(err, domain.ErrStale) {
			t.Fatalf("update with an old version = %v, want ErrStale", err)
		}
		got, err := s.Booking(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != domain.StatusArrived || got.StaffNotes != "" {
			t.Errorf("after the refused update: status %s, notes %q; want arrived and none", got.Status, got.StaffNotes)
		}
		gone := read.Booking
		gone.ID = domain.NewID()
		if err := s.UpdateBooking(ctx, &gone, domain.Effects{IfUpdatedAt: read.UpdatedAt}); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("update of a missing booking with a version = %v, want ErrNotFound", err)
		}
	})
}
