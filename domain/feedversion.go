package domain

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// feedMemoSize bounds the feed scopes whose last build Feeds remembers.
const feedMemoSize = 10_000

// feedVersion is a feed's version: key is "" when Feeds has no
// FeedVersionStore.
type feedVersion struct {
	key   string
	state FeedVersion
}

// version is everything a feed's content is made from, hashed: the scope
// (practitioner and privacy: tokens of one scope show the same content),
// the window, the digest of its rows and what of the catalog it shows
// (practitioners, services and rooms by name). The
// catalog comes from the store's in-memory copy, so this costs the one
// query of FeedVersion.
func (f *Feeds) version(ctx context.Context, tok FeedToken, clinic Clinic, w FeedWindow) (feedVersion, error) {
	return f.versionOf(ctx, tok, clinic, w, nil)
}

// versionOf is version with the rows' version already read; nil reads it.
func (f *Feeds) versionOf(ctx context.Context, tok FeedToken, clinic Clinic, w FeedWindow, read *FeedVersion) (feedVersion, error) {
	if f.Versions == nil {
		return feedVersion{}, nil
	}
	if read == nil {
		v, err := f.Versions.FeedVersion(ctx, tok.ID, w)
		if err != nil {
			return feedVersion{}, err
		}
		read = &v
	}
	rows := *read
	practitioners, err := f.Store.Practitioners(ctx, true)
	if err != nil {
		return feedVersion{}, err
	}
	services, err := f.Store.Services(ctx, true)
	if err != nil {
		return feedVersion{}, err
	}
	rooms, err := f.Store.Rooms(ctx, true)
	if err != nil {
		return feedVersion{}, err
	}
	h := sha256.New()
	writeString(h, "frontdesk-feed-version-v1")
	writeString(h, scopeOf(tok))
	for _, t := range []int64{w.From.Unix(), w.To.Unix(), w.Keep.Unix()} {
		writeInt(h, t)
	}
	writeString(h, rows.Rows)
	if tok.Privacy != PrivacyBusy {
		writeInt(h, rows.Renames)
	}
	writeString(h, clinic.Name)
	writeString(h, clinic.TimeZone)
	for _, p := range practitioners {
		if tok.PractitionerID == "" || p.ID == tok.PractitionerID {
			writeString(h, p.ID)
			writeString(h, p.Name)
			writeString(h, p.TimeZone)
		}
	}
	for _, s := range services {
		writeString(h, s.ID)
		writeString(h, s.Name)
	}
	// A room's name is its visits' LOCATION; a rename touches no booking
	// row, so it moves the version here (every feed's: one that shows none
	// of the room's visits rebuilds to the same ETag).
	for _, r := range rooms {
		writeString(h, r.ID)
		writeString(h, r.Name)
	}
	return feedVersion{key: hex.EncodeToString(h.Sum(nil)), state: rows}, nil
}

// scopeOf names what decides a feed's content besides the rows: its
// practitioner ("" for the clinic) and privacy.
func scopeOf(tok FeedToken) string {
	return tok.PractitionerID + "/" + string(tok.Privacy)
}

// feedMemo remembers, per feed scope, the version of its last build and
// that build's ETag, for at most feedMemoSize scopes (the least recently
// built go first). Its zero value is ready; it is safe for concurrent use.
type feedMemo struct {
	mu      sync.Mutex
	order   list.List // of *feedMemoEntry, most recently built at the front
	entries map[string]*list.Element
}

type feedMemoEntry struct {
	scope, version, etag string
}

// get returns the ETag built for the scope at version, if remembered.
func (m *feedMemo) get(scope, version string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.entries[scope]
	if !ok {
		return "", false
	}
	if e := el.Value.(*feedMemoEntry); e.version == version {
		return e.etag, true
	}
	return "", false
}

// put remembers that the scope's feed at version has the ETag.
func (m *feedMemo) put(scope, version, etag string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = make(map[string]*list.Element)
	}
	e := &feedMemoEntry{scope: scope, version: version, etag: etag}
	if el, ok := m.entries[scope]; ok {
		el.Value = e
		m.order.MoveToFront(el)
		return
	}
	m.entries[scope] = m.order.PushFront(e)
	for len(m.entries) > feedMemoSize {
		last := m.order.Back()
		m.order.Remove(last)
		delete(m.entries, last.Value.(*feedMemoEntry).scope)
	}
}
