package notifications

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontdesk/frontdesk/domain"
)

// Metrics counts what the outbox worker does, for Prometheus. A Worker with
// nil Metrics counts nothing.
type Metrics struct {
	Sent   *prometheus.CounterVec // delivered messages, by kind
	Failed *prometheus.CounterVec // failed attempts, by kind (each retry counts)
	Dead   *prometheus.CounterVec // messages given up on, by kind
	Delay  prometheus.Histogram   // seconds from a message being due to its delivery
}

// NewMetrics creates the worker's metrics and registers them with reg; it
// returns the registry's error when one is already registered.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		Sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontdesk_outbox_sent_total", Help: "Emails delivered to the mail transport.",
		}, []string{"kind"}),
		Failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontdesk_outbox_failed_total", Help: "Failed delivery attempts; each retry counts.",
		}, []string{"kind"}),
		Dead: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontdesk_outbox_dead_total", Help: "Emails given up on after their last attempt.",
		}, []string{"kind"}),
		Delay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "frontdesk_outbox_delay_seconds", Help: "Time from an email being due to its delivery.",
			Buckets: []float64{1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600},
		}),
	}
	for _, c := range []prometheus.Collector{m.Sent, m.Failed, m.Dead, m.Delay} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register outbox metrics: %w", err)
		}
	}
	return m, nil
}

func (m *Metrics) sent(msg domain.Message, at time.Time) {
	if m == nil {
		return
	}
	m.Sent.WithLabelValues(string(msg.Kind)).Inc()
	m.Delay.Observe(max(at.Sub(msg.DueAt), 0).Seconds())
}

func (m *Metrics) failed(msg domain.Message, dead bool) {
	if m == nil {
		return
	}
	m.Failed.WithLabelValues(string(msg.Kind)).Inc()
	if dead {
		m.Dead.WithLabelValues(string(msg.Kind)).Inc()
	}
}

// QueueStore is what QueueCollector reads: the queue's figures in one query.
type QueueStore interface {
	OutboxStats(ctx context.Context, now time.Time) (domain.OutboxStats, error)
}

// QueueCollector exposes the outbox queue as the database holds it, read
// at scrape time with one query, so every replica reports the same figures
// and nothing is cached between scrapes:
//
//	frontdesk_outbox_messages{state="queued|scheduled|retrying|sent|dead"}
//	frontdesk_outbox_oldest_queued_age_seconds
//	frontdesk_outbox_stats_up (0 when the query failed; the others are then absent)
type QueueCollector struct {
	store    QueueStore
	clock    domain.Clock
	log      *slog.Logger
	messages *prometheus.Desc
	oldest   *prometheus.Desc
	up       *prometheus.Desc
}

// queueScrapeTimeout bounds the query, so a slow database cannot stall
// the whole scrape.
const queueScrapeTimeout = 2 * time.Second

// NewQueueCollector returns a collector over store; register it once.
func NewQueueCollector(store QueueStore, clock domain.Clock, log *slog.Logger) *QueueCollector {
	return &QueueCollector{
		store: store, clock: clock, log: log,
		messages: prometheus.NewDesc("frontdesk_outbox_messages",
			"Outbox messages by state: queued (due, waiting), scheduled (due later), retrying (pending after a failure), sent, dead.",
			[]string{"state"}, nil),
		oldest: prometheus.NewDesc("frontdesk_outbox_oldest_queued_age_seconds",
			"How long the longest-waiting queued message has been due; 0 when none is queued.", nil, nil),
		up: prometheus.NewDesc("frontdesk_outbox_stats_up",
			"1 when the outbox figures could be read at this scrape, 0 when the query failed.", nil, nil),
	}
}

// Describe sends the collector's metric descriptions.
func (q *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- q.messages
	ch <- q.oldest
	ch <- q.up
}

// Collect reads the queue and sends its figures.
func (q *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), queueScrapeTimeout)
	defer cancel()
	now := q.clock.Now()
	st, err := q.store.OutboxStats(ctx, now)
	if err != nil {
		q.log.Warn("read outbox figures", "err", err)
		ch <- prometheus.MustNewConstMetric(q.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(q.up, prometheus.GaugeValue, 1)
	for state, n := range map[string]int{
		"queued": st.Queued, "scheduled": st.Scheduled, "retrying": st.Retrying, "sent": st.Sent, "dead": st.Dead,
	} {
		ch <- prometheus.MustNewConstMetric(q.messages, prometheus.GaugeValue, float64(n), state)
	}
	age := 0.0
	if !st.OldestQueued.IsZero() {
		age = max(now.Sub(st.OldestQueued), 0).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(q.oldest, prometheus.GaugeValue, age)
}
