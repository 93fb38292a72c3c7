package domaintest

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// CreateBooking stores b, its patient (found by email or created) and its
// effects atomically, with the databases' constraints.
func (s *Store) CreateBooking(_ context.Context, b *domain.Booking, p *domain.Patient, fx domain.Effects) error {
	return s.write(func() error {
		if rec := fx.Idempotency; rec != nil {
			if old, ok := s.d.Idempotency[rec.KeyHash]; ok && !old.CreatedAt.Before(rec.CreatedAt.Add(-domain.IdempotencyTTL)) {
				return domain.ErrIdempotencyReplay
			}
		}
		pat := s.findOrNewPatient(*p, b.CreatedAt)
		b.PatientID, p.ID = pat.ID, pat.ID
		if err := s.check(*b); err != nil {
			return err
		}
		holds := holdsOutOfWay(s.d.Holds, fx.ConsumeHold, b.PractitionerID, b.RoomID, b.Block(), b.CreatedAt)
		if err := checkHolds(holds, *b, nil); err != nil {
			return err
		}
		s.d.Holds = holds
		if find(s.d.Patients, func(x domain.Patient) bool { return x.ID == pat.ID }) < 0 {
			s.d.Patients = append(s.d.Patients, pat)
		}
		s.d.Bookings = append(s.d.Bookings, *b)
		s.apply(b.ID, fx)
		return nil
	})
}

// findOrNewPatient returns the stored patient with p's email, or a new one
// (not yet stored).
func (s *Store) findOrNewPatient(p domain.Patient, now time.Time) domain.Patient {
	email := domain.NormalizeEmail(p.Email)
	if i := find(s.d.Patients, func(x domain.Patient) bool { return x.Email == email }); i >= 0 {
		return s.d.Patients[i]
	}
	p.ID, p.Email, p.CreatedAt = domain.NewID(), email, now
	return p
}

// check enforces the overlap and complimentary constraints on b.
func (s *Store) check(b domain.Booking) error {
	if !b.Live() {
		return nil
	}
	for _, x := range s.d.Bookings {
		if x.ID == b.ID || !x.Live() {
			continue
		}
		if !b.Overbooked && !x.Overbooked && x.PractitionerID == b.PractitionerID && x.Block().Overlaps(b.Block()) {
			return domain.ErrSlotTaken.Naming(domain.ConflictPractitioner, b.PractitionerID)
		}
		if b.RoomID != "" && !b.RoomOverbooked && !x.RoomOverbooked && x.RoomID == b.RoomID && x.Block().Overlaps(b.Block()) {
			return domain.ErrRoomTaken.Naming(domain.ConflictRoom, b.RoomID)
		}
		if b.Complimentary && x.Complimentary && x.PatientID == b.PatientID {
			return domain.ErrCaseReviewUsed
		}
	}
	return nil
}

// apply writes a change's effects.
func (s *Store) apply(bookingID string, fx domain.Effects) {
	if fx.CancelReminders {
		for i, m := range s.d.Messages {
			if m.BookingID == bookingID && m.Kind == domain.MessageReminder && m.Status == domain.MessagePending {
				s.d.Messages[i].Status = domain.MessageCancelled
			}
		}
	}
	s.d.Messages = append(s.d.Messages, fx.Messages...)
	if fx.Audit != nil {
		s.d.Audit = append(s.d.Audit, *fx.Audit)
	}
	if rec := fx.Idempotency; rec != nil {
		s.d.Idempotency[rec.KeyHash] = *rec
	}
}

// UpdateBooking stores b's mutable fields and its effects atomically.
func (s *Store) UpdateBooking(_ context.Context, b *domain.Booking, fx domain.Effects) error {
	return s.write(func() error {
		i := find(s.d.Bookings, func(x domain.Booking) bool { return x.ID == b.ID })
		if i < 0 {
			return domain.ErrNotFound
		}
		if err := s.check(*b); err != nil {
			return err
		}
		holds := s.d.Holds
		if b.Live() {
			holds = holdsOutOfWay(holds, fx.ConsumeHold, b.PractitionerID, b.RoomID, b.Block(), b.UpdatedAt)
		}
		if err := checkHolds(holds, *b, &s.d.Bookings[i]); err != nil {
			return err
		}
		s.d.Holds = holds
		s.d.Bookings[i] = *b
		s.apply(b.ID, fx)
		return nil
	})
}

// Booking returns one booking with its service, practitioner and patient.
func (s *Store) Booking(_ context.Context, id string) (domain.BookingDetail, error) {
	return s.bookingWhere(func(b domain.Booking) bool { return b.ID == id })
}

// BookingByManageHash finds the booking a manage link opens.
func (s *Store) BookingByManageHash(_ context.Context, hash string) (domain.BookingDetail, error) {
	return s.bookingWhere(func(b domain.Booking) bool { return b.ManageHash == hash })
}

func (s *Store) bookingWhere(match func(domain.Booking) bool) (d domain.BookingDetail, err error) {
	err = domain.ErrNotFound
	s.read(func() {
		if i := find(s.d.Bookings, match); i >= 0 {
			d, err = s.detail(s.d.Bookings[i]), nil
		}
	})
	return d, err
}

func (s *Store) detail(b domain.Booking) domain.BookingDetail {
	d := domain.BookingDetail{Booking: b}
	if i := find(s.d.Services, func(x domain.Service) bool { return x.ID == b.ServiceID }); i >= 0 {
		d.Service = s.d.Services[i]
	}
	d.Practitioner, _ = s.practitioner(b.PractitionerID)
	if i := find(s.d.Rooms, func(r domain.Room) bool { return r.ID == b.RoomID }); b.RoomID != "" && i >= 0 {
		d.Room = s.d.Rooms[i]
	}
	if i := find(s.d.Patients, func(p domain.Patient) bool { return p.ID == b.PatientID }); i >= 0 {
		d.Patient = s.d.Patients[i]
	}
	return d
}

// Bookings returns matches ordered by start.
func (s *Store) Bookings(_ context.Context, f domain.BookingFilter) (out []domain.BookingDetail, err error) {
	s.read(func() {
		for _, b := range s.d.Bookings {
			if matches(f, b) {
				out = append(out, s.detail(b))
			}
		}
	})
	slices.SortStableFunc(out, func(a, b domain.BookingDetail) int { return a.Start.Compare(b.Start) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func matches(f domain.BookingFilter, b domain.Booking) bool {
	switch {
	case !f.From.IsZero() && !b.End.After(f.From),
		!f.To.IsZero() && !b.Start.Before(f.To),
		f.PractitionerID != "" && b.PractitionerID != f.PractitionerID,
		f.PatientID != "" && b.PatientID != f.PatientID,
		f.RoomID != "" && b.RoomID != f.RoomID,
		len(f.Statuses) > 0 && !slices.Contains(f.Statuses, b.Status),
		!f.UpdatedSince.IsZero() && b.UpdatedAt.Before(f.UpdatedSince):
		return false
	}
	return true
}

// PatientHistory reports earlier live visits and live complimentary bookings.
func (s *Store) PatientHistory(_ context.Context, email string, now time.Time) (visited, hadComplimentary bool, err error) {
	email = domain.NormalizeEmail(email)
	s.read(func() {
		for _, b := range s.d.Bookings {
			if !b.Live() || s.detail(b).Patient.Email != email {
				continue
			}
			visited = visited || b.Start.Before(now)
			hadComplimentary = hadComplimentary || b.Complimentary
		}
	})
	return visited, hadComplimentary, nil
}

// IdempotencyRecord returns the record for a key hash.
func (s *Store) IdempotencyRecord(_ context.Context, keyHash string) (rec domain.IdempotencyRecord, err error) {
	var ok bool
	s.read(func() { rec, ok = s.d.Idempotency[keyHash] })
	if !ok {
		return domain.IdempotencyRecord{}, domain.ErrNotFound
	}
	return rec, nil
}

// Patient returns one patient.
func (s *Store) Patient(_ context.Context, id string) (p domain.Patient, err error) {
	err = domain.ErrNotFound
	s.read(func() {
		if i := find(s.d.Patients, func(x domain.Patient) bool { return x.ID == id }); i >= 0 {
			p, err = s.d.Patients[i], nil
		}
	})
	return p, err
}

// Patients searches name, email and phone.
func (s *Store) Patients(_ context.Context, f domain.PatientFilter) (out []domain.Patient, err error) {
	q := strings.ToLower(f.Query)
	s.read(func() {
		for _, p := range s.d.Patients {
			if strings.Contains(strings.ToLower(p.Name+" "+p.Email+" "+p.Phone), q) {
				out = append(out, p)
			}
		}
	})
	return out, nil
}

// UpdatePatient replaces p.
func (s *Store) UpdatePatient(_ context.Context, p *domain.Patient) error {
	return s.write(func() error { return replace(s.d.Patients, *p, func(x domain.Patient) bool { return x.ID == p.ID }) })
}
