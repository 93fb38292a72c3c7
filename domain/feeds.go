package domain

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"slices"
	"time"
)

// FeedStateStore remembers what each feed last served, so Last-Modified
// never goes backwards, even when an event is deleted or leaves the window.
type FeedStateStore interface {
	// FeedChanged records that the feed token now serves etag. It returns the
	// instant the content last changed: at, when etag differs from the one
	// stored, else the stored instant.
	FeedChanged(ctx context.Context, tokenID, etag string, at time.Time) (time.Time, error)
}

// FeedVersionStore tells cheaply whether a feed may have changed, so that a
// calendar app's poll of an unchanged feed is answered without loading it.
type FeedVersionStore interface {
	// FeedVersion returns, in one round trip, a digest of the rows behind
	// the feed of w and the state FeedChanged last stored for the token.
	FeedVersion(ctx context.Context, tokenID string, w FeedWindow) (FeedVersion, error)
	// FeedTokenVersion looks up the unrevoked feed token with hash, as
	// Store.FeedToken does, and returns it with FeedVersion of its feed,
	// in one round trip. The version is of any window: callers key
	// versions by their window, as Feeds does.
	FeedTokenVersion(ctx context.Context, hash string) (FeedToken, FeedVersion, error)
}

// FeedWindow is what a feed shows: the bookings of PractitionerID (all
// practitioners' when "") whose visit overlaps [From, To), except those
// cancelled before Keep, and the time off that overlaps [From, To).
type FeedWindow struct {
	PractitionerID string
	From, To, Keep time.Time // UTC midnights, so that only writes change the rows
}

// FeedVersion is what FeedVersionStore reports.
type FeedVersion struct {
	// Rows is equal while no booking or time off of the window is added,
	// changed or removed; it may also move with writes outside the window,
	// which costs one needless rebuild, never a stale answer.
	Rows string
	// Renames counts patient renames in the whole clinic: a feed that
	// shows names changes with them, though no booking does.
	Renames int64
	// ETag and Changed are the token's feed state: the ETag FeedChanged
	// last stored ("" before the first) and the instant it returned.
	ETag    string
	Changed time.Time
}

// Feeds builds subscribable calendars for feed tokens.
type Feeds struct {
	Store         Store
	State         FeedStateStore
	Versions      FeedVersionStore // nil: every request builds its feed
	Clock         Clock
	Back          time.Duration // how far back a feed reaches (default 30 days)
	KeepCancelled time.Duration // cancelled visits stay, as CANCELLED, this long (default 14 days)

	memo feedMemo
}

// Feed returns the calendar behind a raw feed token and its strong ETag (a
// fingerprint of the content, equal for equal bytes). An unknown or revoked
// token is ErrNotFound, with no hint which.
func (f *Feeds) Feed(ctx context.Context, rawToken string) (Feed, string, error) {
	tok, err := f.Store.FeedToken(ctx, HashToken(rawToken))
	if err != nil {
		return Feed{}, "", err
	}
	return f.FeedFor(ctx, tok)
}

// FeedFor is Feed for a token already looked up. It also remembers which
// version of the feed's rows gave which ETag, for Check.
func (f *Feeds) FeedFor(ctx context.Context, tok FeedToken) (Feed, string, error) {
	clinic, err := f.Store.Clinic(ctx)
	if err != nil {
		return Feed{}, "", err
	}
	w := f.window(tok, clinic)
	// The version is read before the feed and again after: a write that
	// lands while the feed is built makes them differ, and then the ETag
	// is not remembered, since it may belong to either.
	before, err := f.version(ctx, tok, clinic, w)
	if err != nil {
		return Feed{}, "", err
	}
	feed, err := f.build(ctx, tok, clinic, w)
	if err != nil {
		return Feed{}, "", err
	}
	etag := feed.Fingerprint()
	if feed.LastModified, err = f.changed(ctx, tok, etag); err != nil {
		return Feed{}, "", err
	}
	if before.key != "" {
		after, err := f.version(ctx, tok, clinic, w)
		if err != nil {
			return Feed{}, "", err
		}
		if after.key == before.key {
			f.memo.put(scopeOf(tok), before.key, etag)
		}
	}
	return feed, etag, nil
}

// Check answers a conditional request for tok's feed without building it.
// known is true when this process has built the feed of tok's scope (its
// practitioner and privacy, whichever token) from rows as they are now;
// etag is then that build's ETag, the fingerprint FeedFor would return, and
// lastModified the feed's Last-Modified, as FeedFor would set it. Check
// costs one query, and a write of the token's feed state when the token
// last served other content. known is false when the rows changed since
// the last build, or when none is remembered: the caller builds the feed.
func (f *Feeds) Check(ctx context.Context, tok FeedToken) (etag string, lastModified time.Time, known bool, err error) {
	return f.CheckVersion(ctx, tok, nil)
}

// TokenVersion looks up the unrevoked token with hash, as Store.FeedToken
// does, and with it the version of its feed's rows for CheckVersion, in one
// round trip; the version is nil when f has no Versions.
func (f *Feeds) TokenVersion(ctx context.Context, hash string) (FeedToken, *FeedVersion, error) {
	if f.Versions == nil {
		tok, err := f.Store.FeedToken(ctx, hash)
		return tok, nil, err
	}
	tok, rows, err := f.Versions.FeedTokenVersion(ctx, hash)
	if err != nil {
		return FeedToken{}, nil, err
	}
	return tok, &rows, nil
}

// CheckVersion is Check with the version of tok's feed rows already read
// (by TokenVersion); nil reads it.
func (f *Feeds) CheckVersion(ctx context.Context, tok FeedToken, rows *FeedVersion) (etag string, lastModified time.Time, known bool, err error) {
	if f.Versions == nil {
		return "", time.Time{}, false, nil
	}
	clinic, err := f.Store.Clinic(ctx)
	if err != nil {
		return "", time.Time{}, false, err
	}
	v, err := f.versionOf(ctx, tok, clinic, f.window(tok, clinic), rows)
	if err != nil {
		return "", time.Time{}, false, err
	}
	etag, ok := f.memo.get(scopeOf(tok), v.key)
	switch {
	case !ok:
		return "", time.Time{}, false, nil
	case v.state.ETag == etag:
		return etag, v.state.Changed, true, nil
	}
	// The token last served other content: another token of the scope was
	// built since, or another process served the feed while it was
	// different. Record the content as the build would have.
	lastModified, err = f.changed(ctx, tok, etag)
	if err != nil {
		return "", time.Time{}, false, err
	}
	return etag, lastModified, true, nil
}

// changed records that tok's feed serves etag and returns its Last-Modified.
func (f *Feeds) changed(ctx context.Context, tok FeedToken, etag string) (time.Time, error) {
	return f.State.FeedChanged(ctx, tok.ID, etag, f.Clock.Now().UTC().Truncate(time.Second))
}

// window is the span of tok's feed now: from the start of the UTC day
// Back ago to the end of the UTC day Horizon and a day ahead. Whole days
// keep the rows of a feed from changing but by writes (and at midnight).
func (f *Feeds) window(tok FeedToken, clinic Clinic) FeedWindow {
	now := f.Clock.Now()
	return FeedWindow{
		PractitionerID: tok.PractitionerID,
		From:           utcDay(now.Add(-orDefault(f.Back, 30*24*time.Hour))),
		To:             utcDay(now.Add(clinic.Policy.Horizon+24*time.Hour)).AddDate(0, 0, 1),
		Keep:           utcDay(now.Add(-orDefault(f.KeepCancelled, 14*24*time.Hour))),
	}
}

// utcDay is the start of t's day in UTC.
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (f *Feeds) build(ctx context.Context, tok FeedToken, clinic Clinic, w FeedWindow) (Feed, error) {
	feed := Feed{Name: clinic.Name, TimeZone: clinic.TimeZone}
	var names map[string]string
	if tok.PractitionerID != "" {
		p, err := f.Store.Practitioner(ctx, tok.PractitionerID)
		if err != nil {
			return Feed{}, err
		}
		feed.Name, feed.TimeZone = clinic.Name+" — "+p.Name, p.TimeZone
	} else {
		var err error
		if names, err = f.practitionerNames(ctx); err != nil {
			return Feed{}, err
		}
	}
	bookings, err := f.Store.Bookings(ctx, BookingFilter{From: w.From, To: w.To, PractitionerID: tok.PractitionerID})
	if err != nil {
		return Feed{}, err
	}
	for _, b := range bookings {
		if b.Status == StatusCancelled && b.CancelledAt.Before(w.Keep) {
			continue
		}
		feed.Events = append(feed.Events, visitEvent(b, tok.Privacy, names))
	}
	offs, err := f.timeOff(ctx, tok.PractitionerID, names, w.From, w.To)
	if err != nil {
		return Feed{}, err
	}
	feed.Events = append(feed.Events, offs...)
	return feed, nil
}

func (f *Feeds) practitionerNames(ctx context.Context) (map[string]string, error) {
	ps, err := f.Store.Practitioners(ctx, true)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(ps))
	for _, p := range ps {
		names[p.ID] = p.Name
	}
	return names, nil
}

// timeOff returns busy blocks: one practitioner's, or everyone's for the
// clinic feed (names is then set).
func (f *Feeds) timeOff(ctx context.Context, practitionerID string, names map[string]string, from, to time.Time) ([]FeedEvent, error) {
	ids := []string{practitionerID}
	if practitionerID == "" {
		ids = ids[:0]
		for id := range names {
			ids = append(ids, id)
		}
		slices.Sort(ids)
	}
	var events []FeedEvent
	for _, id := range ids {
		offs, err := f.Store.TimeOffs(ctx, id, from, to)
		if err != nil {
			return nil, err
		}
		for _, t := range offs {
			// The practitioner's name is added to the summary when the
			// feed is rendered, once.
			events = append(events, FeedEvent{
				UID: "timeoff-" + t.ID, Sequence: t.Sequence, Summary: "Away", Start: t.Start, End: t.End,
				Busy: true, Practitioner: names[id], LastModified: t.UpdatedAt.UTC().Truncate(time.Second),
			})
		}
	}
	return events, nil
}

// visitEvent shows a booking at the feed's privacy level: "Busy" alone,
// or the service with the patient's initials or full name. Contact
// details, intake, notes and reasons never leave the database through a
// feed. Its LastModified is the booking's last change a feed shows, so
// staff notes and check-ins leave the feed's bytes alone.
func visitEvent(b BookingDetail, privacy Privacy, names map[string]string) FeedEvent {
	summary := "Busy"
	switch privacy {
	case PrivacyInitials:
		summary = b.Service.Name
		if in := Initials(b.Patient.Name); in != "" {
			summary += " · " + in
		}
	case PrivacyFullName:
		summary = b.Service.Name + " · " + b.Patient.Name
	}
	if names != nil {
		summary += " (" + names[b.PractitionerID] + ")"
	}
	return FeedEvent{
		UID: b.UID, Sequence: b.Sequence, Summary: summary, Start: b.Start, End: b.End,
		Cancelled: b.Status == StatusCancelled, Practitioner: names[b.PractitionerID], Room: roomNameIf(true, b),
		LastModified: b.LastChange().UTC().Truncate(time.Second),
	}
}

// Fingerprint is a strong validator of the feed's content: equal content,
// equal fingerprint. It excludes LastModified of the feed itself, which is
// derived from it.
func (f Feed) Fingerprint() string {
	h := sha256.New()
	writeString(h, "frontdesk-feed-v1")
	writeString(h, f.Name)
	writeString(h, f.TimeZone)
	for _, e := range f.Events {
		writeString(h, e.UID)
		writeString(h, e.Summary)
		writeString(h, e.Practitioner)
		writeInt(h, int64(e.Sequence))
		writeInt(h, e.Start.Unix())
		writeInt(h, e.End.Unix())
		writeInt(h, e.LastModified.Unix())
		writeBool(h, e.Cancelled)
		writeBool(h, e.Busy)
		if e.Room != "" { // only then, so feeds without rooms keep their ETags
			writeString(h, "room")
			writeString(h, e.Room)
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func writeString(h hash.Hash, s string) {
	writeInt(h, int64(len(s)))
	h.Write([]byte(s))
}

func writeInt(h hash.Hash, n int64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
}

func writeBool(h hash.Hash, v bool) {
	if v {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
