package domain_test

import (
	"context"
	"errors"
	"testing"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
)

// withRooms gives the fixture two rooms the massage may use, A preferred.
func (f *schedFixture) withRooms() (a, b domain.Room) {
	a = domain.Room{ID: domain.NewID(), Name: "Room A", Kind: domain.RoomKindRoom, Active: true}
	b = domain.Room{ID: domain.NewID(), Name: "Room B", Kind: domain.RoomKindRoom, Active: true, SortOrder: 1}
	f.store.Edit(func(d *domaintest.Data) {
		d.Rooms = []domain.Room{a, b}
		for i := range d.Services {
			if d.Services[i].ID == f.massage.ID {
				d.Services[i].RoomIDs = []string{a.ID, b.ID}
			}
		}
	})
	f.massage.RoomIDs = []string{a.ID, b.ID}
	return a, b
}

func TestRoomAssignedFairly(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	a, b := f.withRooms()
	first, err := f.sched.Book(ctx, f.req())
	if err != nil || first.Booking.RoomID != a.ID || first.Booking.Room.Name != "Room A" {
		t.Fatalf("first booking room = %q (%v), want room A", first.Booking.RoomID, err)
	}
	// Later that day with Cleo: A is free too, but B has fewer visits that day.
	r := f.req()
	r.PractitionerID, r.Start, r.Patient.Email = f.cleo.ID, f.at(1, 14, 0), "later@example.com"
	later, err := f.sched.Book(ctx, r)
	if err != nil || later.Booking.RoomID != b.ID {
		t.Fatalf("second booking room = %q (%v), want room B (fewest visits that day)", later.Booking.RoomID, err)
	}
	// Cleo at Ben's time: only B is free.
	r.Start, r.Patient.Email = f.at(1, 10, 30), "same@example.com"
	same, err := f.sched.Book(ctx, r)
	if err != nil || same.Booking.RoomID != b.ID {
		t.Fatalf("overlapping booking room = %q (%v), want room B", same.Booking.RoomID, err)
	}
	// Anyone at 10:15: Dee is free, but both rooms are busy.
	dee := domain.Practitioner{ID: domain.NewID(), Name: "Dee Free", TimeZone: "America/New_York", Active: true, ServiceIDs: []string{f.massage.ID}}
	f.store.Edit(func(d *domaintest.Data) {
		d.Practitioners = append(d.Practitioners, dee)
		d.Hours[dee.ID] = d.Hours[f.cleo.ID]
	})
	r.PractitionerID, r.Start, r.Patient.Email = "", f.at(1, 10, 15), "anyone@example.com"
	_, err = f.sched.Book(ctx, r)
	if taken, _ := domain.TakenOf(err); !errors.Is(err, domain.ErrRoomTaken) || taken.Kind != domain.ConflictRoom {
		t.Errorf("booking with every room busy = %v (%+v), want ErrRoomTaken", err, taken)
	}
	// Availability agrees: 10:15 is not offered though a practitioner is free.
	slots, err := f.sched.Availability(ctx, domain.AvailabilityQuery{ServiceID: f.massage.ID, From: f.monday.AddDays(1), To: f.monday.AddDays(1)})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slots {
		if s.Start.Equal(f.at(1, 10, 15)) || s.Start.Equal(f.at(1, 10, 30)) {
			t.Errorf("slot %v offered with both rooms taken", s.Start)
		}
	}
	if len(slots) == 0 {
		t.Error("no slots at all")
	}
}

func TestRoomInEmailsOnlyWhenWanted(t *testing.T) {
	for _, show := range []bool{false, true} {
		f := newSchedFixture(t)
		f.withRooms()
		f.store.Edit(func(d *domaintest.Data) { d.Clinic.EmailShowsRoom = show })
		if _, err := f.sched.Book(context.Background(), f.req()); err != nil {
			t.Fatal(err)
		}
		for _, m := range f.messages() {
			want := ""
			if show || m.Kind == domain.MessagePractitioner {
				want = "Room A"
			}
			if m.Notice.Room != want {
				t.Errorf("show %v: %s to %s names room %q, want %q", show, m.Kind, m.To, m.Notice.Room, want)
			}
		}
	}
}

func TestMoveKeepsOrReassignsRoom(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	a, b := f.withRooms()
	ben, err := f.sched.Book(ctx, f.req())
	must(t, err)
	r := f.req()
	r.PractitionerID, r.Start, r.Patient.Email = f.cleo.ID, f.at(1, 13, 0), "cleo@example.com"
	r.Actor, r.RoomID = f.desk, a.ID // staff choose room A for Cleo
	cleo, err := f.sched.Book(ctx, r)
	must(t, err)
	if ben.Booking.RoomID != a.ID || cleo.Booking.RoomID != a.ID {
		t.Fatalf("rooms = %s, %s; want A for both (different times)", ben.Booking.RoomID, cleo.Booking.RoomID)
	}
	// A small move keeps the room, though it overlaps the visit's own block.
	moved, err := f.sched.Move(ctx, domain.MoveRequest{Actor: f.desk, ID: ben.Booking.ID, Start: f.at(1, 10, 30)})
	if err != nil || moved.RoomID != a.ID {
		t.Fatalf("small move room = %q (%v), want A kept", moved.RoomID, err)
	}
	// Into Cleo's time: A is taken there, so it moves to B.
	moved, err = f.sched.Move(ctx, domain.MoveRequest{Actor: f.desk, ID: ben.Booking.ID, Start: f.at(1, 13, 0)})
	if err != nil || moved.RoomID != b.ID {
		t.Fatalf("move into A's busy time room = %q (%v), want B", moved.RoomID, err)
	}
	// Staff may pick the room; a taken one is a 409 naming it, unless they
	// double-book it deliberately.
	_, err = f.sched.Move(ctx, domain.MoveRequest{Actor: f.desk, ID: ben.Booking.ID, Start: f.at(1, 13, 0), RoomID: a.ID})
	if taken, _ := domain.TakenOf(err); !errors.Is(err, domain.ErrRoomTaken) || taken.ID != a.ID {
		t.Errorf("move into taken room A = %v, want ErrRoomTaken naming A", err)
	}
	moved, err = f.sched.Move(ctx, domain.MoveRequest{Actor: f.desk, ID: ben.Booking.ID, Start: f.at(1, 13, 0), RoomID: a.ID, OverbookRoom: true})
	if err != nil || moved.RoomID != a.ID || !moved.RoomOverbooked {
		t.Errorf("room overbook = %q overbooked %v (%v), want A double-booked", moved.RoomID, moved.RoomOverbooked, err)
	}
	// A patient may not pick a room.
	_, err = f.sched.Move(ctx, domain.MoveRequest{Actor: domain.ActorPatient, ID: ben.Booking.ID, Start: f.at(1, 15, 0), RoomID: b.ID})
	if err == nil {
		t.Error("a patient actor moved a visit into a chosen room")
	}
}

func TestDeactivateRoomNeedsDecision(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	a, _ := f.withRooms()
	got, err := f.sched.Book(ctx, f.req())
	must(t, err)
	ch := domain.RoomChange{ID: a.ID, Name: a.Name, Active: false, Actor: f.desk}
	_, err = f.sched.UpdateRoom(ctx, ch)
	var inUse *domain.RoomInUseError
	if !errors.As(err, &inUse) || len(inUse.Visits) != 1 || inUse.Visits[0].ID != got.Booking.ID || domain.ErrorKind(err) != domain.KindConflict {
		t.Fatalf("deactivate room in use = %v, want RoomInUseError with the visit", err)
	}
	if r, _ := f.store.Room(ctx, a.ID); !r.Active {
		t.Fatal("refused deactivation changed the room")
	}
	ch.FutureVisits = domain.RoomKeepVisits
	if _, err := f.sched.UpdateRoom(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if f.stored(got.Booking.ID).RoomID != a.ID {
		t.Error("keep released the visit's room")
	}
	// New bookings no longer get A.
	r := f.req()
	r.Start, r.Patient.Email = f.at(2, 10, 0), "next@example.com"
	next, err := f.sched.Book(ctx, r)
	if err != nil || next.Booking.RoomID == a.ID {
		t.Errorf("booking after deactivation room = %q (%v), want not A", next.Booking.RoomID, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
