package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// seedRoom stores an active room and lets the massage use it.
func seedRoom(t *testing.T, s *storage.Store, fx *storagetest.Fixture, name string) domain.Room {
	t.Helper()
	ctx := context.Background()
	r := domain.Room{Name: name, Kind: domain.RoomKindRoom, Active: true}
	if err := s.CreateRoom(ctx, &r); err != nil {
		t.Fatalf("CreateRoom: %v", err)
	}
	fx.Massage.RoomIDs = append(fx.Massage.RoomIDs, r.ID)
	if err := s.UpdateService(ctx, &fx.Massage); err != nil {
		t.Fatalf("UpdateService(rooms): %v", err)
	}
	return r
}

func TestRoomsRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		a := seedRoom(t, s, &fx, "Room A")
		table := domain.Room{Name: "Adjusting table", Kind: domain.RoomKindEquipment, Active: true, SortOrder: -1}
		if err := s.CreateRoom(ctx, &table); err != nil {
			t.Fatalf("CreateRoom: %v", err)
		}
		list, err := s.Rooms(ctx, false)
		if err != nil || len(list) != 2 || list[0].ID != table.ID || list[1] != a {
			t.Fatalf("Rooms = %+v, %v; want the table, then room A", list, err)
		}
		svc, err := s.Service(ctx, fx.Massage.ID)
		if err != nil || len(svc.RoomIDs) != 1 || svc.RoomIDs[0] != a.ID {
			t.Errorf("Service.RoomIDs = %v, %v; want [%s]", svc.RoomIDs, err, a.ID)
		}

		// A service may not point at an unknown or inactive room, and a
		// refused change leaves the old rooms in place.
		table.Active = false
		if err := s.UpdateRoom(ctx, &table, nil, nil); err != nil {
			t.Fatalf("UpdateRoom: %v", err)
		}
		for _, ids := range [][]string{{domain.NewID()}, {table.ID}, {"not-an-id"}} {
			bad := fx.Massage
			bad.RoomIDs = ids
			err := s.UpdateService(ctx, &bad)
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Field != "room_ids" {
				t.Errorf("UpdateService(rooms %v) = %v, want KindInvalid on room_ids", ids, err)
			}
		}
		if svc, _ := s.Service(ctx, fx.Massage.ID); len(svc.RoomIDs) != 1 || svc.RoomIDs[0] != a.ID {
			t.Errorf("after refused changes Service.RoomIDs = %v, want [%s]", svc.RoomIDs, a.ID)
		}
		if all, _ := s.Rooms(ctx, true); len(all) != 2 {
			t.Errorf("Rooms(all) = %d rooms, want 2", len(all))
		}
		if active, _ := s.Rooms(ctx, false); len(active) != 1 {
			t.Errorf("Rooms(active) = %d rooms, want 1", len(active))
		}

		// Existing bookings have no room; a booking keeps the one it gets.
		none := newBooking(fx, fx.Chiropractor.ID, monday)
		mustBook(t, s, &none, "none@example.com")
		in := newBooking(fx, fx.Therapist.ID, monday)
		in.RoomID = a.ID
		mustBook(t, s, &in, "in@example.com")
		if got, err := s.Booking(ctx, none.ID); err != nil || got.RoomID != "" || got.Room.ID != "" {
			t.Errorf("booking without room = %q %+v, %v", got.RoomID, got.Room, err)
		}
		if got, err := s.Booking(ctx, in.ID); err != nil || got.RoomID != a.ID || got.Room.Name != "Room A" {
			t.Errorf("booking in room = %q %+v, %v", got.RoomID, got.Room, err)
		}
		list2, err := s.Bookings(ctx, domain.BookingFilter{RoomID: a.ID})
		if err != nil || len(list2) != 1 || list2[0].ID != in.ID {
			t.Errorf("Bookings(room) = %d, %v; want the one in room A", len(list2), err)
		}
		blocks, err := s.RoomBlocks(ctx, []string{a.ID, table.ID}, monday.Add(-time.Hour), monday.Add(3*time.Hour))
		if err != nil || len(blocks) != 1 || len(blocks[a.ID]) != 1 || !blocks[a.ID][0].Start.Equal(in.BlockStart) {
			t.Errorf("RoomBlocks = %v, %v; want room A's one block", blocks, err)
		}

		// Releasing the room from a visit is written with the room change.
		a.Active = false
		in.RoomID, in.UpdatedAt = "", monday.Add(-time.Hour)
		audit := []domain.AuditEntry{{ID: domain.NewID(), At: monday, Action: "room.update", EntityType: "room", EntityID: a.ID}}
		if err := s.UpdateRoom(ctx, &a, []domain.Booking{in}, audit); err != nil {
			t.Fatalf("UpdateRoom(release): %v", err)
		}
		if got, _ := s.Booking(ctx, in.ID); got.RoomID != "" {
			t.Errorf("released booking still holds room %q", got.RoomID)
		}
		if got, _ := s.Audit(ctx, domain.AuditFilter{EntityID: a.ID}); len(got) != 1 {
			t.Errorf("audit of the room change = %d entries, want 1", len(got))
		}
		ghost := domain.Room{ID: domain.NewID(), Name: "Ghost", Kind: domain.RoomKindRoom}
		if err := s.UpdateRoom(ctx, &ghost, nil, nil); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("UpdateRoom(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestRoomOverlapRules(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		a := seedRoom(t, s, &fx, "Room A")
		first := newBooking(fx, fx.Chiropractor.ID, monday)
		first.RoomID = a.ID
		mustBook(t, s, &first, "first@example.com")

		// Another practitioner, the same room, overlapping blocks: refused,
		// and the error names the room.
		second := newBooking(fx, fx.Therapist.ID, monday.Add(30*time.Minute))
		second.RoomID = a.ID
		p := newPatient("second@example.com")
		err := s.CreateBooking(ctx, &second, &p, domain.Effects{})
		if taken, ok := domain.TakenOf(err); !errors.Is(err, domain.ErrRoomTaken) || !ok || taken != (domain.Taken{Kind: domain.ConflictRoom, ID: a.ID}) {
			t.Fatalf("CreateBooking(room taken) = %v (%+v), want ErrRoomTaken naming room %s", err, taken, a.ID)
		}
		// The same practitioner is named when it is the practitioner who is busy.
		third := newBooking(fx, fx.Chiropractor.ID, monday.Add(30*time.Minute))
		p = newPatient("third@example.com")
		err = s.CreateBooking(ctx, &third, &p, domain.Effects{})
		if taken, _ := domain.TakenOf(err); !errors.Is(err, domain.ErrSlotTaken) || taken.Kind != domain.ConflictPractitioner || taken.ID != fx.Chiropractor.ID {
			t.Errorf("CreateBooking(practitioner taken) = %v (%+v), want ErrSlotTaken naming the practitioner", err, taken)
		}
		// A squeezed-in practitioner still holds the room...
		second.Overbooked = true
		p = newPatient("second@example.com")
		if err := s.CreateBooking(ctx, &second, &p, domain.Effects{}); !errors.Is(err, domain.ErrRoomTaken) {
			t.Errorf("CreateBooking(practitioner overbooked, room taken) = %v, want ErrRoomTaken", err)
		}
		// ...unless the room is double-booked deliberately too.
		second.RoomOverbooked = true
		mustBook(t, s, &second, "second@example.com")
		// A cancelled visit frees the room; moving into it is refused while taken.
		fourth := newBooking(fx, fx.Therapist.ID, monday.Add(3*time.Hour))
		fourth.RoomID = a.ID
		mustBook(t, s, &fourth, "fourth@example.com")
		moved := fourth
		shift(&moved, -2*time.Hour-30*time.Minute)
		if err := s.UpdateBooking(ctx, &moved, domain.Effects{}); !errors.Is(err, domain.ErrRoomTaken) {
			t.Errorf("UpdateBooking(into the room's time) = %v, want ErrRoomTaken", err)
		}
		first.Status = domain.StatusCancelled
		if err := s.UpdateBooking(ctx, &first, domain.Effects{}); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		if err := s.UpdateBooking(ctx, &moved, domain.Effects{}); err != nil {
			t.Errorf("UpdateBooking(into the freed room) = %v", err)
		}
		// An unknown room is refused by the foreign key; nothing is written.
		ghost := newBooking(fx, fx.Chiropractor.ID, monday.Add(48*time.Hour))
		ghost.RoomID = domain.NewID()
		p = newPatient("ghost@example.com")
		if err := s.CreateBooking(ctx, &ghost, &p, domain.Effects{}); domain.ErrorKind(err) != domain.KindInvalid {
			t.Errorf("CreateBooking(unknown room) = %v, want KindInvalid", err)
		}
	})
}

// TestRoomStormTwoReplicas: 40 clients on two stores of one database book
// the same time with two different practitioners and one shared room; the
// room's constraint lets exactly one win.
func TestRoomStormTwoReplicas(t *testing.T) {
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			stores := storagetest.OpenReplicas(t, e, 2)
			fx := storagetest.Seed(t, stores[0])
			a := seedRoom(t, stores[0], &fx, "Room A")
			ctx := context.Background()
			const n = 40
			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			began := time.Now()
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					pr := fx.PractitionerIDs()[i%2]
					b := newBooking(fx, pr, monday)
					b.RoomID = a.ID
					p := newPatient(fmt.Sprintf("storm%d@example.com", i))
					<-start
					errs[i] = stores[i/2%2].CreateBooking(ctx, &b, &p, domain.Effects{})
				}()
			}
			close(start)
			wg.Wait()
			won := 0
			for i, err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, domain.ErrRoomTaken) && !errors.Is(err, domain.ErrSlotTaken):
					t.Errorf("CreateBooking #%d = %v, want nil, ErrRoomTaken or ErrSlotTaken", i, err)
				}
			}
			got, err := stores[1].Bookings(ctx, domain.BookingFilter{RoomID: a.ID})
			if won != 1 || err != nil || len(got) != 1 {
				t.Errorf("%d of %d bookings won and %d rows hold the room (%v); want exactly one", won, n, len(got), err)
			}
			t.Logf("the storm took %s (BenchmarkRoomStorm measures it; no timed assertion)", time.Since(began))
		})
	}
}
