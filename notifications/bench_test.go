package notifications

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
)

func BenchmarkInvite(b *testing.B) {
	n := testNotice()
	for b.Loop() {
		if _, err := invite(n, MethodRequest, fixedNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompose measures one confirmation: templates, iCal and the MIME
// message written out.
func BenchmarkCompose(b *testing.B) {
	msg := testMessage(domain.MessageConfirmation)
	var sink discard
	for b.Loop() {
		m, err := Compose(msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.WriteTo(&sink); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func BenchmarkFeedCalendar5000(b *testing.B) {
	f := testFeed(5000)
	for b.Loop() {
		if _, err := FeedCalendar(f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorkerSMTP measures delivery through the worker to the in-process
// SMTP server, batches of 20 over one connection each; it reports msgs/s.
func BenchmarkWorkerSMTP(b *testing.B) {
	s := startSink(b)
	tr, err := NewTransport(s.url(), "")
	if err != nil {
		b.Fatal(err)
	}
	msgs := bulk(b.N)
	store := newMemOutbox(msgs...)
	w := &Worker{Store: store, Transport: tr, Clock: domaintest.NewClock(fixedNow), Logger: discardLogger()}
	b.ResetTimer()
	start := time.Now()
	total := 0
	for total < len(msgs) {
		sent, err := w.RunOnce(context.Background())
		if err != nil || sent == 0 {
			b.Fatalf("RunOnce = %d, %v after %d of %d", sent, err, total, len(msgs))
		}
		total += sent
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "msgs/s")
}
