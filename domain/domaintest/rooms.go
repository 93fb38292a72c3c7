package domaintest

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// Rooms lists rooms by sort order, then name; only active ones unless all.
func (s *Store) Rooms(_ context.Context, all bool) (out []domain.Room, err error) {
	s.read(func() {
		for _, r := range s.d.Rooms {
			if all || r.Active {
				out = append(out, r)
			}
		}
	})
	slices.SortStableFunc(out, func(a, b domain.Room) int {
		return cmp.Or(cmp.Compare(a.SortOrder, b.SortOrder), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

// Room returns one room, active or not.
func (s *Store) Room(_ context.Context, id string) (r domain.Room, err error) {
	err = domain.ErrNotFound
	s.read(func() {
		if i := find(s.d.Rooms, func(x domain.Room) bool { return x.ID == id }); i >= 0 {
			r, err = s.d.Rooms[i], nil
		}
	})
	return r, err
}

// CreateRoom adds r, giving it an id when it has none.
func (s *Store) CreateRoom(_ context.Context, r *domain.Room) error {
	return s.write(func() error {
		if r.ID == "" {
			r.ID = domain.NewID()
		}
		s.d.Rooms = append(s.d.Rooms, *r)
		return nil
	})
}

// UpdateRoom replaces r and releases the bookings given, atomically.
func (s *Store) UpdateRoom(_ context.Context, r *domain.Room, release []domain.Booking, audit []domain.AuditEntry) error {
	return s.write(func() error {
		if err := replace(s.d.Rooms, *r, func(x domain.Room) bool { return x.ID == r.ID }); err != nil {
			return err
		}
		for _, b := range release {
			if i := find(s.d.Bookings, func(x domain.Booking) bool { return x.ID == b.ID }); i >= 0 {
				s.d.Bookings[i].RoomID, s.d.Bookings[i].RoomOverbooked = "", false
				s.d.Bookings[i].UpdatedAt = b.UpdatedAt
			}
		}
		s.d.Audit = append(s.d.Audit, audit...)
		return nil
	})
}

// RoomBlocks returns the live, not room-overbooked blocks of each room that
// overlap [from, to), sorted by start.
func (s *Store) RoomBlocks(_ context.Context, roomIDs []string, from, to time.Time) (out map[string][]domain.Interval, err error) {
	out = map[string][]domain.Interval{}
	window := domain.Interval{Start: from, End: to}
	s.read(func() {
		for _, b := range s.d.Bookings {
			if b.RoomID != "" && b.Live() && !b.RoomOverbooked && slices.Contains(roomIDs, b.RoomID) && b.Block().Overlaps(window) {
				out[b.RoomID] = append(out[b.RoomID], b.Block())
			}
		}
	})
	for _, v := range out {
		slices.SortFunc(v, func(a, b domain.Interval) int { return a.Start.Compare(b.Start) })
	}
	return out, nil
}

// checkRoomIDs refuses a service's unknown or inactive rooms.
func (s *Store) checkRoomIDs(ids []string) error {
	for _, id := range ids {
		i := find(s.d.Rooms, func(x domain.Room) bool { return x.ID == id })
		if i < 0 {
			return domain.Invalid("room_ids", "Unknown room.")
		}
		if !s.d.Rooms[i].Active {
			return domain.Invalid("room_ids", "Room "+s.d.Rooms[i].Name+" is not in use.")
		}
	}
	return nil
}
