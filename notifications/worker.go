package notifications

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/frontdesk/frontdesk/domain"
)

// Backoff bounds: the n-th failed attempt waits about baseBackoff·2^(n-1),
// at most maxBackoff, each ±20%.
const (
	baseBackoff = 30 * time.Second
	maxBackoff  = time.Hour
	jitter      = 0.2
)

// Worker delivers the outbox: it claims due messages, composes and sends
// them, and records each outcome. Several workers, in one process or many,
// may share a store: claims are leased, so no message is sent twice while its
// lease holds.
type Worker struct {
	Store     domain.OutboxStore
	Transport Transport
	Clock     domain.Clock
	Logger    *slog.Logger
	Batch     int           // messages claimed at once (default 20)
	Interval  time.Duration // poll period when idle (default 1s)
	Lease     time.Duration // claim lease (default 2m)
	Metrics   *Metrics      // optional: see NewMetrics
}

// Run delivers messages until ctx is done, then returns nil. Failures of
// SMTP or of the store are logged and retried; they never end Run early.
func (w *Worker) Run(ctx context.Context) error {
	for {
		claimed, _, err := w.runOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.logger().Error("outbox round failed", "error", err)
		}
		if claimed == w.batch() && err == nil {
			continue // a full batch: more may be waiting
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(w.interval()):
		}
	}
}

// RunOnce claims one batch of due messages and tries each: it returns how
// many were delivered. A message that fails is scheduled again with
// exponential backoff, or marked dead after domain.MaxAttempts; a message
// that cannot be composed is dead at once, as retrying cannot help. The error
// reports the store failing; a failed delivery is no error of RunOnce.
func (w *Worker) RunOnce(ctx context.Context) (sent int, err error) {
	_, sent, err = w.runOnce(ctx)
	return sent, err
}

func (w *Worker) runOnce(ctx context.Context) (claimed, sent int, err error) {
	msgs, err := w.Store.ClaimMessages(ctx, w.clock().Now(), w.batch(), w.lease())
	if err != nil {
		return 0, 0, fmt.Errorf("claim messages: %w", err)
	}
	if len(msgs) == 0 {
		return 0, 0, nil
	}
	// Outcomes are recorded even when ctx ends mid-batch: a delivered
	// message that is not marked sent would go out again after its lease.
	record := context.WithoutCancel(ctx)
	var errs []error
	ready := make([]domain.Message, 0, len(msgs))
	composed := make([]*gomail.Msg, 0, len(msgs))
	for _, m := range msgs {
		mm, err := Compose(m)
		if err != nil {
			errs = append(errs, w.fail(record, m, err, true))
			continue
		}
		mm.SetDateWithValue(w.clock().Now())
		ready = append(ready, m)
		composed = append(composed, mm)
	}
	// One message at a time, marked sent as soon as the server accepted it:
	// a crash between the two can then repeat at most one message, not a
	// whole batch. Messages left when ctx ends come back after their lease.
	for i, m := range ready {
		if ctx.Err() != nil {
			break
		}
		if err := w.Transport.Send(ctx, composed[i]); err != nil {
			errs = append(errs, w.fail(record, m, err, false))
			continue
		}
		at := w.clock().Now()
		w.Metrics.sent(m, at)
		if err := w.Store.MarkSent(record, m.ID, at); err != nil {
			errs = append(errs, fmt.Errorf("mark message %s sent: %w", m.ID, err))
			continue
		}
		sent++
		w.logger().Info("message sent", "message_id", m.ID, "booking_id", m.BookingID,
			"kind", string(m.Kind), "attempt", m.Attempts+1)
	}
	return len(msgs), sent, errors.Join(errs...)
}

// fail records a failed attempt: retry later, or dead when the attempts are
// used up or permanent is set. It returns only the store's error.
func (w *Worker) fail(ctx context.Context, m domain.Message, cause error, permanent bool) error {
	attempts := m.Attempts + 1
	dead := permanent || attempts >= domain.MaxAttempts
	now := w.clock().Now()
	next := now.Add(Backoff(attempts))
	if dead {
		next = now
	}
	w.Metrics.failed(m, dead)
	w.logger().Warn("message not sent", "message_id", m.ID, "booking_id", m.BookingID,
		"kind", string(m.Kind), "attempt", attempts, "dead", dead, "retry_at", next, "error", cause)
	if err := w.Store.MarkFailed(ctx, m.ID, cause.Error(), next, dead); err != nil {
		return fmt.Errorf("mark message %s failed: %w", m.ID, err)
	}
	return nil
}

// Backoff is how long to wait after the attempts-th failed attempt:
// 30s·2^(attempts-1), at most an hour, randomly ±20% so that messages failing
// together do not retry together.
func Backoff(attempts int) time.Duration {
	d := maxBackoff
	if attempts < 1 {
		attempts = 1
	}
	if attempts <= 8 { // 30s·2^7 already exceeds the cap
		d = min(baseBackoff<<(attempts-1), maxBackoff)
	}
	f := 1 + jitter*(2*rand.Float64()-1)
	return time.Duration(float64(d) * f).Round(time.Second)
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.Default()
	}
	return w.Logger
}

func (w *Worker) clock() domain.Clock {
	if w.Clock == nil {
		return domain.SystemClock
	}
	return w.Clock
}

func (w *Worker) batch() int {
	if w.Batch <= 0 {
		return 20
	}
	return w.Batch
}

func (w *Worker) interval() time.Duration {
	if w.Interval <= 0 {
		return time.Second
	}
	return w.Interval
}

func (w *Worker) lease() time.Duration {
	if w.Lease <= 0 {
		return 2 * time.Minute
	}
	return w.Lease
}
