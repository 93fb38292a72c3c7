package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// holdSweep is how often expired holds are deleted. Only tidying: an
// expired hold blocks nobody even before it is swept (domain.HoldStore).
const holdSweep = time.Minute

// parseMinutes reads a variable of whole minutes from 1 to max; def when
// it is unset.
func parseMinutes(name, v string, def time.Duration, max int) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, fmt.Errorf("%s=%q: want a whole number of minutes from 1 to %d", name, v, max)
	}
	return time.Duration(n) * time.Minute, nil
}

// runHoldSweeper deletes expired holds every holdSweep until ctx ends.
// Every replica may run it; the deletes are idempotent.
func runHoldSweeper(ctx context.Context, sched *domain.Scheduler, log *slog.Logger) {
	t := time.NewTicker(holdSweep)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := sched.SweepHolds(ctx); err != nil && ctx.Err() == nil {
			log.Error("hold sweep failed", "err", err)
		} else if n > 0 {
			log.Debug("expired holds swept", "count", n)
		}
	}
}
