package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
)

// waitlistTick is how often the worker passes lapsed offers on and
// matches free time against the waitlist, a safety net for the matching
// each freed time starts at once.
const waitlistTick = time.Minute

// parseOfferMinutes reads WAITLIST_OFFER_MINUTES (default 30).
func parseOfferMinutes(v string) (time.Duration, error) {
	if v == "" {
		return domain.DefaultOfferFor, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 24*60 {
		return 0, fmt.Errorf("WAITLIST_OFFER_MINUTES=%q: want a whole number of minutes from 1 to 1440", v)
	}
	return time.Duration(n) * time.Minute, nil
}

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
