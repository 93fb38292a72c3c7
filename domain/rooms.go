package domain

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// RoomKind says whether a room is a place or a piece of equipment; both are
// booked the same way.
type RoomKind string

const (
	RoomKindRoom      RoomKind = "room"      // a treatment room
	RoomKindEquipment RoomKind = "equipment" // e.g. the adjusting table
)

// Room is a treatment room or a piece of equipment a visit may need. Rooms
// are never deleted: a deactivated room keeps its past visits but is no
// longer offered.
type Room struct {
	ID        string
	Name      string
	Kind      RoomKind
	Active    bool
	SortOrder int
}

// Validate checks a room before it is stored.
func (r Room) Validate() error {
	var v Validation
	v.Check(strings.TrimSpace(r.Name) != "" && utf8.RuneCountInString(r.Name) <= 120, "name", "Give the room a name of at most 120 characters.")
	v.Check(r.Kind == RoomKindRoom || r.Kind == RoomKindEquipment, "kind", "Use room or equipment.")
	v.Line("name", r.Name)
	v.Int32("sort_order", r.SortOrder)
	return v.Err()
}

// RoomBusy is one room's busy blocks (buffers included) in a window, as the
// slot engine takes them.
type RoomBusy struct {
	ID   string
	Busy []Interval
}

// RoomStore keeps rooms. Rooms lists by SortOrder, then Name, only active
// ones unless all.
type RoomStore interface {
	Rooms(ctx context.Context, all bool) ([]Room, error)
	Room(ctx context.Context, id string) (Room, error)
	CreateRoom(ctx context.Context, r *Room) error
	// UpdateRoom stores r's name, kind, active flag and order. When
	// release is set it also clears the room from every live booking of the
	// room that ends after now, in the same transaction (their audit entries
	// are in fx order), so nothing is half-written.
	UpdateRoom(ctx context.Context, r *Room, release []Booking, audit []AuditEntry) error
	// RoomBlocks returns, for each of roomIDs, the blocks of live bookings
	// holding it (not room-overbooked) that overlap [from, to), sorted by
	// start; a room with none is absent from the map.
	RoomBlocks(ctx context.Context, roomIDs []string, from, to time.Time) (map[string][]Interval, error)
}

// ConflictKind names the kind of thing a 409 says is taken.
type ConflictKind string

const (
	ConflictPractitioner ConflictKind = "practitioner"
	ConflictRoom         ConflictKind = "room"
)

// Taken names what a conflict is about: a practitioner or room by id.
type Taken struct {
	Kind ConflictKind
	ID   string
}

// ErrRoomTaken: every suitable room is held at that time, or the one asked for is.
var ErrRoomTaken = &Error{Kind: KindConflict, Field: "room_id", Message: "That room is taken at that time. Please choose another time or room."}

// roomTakenToo answers a practitioner overbook whose room is taken as well:
// double-booking the room is a choice of its own.
func roomTakenToo(roomID string) *Error {
	return &Error{Kind: KindConflict, Field: "overbook_room",
		Message: "The room is taken at that time too. Double-booking the room is a separate choice: ask for overbook_room as well.",
		Taken:   &Taken{Kind: ConflictRoom, ID: roomID}, base: ErrRoomTaken}
}

// Naming returns a copy of e that names what is taken; errors.Is still
// matches e (and whatever e was made from).
func (e *Error) Naming(kind ConflictKind, id string) *Error {
	c := *e
	c.Taken = &Taken{Kind: kind, ID: id}
	c.base = e.root()
	return &c
}

func (e *Error) root() *Error {
	if e.base != nil {
		return e.base
	}
	return e
}

// Is matches the sentinel an error was made from with Naming.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && e.base != nil && e.base == t
}

// TakenOf returns what err says is taken, if it names anything.
func TakenOf(err error) (Taken, bool) {
	var e *Error
	if errors.As(err, &e) && e.Taken != nil {
		return *e.Taken, true
	}
	return Taken{}, false
}

// RoomDecision is what to do with a deactivated room's future visits.
type RoomDecision string

const (
	RoomKeepVisits    RoomDecision = "keep"    // they keep the room; only new bookings stop
	RoomReleaseVisits RoomDecision = "release" // they lose the room (staff find them another)
)

// RoomChange is a rename, reorder or (de)activation of a room.
type RoomChange struct {
	ID        string
	Name      string
	Kind      RoomKind
	Active    bool
	SortOrder int
	// FutureVisits is required when deactivating a room that live visits
	// still hold after now; without it the change is refused with
	// RoomInUseError listing them.
	FutureVisits RoomDecision
	Actor        Actor
}

// RoomInUseError refuses to deactivate a room that future visits hold until
// staff decide what happens to them.
type RoomInUseError struct {
	Visits []BookingDetail
}

func (e *RoomInUseError) Error() string {
	return "room in use: deactivating it needs future_visits keep or release"
}

// Unwrap makes it a 409 with a message staff can act on.
func (e *RoomInUseError) Unwrap() error {
	return &Error{Kind: KindConflict, Field: "future_visits",
		Message: "Visits still use this room. Choose keep (they keep it) or release (they lose it) in future_visits."}
}

// Rooms lists the rooms; inactive ones only when all.
func (s *Scheduler) Rooms(ctx context.Context, all bool) ([]Room, error) {
	list, err := s.Store.Rooms(ctx, all)
	return list, wrapIf("list rooms", err)
}

// CreateRoom validates and stores a new active room.
func (s *Scheduler) CreateRoom(ctx context.Context, actor Actor, r Room) (Room, error) {
	r.Name = strings.TrimSpace(r.Name)
	if r.Kind == "" {
		r.Kind = RoomKindRoom
	}
	r.ID, r.Active = NewID(), true
	if err := r.Validate(); err != nil {
		return Room{}, err
	}
	if err := s.Store.CreateRoom(ctx, &r); err != nil {
		return Room{}, wrap("create room", err)
	}
	if err := s.Store.RecordAudit(ctx, roomAudit(actor, "room.create", nil, &r, s.now())); err != nil {
		return Room{}, wrap("audit room", err)
	}
	return r, nil
}

// UpdateRoom renames, reorders, deactivates or reactivates a room.
// Deactivating one that live visits hold after now needs a decision (see
// RoomChange.FutureVisits): without one the answer is *RoomInUseError.
func (s *Scheduler) UpdateRoom(ctx context.Context, ch RoomChange) (Room, error) {
	before, err := s.Store.Room(ctx, ch.ID)
	if err != nil {
		return Room{}, wrap("load room", err)
	}
	r := Room{ID: before.ID, Name: strings.TrimSpace(ch.Name), Kind: ch.Kind, Active: ch.Active, SortOrder: ch.SortOrder}
	if r.Kind == "" {
		r.Kind = before.Kind
	}
	var v Validation
	mergeInto(&v, r.Validate())
	v.Check(ch.FutureVisits == "" || ch.FutureVisits == RoomKeepVisits || ch.FutureVisits == RoomReleaseVisits,
		"future_visits", "Use keep or release.")
	if err := v.Err(); err != nil {
		return Room{}, err
	}
	now := s.now()
	var release []Booking
	var audits []AuditEntry
	if before.Active && !r.Active {
		visits, err := s.Store.Bookings(ctx, BookingFilter{From: now, RoomID: r.ID, Statuses: liveStatuses})
		if err != nil {
			return Room{}, wrap("list room visits", err)
		}
		switch {
		case len(visits) > 0 && ch.FutureVisits == "":
			return Room{}, &RoomInUseError{Visits: visits}
		case ch.FutureVisits == RoomReleaseVisits:
			for _, d := range visits {
				b := d.Booking
				b.RoomID, b.RoomOverbooked, b.UpdatedAt = "", false, now
				release = append(release, b)
				audits = append(audits, bookingAudit(ch.Actor, "booking.room_release", &d.Booking, &b, now))
			}
		}
	}
	audits = append(audits, roomAudit(ch.Actor, "room.update", &before, &r, now))
	if err := s.Store.UpdateRoom(ctx, &r, release, audits); err != nil {
		return Room{}, wrap("update room", err)
	}
	return r, nil
}

// roomAudit is the audit entry of a room change.
func roomAudit(actor Actor, action string, before, after *Room, now time.Time) AuditEntry {
	e := AuditEntry{At: now, Actor: actor, Action: action, EntityType: "room"}
	if after != nil {
		e.EntityID, e.After = after.ID, roomSnapshot(*after)
	}
	if before != nil {
		e.EntityID, e.Before = before.ID, roomSnapshot(*before)
	}
	return e
}

func roomSnapshot(r Room) map[string]any {
	return map[string]any{"id": r.ID, "name": r.Name, "kind": string(r.Kind), "active": r.Active, "sort_order": r.SortOrder}
}

// bookingAudit is the audit entry of a booking change made for a room.
func bookingAudit(actor Actor, action string, before, after *Booking, now time.Time) AuditEntry {
	return AuditEntry{At: now, Actor: actor, Action: action, EntityType: "booking", EntityID: after.ID,
		Before: map[string]any{"room_id": before.RoomID}, After: map[string]any{"room_id": after.RoomID}}
}

// roomsFor returns the active rooms of svc, in the service's order, and
// whether the service needs a room at all.
func (s *Scheduler) roomsFor(ctx context.Context, svc Service) (rooms []Room, needed bool, err error) {
	if len(svc.RoomIDs) == 0 {
		return nil, false, nil
	}
	all, err := s.Store.Rooms(ctx, false)
	if err != nil {
		return nil, true, wrap("list rooms", err)
	}
	for _, id := range svc.RoomIDs {
		if i := slices.IndexFunc(all, func(r Room) bool { return r.ID == id }); i >= 0 {
			rooms = append(rooms, all[i])
		}
	}
	return rooms, true, nil
}

// roomBusy loads the rooms' blocks overlapping window, as the engine takes them.
func (s *Scheduler) roomBusy(ctx context.Context, rooms []Room, window Interval) ([]RoomBusy, error) {
	if len(rooms) == 0 {
		return nil, nil
	}
	ids := make([]string, len(rooms))
	for i, r := range rooms {
		ids[i] = r.ID
	}
	blocks, err := s.Store.RoomBlocks(ctx, ids, window.Start, window.End)
	if err != nil {
		return nil, wrap("load room blocks", err)
	}
	out := make([]RoomBusy, len(rooms))
	for i, r := range rooms {
		out[i] = RoomBusy{ID: r.ID, Busy: blocks[r.ID]}
	}
	return out, nil
}

// withoutRoomBlock returns rooms with one block equal to own set aside in
// room id: a moving visit does not stand in its own way.
func withoutRoomBlock(rooms []RoomBusy, id string, own Interval) []RoomBusy {
	out := slices.Clone(rooms)
	for i, r := range out {
		if r.ID == id {
			out[i].Busy = withoutBlock(r.Busy, own)
		}
	}
	return out
}

// fairRooms orders the free room ids by how many visits hold them on day
// (fewest first), keeping the service's order among equals.
func fairRooms(free []string, rooms []RoomBusy, day Interval) []string {
	load := make(map[string]int, len(rooms))
	for _, r := range rooms {
		for _, b := range r.Busy {
			if b.Overlaps(day) {
				load[r.ID]++
			}
		}
	}
	out := slices.Clone(free)
	slices.SortStableFunc(out, func(a, b string) int { return load[a] - load[b] })
	return out
}

// wrapIf is wrap for a possibly nil error.
func wrapIf(op string, err error) error {
	if err == nil {
		return nil
	}
	return wrap(op, err)
}
