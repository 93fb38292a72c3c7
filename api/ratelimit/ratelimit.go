// Package ratelimit keeps token buckets per key in memory: the limits on
// sign-in failures, public writes and feed polls.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Set keeps one token bucket per key (a client address, an email and
// address) in memory. Idle buckets are swept after ttl, so the map stays
// as small as the set of recent clients.
type Set struct {
	every time.Duration // one token per every
	burst int
	ttl   time.Duration

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns a set of buckets of burst tokens, one more every every.
func New(every time.Duration, burst int) *Set {
	return &Set{
		every:   every,
		burst:   burst,
		ttl:     max(time.Duration(burst)*every, time.Minute),
		buckets: make(map[string]*bucket),
	}
}

// get returns key's bucket, creating it full.
func (l *Set) get(key string, now time.Time) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > l.ttl {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > l.ttl {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim
}

// Take spends a token of key's bucket, or says how long until one is there.
func (l *Set) Take(key string) (ok bool, wait time.Duration) {
	now := time.Now()
	r := l.get(key, now).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Exhausted reports whether key's bucket is empty without spending, and
// how long until it is not.
func (l *Set) Exhausted(key string) (bool, time.Duration) {
	now := time.Now()
	lim := l.get(key, now)
	if lim.TokensAt(now) >= 1 {
		return false, 0
	}
	r := lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	r.CancelAt(now)
	return true, d
}
