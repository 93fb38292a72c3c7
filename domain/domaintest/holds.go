package domaintest

import (
	"context"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// The in-memory store keeps holds as migration 00021 does: no two holds
// overlap on a practitioner or a room, a hold never covers a live booking's
// block and a booking never covers a hold's, and every write that needs a
// time first drops the holds in its way that expired by its clock.

// CreateHold stores h, replacing the client's previous hold.
func (s *Store) CreateHold(_ context.Context, h *domain.Hold, now time.Time, audit *domain.AuditEntry) error {
	return s.write(func() error {
		if h.ID == "" {
			h.ID = domain.NewID()
		}
		kept := holdsOutOfWay(s.d.Holds, "", h.PractitionerID, h.RoomID, h.Block(), now)
		if h.ClientKey != "" {
			kept = slices.DeleteFunc(kept, func(x domain.Hold) bool { return x.ClientKey == h.ClientKey })
		}
		for _, x := range kept {
			if !x.Block().Overlaps(h.Block()) {
				continue
			}
			if x.PractitionerID == h.PractitionerID {
				return domain.ErrHoldTaken.Naming(domain.ConflictHold, h.PractitionerID)
			}
			if h.RoomID != "" && x.RoomID == h.RoomID {
				return domain.ErrRoomTaken.Naming(domain.ConflictRoom, h.RoomID)
			}
		}
		for _, b := range s.d.Bookings {
			if !b.Live() || !b.Block().Overlaps(h.Block()) {
				continue
			}
			if !b.Overbooked && b.PractitionerID == h.PractitionerID {
				return domain.ErrSlotTaken.Naming(domain.ConflictPractitioner, h.PractitionerID)
			}
			if h.RoomID != "" && !b.RoomOverbooked && b.RoomID == h.RoomID {
				return domain.ErrRoomTaken.Naming(domain.ConflictRoom, h.RoomID)
			}
		}
		s.d.Holds = append(kept, *h)
		if audit != nil {
			s.d.Audit = append(s.d.Audit, *audit)
		}
		return nil
	})
}

// holdsOutOfWay returns holds without the consumed one and without those
// expired at now over block of the practitioner or room; a new slice.
func holdsOutOfWay(holds []domain.Hold, consume, practitionerID, roomID string, block domain.Interval, now time.Time) []domain.Hold {
	return slices.DeleteFunc(slices.Clone(holds), func(x domain.Hold) bool {
		if x.ID == consume && consume != "" {
			return true
		}
		return !now.IsZero() && !x.LiveAt(now) && x.Block().Overlaps(block) &&
			(x.PractitionerID == practitionerID || roomID != "" && x.RoomID == roomID)
	})
}

// checkHolds refuses a live booking b over a hold in holds; old is the
// booking b replaces (nil for a new one), which is checked only if it moves.
func checkHolds(holds []domain.Hold, b domain.Booking, old *domain.Booking) error {
	if !b.Live() {
		return nil
	}
	if old != nil && old.Live() && old.PractitionerID == b.PractitionerID && old.RoomID == b.RoomID &&
		old.Block() == b.Block() && (!old.Overbooked || b.Overbooked) && (!old.RoomOverbooked || b.RoomOverbooked) {
		return nil
	}
	for _, h := range holds {
		if !h.Block().Overlaps(b.Block()) {
			continue
		}
		if !b.Overbooked && h.PractitionerID == b.PractitionerID {
			return domain.ErrHoldTaken.Naming(domain.ConflictHold, b.PractitionerID)
		}
		if b.RoomID != "" && !b.RoomOverbooked && h.RoomID == b.RoomID {
			return domain.ErrRoomTaken.Naming(domain.ConflictRoom, b.RoomID)
		}
	}
	return nil
}

// HoldByToken returns the hold with the token hash.
func (s *Store) HoldByToken(_ context.Context, tokenHash string) (domain.Hold, error) {
	return s.holdWhere(func(h domain.Hold) bool { return tokenHash != "" && h.TokenHash == tokenHash })
}

// HoldOfClient returns the client's hold.
func (s *Store) HoldOfClient(_ context.Context, clientKey string) (domain.Hold, error) {
	return s.holdWhere(func(h domain.Hold) bool { return clientKey != "" && h.ClientKey == clientKey })
}

func (s *Store) holdWhere(match func(domain.Hold) bool) (h domain.Hold, err error) {
	err = domain.ErrNotFound
	s.read(func() {
		if i := find(s.d.Holds, match); i >= 0 {
			h, err = s.d.Holds[i], nil
		}
	})
	return h, err
}

// DeleteHold removes the hold and records audit.
func (s *Store) DeleteHold(_ context.Context, id string, audit *domain.AuditEntry) error {
	return s.write(func() error {
		i := find(s.d.Holds, func(h domain.Hold) bool { return h.ID == id })
		if i < 0 {
			return domain.ErrNotFound
		}
		s.d.Holds = slices.Delete(s.d.Holds, i, i+1)
		if audit != nil {
			s.d.Audit = append(s.d.Audit, *audit)
		}
		return nil
	})
}

// LiveHolds returns the holds live at now over [from, to) of the
// practitioners or rooms, by block start.
func (s *Store) LiveHolds(_ context.Context, practitionerIDs, roomIDs []string, from, to, now time.Time) (out []domain.Hold, err error) {
	window := domain.Interval{Start: from, End: to}
	s.read(func() {
		for _, h := range s.d.Holds {
			if h.LiveAt(now) && h.Block().Overlaps(window) &&
				(slices.Contains(practitionerIDs, h.PractitionerID) || h.RoomID != "" && slices.Contains(roomIDs, h.RoomID)) {
				out = append(out, h)
			}
		}
	})
	slices.SortFunc(out, func(a, b domain.Hold) int { return a.BlockStart.Compare(b.BlockStart) })
	return out, nil
}

// DeleteExpiredHolds removes the holds expired at now.
func (s *Store) DeleteExpiredHolds(_ context.Context, now time.Time) (n int, err error) {
	err = s.write(func() error {
		before := len(s.d.Holds)
		s.d.Holds = slices.DeleteFunc(s.d.Holds, func(h domain.Hold) bool { return !h.LiveAt(now) })
		n = before - len(s.d.Holds)
		return nil
	})
	return n, err
}
