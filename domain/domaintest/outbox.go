package domaintest

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// AddMessages queues msgs as pending, as a booking change would.
func (s *Store) AddMessages(msgs ...domain.Message) {
	s.Edit(func(d *Data) {
		for _, m := range msgs {
			m.Status = domain.MessagePending
			d.Messages = append(d.Messages, m)
		}
	})
}

// ClaimMessages takes up to limit pending messages due at now, oldest due
// first, and leases them as the databases do: due_at moves to now+lease and
// the claim counts as an attempt in the stored row, while the result's
// Attempts counts the attempts before this one. They come back in the order
// they were created.
func (s *Store) ClaimMessages(_ context.Context, now time.Time, limit int, lease time.Duration) (out []domain.Message, err error) {
	err = s.write(func() error {
		var due []int
		for i, m := range s.d.Messages {
			if m.Status == domain.MessagePending && !m.DueAt.After(now) {
				due = append(due, i)
			}
		}
		slices.SortStableFunc(due, func(a, b int) int {
			x, y := s.d.Messages[a], s.d.Messages[b]
			return cmp.Or(x.DueAt.Compare(y.DueAt), strings.Compare(x.ID, y.ID))
		})
		for _, i := range due[:min(max(limit, 0), len(due))] {
			m := &s.d.Messages[i]
			out = append(out, *m)
			m.DueAt = now.Add(lease)
			m.Attempts++
			s.claims[m.ID]++
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b domain.Message) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, err
}

// MarkSent records delivery and erases the secret link.
func (s *Store) MarkSent(_ context.Context, id string, at time.Time) error {
	return s.updateMessage(id, func(m *domain.Message) error {
		m.Status, m.SentAt, m.Notice.ManageURL = domain.MessageSent, at, ""
		return nil
	})
}

// MarkFailed records a failed attempt: retry at next, or dead.
func (s *Store) MarkFailed(_ context.Context, id, lastErr string, next time.Time, dead bool) error {
	return s.updateMessage(id, func(m *domain.Message) error {
		m.LastError, m.DueAt = lastErr, next
		if dead {
			m.Status = domain.MessageDead
		}
		return nil
	})
}

// Messages lists outbox rows in the order they were queued.
func (s *Store) Messages(_ context.Context, f domain.MessageFilter) (out []domain.Message, err error) {
	s.read(func() {
		for _, m := range s.d.Messages {
			if (f.BookingID == "" || m.BookingID == f.BookingID) && (len(f.Statuses) == 0 || slices.Contains(f.Statuses, m.Status)) {
				out = append(out, m)
			}
		}
	})
	return out, nil
}

// RetryMessage puts a dead (or pending) message back in the queue, due now;
// KindConflict for one that was sent or cancelled.
func (s *Store) RetryMessage(_ context.Context, id string, now time.Time) error {
	return s.updateMessage(id, func(m *domain.Message) error {
		if m.Status != domain.MessageDead && m.Status != domain.MessagePending {
			return domain.Conflict("Only a message that was not delivered can be retried.")
		}
		m.Status, m.DueAt = domain.MessagePending, now
		return nil
	})
}

func (s *Store) updateMessage(id string, f func(*domain.Message) error) error {
	return s.write(func() error {
		i := find(s.d.Messages, func(m domain.Message) bool { return m.ID == id })
		if i < 0 {
			return domain.ErrNotFound
		}
		return f(&s.d.Messages[i])
	})
}

// OutboxStats counts the queue as it stands at now.
func (s *Store) OutboxStats(_ context.Context, now time.Time) (st domain.OutboxStats, err error) {
	s.read(func() {
		for _, m := range s.d.Messages {
			switch m.Status {
			case domain.MessageSent:
				st.Sent++
			case domain.MessageDead:
				st.Dead++
			case domain.MessagePending:
				if m.LastError != "" {
					st.Retrying++
				}
				if m.DueAt.After(now) {
					st.Scheduled++
					continue
				}
				st.Queued++
				if st.OldestQueued.IsZero() || m.DueAt.Before(st.OldestQueued) {
					st.OldestQueued = m.DueAt
				}
			}
		}
	})
	return st, nil
}
