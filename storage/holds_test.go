package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// holdClockStart is two days before monday: outside the minimum notice.
var holdClockStart = monday.Add(-48 * time.Hour)

// schedulers returns one Scheduler per store, sharing clock.
func schedulers(stores []*storage.Store, clock domain.Clock) []*domain.Scheduler {
	out := make([]*domain.Scheduler, len(stores))
	for i, s := range stores {
		out[i] = &domain.Scheduler{Store: s, Clock: clock, BaseURL: "https://clinic.example", HoldDuration: 10 * time.Minute}
	}
	return out
}

// massageRequest books the massage with the practitioner at monday.
func massageRequest(fx storagetest.Fixture, practitionerID, email string) domain.BookRequest {
	return domain.BookRequest{ServiceID: fx.Massage.ID, PractitionerID: practitionerID, Start: monday,
		Patient: newPatient(email), Actor: domain.ActorPatient}
}

// offered reports whether availability offers the massage with the
// practitioner at monday.
func offered(t *testing.T, s *domain.Scheduler, fx storagetest.Fixture, practitionerID, holdToken string) bool {
	t.Helper()
	d := domain.DateOf(monday.In(fx.Clinic.Location()))
	slots, err := s.Availability(context.Background(), domain.AvailabilityQuery{ServiceID: fx.Massage.ID,
		PractitionerID: practitionerID, From: d, To: d, HoldToken: holdToken})
	if err != nil {
		t.Fatalf("Availability: %v", err)
	}
	for _, sl := range slots {
		if sl.Start.Equal(monday) {
			return true
		}
	}
	return false
}

// TestHoldStormTwoReplicas: 40 clients on two replicas hold the same time
// at once and exactly one gets it; while it lives nobody else books the
// time (409, kind hold) and the holder does; availability hides it from
// others and shows it to the holder.
func TestHoldStormTwoReplicas(t *testing.T) {
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			stores := storagetest.OpenReplicas(t, e, 2)
			fx := storagetest.Seed(t, stores[0])
			clock := domaintest.NewClock(holdClockStart)
			sch := schedulers(stores, clock)
			ctx := context.Background()
			pr := fx.Chiropractor.ID
			const n = 40
			var wg sync.WaitGroup
			held := make([]domain.Held, n)
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					held[i], errs[i] = sch[i%2].PlaceHold(ctx, domain.HoldRequest{ServiceID: fx.Massage.ID,
						PractitionerID: pr, Start: monday, ClientKey: fmt.Sprintf("client-%d", i), Actor: domain.ActorPatient})
				}()
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner < 0:
					winner = i
				case err == nil:
					t.Errorf("PlaceHold #%d and #%d both won", winner, i)
				case !errors.Is(err, domain.ErrHoldTaken):
					t.Errorf("PlaceHold #%d = %v, want nil or ErrHoldTaken", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no client got the hold")
			}
			token := held[winner].Token
			if offered(t, sch[1], fx, pr, "") {
				t.Error("availability offers a held time to others")
			}
			if !offered(t, sch[1], fx, pr, token) {
				t.Error("availability hides the held time from its holder")
			}
			// Anyone else, on either replica: 409 naming the hold.
			for i, s := range sch {
				_, err := s.Book(ctx, massageRequest(fx, pr, fmt.Sprintf("other%d@example.com", i)))
				taken, _ := domain.TakenOf(err)
				if !errors.Is(err, domain.ErrHoldTaken) || taken.Kind != domain.ConflictHold {
					t.Errorf("replica %d: Book over a live hold = %v (%+v), want ErrHoldTaken kind hold", i, err, taken)
				}
			}
			// A second hold is refused too, and a live hold is not moved
			// by a staff reschedule either (the trigger checks updates).
			if _, err := sch[0].PlaceHold(ctx, domain.HoldRequest{ServiceID: fx.Massage.ID, PractitionerID: pr,
				Start: monday.Add(30 * time.Minute), ClientKey: "late", Actor: domain.ActorPatient}); !errors.Is(err, domain.ErrHoldTaken) {
				t.Errorf("overlapping PlaceHold = %v, want ErrHoldTaken", err)
			}
			req := massageRequest(fx, pr, "holder@example.com")
			req.HoldToken = token
			got, err := sch[(winner+1)%2].Book(ctx, req)
			if err != nil {
				t.Fatalf("holder's Book = %v, want it booked", err)
			}
			if got.Booking.PractitionerID != pr {
				t.Errorf("holder booked with %s, want %s", got.Booking.PractitionerID, pr)
			}
			if _, err := stores[0].HoldByToken(ctx, domain.HashToken(token)); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("hold after its booking = %v, want ErrNotFound (ended in the booking's transaction)", err)
			}
		})
	}
}

// TestHoldExpiry: an expired hold blocks nobody, before any sweep: the
// time is offered again and another patient books it.
func TestHoldExpiry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		fx := storagetest.Seed(t, s)
		clock := domaintest.NewClock(holdClockStart)
		sch := schedulers([]*storage.Store{s}, clock)[0]
		ctx := context.Background()
		pr := fx.Therapist.ID
		h, err := sch.PlaceHold(ctx, domain.HoldRequest{ServiceID: fx.Massage.ID, PractitionerID: pr, Start: monday,
			ClientKey: "first", Actor: domain.ActorPatient})
		if err != nil {
			t.Fatalf("PlaceHold: %v", err)
		}
		if !h.Hold.ExpiresAt.Equal(holdClockStart.Add(10 * time.Minute)) {
			t.Errorf("ExpiresAt = %s, want now + 10m", h.Hold.ExpiresAt)
		}
		clock.Advance(5 * time.Minute)
		// Holding the same time again does not extend the hold.
		again, err := sch.PlaceHold(ctx, domain.HoldRequest{ServiceID: fx.Massage.ID, PractitionerID: pr, Start: monday,
			ClientKey: "first", Actor: domain.ActorPatient})
		if err != nil || !again.Hold.ExpiresAt.Equal(h.Hold.ExpiresAt) {
			t.Errorf("re-hold = %v expiring %s, want the first expiry %s", err, again.Hold.ExpiresAt, h.Hold.ExpiresAt)
		}
		if _, err := s.HoldByToken(ctx, domain.HashToken(h.Token)); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("first hold after the client's second = %v, want replaced", err)
		}
		clock.Advance(5*time.Minute + time.Second)
		if !offered(t, sch, fx, pr, "") {
			t.Error("an expired hold still hides its time")
		}
		if _, err := sch.Book(ctx, massageRequest(fx, pr, "next@example.com")); err != nil {
			t.Errorf("Book over an expired hold = %v, want booked", err)
		}
		if _, err := s.HoldByToken(ctx, domain.HashToken(again.Token)); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("expired hold after a booking over it = %v, want deleted by that booking", err)
		}
	})
}

// TestHoldRulesInTheDatabase checks the constraints without the domain: a
// hold over a booking, a booking over a hold, a room held, release, sweep.
func TestHoldRulesInTheDatabase(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		fx := storagetest.Seed(t, s)
		room := seedRoom(t, s, &fx, "Room A")
		ctx := context.Background()
		now := holdClockStart
		newHold := func(pr, roomID string, start time.Time, client string) domain.Hold {
			_, hash := domain.NewToken()
			return domain.Hold{ServiceID: fx.Massage.ID, PractitionerID: pr, RoomID: roomID,
				Start: start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(70 * time.Minute),
				ExpiresAt: now.Add(10 * time.Minute), TokenHash: hash, ClientKey: client, CreatedAt: now}
		}
		b := newBooking(fx, fx.Chiropractor.ID, monday)
		b.RoomID = room.ID
		mustBook(t, s, &b, "booked@example.com")
		over := newHold(fx.Chiropractor.ID, "", monday.Add(time.Hour), "a")
		if err := s.CreateHold(ctx, &over, now, nil); !errors.Is(err, domain.ErrSlotTaken) {
			t.Errorf("hold over a booking = %v, want ErrSlotTaken", err)
		}
		roomOver := newHold(fx.Therapist.ID, room.ID, monday.Add(time.Hour), "a")
		if err := s.CreateHold(ctx, &roomOver, now, nil); !errors.Is(err, domain.ErrRoomTaken) {
			t.Errorf("hold over a booked room = %v, want ErrRoomTaken", err)
		}
		later := monday.Add(3 * time.Hour)
		h := newHold(fx.Therapist.ID, room.ID, later, "a")
		if err := s.CreateHold(ctx, &h, now, nil); err != nil {
			t.Fatalf("CreateHold: %v", err)
		}
		other := newBooking(fx, fx.Therapist.ID, later)
		p := newPatient("other@example.com")
		other.CreatedAt = now
		if err := s.CreateBooking(ctx, &other, &p, domain.Effects{}); !errors.Is(err, domain.ErrHoldTaken) {
			t.Errorf("booking over a hold = %v, want ErrHoldTaken", err)
		}
		inRoom := newBooking(fx, fx.Chiropractor.ID, later)
		inRoom.RoomID, inRoom.CreatedAt = room.ID, now
		if err := s.CreateBooking(ctx, &inRoom, &p, domain.Effects{}); !errors.Is(err, domain.ErrRoomTaken) {
			t.Errorf("booking in a held room = %v, want ErrRoomTaken", err)
		}
		// A move onto the held time is refused as well.
		moved := b
		shift(&moved, 3*time.Hour)
		moved.PractitionerID, moved.RoomID, moved.UpdatedAt = fx.Therapist.ID, "", now
		if err := s.UpdateBooking(ctx, &moved, domain.Effects{}); !errors.Is(err, domain.ErrHoldTaken) {
			t.Errorf("move onto a hold = %v, want ErrHoldTaken", err)
		}
		// The same client's next hold replaces the first.
		next := newHold(fx.Therapist.ID, "", later.Add(2*time.Hour), "a")
		if err := s.CreateHold(ctx, &next, now, nil); err != nil {
			t.Fatalf("CreateHold(next): %v", err)
		}
		if _, err := s.HoldByToken(ctx, h.TokenHash); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("client's first hold after its second = %v, want gone", err)
		}
		live, err := s.LiveHolds(ctx, []string{fx.Therapist.ID}, nil, monday, monday.Add(24*time.Hour), now)
		if err != nil || len(live) != 1 || live[0].ID != next.ID {
			t.Errorf("LiveHolds = %v, %v; want the one hold", live, err)
		}
		if live, _ := s.LiveHolds(ctx, []string{fx.Therapist.ID}, nil, monday, monday.Add(24*time.Hour), next.ExpiresAt); len(live) != 0 {
			t.Errorf("LiveHolds at expiry = %v, want none", live)
		}
		audit := domain.AuditEntry{ID: domain.NewID(), At: now, Actor: domain.ActorPatient, Action: "hold.release", EntityType: "hold", EntityID: next.ID}
		if err := s.DeleteHold(ctx, next.ID, &audit); err != nil {
			t.Errorf("DeleteHold: %v", err)
		}
		if err := s.DeleteHold(ctx, next.ID, nil); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("DeleteHold twice = %v, want ErrNotFound", err)
		}
		gone := newHold(fx.Therapist.ID, "", later.Add(4*time.Hour), "b")
		if err := s.CreateHold(ctx, &gone, now, nil); err != nil {
			t.Fatalf("CreateHold(gone): %v", err)
		}
		if n, err := s.DeleteExpiredHolds(ctx, gone.ExpiresAt); n != 1 || err != nil {
			t.Errorf("DeleteExpiredHolds = %d, %v; want 1", n, err)
		}
	})
}

// TestHoldOrBookingStormTwoReplicas: 20 holds and 20 bookings of one time,
// at once on two replicas: the advisory locks serialise them and each
// table's trigger sees the other, so exactly one wins, a hold or a booking.
func TestHoldOrBookingStormTwoReplicas(t *testing.T) {
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			stores := storagetest.OpenReplicas(t, e, 2)
			fx := storagetest.Seed(t, stores[0])
			sch := schedulers(stores, domaintest.NewClock(holdClockStart))
			ctx := context.Background()
			pr := fx.Therapist.ID
			const n = 40
			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := sch[i/2%2]
					<-start
					if i%2 == 0 {
						_, errs[i] = s.PlaceHold(ctx, domain.HoldRequest{ServiceID: fx.Massage.ID, PractitionerID: pr,
							Start: monday, ClientKey: fmt.Sprintf("c%d", i), Actor: domain.ActorPatient})
					} else {
						_, errs[i] = s.Book(ctx, massageRequest(fx, pr, fmt.Sprintf("mixed%d@example.com", i)))
					}
				}()
			}
			close(start)
			wg.Wait()
			won := 0
			for i, err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, domain.ErrHoldTaken) && !errors.Is(err, domain.ErrSlotTaken):
					t.Errorf("#%d = %v, want nil, ErrHoldTaken or ErrSlotTaken", i, err)
				}
			}
			holds, err := stores[1].LiveHolds(ctx, []string{pr}, nil, monday, monday.Add(time.Hour), holdClockStart)
			if err != nil {
				t.Fatal(err)
			}
			booked, err := stores[1].Bookings(ctx, domain.BookingFilter{PractitionerID: pr, From: monday, To: monday.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if won != 1 || len(holds)+len(booked) != 1 {
				t.Errorf("%d of %d won; %d holds and %d bookings keep the time; want exactly one", won, n, len(holds), len(booked))
			}
		})
	}
}
