package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// TestMetricsShowOutbox: /metrics shows the outbox queue as the database
// holds it (queued, sent, retrying, dead, the age of the oldest queued
// message) and the worker's counters, on both databases.
func TestMetricsShowOutbox(t *testing.T) {
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			dsn := filepath.Join(t.TempDir(), "frontdesk.db")
			if e == storagetest.Postgres {
				dsn = storagetest.PostgresDSN(t)
			}
			ctx := context.Background()
			store, err := storage.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { store.Close() })
			cfg := config{DatabaseURL: dsn, DataDir: t.TempDir(), BaseURL: "http://127.0.0.1", MetricsToken: "metrics-token-0123456789"}
			if err := seedDemo(ctx, store, cfg, io.Discard); err != nil {
				t.Fatal(err)
			}
			log := slog.New(slog.DiscardHandler)
			reg, workerMetrics, err := newRegistry(store, log)
			if err != nil {
				t.Fatal(err)
			}
			handler, _ := newHandler(cfg, store, log, nil, reg)
			ts := httptest.NewServer(handler)
			t.Cleanup(ts.Close)

			bookDemoVisit(t, store)
			m := scrape(t, ts.URL, cfg.MetricsToken)
			if m[`frontdesk_outbox_messages{state="queued"}`] < 1 || m[`frontdesk_outbox_messages{state="sent"}`] != 0 {
				t.Errorf("after a booking: queued %v, sent %v; want at least 1 and 0", m[`frontdesk_outbox_messages{state="queued"}`], m[`frontdesk_outbox_messages{state="sent"}`])
			}
			queued := m[`frontdesk_outbox_messages{state="queued"}`]
			if age, ok := m["frontdesk_outbox_oldest_queued_age_seconds"]; !ok || age < 0 || age > 600 {
				t.Errorf("oldest queued age = %v (present %v), want the seconds since the booking", age, ok)
			}
			if m["frontdesk_outbox_stats_up"] != 1 {
				t.Errorf("frontdesk_outbox_stats_up = %v, want 1", m["frontdesk_outbox_stats_up"])
			}

			w, err := newWorker(cfg, store, log, workerMetrics)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := w.RunOnce(ctx); err != nil || float64(n) != queued {
				t.Fatalf("RunOnce = %d, %v; want the %v queued", n, err, queued)
			}
			m = scrape(t, ts.URL, cfg.MetricsToken)
			if m[`frontdesk_outbox_messages{state="queued"}`] != 0 || m[`frontdesk_outbox_messages{state="sent"}`] != queued {
				t.Errorf("after the worker: queued %v, sent %v; want 0 and %v", m[`frontdesk_outbox_messages{state="queued"}`], m[`frontdesk_outbox_messages{state="sent"}`], queued)
			}
			if m["frontdesk_outbox_oldest_queued_age_seconds"] != 0 || m[`frontdesk_outbox_messages{state="dead"}`] != 0 || m[`frontdesk_outbox_messages{state="retrying"}`] != 0 {
				t.Errorf("after the worker: oldest age %v, dead %v, retrying %v; want 0", m["frontdesk_outbox_oldest_queued_age_seconds"], m[`frontdesk_outbox_messages{state="dead"}`], m[`frontdesk_outbox_messages{state="retrying"}`])
			}
			var sent float64
			for k, v := range m {
				if regexp.MustCompile(`^frontdesk_outbox_sent_total\{`).MatchString(k) {
					sent += v
				}
			}
			if sent != queued {
				t.Errorf("frontdesk_outbox_sent_total = %v, want %v", sent, queued)
			}
		})
	}
}

// sampleLine is one sample of the Prometheus text format.
var sampleLine = regexp.MustCompile(`^([a-z_]+(?:\{[^}]*\})?) (\S+)$`)

// scrape reads /metrics into sample → value.
func scrape(t *testing.T, base, token string) map[string]float64 {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET /metrics = %d: %s", res.StatusCode, body)
	}
	out := map[string]float64{}
	for _, line := range regexp.MustCompile("\r?\n").Split(string(body), -1) {
		if m := sampleLine.FindStringSubmatch(line); m != nil {
			v, err := strconv.ParseFloat(m[2], 64)
			if err == nil {
				out[m[1]] = v
			}
		}
	}
	return out
}
