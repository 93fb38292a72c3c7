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

// parseHoldMinutes reads HOLD_MINUTES (default 10).
func parseHoldMinutes(v string) (time.Duration, error) {
	if v == "" {
		return domain.DefaultHoldDuration, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 60 {
		return 0, fmt.Errorf("HOLD_MINUTES=%q: want a whole number of minutes from 1 to 60", v)
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
