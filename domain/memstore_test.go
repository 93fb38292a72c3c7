package domain_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// memStore is an in-memory domain.Store for the use-case tests. Under one
// mutex it enforces what the databases enforce: no overlapping blocks of
// live, non-overbooked bookings of one practitioner, one live complimentary
// booking per patient, one record per Idempotency-Key; and it writes a change
// with its effects atomically.
type memStore struct {
	mu            sync.Mutex
	clinic        domain.Clinic
	services      []domain.Service
	practitioners []domain.Practitioner
	hours         map[string][]domain.WorkingHours
	overrides     []domain.DateOverride
	timeOff       []domain.TimeOff
	bookings      []domain.Booking
	patients      []domain.Patient
	messages      []domain.Message
	audit         []domain.AuditEntry
	idem          map[string]domain.IdempotencyRecord
	users         []domain.User
	creds         []domain.Credential
	feeds         []domain.FeedToken

	scheduleCalls int // how often Schedules ran
}

var _ domain.Store = (*memStore)(nil)

func newMemStore(c domain.Clinic) *memStore {
	return &memStore{clinic: c, hours: map[string][]domain.WorkingHours{}, idem: map[string]domain.IdempotencyRecord{}}
}

// Clinic returns the settings.
func (m *memStore) Clinic(ctx context.Context) (domain.Clinic, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.clinic, nil
}

// SaveClinic replaces the settings.
func (m *memStore) SaveClinic(ctx context.Context, c domain.Clinic) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clinic = c
	return nil
}

// Services lists services in SortOrder, Name order.
func (m *memStore) Services(ctx context.Context, all bool) ([]domain.Service, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.Service
	for _, s := range m.services {
		if all || s.Active {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b domain.Service) int {
		return cmp.Or(cmp.Compare(a.SortOrder, b.SortOrder), strings.Compare(a.Name, b.Name))
	})
	return out, nil
}

// Service returns one service.
func (m *memStore) Service(ctx context.Context, id string) (domain.Service, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.services {
		if s.ID == id {
			return s, nil
		}
	}
	return domain.Service{}, domain.ErrNotFound
}

// CreateService adds s.
func (m *memStore) CreateService(ctx context.Context, s *domain.Service) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.ID == "" {
		s.ID = domain.NewID()
	}
	m.services = append(m.services, *s)
	return nil
}

// UpdateService replaces s.
func (m *memStore) UpdateService(ctx context.Context, s *domain.Service) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.services {
		if m.services[i].ID == s.ID {
			m.services[i] = *s
			return nil
		}
	}
	return domain.ErrNotFound
}

// Practitioners lists practitioners in insertion order (the fixtures' SortOrder).
func (m *memStore) Practitioners(ctx context.Context, all bool) ([]domain.Practitioner, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.Practitioner
	for _, p := range m.practitioners {
		if all || p.Active {
			out = append(out, p)
		}
	}
	return out, nil
}

// Practitioner returns one practitioner.
func (m *memStore) Practitioner(ctx context.Context, id string) (domain.Practitioner, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.practitioner(id)
}

func (m *memStore) practitioner(id string) (domain.Practitioner, error) {
	for _, p := range m.practitioners {
		if p.ID == id {
			return p, nil
		}
	}
	return domain.Practitioner{}, domain.ErrNotFound
}

// CreatePractitioner adds p.
func (m *memStore) CreatePractitioner(ctx context.Context, p *domain.Practitioner) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p.ID == "" {
		p.ID = domain.NewID()
	}
	m.practitioners = append(m.practitioners, *p)
	return nil
}

// UpdatePractitioner replaces p.
func (m *memStore) UpdatePractitioner(ctx context.Context, p *domain.Practitioner) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.practitioners {
		if m.practitioners[i].ID == p.ID {
			m.practitioners[i] = *p
			return nil
		}
	}
	return domain.ErrNotFound
}

// WorkingHours returns a practitioner's weekly hours.
func (m *memStore) WorkingHours(ctx context.Context, practitionerID string) ([]domain.WorkingHours, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.hours[practitionerID]), nil
}

// SetWorkingHours replaces a practitioner's weekly hours.
func (m *memStore) SetWorkingHours(ctx context.Context, practitionerID string, hours []domain.WorkingHours) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hours[practitionerID] = slices.Clone(hours)
	return nil
}

// DateOverrides returns a practitioner's overrides in [from, to].
func (m *memStore) DateOverrides(ctx context.Context, practitionerID string, from, to domain.Date) ([]domain.DateOverride, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.DateOverride
	for _, o := range m.overrides {
		if o.PractitionerID == practitionerID && !o.Date.Before(from) && !to.Before(o.Date) {
			out = append(out, o)
		}
	}
	return out, nil
}

// SaveDateOverride creates or replaces the override for o.Date.
func (m *memStore) SaveDateOverride(ctx context.Context, o *domain.DateOverride) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.overrides = slices.DeleteFunc(m.overrides, func(x domain.DateOverride) bool {
		return x.PractitionerID == o.PractitionerID && x.Date == o.Date
	})
	if o.ID == "" {
		o.ID = domain.NewID()
	}
	m.overrides = append(m.overrides, *o)
	return nil
}

// DeleteDateOverride removes an override.
func (m *memStore) DeleteDateOverride(ctx context.Context, practitionerID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.overrides)
	m.overrides = slices.DeleteFunc(m.overrides, func(x domain.DateOverride) bool {
		return x.PractitionerID == practitionerID && x.ID == id
	})
	if len(m.overrides) == n {
		return domain.ErrNotFound
	}
	return nil
}

// TimeOffs returns a practitioner's time off overlapping [from, to).
func (m *memStore) TimeOffs(ctx context.Context, practitionerID string, from, to time.Time) ([]domain.TimeOff, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.timeOffs(practitionerID, from, to), nil
}

func (m *memStore) timeOffs(practitionerID string, from, to time.Time) []domain.TimeOff {
	var out []domain.TimeOff
	for _, t := range m.timeOff {
		if t.PractitionerID == practitionerID && t.Start.Before(to) && from.Before(t.End) {
			out = append(out, t)
		}
	}
	return out
}

// CreateTimeOff adds t.
func (m *memStore) CreateTimeOff(ctx context.Context, t *domain.TimeOff) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.ID == "" {
		t.ID = domain.NewID()
	}
	m.timeOff = append(m.timeOff, *t)
	return nil
}

// DeleteTimeOff removes time off.
func (m *memStore) DeleteTimeOff(ctx context.Context, practitionerID, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.timeOff)
	m.timeOff = slices.DeleteFunc(m.timeOff, func(x domain.TimeOff) bool {
		return x.PractitionerID == practitionerID && x.ID == id
	})
	if len(m.timeOff) == n {
		return domain.ErrNotFound
	}
	return nil
}

// Schedules loads everything the slot engine needs in [from, to).
func (m *memStore) Schedules(ctx context.Context, practitionerIDs []string, from, to time.Time) ([]domain.Schedule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.scheduleCalls++
	var out []domain.Schedule
	for _, id := range practitionerIDs {
		p, err := m.practitioner(id)
		if err != nil {
			continue
		}
		sc := domain.Schedule{Practitioner: p, Weekly: slices.Clone(m.hours[id]), TimeOff: m.timeOffs(id, from, to)}
		for _, o := range m.overrides {
			if o.PractitionerID == id {
				sc.Overrides = append(sc.Overrides, o)
			}
		}
		window := domain.Interval{Start: from, End: to}
		for _, b := range m.bookings {
			if b.PractitionerID == id && b.Live() && !b.Overbooked && b.Block().Overlaps(window) {
				sc.Busy = append(sc.Busy, b.Block())
			}
		}
		out = append(out, sc)
	}
	return out, nil
}

func (m *memStore) WorkingSchedules(ctx context.Context, practitionerIDs []string, from, to time.Time) ([]domain.Schedule, error) {
	out, err := m.Schedules(ctx, practitionerIDs, from, to)
	for i := range out {
		out[i].Busy = nil
	}
	return out, err
}

// CreateBooking stores b, its patient and effects atomically, with the
// database's constraints.
func (m *memStore) CreateBooking(ctx context.Context, b *domain.Booking, p *domain.Patient, fx domain.Effects) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if rec := fx.Idempotency; rec != nil {
		if old, ok := m.idem[rec.KeyHash]; ok && !old.CreatedAt.Before(rec.CreatedAt.Add(-domain.IdempotencyTTL)) {
			return domain.ErrIdempotencyReplay
		}
	}
	pat := m.findOrNewPatient(*p, b.CreatedAt)
	b.PatientID, p.ID = pat.ID, pat.ID
	if err := m.check(*b); err != nil {
		return err
	}
	if !slices.ContainsFunc(m.patients, func(x domain.Patient) bool { return x.ID == pat.ID }) {
		m.patients = append(m.patients, pat)
	}
	m.bookings = append(m.bookings, *b)
	m.apply(b.ID, fx)
	return nil
}

// findOrNewPatient returns the stored patient with p's email, or a new one
// (not yet stored).
func (m *memStore) findOrNewPatient(p domain.Patient, now time.Time) domain.Patient {
	email := domain.NormalizeEmail(p.Email)
	for _, x := range m.patients {
		if x.Email == email {
			return x
		}
	}
	p.ID, p.Email, p.CreatedAt = domain.NewID(), email, now
	return p
}

// check enforces the overlap and complimentary constraints on b.
func (m *memStore) check(b domain.Booking) error {
	if !b.Live() {
		return nil
	}
	for _, x := range m.bookings {
		if x.ID == b.ID || !x.Live() {
			continue
		}
		if !b.Overbooked && !x.Overbooked && x.PractitionerID == b.PractitionerID && x.Block().Overlaps(b.Block()) {
			return domain.ErrSlotTaken
		}
		if b.Complimentary && x.Complimentary && x.PatientID == b.PatientID {
			return domain.ErrCaseReviewUsed
		}
	}
	return nil
}

// apply writes a change's effects.
func (m *memStore) apply(bookingID string, fx domain.Effects) {
	if fx.CancelReminders {
		for i, msg := range m.messages {
			if msg.BookingID == bookingID && msg.Kind == domain.MessageReminder && msg.Status == domain.MessagePending {
				m.messages[i].Status = domain.MessageCancelled
			}
		}
	}
	m.messages = append(m.messages, fx.Messages...)
	if fx.Audit != nil {
		m.audit = append(m.audit, *fx.Audit)
	}
	if rec := fx.Idempotency; rec != nil {
		m.idem[rec.KeyHash] = *rec
	}
}

// UpdateBooking stores b's mutable fields and its effects atomically.
func (m *memStore) UpdateBooking(ctx context.Context, b *domain.Booking, fx domain.Effects) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.IndexFunc(m.bookings, func(x domain.Booking) bool { return x.ID == b.ID })
	if i < 0 {
		return domain.ErrNotFound
	}
	if err := m.check(*b); err != nil {
		return err
	}
	m.bookings[i] = *b
	m.apply(b.ID, fx)
	return nil
}

// Booking returns one booking with its names.
func (m *memStore) Booking(ctx context.Context, id string) (domain.BookingDetail, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range m.bookings {
		if b.ID == id {
			return m.detail(b), nil
		}
	}
	return domain.BookingDetail{}, domain.ErrNotFound
}

func (m *memStore) detail(b domain.Booking) domain.BookingDetail {
	d := domain.BookingDetail{Booking: b}
	for _, s := range m.services {
		if s.ID == b.ServiceID {
			d.Service = s
		}
	}
	d.Practitioner, _ = m.practitioner(b.PractitionerID)
	for _, p := range m.patients {
		if p.ID == b.PatientID {
			d.Patient = p
		}
	}
	return d
}

// BookingByManageHash finds the booking a manage link opens.
func (m *memStore) BookingByManageHash(ctx context.Context, hash string) (domain.BookingDetail, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range m.bookings {
		if b.ManageHash == hash {
			return m.detail(b), nil
		}
	}
	return domain.BookingDetail{}, domain.ErrNotFound
}

// Bookings returns matches ordered by start.
func (m *memStore) Bookings(ctx context.Context, f domain.BookingFilter) ([]domain.BookingDetail, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.BookingDetail
	for _, b := range m.bookings {
		switch {
		case !f.From.IsZero() && !b.End.After(f.From),
			!f.To.IsZero() && !b.Start.Before(f.To),
			f.PractitionerID != "" && b.PractitionerID != f.PractitionerID,
			f.PatientID != "" && b.PatientID != f.PatientID,
			len(f.Statuses) > 0 && !slices.Contains(f.Statuses, b.Status),
			!f.UpdatedSince.IsZero() && b.UpdatedAt.Before(f.UpdatedSince):
			continue
		}
		out = append(out, m.detail(b))
	}
	slices.SortStableFunc(out, func(a, b domain.BookingDetail) int { return a.Start.Compare(b.Start) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// PatientHistory reports earlier live visits and live complimentary bookings.
func (m *memStore) PatientHistory(ctx context.Context, email string, now time.Time) (visited, hadComplimentary bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	email = domain.NormalizeEmail(email)
	for _, b := range m.bookings {
		if !b.Live() || m.detail(b).Patient.Email != email {
			continue
		}
		visited = visited || b.Start.Before(now)
		hadComplimentary = hadComplimentary || b.Complimentary
	}
	return visited, hadComplimentary, nil
}

// IdempotencyRecord returns the record for a key hash.
func (m *memStore) IdempotencyRecord(ctx context.Context, keyHash string) (domain.IdempotencyRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.idem[keyHash]
	if !ok {
		return domain.IdempotencyRecord{}, domain.ErrNotFound
	}
	return rec, nil
}

// Patient returns one patient.
func (m *memStore) Patient(ctx context.Context, id string) (domain.Patient, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.patients {
		if p.ID == id {
			return p, nil
		}
	}
	return domain.Patient{}, domain.ErrNotFound
}

// Patients searches name, email and phone.
func (m *memStore) Patients(ctx context.Context, f domain.PatientFilter) ([]domain.Patient, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := strings.ToLower(f.Query)
	var out []domain.Patient
	for _, p := range m.patients {
		if strings.Contains(strings.ToLower(p.Name+" "+p.Email+" "+p.Phone), q) {
			out = append(out, p)
		}
	}
	return out, nil
}

// UpdatePatient replaces p.
func (m *memStore) UpdatePatient(ctx context.Context, p *domain.Patient) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.patients {
		if m.patients[i].ID == p.ID {
			m.patients[i] = *p
			return nil
		}
	}
	return domain.ErrNotFound
}

// ClaimMessages takes due pending messages.
func (m *memStore) ClaimMessages(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]domain.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.Message
	for i, msg := range m.messages {
		if len(out) < limit && msg.Status == domain.MessagePending && !msg.DueAt.After(now) {
			m.messages[i].DueAt = now.Add(lease)
			out = append(out, msg)
		}
	}
	return out, nil
}

// MarkSent records delivery and erases the link.
func (m *memStore) MarkSent(ctx context.Context, id string, at time.Time) error {
	return m.updateMessage(id, func(msg *domain.Message) {
		msg.Status, msg.SentAt, msg.Notice.ManageURL = domain.MessageSent, at, ""
	})
}

// MarkFailed records a failed attempt.
func (m *memStore) MarkFailed(ctx context.Context, id string, lastErr string, next time.Time, dead bool) error {
	return m.updateMessage(id, func(msg *domain.Message) {
		msg.Attempts++
		msg.LastError, msg.DueAt = lastErr, next
		if dead {
			msg.Status = domain.MessageDead
		}
	})
}

// Messages lists outbox rows.
func (m *memStore) Messages(ctx context.Context, f domain.MessageFilter) ([]domain.Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.Message
	for _, msg := range m.messages {
		if (f.BookingID == "" || msg.BookingID == f.BookingID) && (len(f.Statuses) == 0 || slices.Contains(f.Statuses, msg.Status)) {
			out = append(out, msg)
		}
	}
	return out, nil
}

// RetryMessage puts a dead message back, due now.
func (m *memStore) RetryMessage(ctx context.Context, id string, now time.Time) error {
	return m.updateMessage(id, func(msg *domain.Message) { msg.Status, msg.DueAt = domain.MessagePending, now })
}

func (m *memStore) updateMessage(id string, f func(*domain.Message)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.messages {
		if m.messages[i].ID == id {
			f(&m.messages[i])
			return nil
		}
	}
	return domain.ErrNotFound
}

// CreateUser adds u; ErrDuplicate for a taken email.
func (m *memStore) CreateUser(ctx context.Context, u *domain.User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.users {
		if x.Email == u.Email {
			return domain.ErrDuplicate
		}
	}
	if u.ID == "" {
		u.ID = domain.NewID()
	}
	m.users = append(m.users, *u)
	return nil
}

// UpdateUser replaces u.
func (m *memStore) UpdateUser(ctx context.Context, u *domain.User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.users {
		if m.users[i].ID == u.ID {
			m.users[i] = *u
			return nil
		}
	}
	return domain.ErrNotFound
}

// User returns one user.
func (m *memStore) User(ctx context.Context, id string) (domain.User, error) {
	return m.findUser(func(u domain.User) bool { return u.ID == id })
}

// UserByEmail returns the user with the email.
func (m *memStore) UserByEmail(ctx context.Context, email string) (domain.User, error) {
	return m.findUser(func(u domain.User) bool { return u.Email == domain.NormalizeEmail(email) })
}

func (m *memStore) findUser(match func(domain.User) bool) (domain.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.users {
		if match(u) {
			return u, nil
		}
	}
	return domain.User{}, domain.ErrNotFound
}

// Users lists every user.
func (m *memStore) Users(ctx context.Context) ([]domain.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.users), nil
}

// CreateCredential adds c.
func (m *memStore) CreateCredential(ctx context.Context, c *domain.Credential) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.creds = append(m.creds, *c)
	return nil
}

// Credential returns the live credential with the hash and its user.
func (m *memStore) Credential(ctx context.Context, hash string, now time.Time) (domain.Credential, domain.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.creds {
		if c.Hash == hash && c.RevokedAt.IsZero() && now.Before(c.ExpiresAt) {
			for _, u := range m.users {
				if u.ID == c.UserID && u.Active {
					return c, u, nil
				}
			}
		}
	}
	return domain.Credential{}, domain.User{}, domain.ErrNotFound
}

// RevokeCredential revokes a credential.
func (m *memStore) RevokeCredential(ctx context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.creds {
		if m.creds[i].ID == id {
			m.creds[i].RevokedAt = at
			return nil
		}
	}
	return domain.ErrNotFound
}

// CreateFeedToken adds t.
func (m *memStore) CreateFeedToken(ctx context.Context, t *domain.FeedToken) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.feeds = append(m.feeds, *t)
	return nil
}

// FeedToken returns the live token with the hash.
func (m *memStore) FeedToken(ctx context.Context, hash string) (domain.FeedToken, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.feeds {
		if t.Hash == hash && t.RevokedAt.IsZero() {
			return t, nil
		}
	}
	return domain.FeedToken{}, domain.ErrNotFound
}

// FeedTokens lists every token.
func (m *memStore) FeedTokens(ctx context.Context) ([]domain.FeedToken, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.feeds), nil
}

// RevokeFeedToken revokes a token.
func (m *memStore) RevokeFeedToken(ctx context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.feeds {
		if m.feeds[i].ID == id {
			m.feeds[i].RevokedAt = at
			return nil
		}
	}
	return domain.ErrNotFound
}

// RecordAudit appends e.
func (m *memStore) RecordAudit(ctx context.Context, e domain.AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.audit = append(m.audit, e)
	return nil
}

// Audit lists entries, newest first.
func (m *memStore) Audit(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []domain.AuditEntry
	for i := len(m.audit) - 1; i >= 0; i-- {
		if f.EntityID == "" || m.audit[i].EntityID == f.EntityID {
			out = append(out, m.audit[i])
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// Ping always answers.
func (m *memStore) Ping(ctx context.Context) error { return nil }

// snapshot returns copies of the bookings, messages and audit entries.
func (m *memStore) snapshot() ([]domain.Booking, []domain.Message, []domain.AuditEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.bookings), slices.Clone(m.messages), slices.Clone(m.audit)
}
