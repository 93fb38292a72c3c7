package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
)

// waitlistTick is how often the worker passes lapsed offers on and
// matches free time against the waitlist, a safety net for the matching
// each freed time starts at once.
const waitlistTick = time.Minute

// newWaitlist is the waitlist over store, offering with sched; it hears
// of the time sched and setup free.
func newWaitlist(cfg config, store *storage.Store, sched *domain.Scheduler, setup *domain.Setup, log *slog.Logger) *domain.Waitlist {
	w := &domain.Waitlist{Store: store, Scheduler: sched, Clock: domain.SystemClock, BaseURL: cfg.BaseURL,
		OfferFor: cfg.WaitlistOfferFor,
		OnError:  func(err error) { log.Error("waitlist matching failed", "component", "waitlist", "err", err) }}
	sched.OnFreed = w.Freed
	if setup != nil {
		setup.OnFreed = w.Freed
	}
	return w
}

// runWaitlist runs Waitlist.Tick every waitlistTick until ctx ends. Every
// replica may run it: the database's unique indexes keep one open offer
// per time and per patient.
func runWaitlist(ctx context.Context, w *domain.Waitlist, log *slog.Logger) {
	t := time.NewTicker(waitlistTick)
	defer t.Stop()
	for {
		if err := w.Tick(ctx); err != nil && ctx.Err() == nil {
			log.Error("waitlist tick failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
