package notifications

import (
	"fmt"
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
