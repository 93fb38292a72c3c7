// Package domaintest holds the one in-memory store and the one test clock
// that every domain-level test uses. Store keeps, under one mutex, the
// guarantees the databases give (no overlapping live blocks of one
// practitioner, one live complimentary booking per patient, one record per
// Idempotency-Key, a change written with its effects atomically), and
// Contract checks it and the real stores against the same tests.
package domaintest

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// Data is everything a Store holds. Tests read it with Store.Data and change
// it behind the use cases' back with Store.Edit.
type Data struct {
	Clinic        domain.Clinic
	Services      []domain.Service
	Practitioners []domain.Practitioner
	Rooms         []domain.Room
	Hours         map[string][]domain.WorkingHours // by practitioner id
	Overrides     []domain.DateOverride
	TimeOff       []domain.TimeOff
	Bookings      []domain.Booking
	Holds         []domain.Hold
	Patients      []domain.Patient
	Messages      []domain.Message
	Audit         []domain.AuditEntry
	Idempotency   map[string]domain.IdempotencyRecord // by key hash
	Users         []domain.User
	Credentials   []domain.Credential
	FeedTokens    []domain.FeedToken
	FeedStates    map[string]FeedState // by feed token id
	BusyCalendars []domain.BusyCalendar
}

// FeedState is what FeedChanged remembers of a feed.
type FeedState struct {
	ETag    string
	Changed time.Time
}

// clone copies d's slices and maps, so a copy may be changed alone.
func (d Data) clone() Data {
	c := d
	c.Services, c.Practitioners = slices.Clone(d.Services), slices.Clone(d.Practitioners)
	c.Rooms = slices.Clone(d.Rooms)
	c.Overrides, c.TimeOff = slices.Clone(d.Overrides), slices.Clone(d.TimeOff)
	c.Bookings, c.Patients = slices.Clone(d.Bookings), slices.Clone(d.Patients)
	c.Holds = slices.Clone(d.Holds)
	c.BusyCalendars = slices.Clone(d.BusyCalendars)
	c.Messages, c.Audit = slices.Clone(d.Messages), slices.Clone(d.Audit)
	c.Users, c.Credentials, c.FeedTokens = slices.Clone(d.Users), slices.Clone(d.Credentials), slices.Clone(d.FeedTokens)
	c.Hours = map[string][]domain.WorkingHours{}
	for k, v := range d.Hours {
		c.Hours[k] = slices.Clone(v)
	}
	c.Idempotency = maps(d.Idempotency)
	c.FeedStates = maps(d.FeedStates)
	return c
}

func maps[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Store is an in-memory domain.Store (and the feed state store) for tests.
type Store struct {
	mu         sync.Mutex
	d          Data
	fail       error      // returned by the next write, once
	failCommit error      // returned by the next Atomically after its writes
	tx         sync.Mutex // one Atomically at a time

	claims        map[string]int // message id → times claimed
	scheduleCalls int
}

var (
	_ domain.Store          = (*Store)(nil)
	_ domain.FeedStateStore = (*Store)(nil)
)

// NewStore returns an empty store with the clinic's settings.
func NewStore(c domain.Clinic) *Store {
	s := &Store{claims: map[string]int{}}
	s.d = Data{}.clone()
	s.d.Clinic = c
	return s
}

// Data returns a copy of everything the store holds.
func (s *Store) Data() Data {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.d.clone()
}

// Edit changes the stored data directly, under the store's lock: for a test
// that arranges a state no use case would produce.
func (s *Store) Edit(f func(d *Data)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.d)
}

// FailNextWrite makes the next write return err and change nothing, as a
// transaction that fails before its commit would.
func (s *Store) FailNextWrite(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

// ScheduleCalls reports how often Schedules (or WorkingSchedules) ran.
func (s *Store) ScheduleCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scheduleCalls
}

// Claims reports how often the message was claimed.
func (s *Store) Claims(messageID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.claims[messageID]
}

// write runs f under the lock unless a failure was injected.
func (s *Store) write(f func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail; err != nil {
		s.fail = nil
		return err
	}
	return f()
}

// read runs f under the lock.
func (s *Store) read(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// Ping always answers.
func (s *Store) Ping(context.Context) error { return nil }

// find returns the index of the first element matching, or -1.
func find[T any](xs []T, match func(T) bool) int { return slices.IndexFunc(xs, match) }

// Atomically runs fn as one transaction: transactions run one at a time,
// and when fn fails (or a failure was injected with FailBeforeCommit) the
// store is put back as it was before fn began.
func (s *Store) Atomically(_ context.Context, fn func(tx domain.SetupWriter) error) error {
	s.tx.Lock()
	defer s.tx.Unlock()
	saved := s.Data()
	err := fn(s)
	if err == nil {
		s.mu.Lock()
		err, s.failCommit = s.failCommit, nil
		s.mu.Unlock()
	}
	if err != nil {
		s.Edit(func(d *Data) { *d = saved })
	}
	return err
}

// FailBeforeCommit makes the next Atomically fail with err after its writes,
// as a crash between the change and the commit would.
func (s *Store) FailBeforeCommit(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failCommit = err
}
