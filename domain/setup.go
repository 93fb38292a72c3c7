package domain

import (
	"context"
	"fmt"
	"time"
)

// SetupWriter is the writes a setup change makes. Setup makes them inside
// SetupStore.Atomically, so a change and its audit entry commit together or
// not at all. Each method has the errors of the Store method of its name.
type SetupWriter interface {
	SaveClinic(ctx context.Context, c Clinic) error
	CreateService(ctx context.Context, s *Service) error
	UpdateService(ctx context.Context, s *Service) error
	CreatePractitioner(ctx context.Context, p *Practitioner) error
	UpdatePractitioner(ctx context.Context, p *Practitioner) error
	SetWorkingHours(ctx context.Context, practitionerID string, hours []WorkingHours) error
	SaveDateOverride(ctx context.Context, o *DateOverride) error
	DeleteDateOverride(ctx context.Context, practitionerID, id string) error
	CreateTimeOff(ctx context.Context, t *TimeOff) error
	UpdateTimeOff(ctx context.Context, t *TimeOff) error
	DeleteTimeOff(ctx context.Context, practitionerID, id string) error
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u *User) error
	CreateFeedToken(ctx context.Context, t *FeedToken) error
	RevokeFeedToken(ctx context.Context, id string, at time.Time) error
	// RevokeUserCredentials revokes every live session and API token of
	// the user at at; RevokeUserFeedTokens every live feed token they made.
	RevokeUserCredentials(ctx context.Context, userID string, at time.Time) error
	RevokeUserFeedTokens(ctx context.Context, userID string, at time.Time) error
	RetryMessage(ctx context.Context, id string, now time.Time) error
	CreateBusyCalendar(ctx context.Context, c *BusyCalendar) error
	DeleteBusyCalendar(ctx context.Context, practitionerID, id string) error
	RecordAudit(ctx context.Context, e AuditEntry) error
}

// SetupStore is what the setup use cases need.
type SetupStore interface {
	Clinic(ctx context.Context) (Clinic, error)
	Service(ctx context.Context, id string) (Service, error)
	Practitioner(ctx context.Context, id string) (Practitioner, error)
	WorkingHours(ctx context.Context, practitionerID string) ([]WorkingHours, error)
	User(ctx context.Context, id string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	FeedTokens(ctx context.Context) ([]FeedToken, error)
	// Atomically runs fn in one transaction: what fn writes through tx is
	// committed when fn returns nil, and none of it when fn (or the commit)
	// fails. Its error is fn's.
	Atomically(ctx context.Context, fn func(tx SetupWriter) error) error
}

// Setup is the one door for every change to the clinic's setup: services,
// practitioners, weekly hours, date overrides, time off, staff users, feed
// tokens and the clinic's settings. The API, the web pages and the CLI call
// it the same way; it validates, applies the rules, and writes the change
// and its audit entry in one transaction.
type Setup struct {
	Store SetupStore
	Clock Clock
	// HashPassword hashes a staff password for storage (package api/auth
	// provides it); required for CreateUser and a password change.
	HashPassword func(password string) (string, error)
	// OnFreed, when set, hears that a practitioner may have more free time
	// (hours or overrides changed, time off moved or removed): the
	// waitlist offers it (Waitlist.Freed).
	OnFreed func(ctx context.Context, practitionerID string, window Interval)
	// Bookings cancels the visits a schedule change covers when the caller
	// asks for it (VisitsCancel), with the patients' emails; nil = such a
	// request is refused as invalid.
	Bookings *Scheduler
}

// freed tells OnFreed that practitionerID's time from now on may have
// opened; the waitlist clamps the window to the booking horizon.
func (s *Setup) freed(ctx context.Context, practitionerID string, err error) {
	if err != nil || s.OnFreed == nil {
		return
	}
	now := s.Clock.Now()
	s.OnFreed(ctx, practitionerID, Interval{now, now.AddDate(2, 0, 0)})
}

// change writes what write does and an audit entry in one transaction.
// write returns the entity's id and the snapshot after the change.
func (s *Setup) change(ctx context.Context, by Actor, action, entityType string, before any, write func(tx SetupWriter) (id string, after any, err error)) error {
	return s.Store.Atomically(ctx, func(tx SetupWriter) error {
		id, after, err := write(tx)
		if err != nil {
			return err
		}
		e := AuditEntry{ID: NewID(), At: s.Clock.Now(), Actor: by, Action: action,
			EntityType: entityType, EntityID: id, Before: before, After: after}
		if err := tx.RecordAudit(ctx, e); err != nil {
			return fmt.Errorf("record audit %s: %w", action, err)
		}
		return nil
	})
}

// SaveClinic replaces the clinic's settings.
func (s *Setup) SaveClinic(ctx context.Context, by Actor, c Clinic) (Clinic, error) {
	if err := c.Validate(); err != nil {
		return Clinic{}, err
	}
	before, err := s.Store.Clinic(ctx)
	if err != nil && ErrorKind(err) != KindNotFound {
		return Clinic{}, err
	}
	c.UpdatedAt = s.Clock.Now()
	err = s.change(ctx, by, "clinic.update", "clinic", before, func(tx SetupWriter) (string, any, error) {
		return "clinic", c, tx.SaveClinic(ctx, c)
	})
	return c, err
}

// CreateService adds a service.
func (s *Setup) CreateService(ctx context.Context, by Actor, v Service) (Service, error) {
	if err := v.Validate(); err != nil {
		return Service{}, err
	}
	if v.ID == "" {
		v.ID = NewID()
	}
	err := s.change(ctx, by, "service.create", "service", nil, func(tx SetupWriter) (string, any, error) {
		err := tx.CreateService(ctx, &v)
		return v.ID, v, err
	})
	return v, err
}

// UpdateService replaces every field of the service with v's ID;
// ErrNotFound when there is none.
func (s *Setup) UpdateService(ctx context.Context, by Actor, v Service) (Service, error) {
	before, err := s.Store.Service(ctx, v.ID)
	if err != nil {
		return Service{}, err
	}
	if err := v.Validate(); err != nil {
		return Service{}, err
	}
	err = s.change(ctx, by, "service.update", "service", before, func(tx SetupWriter) (string, any, error) {
		err := tx.UpdateService(ctx, &v)
		return v.ID, v, err
	})
	return v, err
}

// CreatePractitioner adds a practitioner; an unknown service id is invalid
// "service_ids".
func (s *Setup) CreatePractitioner(ctx context.Context, by Actor, p Practitioner) (Practitioner, error) {
	p.Email = NormalizeEmail(p.Email)
	if err := p.Validate(); err != nil {
		return Practitioner{}, err
	}
	if p.ID == "" {
		p.ID = NewID()
	}
	err := s.change(ctx, by, "practitioner.create", "practitioner", nil, func(tx SetupWriter) (string, any, error) {
		err := tx.CreatePractitioner(ctx, &p)
		return p.ID, p, err
	})
	return p, err
}

// UpdatePractitioner replaces every field of the practitioner with p's ID;
// ErrNotFound when there is none.
func (s *Setup) UpdatePractitioner(ctx context.Context, by Actor, p Practitioner) (Practitioner, error) {
	before, err := s.Store.Practitioner(ctx, p.ID)
	if err != nil {
		return Practitioner{}, err
	}
	p.Email = NormalizeEmail(p.Email)
	if err := p.Validate(); err != nil {
		return Practitioner{}, err
	}
	err = s.change(ctx, by, "practitioner.update", "practitioner", before, func(tx SetupWriter) (string, any, error) {
		err := tx.UpdatePractitioner(ctx, &p)
		return p.ID, p, err
	})
	return p, err
}

// MaxWeeklyIntervals bounds a practitioner's weekly hours.
const MaxWeeklyIntervals = 7 * 24

// SetWorkingHours replaces all of a practitioner's weekly hours.
func (s *Setup) SetWorkingHours(ctx context.Context, by Actor, practitionerID string, hours []WorkingHours) ([]WorkingHours, error) {
	if _, err := s.Store.Practitioner(ctx, practitionerID); err != nil {
		return nil, err
	}
	var v Validation
	v.Check(len(hours) <= MaxWeeklyIntervals, "hours", "At most 168 intervals.")
	for i := range hours {
		field := fmt.Sprintf("hours[%d]", i)
		v.Check(hours[i].Weekday >= time.Sunday && hours[i].Weekday <= time.Saturday, field+".weekday", "Use 0 (Sunday) to 6 (Saturday).")
		v.Check(hours[i].Range.Validate() == nil, field+".end", "The interval must not be empty and must lie within a day.")
		hours[i].ID, hours[i].PractitionerID = NewID(), practitionerID
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	before, err := s.Store.WorkingHours(ctx, practitionerID)
	if err != nil {
		return nil, err
	}
	err = s.change(ctx, by, "hours.update", "practitioner", before, func(tx SetupWriter) (string, any, error) {
		return practitionerID, hours, tx.SetWorkingHours(ctx, practitionerID, hours)
	})
	s.freed(ctx, practitionerID, err)
	return hours, err
}

// SaveDateOverride creates or replaces the override of o.Date; no ranges
// means closed that day.
//
// Confirmed visits it leaves outside the day's hours refuse it
// (*VisitsCoveredError); see SaveDateOverrideOver.
func (s *Setup) SaveDateOverride(ctx context.Context, by Actor, o DateOverride) (DateOverride, error) {
	return s.SaveDateOverrideOver(ctx, by, o, OverVisits{})
}

// SaveDateOverrideOver is SaveDateOverride with the caller's answer for
// the confirmed visits the override leaves outside the day's hours.
func (s *Setup) SaveDateOverrideOver(ctx context.Context, by Actor, o DateOverride, over OverVisits) (DateOverride, error) {
	if _, err := s.Store.Practitioner(ctx, o.PractitionerID); err != nil {
		return DateOverride{}, err
	}
	var v Validation
	v.Check(len([]rune(o.Note)) <= 500, "note", "At most 500 characters.")
	v.Text("note", o.Note)
	v.Check(o.Date.Year >= MinYear && o.Date.Year <= MaxYear, "date", fmt.Sprintf("Give a date between the years %d and %d.", MinYear, MaxYear))
	for i, r := range o.Ranges {
		v.Check(r.Validate() == nil, fmt.Sprintf("ranges[%d].end", i), "The interval must not be empty and must lie within a day.")
	}
	if err := v.Err(); err != nil {
		return DateOverride{}, err
	}
	if !over.Action.Valid() {
		return DateOverride{}, Invalid("visits", "Use keep or cancel.")
	}
	if o.ID == "" {
		o.ID = NewID()
	}
	err := s.change(ctx, by, "override.save", "practitioner", nil, func(tx SetupWriter) (string, any, error) {
		covered, err := s.inTx(tx).CoveredByOverride(ctx, o)
		if err != nil {
			return "", nil, err
		}
		if err := s.settleVisits(ctx, tx, by, covered, over); err != nil {
			return "", nil, err
		}
		err = tx.SaveDateOverride(ctx, &o)
		return o.PractitionerID, auditOver(o, covered, over), err
	})
	s.freed(ctx, o.PractitionerID, err)
	return o, err
}

// DeleteDateOverride removes one of a practitioner's overrides; ErrNotFound
// when they have none with the id.
func (s *Setup) DeleteDateOverride(ctx context.Context, by Actor, practitionerID, id string) error {
	err := s.change(ctx, by, "override.delete", "practitioner", map[string]string{"override_id": id}, func(tx SetupWriter) (string, any, error) {
		return practitionerID, nil, tx.DeleteDateOverride(ctx, practitionerID, id)
	})
	s.freed(ctx, practitionerID, err)
	return err
}

// CreateTimeOff adds an interval the practitioner is away. Confirmed
// visits inside it refuse it (*VisitsCoveredError); see CreateTimeOffOver.
func (s *Setup) CreateTimeOff(ctx context.Context, by Actor, t TimeOff) (TimeOff, error) {
	return s.CreateTimeOffOver(ctx, by, t, OverVisits{})
}

// CreateTimeOffOver is CreateTimeOff with the caller's answer for the
// confirmed visits the time off covers.
func (s *Setup) CreateTimeOffOver(ctx context.Context, by Actor, t TimeOff, over OverVisits) (TimeOff, error) {
	if _, err := s.Store.Practitioner(ctx, t.PractitionerID); err != nil {
		return TimeOff{}, err
	}
	if err := checkTimeOff(t); err != nil {
		return TimeOff{}, err
	}
	if t.ID == "" {
		t.ID = NewID()
	}
	t.Start, t.End = t.Start.UTC(), t.End.UTC()
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = s.Clock.Now().UTC()
	}
	if !over.Action.Valid() {
		return TimeOff{}, Invalid("visits", "Use keep or cancel.")
	}
	err := s.change(ctx, by, "time_off.create", "practitioner", nil, func(tx SetupWriter) (string, any, error) {
		covered, err := s.coverTimeOff(ctx, tx, by, t, over)
		if err != nil {
			return "", nil, err
		}
		err = tx.CreateTimeOff(ctx, &t)
		return t.PractitionerID, auditOver(t, covered, over), err
	})
	return t, err
}

// UpdateTimeOff changes the start, end and reason of the practitioner's
// time off with t's ID in place (feeds show a new SEQUENCE of the same
// event); ErrNotFound when they have none with the id. Confirmed visits
// inside the new interval refuse it (*VisitsCoveredError); see
// UpdateTimeOffOver.
func (s *Setup) UpdateTimeOff(ctx context.Context, by Actor, t TimeOff) (TimeOff, error) {
	return s.UpdateTimeOffOver(ctx, by, t, OverVisits{})
}

// UpdateTimeOffOver is UpdateTimeOff with the caller's answer for the
// confirmed visits the changed time off covers.
func (s *Setup) UpdateTimeOffOver(ctx context.Context, by Actor, t TimeOff, over OverVisits) (TimeOff, error) {
	if err := checkTimeOff(t); err != nil {
		return TimeOff{}, err
	}
	t.Start, t.End = t.Start.UTC(), t.End.UTC()
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = s.Clock.Now().UTC()
	}
	if !over.Action.Valid() {
		return TimeOff{}, Invalid("visits", "Use keep or cancel.")
	}
	err := s.change(ctx, by, "time_off.update", "practitioner", nil, func(tx SetupWriter) (string, any, error) {
		covered, err := s.coverTimeOff(ctx, tx, by, t, over)
		if err != nil {
			return "", nil, err
		}
		err = tx.UpdateTimeOff(ctx, &t)
		return t.PractitionerID, auditOver(t, covered, over), err
	})
	s.freed(ctx, t.PractitionerID, err)
	return t, err
}

func checkTimeOff(t TimeOff) error {
	var v Validation
	v.Check(!t.Start.IsZero(), "start", "Give the start.")
	v.Check(!t.End.IsZero(), "end", "Give the end.")
	v.Instant("start", t.Start)
	v.Instant("end", t.End)
	v.Check(t.Start.Before(t.End), "end", "Must be after start.")
	v.Check(len([]rune(t.Reason)) <= 500, "reason", "At most 500 characters.")
	v.Text("reason", t.Reason)
	return v.Err()
}

// DeleteTimeOff removes a practitioner's time off; ErrNotFound when they
// have none with the id.
func (s *Setup) DeleteTimeOff(ctx context.Context, by Actor, practitionerID, id string) error {
	err := s.change(ctx, by, "time_off.delete", "practitioner", map[string]string{"time_off_id": id}, func(tx SetupWriter) (string, any, error) {
		return practitionerID, nil, tx.DeleteTimeOff(ctx, practitionerID, id)
	})
	s.freed(ctx, practitionerID, err)
	return err
}

// CreateFeedToken stores a new feed token (the caller keeps its secret);
// an unknown practitioner is invalid "practitioner_id".
func (s *Setup) CreateFeedToken(ctx context.Context, by Actor, t FeedToken) (FeedToken, error) {
	if !t.Privacy.Valid() {
		return FeedToken{}, Invalid("privacy", "Use busy, initials or full.")
	}
	if t.PractitionerID != "" {
		if _, err := s.Store.Practitioner(ctx, t.PractitionerID); err != nil {
			return FeedToken{}, asInvalid(err, "practitioner_id", "Unknown practitioner.")
		}
	}
	if t.ID == "" {
		t.ID = NewID()
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.Clock.Now()
	}
	err := s.change(ctx, by, "feed_token.create", "feed_token", nil, func(tx SetupWriter) (string, any, error) {
		err := tx.CreateFeedToken(ctx, &t)
		return t.ID, feedTokenSnapshot(t), err
	})
	return t, err
}

// RevokeFeedToken revokes a feed token at once; ErrNotFound when none has
// the id.
func (s *Setup) RevokeFeedToken(ctx context.Context, by Actor, id string) error {
	tokens, err := s.Store.FeedTokens(ctx)
	if err != nil {
		return err
	}
	var found *FeedToken
	for i := range tokens {
		if tokens[i].ID == id && tokens[i].RevokedAt.IsZero() {
			found = &tokens[i]
		}
	}
	if found == nil {
		return ErrNotFound
	}
	return s.change(ctx, by, "feed_token.revoke", "feed_token", feedTokenSnapshot(*found), func(tx SetupWriter) (string, any, error) {
		return id, nil, tx.RevokeFeedToken(ctx, id, s.Clock.Now())
	})
}

// feedTokenSnapshot is a token as the audit log keeps it: without its hash.
func feedTokenSnapshot(t FeedToken) FeedToken {
	t.Hash = ""
	return t
}

// RetryMessage puts a dead outbox message back in the queue, due now.
func (s *Setup) RetryMessage(ctx context.Context, by Actor, id string) error {
	return s.change(ctx, by, "notification.retry", "notification", nil, func(tx SetupWriter) (string, any, error) {
		return id, nil, tx.RetryMessage(ctx, id, s.Clock.Now())
	})
}

// asInvalid turns a not-found error into an invalid field.
func asInvalid(err error, field, message string) error {
	if ErrorKind(err) == KindNotFound {
		return Invalid(field, message)
	}
	return err
}
