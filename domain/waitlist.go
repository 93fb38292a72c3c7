package domain

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// WaitlistStatus is where a waitlist entry is.
type WaitlistStatus string

const (
	WaitlistWaiting WaitlistStatus = "waiting" // in the line
	WaitlistOffered WaitlistStatus = "offered" // holds an open offer
	WaitlistBooked  WaitlistStatus = "booked"  // accepted an offer
	WaitlistExpired WaitlistStatus = "expired" // its last date passed
	WaitlistRemoved WaitlistStatus = "removed" // the patient left, or staff removed it
)

// DayPart is a part of the day a patient can come, in the entry's zone:
// a slot belongs to the part its start falls in.
type DayPart string

const (
	Morning   DayPart = "morning"   // 05:00–12:00
	Afternoon DayPart = "afternoon" // 12:00–17:00
	Evening   DayPart = "evening"   // 17:00–23:00
)

// DayParts lists the parts in the order of the day.
var DayParts = []DayPart{Morning, Afternoon, Evening}

// partOf is the part of the day a local time falls in, "" for the night.
func partOf(t time.Time) DayPart {
	switch h := t.Hour(); {
	case h >= 5 && h < 12:
		return Morning
	case h >= 12 && h < 17:
		return Afternoon
	case h >= 17 && h < 23:
		return Evening
	}
	return ""
}

// WaitlistEntry is a patient's request to hear of a time that opens.
type WaitlistEntry struct {
	ID             string
	ServiceID      string
	PractitionerID string // "" = anyone who performs the service
	PatientID      string
	Patient        Patient
	// BookingID is the patient's booking an accepted offer moves (joined
	// from the manage page: "tell me if something earlier opens"); "" = a
	// new visit, unless the patient has a later one of the service anyway.
	BookingID  string
	From, To   Date // inclusive days in TimeZone
	TimeZone   string
	Times      []DayPart // empty = any time of day
	Intake     *Intake   // the case review's questionnaire, for its booking
	Status     WaitlistStatus
	ManageHash string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Offer      *Offer // the open offer, when there is one (read, never written)
}

// Active reports whether the entry still waits or holds an offer.
func (e WaitlistEntry) Active() bool {
	return e.Status == WaitlistWaiting || e.Status == WaitlistOffered
}

// suits reports whether a slot starting at start suits the entry: on one
// of its days and in one of its parts of the day, in its zone.
func (e WaitlistEntry) suits(start time.Time) bool {
	loc, err := LoadZone(e.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	local := start.In(loc)
	d := DateOf(local)
	if d.Before(e.From) || e.To.Before(d) {
		return false
	}
	return len(e.Times) == 0 || slices.Contains(e.Times, partOf(local))
}

// OfferStatus is where an offer is.
type OfferStatus string

const (
	OfferOpen      OfferStatus = "open"
	OfferAccepted  OfferStatus = "accepted"
	OfferDeclined  OfferStatus = "declined"
	OfferExpired   OfferStatus = "expired"
	OfferWithdrawn OfferStatus = "withdrawn" // the entry was removed, or the time went meanwhile
)

// Offer is one freed time held for one waitlist entry until ExpiresAt.
type Offer struct {
	ID             string
	EntryID        string
	PatientID      string
	PractitionerID string
	Start, End     time.Time
	TokenHash      string
	Status         OfferStatus
	ExpiresAt      time.Time
	BookingID      string // the booking an accepted offer made or moved
	HoldID         string // the hold that keeps the time while the offer is open
	OfferedBy      string // the staff user who chose the patient; "" = the line
	CreatedAt      time.Time
	ClosedAt       time.Time
}

// Errors of the waitlist.
var (
	// ErrOfferGone answers an accept or decline of an offer that expired
	// or was already answered: nothing is booked.
	ErrOfferGone = &Error{Kind: KindConflict, Field: "offer",
		Message: "This offer has expired or was already answered, and the time has been passed on. Nothing was booked; you are still on the waitlist unless you left it."}
	// ErrOfferTaken is what a store returns when an open offer already
	// holds the entry, the patient or the time.
	ErrOfferTaken = &Error{Kind: KindConflict, Message: "An open offer already holds this patient or this time."}
	// ErrAlreadyWaiting answers a second entry for the same service and
	// practitioner while the first still waits.
	ErrAlreadyWaiting = &Error{Kind: KindConflict, Field: "patient.email",
		Message: "You are already on the waitlist for this service; we will email you when a time opens."}
)

// WaitlistFilter selects waitlist entries, in line order (oldest first).
type WaitlistFilter struct {
	Statuses  []WaitlistStatus
	ServiceID string
	// PractitionerID keeps entries that name the practitioner or anyone.
	PractitionerID string
	PatientID      string
	// FromDay and ToDay keep entries whose days overlap [FromDay, ToDay]
	// (a zero bound: unbounded), with a day's slack either side, as an
	// entry's days are in its own zone.
	FromDay, ToDay Date
	Limit          int // 0 = no limit
}

// OfferFilter selects offers, by start.
type OfferFilter struct {
	Statuses       []OfferStatus
	EntryIDs       []string
	ExpiresBy      time.Time // offers expiring at or before it; zero = any
	PractitionerID string
}

// WaitlistStore is what the waitlist needs beyond the Scheduler.
type WaitlistStore interface {
	Clinic(ctx context.Context) (Clinic, error)
	Practitioners(ctx context.Context, all bool) ([]Practitioner, error)
	Booking(ctx context.Context, id string) (BookingDetail, error)
	Bookings(ctx context.Context, f BookingFilter) ([]BookingDetail, error)
	// WaitlistEntries returns matches in line order with their patient and
	// open offer attached.
	WaitlistEntries(ctx context.Context, f WaitlistFilter) ([]WaitlistEntry, error)
	// WaitlistEntry and WaitlistEntryByHash return one entry, as above;
	// ErrNotFound when none.
	WaitlistEntry(ctx context.Context, id string) (WaitlistEntry, error)
	WaitlistEntryByHash(ctx context.Context, hash string) (WaitlistEntry, error)
	// OfferByHash returns the offer a link opens, ErrNotFound when none.
	OfferByHash(ctx context.Context, hash string) (Offer, error)
	Offers(ctx context.Context, f OfferFilter) ([]Offer, error)
	// Atomically runs fn in one transaction; its tx is a WaitlistWriter.
	Atomically(ctx context.Context, fn func(tx SetupWriter) error) error
}

// WaitlistWriter is the writes of a waitlist change, made in one
// transaction with its audit entry and emails.
type WaitlistWriter interface {
	// CreateWaitlistEntry finds the patient by email or creates them (as
	// CreateBooking does), sets e.PatientID and e.Patient, and stores e.
	CreateWaitlistEntry(ctx context.Context, e *WaitlistEntry) error
	// SetWaitlistStatus changes an entry's status; ErrNotFound when none.
	SetWaitlistStatus(ctx context.Context, id string, st WaitlistStatus, at time.Time) error
	// CreateOffer stores an open offer; ErrOfferTaken when an open offer
	// holds its entry, its patient or its practitioner's start already.
	CreateOffer(ctx context.Context, o *Offer) error
	// CloseOffer moves an open offer to st; ErrOfferGone when it is not
	// open (answered, expired or withdrawn meanwhile).
	CloseOffer(ctx context.Context, id string, st OfferStatus, at time.Time) error
	// CreateHold and DeleteHold are HoldStore's: an open offer keeps its
	// time as a hold, which the database excludes against every other
	// booking and hold.
	CreateHold(ctx context.Context, h *Hold, now time.Time, audit *AuditEntry) error
	DeleteHold(ctx context.Context, id string, audit *AuditEntry) error
	// AddMessages queues emails in the outbox.
	AddMessages(ctx context.Context, msgs []Message) error
	RecordAudit(ctx context.Context, e AuditEntry) error
}

// OfferClaim is the accepting of an offer, written in the booking's
// transaction (Effects.Offer): the offer must still be open and unexpired
// at At, or the store returns ErrOfferGone and writes nothing.
type OfferClaim struct {
	OfferID string
	EntryID string
	At      time.Time
	Audit   AuditEntry
}

// DefaultOfferFor is how long an offer holds its time (WAITLIST_OFFER_MINUTES).
const DefaultOfferFor = 30 * time.Minute

// minOfferAnswer is the least time a patient is given to answer an offer;
// a freed time that leaves less before its minimum notice is not offered.
const minOfferAnswer = 5 * time.Minute

// maxWaitlistDays bounds an entry's range of days.
const maxWaitlistDays = 366

// Waitlist is the fair waitlist: patients wait in line per service, and
// each freed time is offered to the one who has waited longest whom it
// suits, held for them alone until the offer expires. Every change goes
// through one of its methods, with its audit entry and emails in one
// transaction.
type Waitlist struct {
	Store     WaitlistStore
	Scheduler *Scheduler // availability, and the booking an accepted offer makes or moves
	Clock     Clock
	BaseURL   string
	OfferFor  time.Duration // 0 = DefaultOfferFor
	// OnError hears of a failure in matching that no caller waits for
	// (a freed time from a cancellation); nil = dropped. The periodic
	// Tick offers the time later anyway.
	OnError func(error)
}

// Joined answers a join: the entry and the patient's secret link to it.
type Joined struct {
	Entry       WaitlistEntry
	ManageToken string
	ManageURL   string
}

// JoinRequest asks to join the waitlist. Dates are "YYYY-MM-DD" in
// TimeZone ("" = the clinic's).
type JoinRequest struct {
	ServiceID      string
	PractitionerID string
	Patient        Patient
	From, To       string
	TimeZone       string
	Times          []string
	Intake         *Intake
	// BookingToken is the manage token of the booking to move earlier;
	// the service, practitioner and patient are then the booking's.
	BookingToken string
	Actor        Actor
}

func (w *Waitlist) now() time.Time {
	if w.Clock == nil {
		return SystemClock.Now()
	}
	return w.Clock.Now()
}

func (w *Waitlist) offerFor() time.Duration {
	if w.OfferFor <= 0 {
		return DefaultOfferFor
	}
	return w.OfferFor
}

func (w *Waitlist) link(kind, token string) string {
	return strings.TrimRight(w.BaseURL, "/") + "/" + kind + "/" + token
}

// EntryURL is the patient's page for an entry's raw token.
func (w *Waitlist) EntryURL(token string) string { return w.link("waitlist", token) }

// OfferURL is the patient's page for an offer's raw token.
func (w *Waitlist) OfferURL(token string) string { return w.link("offers", token) }

// atomically runs fn with the store's transaction as a WaitlistWriter.
func (w *Waitlist) atomically(ctx context.Context, fn func(tx WaitlistWriter) error) error {
	return w.Store.Atomically(ctx, func(tx SetupWriter) error {
		wt, ok := tx.(WaitlistWriter)
		if !ok {
			return fmt.Errorf("waitlist: the store's transaction %T cannot write the waitlist", tx)
		}
		return fn(wt)
	})
}

// audit records a waitlist change in tx.
func (w *Waitlist) audit(ctx context.Context, tx WaitlistWriter, by Actor, action, id string, before, after any, now time.Time) error {
	e := AuditEntry{ID: NewID(), At: now, Actor: by, Action: action, EntityType: "waitlist_entry",
		EntityID: id, Before: before, After: after}
	if err := tx.RecordAudit(ctx, e); err != nil {
		return fmt.Errorf("record audit %s: %w", action, err)
	}
	return nil
}

// Join puts a patient in the line. Errors: KindInvalid naming every bad
// field at once ("service_id", "practitioner_id", "from", "to",
// "time_zone", "times", "patient.*", "intake"), ErrAlreadyWaiting, and
// ErrNotFound for a booking token that opens nothing. A time that is free
// and suits the entry now is offered at once, when nobody earlier in line
// wants it.
func (w *Waitlist) Join(ctx context.Context, req JoinRequest) (Joined, error) {
	c, err := w.Store.Clinic(ctx)
	if err != nil {
		return Joined{}, wrap("load clinic", err)
	}
	now := w.now()
	e, err := w.newEntry(ctx, c, req, now)
	if err != nil {
		return Joined{}, err
	}
	waiting, err := w.Store.WaitlistEntries(ctx, WaitlistFilter{Statuses: []WaitlistStatus{WaitlistWaiting, WaitlistOffered},
		ServiceID: e.ServiceID})
	if err != nil {
		return Joined{}, wrap("load waitlist", err)
	}
	for _, x := range waiting {
		if x.Patient.Email == e.Patient.Email && x.PractitionerID == e.PractitionerID {
			return Joined{}, ErrAlreadyWaiting
		}
	}
	token, hash := NewToken()
	e.ManageHash = hash
	err = w.atomically(ctx, func(tx WaitlistWriter) error {
		if err := tx.CreateWaitlistEntry(ctx, &e); err != nil {
			return err
		}
		return w.audit(ctx, tx, req.Actor, "waitlist.join", e.ID, nil, entrySnapshot(e), now)
	})
	if err != nil {
		return Joined{}, wrap("join waitlist", err)
	}
	w.matchQuietly(ctx, "", Interval{now, now.Add(c.Policy.Horizon)})
	if got, err := w.Store.WaitlistEntry(ctx, e.ID); err == nil {
		e = got
	}
	e.ManageHash = ""
	return Joined{Entry: e, ManageToken: token, ManageURL: w.EntryURL(token)}, nil
}

// newEntry validates req into an entry.
func (w *Waitlist) newEntry(ctx context.Context, c Clinic, req JoinRequest, now time.Time) (WaitlistEntry, error) {
	s := w.Scheduler
	var v Validation
	e := WaitlistEntry{ID: NewID(), Status: WaitlistWaiting, CreatedAt: now, UpdatedAt: now,
		ServiceID: req.ServiceID, PractitionerID: req.PractitionerID, Patient: cleanPatient(req.Patient), Intake: req.Intake}
	var cap Date // the booking's day, when moving one: only earlier times
	if req.BookingToken != "" {
		d, err := s.byToken(ctx, req.BookingToken)
		if err != nil {
			return WaitlistEntry{}, err
		}
		if !d.Live() || d.Status != StatusConfirmed || !now.Before(d.Start) {
			return WaitlistEntry{}, Conflict("Only an upcoming visit can be moved earlier.")
		}
		e.ServiceID, e.PractitionerID, e.BookingID = d.ServiceID, d.PractitionerID, d.ID
		e.Patient, e.Intake = d.Patient, d.Intake
		if req.TimeZone == "" {
			req.TimeZone = d.TimeZone
		}
		cap = DateOf(d.Start.In(bookingLocation(d.Booking, c)))
	}
	svc, svcOK, err := s.serviceFor(ctx, e.ServiceID, req.Actor.Staff(), &v)
	if err != nil {
		return WaitlistEntry{}, err
	}
	if e.PractitionerID != "" {
		if _, _, err := s.practitionerFor(ctx, e.PractitionerID, svc, svcOK, &v); err != nil {
			return WaitlistEntry{}, err
		}
	}
	e.TimeZone = req.TimeZone
	if e.TimeZone == "" {
		e.TimeZone = c.TimeZone
	}
	zoneOK := validZone(e.TimeZone)
	v.Check(zoneOK, "time_zone", "Use an IANA time zone such as Europe/London.")
	loc := c.Location()
	if zoneOK {
		loc, _ = LoadZone(e.TimeZone)
	}
	e.From, e.To = checkEntryDays(&v, req.From, req.To, DateOf(now.In(loc)), cap)
	e.Times = checkTimes(&v, req.Times)
	if req.BookingToken == "" {
		mergeInto(&v, e.Patient.Validate("patient."))
		checkIntake(&v, req.Intake, svc, svcOK)
	}
	if err := v.Err(); err != nil {
		return WaitlistEntry{}, err
	}
	return e, nil
}

// bookingLocation is the zone a booking's patient sees it in.
func bookingLocation(b Booking, c Clinic) *time.Location {
	if loc, err := LoadZone(b.TimeZone); err == nil {
		return loc
	}
	return c.Location()
}

// checkEntryDays parses an entry's days: from today (or later) to at most
// maxWaitlistDays on, never past cap when it is set.
func checkEntryDays(v *Validation, from, to string, today, cap Date) (Date, Date) {
	f, ferr := parseDay(v, "from", from)
	t, terr := parseDay(v, "to", to)
	if ferr != nil || terr != nil {
		return f, t
	}
	switch {
	case t.Before(f):
		v.Add("to", "The last day must not be before the first.")
	case t.Before(today):
		v.Add("to", "That day has passed; choose days from today on.")
	case f.AddDays(maxWaitlistDays).Before(t):
		v.Add("to", "Choose at most a year of days.")
	case !cap.IsZero() && !f.Before(cap):
		v.Add("from", "Choose days before your visit: the waitlist finds you an earlier time.")
	}
	if f.Before(today) {
		f = today
	}
	if !cap.IsZero() && cap.Before(t) {
		t = cap
	}
	return f, t
}

func parseDay(v *Validation, field, s string) (Date, error) {
	if s == "" {
		v.Add(field, "Choose a day.")
		return Date{}, errors.New("missing")
	}
	d, err := ParseDate(s)
	if err != nil {
		v.Add(field, "Use a date such as 2026-03-14.")
	}
	return d, err
}

// checkTimes reads the parts of the day; none means any.
func checkTimes(v *Validation, times []string) []DayPart {
	var out []DayPart
	for _, t := range times {
		p := DayPart(t)
		if !slices.Contains(DayParts, p) {
			v.Add("times", "Use morning, afternoon or evening.")
			return nil
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) == len(DayParts) {
		return nil
	}
	slices.SortFunc(out, func(a, b DayPart) int { return slices.Index(DayParts, a) - slices.Index(DayParts, b) })
	return out
}

// entrySnapshot is the entry as the audit log keeps it: no secret hash.
func entrySnapshot(e WaitlistEntry) WaitlistEntry {
	e.ManageHash, e.Offer, e.Intake = "", nil, nil
	return e
}

// offerSnapshot is the offer as the audit log keeps it.
func offerSnapshot(o Offer) Offer {
	o.TokenHash = ""
	return o
}

// EntryByToken returns the entry a patient's link opens, with its open
// offer; ErrNotFound for a wrong token.
func (w *Waitlist) EntryByToken(ctx context.Context, token string) (WaitlistEntry, error) {
	if token == "" || len(token) > maxTokenLength {
		return WaitlistEntry{}, ErrNotFound
	}
	e, err := w.Store.WaitlistEntryByHash(ctx, HashToken(token))
	if err != nil {
		return WaitlistEntry{}, wrap("find waitlist entry", err)
	}
	e.ManageHash = ""
	return e, nil
}

// Leave takes the patient's entry out of the line by its link; an open
// offer is withdrawn and its time passed on.
func (w *Waitlist) Leave(ctx context.Context, token string) (WaitlistEntry, error) {
	e, err := w.EntryByToken(ctx, token)
	if err != nil {
		return WaitlistEntry{}, err
	}
	return w.remove(ctx, ActorPatient, e)
}

// Remove takes entry id out of the line for staff.
func (w *Waitlist) Remove(ctx context.Context, by Actor, id string) (WaitlistEntry, error) {
	if !by.Staff() {
		return WaitlistEntry{}, ErrForbidden
	}
	if !IsID(id) {
		return WaitlistEntry{}, ErrNotFound
	}
	e, err := w.Store.WaitlistEntry(ctx, id)
	if err != nil {
		return WaitlistEntry{}, wrap("load waitlist entry", err)
	}
	if by.Role == RolePractitioner && (!IsID(by.PractitionerID) || e.PractitionerID != by.PractitionerID) {
		return WaitlistEntry{}, ErrForbidden
	}
	return w.remove(ctx, by, e)
}

func (w *Waitlist) remove(ctx context.Context, by Actor, e WaitlistEntry) (WaitlistEntry, error) {
	if !e.Active() {
		return WaitlistEntry{}, Conflict("This entry is no longer on the waitlist.")
	}
	now := w.now()
	before := entrySnapshot(e)
	offer := e.Offer
	err := w.atomically(ctx, func(tx WaitlistWriter) error {
		if offer != nil {
			if err := tx.CloseOffer(ctx, offer.ID, OfferWithdrawn, now); err != nil && !errors.Is(err, ErrOfferGone) {
				return err
			}
			if err := releaseHold(ctx, tx, *offer); err != nil {
				return err
			}
		}
		if err := tx.SetWaitlistStatus(ctx, e.ID, WaitlistRemoved, now); err != nil {
			return err
		}
		after := before
		after.Status, after.UpdatedAt = WaitlistRemoved, now
		return w.audit(ctx, tx, by, "waitlist.remove", e.ID, before, after, now)
	})
	if err != nil {
		return WaitlistEntry{}, wrap("remove waitlist entry", err)
	}
	if offer != nil {
		w.matchQuietly(ctx, offer.PractitionerID, Interval{offer.Start, offer.End})
	}
	e.Status, e.UpdatedAt, e.Offer = WaitlistRemoved, now, nil
	return e, nil
}

// Entries lists the waitlist for staff, in line order; a practitioner
// sees the entries that name them or anyone.
func (w *Waitlist) Entries(ctx context.Context, by Actor, f WaitlistFilter) ([]WaitlistEntry, error) {
	if !by.Staff() {
		return nil, ErrForbidden
	}
	scope, err := by.Scope(f.PractitionerID)
	if err != nil {
		return nil, err
	}
	f.PractitionerID = scope
	if len(f.Statuses) == 0 {
		f.Statuses = []WaitlistStatus{WaitlistWaiting, WaitlistOffered}
	}
	list, err := w.Store.WaitlistEntries(ctx, f)
	if err != nil {
		return nil, wrap("list waitlist", err)
	}
	for i := range list {
		list[i].ManageHash = ""
	}
	return list, nil
}
