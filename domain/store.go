package domain

import (
	"context"
	"time"
)

// The ports below are implemented by package storage on SQLite and
// PostgreSQL. Every method returns ErrNotFound for a missing row,
// ErrUnavailable when the database cannot be reached, and wraps anything else.

// ClinicStore keeps the clinic's settings.
type ClinicStore interface {
	// Clinic returns the settings, ErrNotFound before setup.
	Clinic(ctx context.Context) (Clinic, error)
	SaveClinic(ctx context.Context, c Clinic) error
}

// CatalogStore keeps services and practitioners. List methods return only
// active rows unless all is true; ordered by SortOrder/Name.
type CatalogStore interface {
	Services(ctx context.Context, all bool) ([]Service, error)
	Service(ctx context.Context, id string) (Service, error)
	CreateService(ctx context.Context, s *Service) error
	UpdateService(ctx context.Context, s *Service) error

	Practitioners(ctx context.Context, all bool) ([]Practitioner, error)
	Practitioner(ctx context.Context, id string) (Practitioner, error)
	// CreatePractitioner and UpdatePractitioner also store ServiceIDs;
	// an unknown service id is a KindInvalid error on "service_ids".
	CreatePractitioner(ctx context.Context, p *Practitioner) error
	UpdatePractitioner(ctx context.Context, p *Practitioner) error
}

// HoursStore keeps working hours, date overrides and time off.
type HoursStore interface {
	WorkingHours(ctx context.Context, practitionerID string) ([]WorkingHours, error)
	// SetWorkingHours replaces all of a practitioner's weekly hours at once.
	SetWorkingHours(ctx context.Context, practitionerID string, hours []WorkingHours) error
	DateOverrides(ctx context.Context, practitionerID string, from, to Date) ([]DateOverride, error)
	// SaveDateOverride creates or replaces the override for o.Date.
	SaveDateOverride(ctx context.Context, o *DateOverride) error
	DeleteDateOverride(ctx context.Context, practitionerID, id string) error
	TimeOffs(ctx context.Context, practitionerID string, from, to time.Time) ([]TimeOff, error)
	CreateTimeOff(ctx context.Context, t *TimeOff) error
	// UpdateTimeOff stores t's start, end, reason and UpdatedAt for the
	// time off t.ID of t.PractitionerID, raising its Sequence by one (t
	// gets the stored one): feeds show the change as a new version of the
	// same event. ErrNotFound when the practitioner has no such entry,
	// KindInvalid on "end" when it does not end after it starts.
	UpdateTimeOff(ctx context.Context, t *TimeOff) error
	DeleteTimeOff(ctx context.Context, practitionerID, id string) error

	// Schedules loads, for each practitioner, everything the slot engine needs
	// in [from, to): hours, the overrides of the local dates the window
	// touches and a day either side, and the time off and blocks of live,
	// non-overbooked bookings that overlap it. It reads all practitioners at
	// once, not one per practitioner or day.
	Schedules(ctx context.Context, practitionerIDs []string, from, to time.Time) ([]Schedule, error)
	// WorkingSchedules is Schedules without the busy blocks: enough to check
	// one visit, since the database's constraint keeps visits apart. Stores
	// may answer it from a short-lived copy of the hours.
	WorkingSchedules(ctx context.Context, practitionerIDs []string, from, to time.Time) ([]Schedule, error)
}

// Effects are written in the same transaction as a booking change.
type Effects struct {
	Messages        []Message          // outbox rows to add
	CancelReminders bool               // first mark the booking's pending reminders cancelled
	Audit           *AuditEntry        // the change, for the audit log
	Idempotency     *IdempotencyRecord // remember the request that made the booking
	// ConsumeHold is the id of the hold the booking ends (its holder's,
	// booked with the hold's token): deleted in the same transaction,
	// before the booking is checked against holds.
	ConsumeHold string
	// IfUpdatedAt, when set, makes UpdateBooking change the row only while
	// its UpdatedAt is still this; otherwise it returns ErrStale.
	IfUpdatedAt time.Time
	// Offer accepts a waitlist offer with the change: the store marks the
	// offer accepted (with the booking) and its entry booked, and writes
	// Offer.Audit, or fails the whole change with ErrOfferGone when the
	// offer is no longer open at Offer.At.
	Offer *OfferClaim
}

// IdempotencyRecord lets a retried POST /bookings return the first answer.
type IdempotencyRecord struct {
	KeyHash     string // HashToken of the client's Idempotency-Key
	RequestHash string // hash of the request body
	BookingID   string
	SealedToken []byte // the manage token, sealed with a key derived from the Idempotency-Key
	CreatedAt   time.Time
}

// BookingStore keeps bookings and patients.
type BookingStore interface {
	// CreateBooking finds the patient by email (case-insensitive) or creates
	// them, sets b.PatientID and p.ID, and stores b with its effects in one
	// transaction. It returns ErrSlotTaken when b's block overlaps another
	// live, non-overbooked booking of the practitioner, ErrCaseReviewUsed when
	// the patient already has a live complimentary booking, and
	// ErrIdempotencyReplay when the idempotency key was stored meanwhile.
	CreateBooking(ctx context.Context, b *Booking, p *Patient, fx Effects) error
	// UpdateBooking stores every mutable field of b (times, status, notes,
	// sequence, reason) and its effects in one transaction; ErrSlotTaken as above.
	UpdateBooking(ctx context.Context, b *Booking, fx Effects) error
	Booking(ctx context.Context, id string) (BookingDetail, error)
	BookingByManageHash(ctx context.Context, hash string) (BookingDetail, error)
	// Bookings returns matches ordered by start.
	Bookings(ctx context.Context, f BookingFilter) ([]BookingDetail, error)
	// PatientHistory reports, for an email, whether it has any live booking
	// that started before now or any complimentary one (live).
	PatientHistory(ctx context.Context, email string, now time.Time) (visited, hadComplimentary bool, err error)
	IdempotencyRecord(ctx context.Context, keyHash string) (IdempotencyRecord, error)

	Patient(ctx context.Context, id string) (Patient, error)
	Patients(ctx context.Context, f PatientFilter) ([]Patient, error)
	UpdatePatient(ctx context.Context, p *Patient) error
}

// OutboxStore is the queue of emails.
type OutboxStore interface {
	// ClaimMessages takes up to limit pending messages due at now, oldest
	// first, and hides them from other workers until now+lease (FOR UPDATE
	// SKIP LOCKED on PostgreSQL), so several workers never send one twice.
	ClaimMessages(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Message, error)
	// MarkSent records delivery and erases the secret link from the row.
	MarkSent(ctx context.Context, id string, at time.Time) error
	// MarkFailed records a failed attempt: retry at next, or dead.
	MarkFailed(ctx context.Context, id string, lastErr string, next time.Time, dead bool) error
	Messages(ctx context.Context, f MessageFilter) ([]Message, error)
	// RetryMessage puts a dead message back in the queue, due now.
	RetryMessage(ctx context.Context, id string, now time.Time) error
	// OutboxStats counts the queue as it stands at now, in one read, for
	// monitoring (every replica sees the same figures).
	OutboxStats(ctx context.Context, now time.Time) (OutboxStats, error)
}

// UserStore keeps staff accounts, API tokens and sessions.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error // ErrDuplicate for a taken email
	UpdateUser(ctx context.Context, u *User) error
	User(ctx context.Context, id string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	Users(ctx context.Context) ([]User, error)
	CreateCredential(ctx context.Context, c *Credential) error
	// Credential returns the live (not expired at now, not revoked) credential
	// with the hash, and its active user; ErrNotFound otherwise.
	Credential(ctx context.Context, hash string, now time.Time) (Credential, User, error)
	RevokeCredential(ctx context.Context, id string, at time.Time) error
}

// FeedStore keeps feed tokens.
type FeedStore interface {
	CreateFeedToken(ctx context.Context, t *FeedToken) error
	// FeedToken returns the live token with the hash, ErrNotFound otherwise.
	FeedToken(ctx context.Context, hash string) (FeedToken, error)
	FeedTokens(ctx context.Context) ([]FeedToken, error)
	RevokeFeedToken(ctx context.Context, id string, at time.Time) error
}

// AuditStore keeps the audit log.
type AuditStore interface {
	RecordAudit(ctx context.Context, e AuditEntry) error
	Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// Store is all the ports together, as package storage provides them.
type Store interface {
	ClinicStore
	CatalogStore
	HoursStore
	RoomStore
	HoldStore
	BookingStore
	OutboxStore
	UserStore
	FeedStore
	AuditStore
	// Atomically runs fn in one transaction (see SetupStore).
	Atomically(ctx context.Context, fn func(tx SetupWriter) error) error
	// Ping checks the database answers.
	Ping(ctx context.Context) error
}
