package api

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// limiterSet keeps one token bucket per key (a client address, an email and
// address) in memory. Idle buckets are swept after ttl, so the map stays
// as small as the set of recent clients.
type limiterSet struct {
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

func newLimiterSet(every time.Duration, burst int) *limiterSet {
	return &limiterSet{
		every:   every,
		burst:   burst,
		ttl:     max(time.Duration(burst)*every, time.Minute),
		buckets: make(map[string]*bucket),
	}
}

// get returns key's bucket, creating it full.
func (l *limiterSet) get(key string, now time.Time) *rate.Limiter {
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

// take spends a token of key's bucket, or says how long until one is there.
func (l *limiterSet) take(key string) (ok bool, wait time.Duration) {
	now := time.Now()
	r := l.get(key, now).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// exhausted reports whether key's bucket is empty without spending, and
// how long until it is not.
func (l *limiterSet) exhausted(key string) (bool, time.Duration) {
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

// publicWriteLimit limits the public write routes (booking, manage) per
// client address; signed-in staff are not limited. perMinute 0 turns it off.
func publicWriteLimit(perMinute int) echo.MiddlewareFunc {
	if perMinute <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	set := newLimiterSet(time.Minute/time.Duration(perMinute), perMinute)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if _, staff := UserFrom(c); staff || !isPublicWrite(c.Request()) {
				return next(c)
			}
			if ok, wait := set.take(c.RealIP()); !ok {
				return &tooManyError{retryAfter: wait}
			}
			return next(c)
		}
	}
}

func isPublicWrite(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return false
	}
	p := r.URL.Path
	// The pages' own public forms (web/) count the same as the JSON routes.
	return p == "/api/v1/bookings" || strings.HasPrefix(p, "/api/v1/manage/") ||
		strings.HasPrefix(p, "/book/") || strings.HasPrefix(p, "/manage/")
}
