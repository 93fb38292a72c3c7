package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/notifications"
	"github.com/frontdesk/frontdesk/notifications/busycal"
	"github.com/frontdesk/frontdesk/storage"
)

// busyConfig configures the import of practitioners' own calendars.
type busyConfig struct {
	Interval time.Duration // BUSY_POLL_INTERVAL, default 5m: how often each calendar is fetched
	Allow    busycal.Allow // BUSY_FETCH_ALLOW: hosts or CIDRs fetched although loopback or private
	URLKey   []byte        // BUSY_URL_KEY: seals stored calendar URLs; empty = stored as given
}

func loadBusyConfig(bc *busyConfig, getenv func(string) string) error {
	bc.Interval = domain.DefaultBusyInterval
	if v := getenv("BUSY_POLL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Second || d > 24*time.Hour {
			return fmt.Errorf("BUSY_POLL_INTERVAL=%q: want a duration from 10s to 24h, such as 5m", v)
		}
		bc.Interval = d
	}
	allow, err := busycal.ParseAllow(getenv("BUSY_FETCH_ALLOW"))
	if err != nil {
		return fmt.Errorf("BUSY_FETCH_ALLOW: %w; want host names, addresses or CIDRs separated by commas", err)
	}
	bc.Allow = allow
	if v := getenv("BUSY_URL_KEY"); v != "" {
		if len(v) < 16 {
			return fmt.Errorf("BUSY_URL_KEY: want at least 16 characters of secret")
		}
		bc.URLKey = []byte(v)
	}
	return nil
}

// newBusyImport wires the busy import: the store, the guarded fetcher and
// the expander.
func newBusyImport(cfg config, store *storage.Store) *domain.BusyImport {
	return &domain.BusyImport{
		Store:     store,
		Fetcher:   &busycal.Fetcher{Allow: cfg.Busy.Allow},
		Expander:  busycal.Expander{},
		Clock:     domain.SystemClock,
		Key:       cfg.Busy.URLKey,
		Interval:  cfg.Busy.Interval,
		OwnProdID: notifications.ProdID,
	}
}

// runBusyPoller polls due calendars until ctx ends. Each replica runs one;
// the claim in the database keeps them from fetching a URL twice.
func runBusyPoller(ctx context.Context, b *domain.BusyImport, log *slog.Logger) {
	tick := min(b.Interval, 30*time.Second)
	log.Info("busy calendar poller running", "interval", b.Interval)
	b.Run(ctx, tick, func(err error) { log.Error("busy calendar poll failed", "err", err) })
}
