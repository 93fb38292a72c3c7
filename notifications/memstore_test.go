package notifications

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// memOutbox is an OutboxStore in memory with the contract's semantics
// (leased claims, oldest first), for the tests of the worker's own logic.
type memOutbox struct {
	mu     sync.Mutex
	msgs   []domain.Message
	leases map[string]time.Time
	claims map[string]int // how often each message was claimed
}

func newMemOutbox(msgs ...domain.Message) *memOutbox {
	o := &memOutbox{leases: map[string]time.Time{}, claims: map[string]int{}}
	for _, m := range msgs {
		m.Status = domain.MessagePending
		o.msgs = append(o.msgs, m)
	}
	return o
}

func (o *memOutbox) ClaimMessages(_ context.Context, now time.Time, limit int, lease time.Duration) ([]domain.Message, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var due []int
	for i, m := range o.msgs {
		if m.Status == domain.MessagePending && !m.DueAt.After(now) && !o.leases[m.ID].After(now) {
			due = append(due, i)
		}
	}
	slices.SortStableFunc(due, func(a, b int) int { return o.msgs[a].DueAt.Compare(o.msgs[b].DueAt) })
	var out []domain.Message
	for _, i := range due[:min(limit, len(due))] {
		o.leases[o.msgs[i].ID] = now.Add(lease)
		o.claims[o.msgs[i].ID]++
		out = append(out, o.msgs[i])
	}
	return out, nil
}

func (o *memOutbox) update(id string, f func(*domain.Message)) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range o.msgs {
		if o.msgs[i].ID == id {
			f(&o.msgs[i])
			delete(o.leases, id)
			return nil
		}
	}
	return domain.ErrNotFound
}

func (o *memOutbox) MarkSent(_ context.Context, id string, at time.Time) error {
	return o.update(id, func(m *domain.Message) {
		m.Status, m.SentAt, m.Notice.ManageURL = domain.MessageSent, at, ""
	})
}

func (o *memOutbox) MarkFailed(_ context.Context, id, lastErr string, next time.Time, dead bool) error {
	return o.update(id, func(m *domain.Message) {
		m.Attempts++
		m.LastError, m.DueAt = lastErr, next
		if dead {
			m.Status = domain.MessageDead
		}
	})
}

func (o *memOutbox) Messages(_ context.Context, f domain.MessageFilter) ([]domain.Message, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []domain.Message
	for _, m := range o.msgs {
		if (len(f.Statuses) == 0 || slices.Contains(f.Statuses, m.Status)) && (f.BookingID == "" || f.BookingID == m.BookingID) {
			out = append(out, m)
		}
	}
	return out, nil
}

func (o *memOutbox) RetryMessage(_ context.Context, id string, now time.Time) error {
	return o.update(id, func(m *domain.Message) { m.Status, m.DueAt = domain.MessagePending, now })
}

// fakeClock is a settable domain.Clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
