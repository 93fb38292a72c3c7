package main

import (
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// slot is a free time the generator may book: a start the server offered
// for a service with a practitioner.
type slot struct {
	Practitioner string
	Service      string
	Start        string    // as the server wrote it, sent back unchanged
	At           time.Time // Start parsed
}

type slotKey struct{ practitioner, service string }

func (s slot) key() slotKey { return slotKey{s.Practitioner, s.Service} }

// candidate is an offered slot with the blocked time around it.
type candidate struct {
	slot
	blockStart, blockEnd time.Time
}

// tile picks, from one practitioner's offered slots of any services, a set
// whose blocks (visit plus buffers) do not overlap, so every one can be
// booked at once. Candidates are taken in start order; among equal starts
// the order given wins (callers shuffle it).
func tile(cands []candidate) []slot {
	slices.SortStableFunc(cands, func(a, b candidate) int { return a.blockStart.Compare(b.blockStart) })
	var out []slot
	var busyUntil time.Time
	for _, c := range cands {
		if c.blockStart.Before(busyUntil) {
			continue
		}
		out = append(out, c.slot)
		busyUntil = c.blockEnd
	}
	return out
}

// pool holds the free slots, by practitioner and service, for all clients.
type pool struct {
	mu   sync.Mutex
	free map[slotKey][]slot
	keys []slotKey // keys with at least one free slot
}

func newPool(slots []slot, r *rand.Rand) *pool {
	p := &pool{free: map[slotKey][]slot{}}
	r.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	for _, s := range slots {
		p.putLocked(s)
	}
	return p
}

// take removes a free slot of a random practitioner and service.
func (p *pool) take(r *rand.Rand) (slot, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.keys) > 0 {
		i := r.IntN(len(p.keys))
		if s, ok := p.popLocked(p.keys[i]); ok {
			return s, true
		}
		p.keys[i] = p.keys[len(p.keys)-1]
		p.keys = p.keys[:len(p.keys)-1]
	}
	return slot{}, false
}

// takeFor removes a free slot with the practitioner and service of k.
func (p *pool) takeFor(k slotKey) (slot, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.popLocked(k)
}

// put gives a slot back, after the booking that held it was cancelled or moved.
func (p *pool) put(s slot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.putLocked(s)
}

// size is the number of free slots.
func (p *pool) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range p.free {
		n += len(l)
	}
	return n
}

func (p *pool) putLocked(s slot) {
	k := s.key()
	if len(p.free[k]) == 0 {
		p.keys = append(p.keys, k) // may repeat a key: take drops empty ones
	}
	p.free[k] = append(p.free[k], s)
}

func (p *pool) popLocked(k slotKey) (slot, bool) {
	l := p.free[k]
	if len(l) == 0 {
		return slot{}, false
	}
	s := l[len(l)-1]
	p.free[k] = l[:len(l)-1]
	return s, true
}

// booking is one the generator made and may move or cancel through its
// manage token.
type booking struct {
	ID    string
	Token string
	Slot  slot
}

// ledger is every booking the server accepted (201) in this run and what
// the generator last saw of it, for the database check; and the live
// bookings clients may still move or cancel.
type ledger struct {
	mu       sync.Mutex
	accepted map[string]*acceptedBooking
	live     []booking
}

// acceptedBooking is the generator's view of one booking. Uncertain means
// a change was sent but its answer was lost, so only its existence can be
// checked.
type acceptedBooking struct {
	ID           string `json:"id"`
	Practitioner string `json:"practitioner_id"`
	Start        string `json:"start"` // UTC RFC 3339
	Cancelled    bool   `json:"cancelled"`
	Uncertain    bool   `json:"uncertain,omitempty"`
	Contended    bool   `json:"contended,omitempty"`
}

func newLedger() *ledger { return &ledger{accepted: map[string]*acceptedBooking{}} }

// accept records a 201; movable bookings join the live list.
func (l *ledger) accept(b booking, contended bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accepted[b.ID] = &acceptedBooking{ID: b.ID, Practitioner: b.Slot.Practitioner, Start: utc(b.Slot.At), Contended: contended}
	if !contended {
		l.live = append(l.live, b)
	}
}

// takeLive removes a random live booking, for a client to move or cancel.
func (l *ledger) takeLive(r *rand.Rand) (booking, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.live) == 0 {
		return booking{}, false
	}
	i := r.IntN(len(l.live))
	b := l.live[i]
	l.live[i] = l.live[len(l.live)-1]
	l.live = l.live[:len(l.live)-1]
	return b, true
}

// moved records a confirmed reschedule and makes b live again.
func (l *ledger) moved(b booking) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accepted[b.ID].Start = utc(b.Slot.At)
	l.live = append(l.live, b)
}

// cancelled records a confirmed cancellation.
func (l *ledger) cancelled(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accepted[id].Cancelled = true
}

// lost records a change whose answer never came: it may or may not have
// happened.
func (l *ledger) lost(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accepted[id].Uncertain = true
}

// restore puts back a live booking a change did not touch (a definite
// refusal).
func (l *ledger) restore(b booking) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.live = append(l.live, b)
}

// list returns the accepted bookings, sorted by id.
func (l *ledger) list() []acceptedBooking {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]acceptedBooking, 0, len(l.accepted))
	for _, a := range l.accepted {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b acceptedBooking) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out
}

func utc(t time.Time) string { return t.UTC().Format(time.RFC3339) }
