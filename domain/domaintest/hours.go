package domaintest

import (
	"context"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// WorkingHours returns a practitioner's weekly hours.
func (s *Store) WorkingHours(_ context.Context, practitionerID string) (out []domain.WorkingHours, err error) {
	s.read(func() { out = slices.Clone(s.d.Hours[practitionerID]) })
	return out, nil
}

// SetWorkingHours replaces a practitioner's weekly hours.
func (s *Store) SetWorkingHours(_ context.Context, practitionerID string, hours []domain.WorkingHours) error {
	return s.write(func() error {
		s.d.Hours[practitionerID] = slices.Clone(hours)
		return nil
	})
}

// DateOverrides returns a practitioner's overrides dated in [from, to].
func (s *Store) DateOverrides(_ context.Context, practitionerID string, from, to domain.Date) (out []domain.DateOverride, err error) {
	s.read(func() {
		for _, o := range s.d.Overrides {
			if o.PractitionerID == practitionerID && !o.Date.Before(from) && !to.Before(o.Date) {
				out = append(out, o)
			}
		}
	})
	return out, nil
}

// SaveDateOverride creates or replaces the override for o.Date.
func (s *Store) SaveDateOverride(_ context.Context, o *domain.DateOverride) error {
	return s.write(func() error {
		s.d.Overrides = slices.DeleteFunc(s.d.Overrides, func(x domain.DateOverride) bool {
			return x.PractitionerID == o.PractitionerID && x.Date == o.Date
		})
		if o.ID == "" {
			o.ID = domain.NewID()
		}
		s.d.Overrides = append(s.d.Overrides, *o)
		return nil
	})
}

// DeleteDateOverride removes an override of the practitioner.
func (s *Store) DeleteDateOverride(_ context.Context, practitionerID, id string) error {
	return s.write(func() error {
		return remove(&s.d.Overrides, func(x domain.DateOverride) bool { return x.PractitionerID == practitionerID && x.ID == id })
	})
}

// TimeOffs returns a practitioner's time off overlapping [from, to).
func (s *Store) TimeOffs(_ context.Context, practitionerID string, from, to time.Time) (out []domain.TimeOff, err error) {
	s.read(func() { out = s.timeOffs(practitionerID, from, to) })
	return out, nil
}

func (s *Store) timeOffs(practitionerID string, from, to time.Time) []domain.TimeOff {
	var out []domain.TimeOff
	for _, t := range s.d.TimeOff {
		if t.PractitionerID == practitionerID && t.Start.Before(to) && from.Before(t.End) {
			out = append(out, t)
		}
	}
	return out
}

// CreateTimeOff adds t, giving it an id when it has none.
func (s *Store) CreateTimeOff(_ context.Context, t *domain.TimeOff) error {
	return s.write(func() error {
		if t.ID == "" {
			t.ID = domain.NewID()
		}
		s.d.TimeOff = append(s.d.TimeOff, *t)
		return nil
	})
}

// UpdateTimeOff changes time off of the practitioner, raising its Sequence.
func (s *Store) UpdateTimeOff(_ context.Context, t *domain.TimeOff) error {
	if !t.End.After(t.Start) {
		return domain.Invalid("end", "Must be after the start.")
	}
	return s.write(func() error {
		for i, x := range s.d.TimeOff {
			if x.ID == t.ID && x.PractitionerID == t.PractitionerID {
				t.Sequence = x.Sequence + 1
				s.d.TimeOff[i] = *t
				return nil
			}
		}
		return domain.ErrNotFound
	})
}

// DeleteTimeOff removes time off of the practitioner.
func (s *Store) DeleteTimeOff(_ context.Context, practitionerID, id string) error {
	return s.write(func() error {
		return remove(&s.d.TimeOff, func(x domain.TimeOff) bool { return x.PractitionerID == practitionerID && x.ID == id })
	})
}

// Schedules loads everything the slot engine needs in [from, to).
func (s *Store) Schedules(_ context.Context, practitionerIDs []string, from, to time.Time) (out []domain.Schedule, err error) {
	s.read(func() {
		s.scheduleCalls++
		for _, id := range practitionerIDs {
			if sc, ok := s.schedule(id, from, to); ok {
				out = append(out, sc)
			}
		}
	})
	return out, nil
}

func (s *Store) schedule(id string, from, to time.Time) (domain.Schedule, bool) {
	p, err := s.practitioner(id)
	if err != nil {
		return domain.Schedule{}, false
	}
	sc := domain.Schedule{Practitioner: p, Weekly: slices.Clone(s.d.Hours[id]), TimeOff: s.timeOffs(id, from, to)}
	for _, o := range s.d.Overrides {
		if o.PractitionerID == id {
			sc.Overrides = append(sc.Overrides, o)
		}
	}
	window := domain.Interval{Start: from, End: to}
	for _, b := range s.d.Bookings {
		if b.PractitionerID == id && b.Live() && !b.Overbooked && b.Block().Overlaps(window) {
			sc.Busy = append(sc.Busy, b.Block())
		}
	}
	return sc, true
}

// WorkingSchedules is Schedules without the busy blocks.
func (s *Store) WorkingSchedules(ctx context.Context, practitionerIDs []string, from, to time.Time) ([]domain.Schedule, error) {
	out, err := s.Schedules(ctx, practitionerIDs, from, to)
	for i := range out {
		out[i].Busy = nil
	}
	return out, err
}

// remove deletes the elements matching; ErrNotFound if none did.
func remove[T any](xs *[]T, match func(T) bool) error {
	n := len(*xs)
	*xs = slices.DeleteFunc(*xs, match)
	if len(*xs) == n {
		return domain.ErrNotFound
	}
	return nil
}
