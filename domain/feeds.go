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

// Feeds builds subscribable calendars for feed tokens.
type Feeds struct {
	Store         Store
	State         FeedStateStore
	Clock         Clock
	Back          time.Duration // how far back a feed reaches (default 30 days)
	KeepCancelled time.Duration // cancelled visits stay, as CANCELLED, this long (default 14 days)
}

// Feed returns the calendar behind a raw feed token and its strong ETag (a
// fingerprint of the content, equal for equal bytes). An unknown or revoked
// token is ErrNotFound, with no hint which.
func (f *Feeds) Feed(ctx context.Context, rawToken string) (Feed, string, error) {
	tok, err := f.Store.FeedToken(ctx, HashToken(rawToken))
	if err != nil {
		return Feed{}, "", err
	}
	clinic, err := f.Store.Clinic(ctx)
	if err != nil {
		return Feed{}, "", err
	}
	feed, err := f.build(ctx, tok, clinic)
	if err != nil {
		return Feed{}, "", err
	}
	etag := feed.Fingerprint()
	feed.LastModified, err = f.State.FeedChanged(ctx, tok.ID, etag, f.Clock.Now().UTC().Truncate(time.Second))
	if err != nil {
		return Feed{}, "", err
	}
	return feed, etag, nil
}

func (f *Feeds) build(ctx context.Context, tok FeedToken, clinic Clinic) (Feed, error) {
	now := f.Clock.Now()
	from, to := now.Add(-orDefault(f.Back, 30*24*time.Hour)), now.Add(clinic.Policy.Horizon+24*time.Hour)
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
	bookings, err := f.Store.Bookings(ctx, BookingFilter{From: from, To: to, PractitionerID: tok.PractitionerID})
	if err != nil {
		return Feed{}, err
	}
	keep := now.Add(-orDefault(f.KeepCancelled, 14*24*time.Hour))
	for _, b := range bookings {
		if b.Status == StatusCancelled && b.CancelledAt.Before(keep) {
			continue
		}
		feed.Events = append(feed.Events, visitEvent(b, tok.Privacy, names))
	}
	offs, err := f.timeOff(ctx, tok.PractitionerID, names, from, to)
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
			events = append(events, FeedEvent{
				UID: "timeoff-" + t.ID, Summary: awaySummary(names[id]), Start: t.Start, End: t.End,
				Busy: true, Practitioner: names[id], LastModified: t.Start.UTC().Truncate(time.Second),
			})
		}
	}
	return events, nil
}

func awaySummary(practitioner string) string {
	if practitioner == "" {
		return "Away"
	}
	return "Away (" + practitioner + ")"
}

// visitEvent shows a booking at the feed's privacy level: the service, and
// the patient as nothing, initials or full name. Contact details, intake,
// notes and reasons never leave the database through a feed.
func visitEvent(b BookingDetail, privacy Privacy, names map[string]string) FeedEvent {
	summary := b.Service.Name
	switch privacy {
	case PrivacyInitials:
		summary += " · " + Initials(b.Patient.Name)
	case PrivacyFullName:
		summary += " · " + b.Patient.Name
	}
	if names != nil {
		summary += " (" + names[b.PractitionerID] + ")"
	}
	return FeedEvent{
		UID: b.UID, Sequence: b.Sequence, Summary: summary, Start: b.Start, End: b.End,
		Cancelled: b.Status == StatusCancelled, Practitioner: names[b.PractitionerID],
		LastModified: b.UpdatedAt.UTC().Truncate(time.Second),
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
