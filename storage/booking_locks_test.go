package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// TestBookingLocksPerQuarterHour: on PostgreSQL a booking write locks its
// practitioner's quarter hours, not the practitioner. While a transaction
// holds the locks of a 10:00–11:10 block, a booking of the same
// practitioner at 14:00 commits without waiting, and one at 10:30 waits on
// the lock (pg_stat_activity shows a Lock:advisory wait) until the holder
// ends, then commits. Nothing here is timed: the context only turns a hang
// into a failure.
func TestBookingLocksPerQuarterHour(t *testing.T) {
	s := storagetest.Open(t, storagetest.Postgres)
	fx := storagetest.Seed(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := fx.Therapist.ID
	held := newBooking(fx, p, monday) // 10:00 in New York, blocking until 11:10
	release := s.HoldBookingLocks(ctx, p, held.BlockStart, held.BlockEnd)
	released := false
	defer func() {
		if !released {
			release()
		}
	}()

	later := newBooking(fx, p, monday.Add(4*time.Hour))
	pat := newPatient("later@example.com")
	if err := s.CreateBooking(ctx, &later, &pat, domain.Effects{}); err != nil { // returns while the locks are held: it did not wait
		t.Fatalf("the 14:00 booking while the 10:00 block's locks are held = %v", err)
	}
	if n, err := s.AdvisoryLockWaiters(ctx); err != nil || n != 0 {
		t.Fatalf("advisory lock waiters after the 14:00 booking = %d, %v; want none", n, err)
	}

	overlapping := newBooking(fx, p, monday.Add(30*time.Minute))
	done := make(chan error, 1)
	go func() {
		pat := newPatient("overlap@example.com")
		done <- s.CreateBooking(ctx, &overlapping, &pat, domain.Effects{})
	}()
	for {
		n, err := s.AdvisoryLockWaiters(ctx)
		if err != nil {
			t.Fatalf("advisory lock waiters: %v", err)
		}
		if n == 1 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the 10:30 booking returned (%v) while the 10:00 block's locks were held; want it to wait", err)
		case <-ctx.Done():
			t.Fatal("the 10:30 booking never waited on an advisory lock")
		case <-time.After(10 * time.Millisecond):
		}
	}
	select {
	case err := <-done:
		t.Fatalf("the 10:30 booking returned (%v) before the holder ended", err)
	default:
	}
	released = true
	if err := release(); err != nil {
		t.Fatalf("release the held locks: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the 10:30 booking after the holder rolled back = %v, want it stored", err)
	}
	got, err := s.Bookings(ctx, domain.BookingFilter{PractitionerID: p})
	if err != nil || len(got) != 2 {
		t.Fatalf("bookings = %d, %v; want the 14:00 and the 10:30 ones", len(got), err)
	}
}
