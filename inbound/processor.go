package inbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// maxAttempts is how often a stored message is processed before it is
// kept as failed for staff to see.
const maxAttempts = 8

// Processor drains the queue of stored messages: it claims them (leased, so
// several processors in several replicas never take one twice), reads each,
// and lets the Inbox judge and record it. A message whose processing fails
// (the database briefly away) comes back with backoff; one that keeps
// failing is recorded as failed, never dropped.
type Processor struct {
	Store    domain.InboundStore
	Inbox    *domain.Inbox
	Auth     Authenticator
	Clock    domain.Clock
	Logger   *slog.Logger
	Batch    int           // messages claimed at once (default 10)
	Interval time.Duration // poll period when idle (default 2s)
	Lease    time.Duration // claim lease (default 2m)

	wakeOnce sync.Once
	wake     chan struct{}
}

// Wake makes a running processor look at the queue now; safe to call from
// any goroutine, and cheap when it is busy.
func (p *Processor) Wake() {
	select {
	case p.wakeChan() <- struct{}{}:
	default:
	}
}

func (p *Processor) wakeChan() chan struct{} {
	p.wakeOnce.Do(func() { p.wake = make(chan struct{}, 1) })
	return p.wake
}

// Run processes messages until ctx is done, then returns nil.
func (p *Processor) Run(ctx context.Context) error {
	wake := p.wakeChan()
	for {
		n, err := p.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			p.logger().Error("inbound round failed", "error", err)
		}
		if n == p.batch() && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-time.After(p.interval()):
		}
	}
}

// RunOnce claims one batch and processes it; it returns how many messages
// it claimed. The error reports the store failing.
func (p *Processor) RunOnce(ctx context.Context) (int, error) {
	claimed, err := p.Store.ClaimInbound(ctx, p.now(), p.batch(), p.lease())
	if err != nil {
		return 0, fmt.Errorf("claim inbound: %w", err)
	}
	var errs []error
	for _, c := range claimed {
		errs = append(errs, p.process(ctx, c))
	}
	return len(claimed), errors.Join(errs...)
}

// process reads and judges one message, scheduling a retry on failure.
func (p *Processor) process(ctx context.Context, c domain.ClaimedInbound) error {
	mail := p.read(c)
	got, err := p.Inbox.Process(ctx, c.Message, mail)
	log := p.logger().With("inbound_id", c.Message.ID, "attempt", c.Message.Attempts+1)
	if err == nil {
		log.Info("inbound message processed", "kind", string(got.Kind), "state", string(got.State), "booking_id", got.BookingID)
		return nil
	}
	if c.Message.Attempts+1 >= maxAttempts {
		failed := c.Message
		failed.Kind, failed.State, failed.From, failed.Subject = domain.InboundOther, domain.InboundFailed, mail.From, mail.Subject
		failed.Detail, failed.ProcessedAt = "Processing kept failing: "+err.Error(), p.now()
		log.Error("inbound message failed for good", "error", err)
		return errors.Join(err, p.Store.FinishInbound(ctx, failed))
	}
	next := p.now().Add(backoff(c.Message.Attempts + 1))
	log.Warn("inbound message not processed: retrying", "retry_at", next, "error", err)
	return errors.Join(err, p.Store.RetryInbound(ctx, c.Message.ID, err.Error(), next))
}

// read parses the message and checks who vouches for it.
func (p *Processor) read(c domain.ClaimedInbound) domain.InboundMail {
	mail := Read(c.Raw, c.Message.EnvelopeFrom)
	if mail.Malformed == "" {
		mail.Authenticated = p.Auth.Domains(c.Raw)
	}
	return mail
}

// backoff is 15s·2^(attempts-1), at most an hour.
func backoff(attempts int) time.Duration {
	d := 15 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

func (p *Processor) now() time.Time {
	if p.Clock == nil {
		return domain.SystemClock.Now()
	}
	return p.Clock.Now()
}

func (p *Processor) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.Default()
	}
	return p.Logger
}

func (p *Processor) batch() int {
	if p.Batch <= 0 {
		return 10
	}
	return p.Batch
}

func (p *Processor) interval() time.Duration {
	if p.Interval <= 0 {
		return 2 * time.Second
	}
	return p.Interval
}

func (p *Processor) lease() time.Duration {
	if p.Lease <= 0 {
		return 2 * time.Minute
	}
	return p.Lease
}
