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
// lease holds. A delivery the store fails to record (the database briefly
// unreachable) is remembered, up to maxUnrecorded of them, and recorded
// before anything new is claimed, so that it is not sent again when its
// lease runs out; what is still unrecorded when the process exits is lost.
type Worker struct {
	Store     domain.OutboxStore
	Transport Transport
	Clock     domain.Clock
	Logger    *slog.Logger
	Batch     int           // messages claimed at once (default 20)
	Interval  time.Duration // poll period when idle (default 1s)
	Lease     time.Duration // claim lease (default 2m)
	Grace     time.Duration // how long outcomes are still recorded once Run's context ends (default 5s)
	Metrics   *Metrics      // optional: see NewMetrics

	unrecorded unrecorded
}

// Run delivers messages until ctx is done, then returns nil. Failures of
// SMTP or of the store are logged and retried; they never end Run early.
// On the way out it tries, for at most Grace, to record the deliveries the
// store could not record so far.
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
			w.recordOnExit(ctx)
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
//
// Before claiming, RunOnce records the deliveries earlier rounds could not
// (retrying with backoff); while the store is unavailable for those, it
// claims nothing. A claimed message that was delivered already is recorded,
// not sent again.
func (w *Worker) RunOnce(ctx context.Context) (sent int, err error) {
	_, sent, err = w.runOnce(ctx)
	return sent, err
}

func (w *Worker) runOnce(ctx context.Context) (claimed, sent int, err error) {
	// Outcomes are recorded even when ctx ends mid-batch, as a delivered
	// message that is not marked sent would go out again after its lease;
	// but only for Grace, so that an unreachable store cannot hold up
	// shutdown.
	record, cancel := outlive(ctx, w.grace())
	defer cancel()
	ok, earlier := w.catchUp(record)
	if !ok {
		return 0, 0, earlier
	}
	msgs, err := w.Store.ClaimMessages(ctx, w.clock().Now(), w.batch(), w.lease())
	if err != nil {
		return 0, 0, errors.Join(earlier, fmt.Errorf("claim messages: %w", err))
	}
	ready, composed, prepared := w.prepare(record, msgs)
	sent, delivered := w.deliver(ctx, record, ready, composed)
	return len(msgs), sent, errors.Join(earlier, prepared, delivered)
}

// catchUp records the deliveries earlier rounds could not; ok reports
// whether to claim more, which waits until the store is available again.
func (w *Worker) catchUp(ctx context.Context) (ok bool, err error) {
	err = w.recordEarlier(ctx, false)
	if errors.Is(err, domain.ErrUnavailable) {
		return false, err
	}
	return !w.unrecorded.blocking(), err
}

// prepare composes the claimed messages, dating them now. A message that
// cannot be composed is dead; one that was delivered already is recorded
// and left out.
func (w *Worker) prepare(ctx context.Context, msgs []domain.Message) ([]domain.Message, []*gomail.Msg, error) {
	var errs []error
	ready := make([]domain.Message, 0, len(msgs))
	composed := make([]*gomail.Msg, 0, len(msgs))
	for _, m := range msgs {
		if d, ok := w.unrecorded.find(m.ID); ok {
			errs = append(errs, w.recordAgain(ctx, m, d))
			continue
		}
		mm, err := Compose(m)
		if err != nil {
			errs = append(errs, w.fail(ctx, m, err, true))
			continue
		}
		mm.SetDateWithValue(w.clock().Now())
		ready = append(ready, m)
		composed = append(composed, mm)
	}
	return ready, composed, errors.Join(errs...)
}

// deliver sends the messages and records each outcome in the store with
// the record context; it returns how many the server accepted.
//
// One message at a time, marked sent as soon as the server accepted it: a
// crash between the two can then repeat at most one message, not a whole
// batch. Messages left when ctx ends, or when the store becomes
// unavailable, come back after their lease.
func (w *Worker) deliver(ctx, record context.Context, msgs []domain.Message, composed []*gomail.Msg) (sent int, err error) {
	var errs []error
	for i, m := range msgs {
		if ctx.Err() != nil {
			break
		}
		err := w.Transport.Send(ctx, composed[i])
		if err != nil {
			err = w.fail(record, m, err, false)
		} else {
			sent++
			err = w.markSent(record, m, w.clock().Now())
		}
		errs = append(errs, err)
		if left := len(msgs) - i - 1; left > 0 && errors.Is(err, domain.ErrUnavailable) {
			w.logger().Warn("store unavailable: the rest of the batch waits for its lease to run out", "left", left)
			break
		}
	}
	return sent, errors.Join(errs...)
}

// markSent records that the server accepted m at at. When the store fails
// to, the delivery is remembered and recorded later (see recordEarlier), so
// that m is not sent again.
func (w *Worker) markSent(ctx context.Context, m domain.Message, at time.Time) error {
	w.Metrics.sent(m, at)
	log := w.logger().With("message_id", m.ID, "booking_id", m.BookingID, "kind", string(m.Kind), "attempt", m.Attempts+1)
	err := w.Store.MarkSent(ctx, m.ID, at)
	if err == nil {
		log.Info("message sent")
		return nil
	}
	if !errors.Is(err, domain.ErrNotFound) {
		log.Warn("message sent, but not recorded: recording it later", "sent_at", at, "error", err)
		w.remember(delivery{ID: m.ID, At: at}, err)
	}
	return fmt.Errorf("mark message %s sent: %w", m.ID, err)
}

// remember holds a delivery the store failed to record with err.
func (w *Worker) remember(d delivery, err error) {
	if old, dropped := w.unrecorded.add(d); dropped {
		w.logger().Error("too many unrecorded deliveries: forgetting the oldest, which may be sent again",
			"message_id", old.ID, "sent_at", old.At, "limit", maxUnrecorded)
	}
	w.unrecorded.failed(w.clock().Now(), errors.Is(err, domain.ErrUnavailable), w.recordBackoff)
}

// recordEarlier tries to record the deliveries the store failed to, oldest
// first, once their retry is due (at once with force). It stops at the first
// error that says the store is unavailable, and returns it.
func (w *Worker) recordEarlier(ctx context.Context, force bool) error {
	list := w.unrecorded.due(w.clock().Now(), force)
	if len(list) == 0 {
		return nil
	}
	var errs []error
	for _, d := range list {
		err := w.record(ctx, d)
		if errors.Is(err, domain.ErrUnavailable) {
			w.unrecorded.failed(w.clock().Now(), true, w.recordBackoff)
			return fmt.Errorf("record %d earlier deliveries: %w", w.unrecorded.len(), err)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		w.unrecorded.failed(w.clock().Now(), false, w.recordBackoff)
		return errors.Join(errs...)
	}
	w.unrecorded.succeeded()
	return nil
}

// recordAgain records, instead of sending it again, a claimed message whose
// lease ran out before the store recorded its delivery d.
func (w *Worker) recordAgain(ctx context.Context, m domain.Message, d delivery) error {
	w.logger().Info("message delivered already: recording it, not sending it again",
		"message_id", m.ID, "booking_id", m.BookingID, "kind", string(m.Kind), "sent_at", d.At)
	err := w.record(ctx, d)
	if err != nil {
		w.unrecorded.failed(w.clock().Now(), errors.Is(err, domain.ErrUnavailable), w.recordBackoff)
	}
	return err
}

// record marks d sent at the time it happened and forgets it, also when the
// store no longer has the message; any other error keeps it for a retry.
func (w *Worker) record(ctx context.Context, d delivery) error {
	err := w.Store.MarkSent(ctx, d.ID, d.At)
	switch {
	case err == nil:
		w.unrecorded.remove(d.ID)
		w.logger().Info("earlier delivery recorded", "message_id", d.ID, "sent_at", d.At)
		return nil
	case errors.Is(err, domain.ErrNotFound):
		w.unrecorded.remove(d.ID)
		w.logger().Warn("delivered message is no longer in the store", "message_id", d.ID, "sent_at", d.At)
		return nil
	}
	return fmt.Errorf("mark message %s sent: %w", d.ID, err)
}

// recordOnExit makes a last attempt, for at most Grace, to record what the
// store could not so far: it is lost when the process exits.
func (w *Worker) recordOnExit(ctx context.Context) {
	if w.unrecorded.len() == 0 {
		return
	}
	last, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.grace())
	defer cancel()
	err := w.recordEarlier(last, true)
	if n := w.unrecorded.len(); n > 0 {
		w.logger().Error("deliveries left unrecorded on shutdown: these messages may be sent again",
			"count", n, "error", err)
	}
}

// recordBackoff is how long to wait before recording deliveries again after
// failures in a row: Backoff, but at most half the lease, so that after a
// short outage they are recorded before other workers may claim them again.
func (w *Worker) recordBackoff(failures int) time.Duration {
	return min(Backoff(failures), w.lease()/2)
}

// outlive returns a context that outlasts ctx by grace: it ends grace after
// ctx does, or when cancel is called.
func outlive(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	out, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancel) })
	return out, func() { stop(); cancel() }
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
	w.logger().Warn("message not sent", "message_id", m.ID, "booking_id", m.BookingID,
		"kind", string(m.Kind), "attempt", attempts, "dead", dead, "retry_at", next, "error", cause)
	err := w.Store.MarkFailed(ctx, m.ID, cause.Error(), next, dead)
	// Unrecorded, the message is claimed and tried again after its lease:
	// it is dead only once the store says so.
	w.Metrics.failed(m, dead && err == nil)
	if err != nil {
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

func (w *Worker) grace() time.Duration {
	if w.Grace <= 0 {
		return 5 * time.Second
	}
	return w.Grace
}

func (w *Worker) lease() time.Duration {
	if w.Lease <= 0 {
		return 2 * time.Minute
	}
	return w.Lease
}
