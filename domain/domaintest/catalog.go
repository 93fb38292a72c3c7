package domaintest

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/frontdesk/frontdesk/domain"
)

// Clinic returns the settings.
func (s *Store) Clinic(context.Context) (c domain.Clinic, err error) {
	s.read(func() { c = s.d.Clinic })
	return c, nil
}

// SaveClinic replaces the settings.
func (s *Store) SaveClinic(_ context.Context, c domain.Clinic) error {
	return s.write(func() error { s.d.Clinic = c; return nil })
}

// Services lists services in SortOrder, Name order.
func (s *Store) Services(_ context.Context, all bool) (out []domain.Service, err error) {
	s.read(func() {
		for _, x := range s.d.Services {
			if all || x.Active {
				out = append(out, x)
			}
		}
	})
	slices.SortStableFunc(out, func(a, b domain.Service) int {
		return cmp.Or(cmp.Compare(a.SortOrder, b.SortOrder), strings.Compare(a.Name, b.Name))
	})
	return out, nil
}

// Service returns one service.
func (s *Store) Service(_ context.Context, id string) (out domain.Service, err error) {
	err = domain.ErrNotFound
	s.read(func() {
		if i := find(s.d.Services, func(x domain.Service) bool { return x.ID == id }); i >= 0 {
			out, err = s.d.Services[i], nil
		}
	})
	return out, err
}

// CreateService adds sv, giving it an id when it has none.
func (s *Store) CreateService(_ context.Context, sv *domain.Service) error {
	return s.write(func() error {
		if sv.ID == "" {
			sv.ID = domain.NewID()
		}
		if err := s.checkRoomIDs(sv.RoomIDs); err != nil {
			return err
		}
		s.d.Services = append(s.d.Services, *sv)
		return nil
	})
}

// UpdateService replaces sv.
func (s *Store) UpdateService(_ context.Context, sv *domain.Service) error {
	return s.write(func() error {
		if err := s.checkRoomIDs(sv.RoomIDs); err != nil {
			return err
		}
		return replace(s.d.Services, *sv, func(x domain.Service) bool { return x.ID == sv.ID })
	})
}

// Practitioners lists practitioners by name.
func (s *Store) Practitioners(_ context.Context, all bool) (out []domain.Practitioner, err error) {
	s.read(func() {
		for _, p := range s.d.Practitioners {
			if all || p.Active {
				out = append(out, p)
			}
		}
	})
	slices.SortStableFunc(out, func(a, b domain.Practitioner) int {
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// Practitioner returns one practitioner.
func (s *Store) Practitioner(_ context.Context, id string) (p domain.Practitioner, err error) {
	s.read(func() { p, err = s.practitioner(id) })
	return p, err
}

func (s *Store) practitioner(id string) (domain.Practitioner, error) {
	if i := find(s.d.Practitioners, func(p domain.Practitioner) bool { return p.ID == id }); i >= 0 {
		return s.d.Practitioners[i], nil
	}
	return domain.Practitioner{}, domain.ErrNotFound
}

// CreatePractitioner adds p; an unknown service id is invalid "service_ids".
func (s *Store) CreatePractitioner(_ context.Context, p *domain.Practitioner) error {
	return s.write(func() error {
		if err := s.checkServiceIDs(p.ServiceIDs); err != nil {
			return err
		}
		if p.ID == "" {
			p.ID = domain.NewID()
		}
		s.d.Practitioners = append(s.d.Practitioners, *p)
		return nil
	})
}

// UpdatePractitioner replaces p; an unknown service id is invalid "service_ids".
func (s *Store) UpdatePractitioner(_ context.Context, p *domain.Practitioner) error {
	return s.write(func() error {
		if err := s.checkServiceIDs(p.ServiceIDs); err != nil {
			return err
		}
		return replace(s.d.Practitioners, *p, func(x domain.Practitioner) bool { return x.ID == p.ID })
	})
}

func (s *Store) checkServiceIDs(ids []string) error {
	for _, id := range ids {
		if find(s.d.Services, func(x domain.Service) bool { return x.ID == id }) < 0 {
			return domain.Invalid("service_ids", "Unknown service.")
		}
	}
	return nil
}

// replace overwrites the first element matching with v; ErrNotFound if none.
func replace[T any](xs []T, v T, match func(T) bool) error {
	i := find(xs, match)
	if i < 0 {
		return domain.ErrNotFound
	}
	xs[i] = v
	return nil
}
