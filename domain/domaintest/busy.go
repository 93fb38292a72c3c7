package domaintest

import (
	"context"

	"github.com/frontdesk/frontdesk/domain"
)

// CreateBusyCalendar stores c; ErrNotFound for an unknown practitioner,
// ErrDuplicate when they already have the URL.
func (s *Store) CreateBusyCalendar(_ context.Context, c *domain.BusyCalendar) error {
	return s.write(func() error {
		if _, err := s.practitioner(c.PractitionerID); err != nil {
			return err
		}
		if find(s.d.BusyCalendars, func(x domain.BusyCalendar) bool {
			return x.PractitionerID == c.PractitionerID && x.URLHash == c.URLHash
		}) >= 0 {
			return domain.ErrDuplicate
		}
		s.d.BusyCalendars = append(s.d.BusyCalendars, *c)
		return nil
	})
}

// BusyCalendars lists a practitioner's calendars by creation.
func (s *Store) BusyCalendars(_ context.Context, practitionerID string) (out []domain.BusyCalendar, err error) {
	s.read(func() {
		for _, c := range s.d.BusyCalendars {
			if c.PractitionerID == practitionerID {
				out = append(out, c)
			}
		}
	})
	return out, nil
}

// DeleteBusyCalendar removes the calendar; ErrNotFound when the
// practitioner has none with the id.
func (s *Store) DeleteBusyCalendar(_ context.Context, practitionerID, id string) error {
	return s.write(func() error {
		i := find(s.d.BusyCalendars, func(c domain.BusyCalendar) bool { return c.ID == id && c.PractitionerID == practitionerID })
		if i < 0 {
			return domain.ErrNotFound
		}
		s.d.BusyCalendars = append(s.d.BusyCalendars[:i], s.d.BusyCalendars[i+1:]...)
		return nil
	})
}
