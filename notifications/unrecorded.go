package notifications

import (
	"slices"
	"sync"
	"time"
)

// maxUnrecorded bounds the deliveries a Worker remembers while the store
// cannot record them: past it the oldest is forgotten, and may be sent
// again, rather than memory growing for as long as an outage lasts.
const maxUnrecorded = 4096

// delivery is a message the mail server accepted at At.
type delivery struct {
	ID string
	At time.Time
}

// unrecorded holds the deliveries the store has not recorded yet, oldest
// first, and when to try recording them again. It is safe for concurrent
// use.
type unrecorded struct {
	mu       sync.Mutex
	list     []delivery
	failures int       // attempts to record that failed in a row
	retryAt  time.Time // no attempt before then
	down     bool      // the last attempt found the store unavailable
}

// add remembers d. When that overflows maxUnrecorded, it forgets the oldest
// delivery and returns it with dropped set.
func (u *unrecorded) add(d delivery) (oldest delivery, dropped bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.list) >= maxUnrecorded {
		oldest, dropped = u.list[0], true
		u.list = slices.Delete(u.list, 0, 1)
	}
	u.list = append(u.list, d)
	return oldest, dropped
}

// find returns the delivery of message id, if it is held.
func (u *unrecorded) find(id string) (delivery, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	i := slices.IndexFunc(u.list, func(d delivery) bool { return d.ID == id })
	if i < 0 {
		return delivery{}, false
	}
	return u.list[i], true
}

// remove forgets the delivery of message id.
func (u *unrecorded) remove(id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.list = slices.DeleteFunc(u.list, func(d delivery) bool { return d.ID == id })
}

// due returns the deliveries to try recording at now: all of them once the
// retry time has come, or at once when force is set; none otherwise.
func (u *unrecorded) due(now time.Time, force bool) []delivery {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !force && now.Before(u.retryAt) {
		return nil
	}
	return slices.Clone(u.list)
}

// failed notes an attempt to record that failed at now, down when the store
// was unavailable. The next attempt comes after wait(failures in a row);
// further failures before then do not push it back.
func (u *unrecorded) failed(now time.Time, down bool, wait func(failures int) time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.down = down
	if now.Before(u.retryAt) {
		return
	}
	u.failures++
	u.retryAt = now.Add(wait(u.failures))
}

// succeeded notes an attempt to record everything that was due that met no
// failure: the next one need not wait.
func (u *unrecorded) succeeded() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.failures, u.retryAt, u.down = 0, time.Time{}, false
}

// blocking reports deliveries held back by a store that was unavailable
// at the last attempt: claiming more would fail too, or send more that
// cannot be recorded.
func (u *unrecorded) blocking() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.down && len(u.list) > 0
}

func (u *unrecorded) len() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.list)
}
