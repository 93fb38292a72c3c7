package domain

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// BusyCalendar is one of a practitioner's own calendars (Google's secret
// address, Outlook's published ICS, iCloud's public link) whose events are
// imported as busy time. Its URL is a secret: only URLHint is ever shown,
// and SealedURL is the URL as the store keeps it (see BusyImport.Key).
type BusyCalendar struct {
	ID, PractitionerID string
	Label              string
	URLHint            string // scheme and host, then "…"
	URLHash            string // HashToken of the URL, so one URL is added once
	SealedURL          []byte
	CreatedAt          time.Time

	// What the last fetches left: LastFetchedAt is the last success (zero:
	// none yet), LastError the last failure's message ("" after a success),
	// Failures the failures since the last success, Events the busy event
	// instances read at the last success that changed something.
	LastFetchedAt, LastAttemptAt time.Time
	LastError                    string
	Failures                     int
	Events                       int

	// The conditional-fetch state: the validators the server sent, a hash
	// of the last body read, and how far ahead it was expanded.
	ETag, LastModified, BodyHash string
	ExpandedUntil                time.Time
	NextFetchAt                  time.Time
}

// BusyAlertAfter is how many failed fetches in a row make a calendar
// Alerting: one failure is usually a blip, three at the default interval
// are a quarter of an hour of stale busy time.
const BusyAlertAfter = 3

// Alerting reports whether staff should be told the calendar is failing.
// Its last good busy time is still used.
func (c BusyCalendar) Alerting() bool { return c.Failures >= BusyAlertAfter }

// BusyFetch is what one poll of a calendar leaves in the store.
type BusyFetch struct {
	CalendarID, PractitionerID string
	At                         time.Time // when the fetch ran
	Next                       time.Time // when the calendar is due again
	Err                        string    // "" for a success
	// On success: the validators for the next fetch. Replace is true when
	// the feed was read: Intervals (sorted, merged) then replace the
	// calendar's busy time and Events its count.
	ETag, LastModified, BodyHash string
	Replace                      bool
	Intervals                    []Interval
	Events                       int
	ExpandedUntil                time.Time
}

// BusyWriter is the writes adding or removing a busy calendar makes, in
// the transaction of its audit entry (SetupWriter has them).
type BusyWriter interface {
	// CreateBusyCalendar stores c, due at once; ErrNotFound for an unknown
	// practitioner, ErrDuplicate when they already have the URL.
	CreateBusyCalendar(ctx context.Context, c *BusyCalendar) error
	// DeleteBusyCalendar removes the calendar and its busy time;
	// ErrNotFound when the practitioner has none with the id.
	DeleteBusyCalendar(ctx context.Context, practitionerID, id string) error
	RecordAudit(ctx context.Context, e AuditEntry) error
}

// BusyStore is what the busy import needs from storage.
type BusyStore interface {
	Clinic(ctx context.Context) (Clinic, error)
	Practitioner(ctx context.Context, id string) (Practitioner, error)
	// BusyCalendars lists a practitioner's calendars by creation.
	BusyCalendars(ctx context.Context, practitionerID string) ([]BusyCalendar, error)
	// Atomically runs fn in one transaction (see SetupStore): a calendar
	// added or removed and its audit entry commit together or not at all.
	Atomically(ctx context.Context, fn func(tx SetupWriter) error) error
	// ClaimBusyCalendars takes up to limit calendars due at now and hides
	// them from every other poller until now+lease (FOR UPDATE SKIP LOCKED
	// on PostgreSQL), so two replicas never fetch one URL in one interval.
	ClaimBusyCalendars(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]BusyCalendar, error)
	// SaveBusyFetch records a fetch and releases the claim, in one
	// transaction with the new intervals when f.Replace.
	SaveBusyFetch(ctx context.Context, f BusyFetch) error
	// OwnEventUIDs returns those of uids that Frontdesk itself published
	// (a booking's UID, "timeoff-" and a time off's id).
	OwnEventUIDs(ctx context.Context, uids []string) (map[string]bool, error)
}

// Conditional carries the validators of a conditional GET; empty ones are
// not sent.
type Conditional struct{ ETag, LastModified string }

// FetchedFeed is the answer to a fetch: NotModified (a 304), or a body
// and its validators.
type FetchedFeed struct {
	NotModified        bool
	Body               []byte
	ETag, LastModified string
}

// BusyFetcher fetches a calendar's URL. Its errors are safe to show staff
// and never contain the URL.
type BusyFetcher interface {
	Fetch(ctx context.Context, rawURL string, cond Conditional) (FetchedFeed, error)
}

// BusyEvent is one instance of an event that makes its owner busy.
type BusyEvent struct {
	UID string
	Interval
}

// Expansion is what a calendar holds in a window.
type Expansion struct {
	ProdID  string
	Events  []BusyEvent // by start
	Warning string      // something was cut (an event repeating too often); "" when not
}

// ExpandRequest says how to read a calendar: floating times and all-day
// events are in Zone, and only instances overlapping Window are wanted.
type ExpandRequest struct {
	Zone   *time.Location
	Window Interval
}

// BusyExpander reads a calendar file. Its errors (invalid iCalendar) are
// safe to show staff.
type BusyExpander interface {
	Expand(body []byte, req ExpandRequest) (Expansion, error)
}

// BusyImport manages busy calendars and polls them.
type BusyImport struct {
	Store    BusyStore
	Fetcher  BusyFetcher
	Expander BusyExpander
	Clock    Clock
	// Key, when set, seals stored URLs with AES-256-GCM under its SHA-256;
	// without it URLs are stored as they are (and still never shown).
	Key []byte
	// Interval is how often each calendar is fetched (default 5 minutes).
	Interval time.Duration
	// OwnProdID is the PRODID of Frontdesk's own feeds: a calendar that is
	// one of them adds no busy time.
	OwnProdID string
}

// DefaultBusyInterval is BUSY_POLL_INTERVAL's default.
const DefaultBusyInterval = 5 * time.Minute

// NewBusyCalendar is what staff give to add a calendar.
type NewBusyCalendar struct {
	PractitionerID string
	URL, Label     string
	By             Actor // who adds it, for the audit entry
}

// busyCalendarAudit is a busy calendar as the audit log keeps it: never
// its URL (a secret), sealed or hashed.
type busyCalendarAudit struct {
	ID, PractitionerID, Label, URLHint string
}

func auditOfBusyCalendar(c BusyCalendar) busyCalendarAudit {
	return busyCalendarAudit{ID: c.ID, PractitionerID: c.PractitionerID, Label: c.Label, URLHint: c.URLHint}
}

// changeBusy writes what write does and the audit entry of a busy
// calendar in one transaction.
func (b *BusyImport) changeBusy(ctx context.Context, by Actor, action, id string, before, after any, write func(tx BusyWriter) error) error {
	return b.Store.Atomically(ctx, func(tx SetupWriter) error {
		if err := write(tx); err != nil {
			return err
		}
		e := AuditEntry{ID: NewID(), At: b.now(), Actor: by, Action: action,
			EntityType: "busy_calendar", EntityID: id, Before: before, After: after}
		if err := tx.RecordAudit(ctx, e); err != nil {
			return fmt.Errorf("record audit %s: %w", action, err)
		}
		return nil
	})
}

// AddCalendar validates and stores a new busy calendar, due for a fetch
// at once, and its audit entry (busy_calendar.create, by in.By) in the
// same transaction. Errors: KindInvalid on "url" or "label", ErrNotFound
// for an unknown practitioner, KindConflict when the practitioner has the URL.
func (b *BusyImport) AddCalendar(ctx context.Context, in NewBusyCalendar) (BusyCalendar, error) {
	u, err := ParseBusyURL(in.URL)
	if err != nil {
		return BusyCalendar{}, err
	}
	label := strings.TrimSpace(in.Label)
	if utf8.RuneCountInString(label) > 100 || LineProblem(label) != "" {
		return BusyCalendar{}, Invalid("label", "Give a label of one line, at most 100 characters.")
	}
	if label == "" {
		label = defaultBusyLabel(u)
	}
	now := b.now()
	c := BusyCalendar{
		ID: NewID(), PractitionerID: in.PractitionerID, Label: label,
		URLHint: BusyURLHint(u), URLHash: HashToken(u.String()),
		CreatedAt: now, NextFetchAt: now,
	}
	if c.SealedURL, err = b.seal(c.ID, u.String()); err != nil {
		return BusyCalendar{}, err
	}
	err = b.changeBusy(ctx, in.By, "busy_calendar.create", c.ID, nil, auditOfBusyCalendar(c), func(tx BusyWriter) error {
		return tx.CreateBusyCalendar(ctx, &c)
	})
	if errors.Is(err, ErrDuplicate) {
		return BusyCalendar{}, &Error{Kind: KindConflict, Field: "url", Message: "This calendar is already added."}
	}
	if err != nil {
		return BusyCalendar{}, wrap("create busy calendar", err)
	}
	return c, nil
}

// ParseBusyURL checks a calendar address: http or https (webcal and
// webcals are https), with a host, at most 2,048 characters. Whether the
// host may be fetched is the fetcher's decision, made when it dials.
func ParseBusyURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	bad := Invalid("url", "Give the calendar's address, starting with https:// or webcal://.")
	if raw == "" || len(raw) > 2048 {
		return nil, bad
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, bad
	}
	switch strings.ToLower(u.Scheme) {
	case "webcal", "webcals", "https":
		u.Scheme = "https"
	case "http":
		u.Scheme = "http"
	default:
		return nil, bad
	}
	u.Fragment = ""
	return u, nil
}

// BusyURLHint is what staff see of a calendar's URL: its scheme and host.
func BusyURLHint(u *url.URL) string {
	return u.Scheme + "://" + u.Host + "/…"
}

// defaultBusyLabel names a calendar by its provider, else its host.
func defaultBusyLabel(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "calendar.google.com" || strings.HasSuffix(host, ".google.com"):
		return "Google Calendar"
	case strings.HasPrefix(host, "outlook.") || strings.HasSuffix(host, ".office365.com") || strings.HasSuffix(host, ".outlook.com"):
		return "Outlook"
	case host == "icloud.com" || strings.HasSuffix(host, ".icloud.com"):
		return "iCloud"
	}
	return host
}

// Calendars lists a practitioner's busy calendars; ErrNotFound for an
// unknown practitioner.
func (b *BusyImport) Calendars(ctx context.Context, practitionerID string) ([]BusyCalendar, error) {
	if _, err := b.Store.Practitioner(ctx, practitionerID); err != nil {
		return nil, wrap("load practitioner", err)
	}
	list, err := b.Store.BusyCalendars(ctx, practitionerID)
	if err != nil {
		return nil, wrap("list busy calendars", err)
	}
	return list, nil
}

// RemoveCalendar deletes a calendar and its busy time, with its audit
// entry (busy_calendar.delete, by by) in the same transaction; ErrNotFound
// when the practitioner has no calendar with the id.
func (b *BusyImport) RemoveCalendar(ctx context.Context, by Actor, practitionerID, id string) error {
	list, err := b.Store.BusyCalendars(ctx, practitionerID)
	if err != nil {
		return wrap("list busy calendars", err)
	}
	i := slices.IndexFunc(list, func(c BusyCalendar) bool { return c.ID == id })
	if i < 0 {
		return ErrNotFound
	}
	err = b.changeBusy(ctx, by, "busy_calendar.delete", id, auditOfBusyCalendar(list[i]), nil, func(tx BusyWriter) error {
		return tx.DeleteBusyCalendar(ctx, practitionerID, id)
	})
	if err != nil {
		return wrap("delete busy calendar", err)
	}
	return nil
}

// busyLease is how long a claimed calendar stays hidden from other
// pollers: well past a fetch's timeout, so a poller that dies only delays
// its calendars.
const busyLease = 2 * time.Minute

// busyBatch is how many calendars one poll claims.
const busyBatch = 16

// Poll fetches the calendars that are due, one after another, and records
// each outcome; it returns how many it fetched. Only a store failure is an
// error: a failing calendar is recorded on the calendar.
func (b *BusyImport) Poll(ctx context.Context) (int, error) {
	now := b.now()
	cals, err := b.Store.ClaimBusyCalendars(ctx, now, busyBatch, busyLease)
	if err != nil {
		return 0, wrap("claim busy calendars", err)
	}
	for i, c := range cals {
		f := b.refresh(ctx, c, now)
		if err := b.Store.SaveBusyFetch(ctx, f); err != nil {
			return i, wrap("save busy fetch", err)
		}
	}
	return len(cals), nil
}

// Run polls until ctx ends, every tick (new calendars and calendars
// coming due are taken at the next tick); report hears store failures.
func (b *BusyImport) Run(ctx context.Context, tick time.Duration, report func(error)) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if _, err := b.Poll(ctx); err != nil && ctx.Err() == nil && report != nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// BusyWindow is the span busy time is kept for at now: from the day before
// to the clinic's horizon (at least 30 days, since staff book past it)
// and a week more, so a feed read once stays good for that week.
func BusyWindow(now time.Time, horizon time.Duration) Interval {
	ahead := max(horizon, 30*24*time.Hour) + 7*24*time.Hour
	return Interval{Start: now.Add(-24 * time.Hour).Truncate(time.Hour), End: now.Add(ahead).Truncate(time.Hour)}
}

// refresh fetches and reads one calendar. An unchanged feed (304, or the
// same body) is not read again unless the window has moved on by a day;
// any failure keeps the calendar's last good busy time.
func (b *BusyImport) refresh(ctx context.Context, c BusyCalendar, now time.Time) BusyFetch {
	f := BusyFetch{CalendarID: c.ID, PractitionerID: c.PractitionerID, At: now, Next: now.Add(b.interval())}
	fail := func(msg string) BusyFetch { f.Err = msg; return f }
	raw, err := b.unseal(c)
	if err != nil {
		return fail("The stored address cannot be read (was BUSY_URL_KEY changed?). Remove the calendar and add it again.")
	}
	window, zone, err := b.windowFor(ctx, c, now)
	if err != nil {
		return fail("The practitioner's settings could not be read.")
	}
	stale := c.ExpandedUntil.Before(window.End.Add(-24 * time.Hour))
	cond := Conditional{ETag: c.ETag, LastModified: c.LastModified}
	if stale {
		cond = Conditional{}
	}
	feed, err := b.Fetcher.Fetch(ctx, raw, cond)
	if err != nil {
		return fail(err.Error())
	}
	f.ETag, f.LastModified, f.BodyHash = c.ETag, c.LastModified, c.BodyHash
	if feed.NotModified {
		return f
	}
	f.ETag, f.LastModified = feed.ETag, feed.LastModified
	f.BodyHash = bodyHash(feed.Body)
	if f.BodyHash == c.BodyHash && !stale {
		return f
	}
	exp, err := b.Expander.Expand(feed.Body, ExpandRequest{Zone: zone, Window: window})
	if err != nil {
		f.BodyHash = c.BodyHash // read it again next time
		return fail(err.Error())
	}
	events, err := b.withoutOwn(ctx, exp)
	if err != nil {
		f.BodyHash = c.BodyHash
		return fail("Frontdesk's own events could not be looked up.")
	}
	f.Replace, f.Events, f.ExpandedUntil = true, len(events), window.End
	f.Intervals = mergeBusy(events, window)
	return f
}

// windowFor returns the busy window at now and the practitioner's zone.
func (b *BusyImport) windowFor(ctx context.Context, c BusyCalendar, now time.Time) (Interval, *time.Location, error) {
	clinic, err := b.Store.Clinic(ctx)
	if err != nil {
		return Interval{}, nil, err
	}
	p, err := b.Store.Practitioner(ctx, c.PractitionerID)
	if err != nil {
		return Interval{}, nil, err
	}
	return BusyWindow(now, clinic.Policy.Horizon), p.Location(), nil
}

// withoutOwn drops what Frontdesk published itself: a whole calendar with
// its PRODID (one of its own feeds), and events with the UIDs of its
// bookings and time off (an accepted invitation, a copied feed).
func (b *BusyImport) withoutOwn(ctx context.Context, exp Expansion) ([]BusyEvent, error) {
	if b.OwnProdID != "" && strings.EqualFold(strings.TrimSpace(exp.ProdID), b.OwnProdID) {
		return nil, nil
	}
	var uids []string
	for _, e := range exp.Events {
		if IsID(e.UID) || strings.HasPrefix(e.UID, "timeoff-") {
			uids = append(uids, e.UID)
		}
	}
	if len(uids) == 0 {
		return exp.Events, nil
	}
	slices.Sort(uids)
	own, err := b.Store.OwnEventUIDs(ctx, slices.Compact(uids))
	if err != nil || len(own) == 0 {
		return exp.Events, err
	}
	return slices.DeleteFunc(slices.Clone(exp.Events), func(e BusyEvent) bool { return own[e.UID] }), nil
}

// mergeBusy clips the events to window and merges those that overlap or
// touch, by start.
func mergeBusy(events []BusyEvent, window Interval) []Interval {
	ivs := make([]Interval, 0, len(events))
	for _, e := range events {
		iv := Interval{Start: maxT(e.Start, window.Start).UTC(), End: minT(e.End, window.End).UTC()}
		if iv.Start.Before(iv.End) {
			ivs = append(ivs, iv)
		}
	}
	slices.SortFunc(ivs, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	out := ivs[:0]
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			if iv.End.After(out[n-1].End) {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

func maxT(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minT(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func bodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return fmt.Sprintf("%x", sum)
}

func (b *BusyImport) interval() time.Duration {
	if b.Interval <= 0 {
		return DefaultBusyInterval
	}
	return b.Interval
}

func (b *BusyImport) now() time.Time {
	if b.Clock == nil {
		return SystemClock.Now()
	}
	return b.Clock.Now()
}

// Sealed URLs start with a version byte: 0 is the URL as it is (no key
// configured), 1 is nonce and AES-256-GCM ciphertext bound to the
// calendar's id.
const (
	busyURLPlain  = 0
	busyURLSealed = 1
	busySealLabel = "frontdesk busy calendar url v1\x00"
)

func (b *BusyImport) seal(id, raw string) ([]byte, error) {
	if len(b.Key) == 0 {
		return append([]byte{busyURLPlain}, raw...), nil
	}
	aead, err := b.aead()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal busy calendar url: %w", err)
	}
	out := append([]byte{busyURLSealed}, nonce...)
	return aead.Seal(out, nonce, []byte(raw), []byte(id)), nil
}

func (b *BusyImport) unseal(c BusyCalendar) (string, error) {
	if len(c.SealedURL) == 0 {
		return "", errors.New("unseal busy calendar url: empty")
	}
	switch c.SealedURL[0] {
	case busyURLPlain:
		return string(c.SealedURL[1:]), nil
	case busyURLSealed:
		aead, err := b.aead()
		if err != nil {
			return "", err
		}
		rest := c.SealedURL[1:]
		if len(b.Key) == 0 || len(rest) < aead.NonceSize() {
			return "", errors.New("unseal busy calendar url: no key or short value")
		}
		plain, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], []byte(c.ID))
		if err != nil {
			return "", fmt.Errorf("unseal busy calendar url: %w", err)
		}
		return string(plain), nil
	}
	return "", errors.New("unseal busy calendar url: unknown version")
}

func (b *BusyImport) aead() (cipher.AEAD, error) {
	key := sha256.Sum256(append([]byte(busySealLabel), b.Key...))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("busy url cipher: %w", err)
	}
	return cipher.NewGCM(block)
}
