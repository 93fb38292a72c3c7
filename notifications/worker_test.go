package notifications

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
)

// lifecycle is one booking's three invites: booked, moved, cancelled.
func lifecycle() []domain.Message {
	conf, moved, cancel := testMessage(domain.MessageConfirmation), testMessage(domain.MessageRescheduled), testMessage(domain.MessageCancellation)
	cancel.Notice.Sequence = 2
	cancel.Notice.Start, cancel.Notice.End = moved.Notice.Start, moved.Notice.End
	for i, m := range []*domain.Message{&conf, &moved, &cancel} {
		m.ID = fmt.Sprintf("aaaaaaaa-0000-4000-8000-%012d", i)
		m.CreatedAt = fixedNow.Add(time.Duration(i) * time.Minute)
		m.DueAt = m.CreatedAt
	}
	return []domain.Message{conf, moved, cancel}
}

// bulk returns n confirmations for n bookings.
func bulk(n int) []domain.Message {
	var out []domain.Message
	for i := range n {
		m := testMessage(domain.MessageConfirmation)
		m.ID = fmt.Sprintf("bbbbbbbb-0000-4000-8000-%012d", i)
		m.BookingID = fmt.Sprintf("cccccccc-0000-4000-8000-%012d", i)
		m.Notice.UID = fmt.Sprintf("dddddddd-0000-4000-8000-%012d", i)
		m.To = fmt.Sprintf("patient%d@example.org", i)
		m.Notice.PatientEmail = m.To
		out = append(out, m)
	}
	return out
}

type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newWorker(t *testing.T, store domain.OutboxStore, smtpURL string, clock domain.Clock, logs *logBuffer) *Worker {
	t.Helper()
	tr, err := NewTransport(smtpURL, "")
	if err != nil {
		t.Fatal(err)
	}
	return &Worker{Store: store, Transport: tr, Clock: clock,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
}

func mustMessages(t *testing.T, store domain.OutboxStore) map[string]domain.Message {
	t.Helper()
	msgs, err := store.Messages(context.Background(), domain.MessageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]domain.Message, len(msgs))
	for _, m := range msgs {
		out[m.ID] = m
	}
	return out
}

func TestWorkerInvitesOverSMTP(t *testing.T) {
	s := startSink(t)
	msgs := lifecycle()
	store := newMemOutbox(msgs...)
	logs := &logBuffer{}
	w := newWorker(t, store, s.url(), domaintest.NewClock(fixedNow.Add(time.Hour)), logs)
	sent, err := w.RunOnce(context.Background())
	if err != nil || sent != 3 {
		t.Fatalf("RunOnce = %d, %v; want 3, nil", sent, err)
	}
	got := s.messages()
	if len(got) != 3 {
		t.Fatalf("the sink got %d messages, want 3", len(got))
	}
	methods := []string{"REQUEST", "REQUEST", "CANCEL"}
	lastSeq := -1
	for i, raw := range got {
		want := msgs[i]
		h, parts := parseMIME(t, raw)
		ics := checkInviteEmail(t, h, parts, want, methods[i])
		cal, ev := decode(t, ics)
		if m := propText(t, cal.Props, ical.PropMethod); m != methods[i] {
			t.Errorf("message %d METHOD = %s, want %s", i, m, methods[i])
		}
		if uid := propText(t, ev.Props, ical.PropUID); uid != want.Notice.UID {
			t.Errorf("message %d UID = %s, want the booking's %s", i, uid, want.Notice.UID)
		}
		seq, err := ev.Props.Get(ical.PropSequence).Int()
		if err != nil || seq != want.Notice.Sequence || seq <= lastSeq {
			t.Errorf("message %d SEQUENCE = %d (%v), want %d, above %d", i, seq, err, want.Notice.Sequence, lastSeq)
		}
		lastSeq = seq
		start, err1 := ev.DateTimeStart(time.UTC)
		end, err2 := ev.DateTimeEnd(time.UTC)
		if err1 != nil || err2 != nil || !start.Equal(want.Notice.Start) || !end.Equal(want.Notice.End) {
			t.Errorf("message %d runs %v–%v (%v, %v), want %v–%v", i, start, end, err1, err2, want.Notice.Start, want.Notice.End)
		}
		status := propText(t, ev.Props, ical.PropStatus)
		if (methods[i] == "CANCEL") != (status == "CANCELLED") {
			t.Errorf("message %d: METHOD %s with STATUS %s", i, methods[i], status)
		}
		if d := h.Get("Date"); !strings.Contains(d, "24 Nov 2026 16:00:00") {
			t.Errorf("message %d Date = %q, want the time of sending", i, d)
		}
	}
	for id, m := range mustMessages(t, store) {
		if m.Status != domain.MessageSent || m.Notice.ManageURL != "" {
			t.Errorf("message %s: status %s, manage URL %q; want sent and erased", id, m.Status, m.Notice.ManageURL)
		}
	}
	if strings.Contains(logs.String(), "/manage/") {
		t.Errorf("the log shows a manage link:\n%s", logs)
	}
}

func TestWorkerSMTPDownThenBack(t *testing.T) {
	s := startSink(t)
	s.stop()
	msgs := bulk(7)
	store := newMemOutbox(msgs...)
	clock := domaintest.NewClock(fixedNow)
	logs := &logBuffer{}
	w := newWorker(t, store, s.url(), clock, logs)
	w.Batch = 3
	ctx := context.Background()
	for range 3 { // three batches, all refused
		if sent, err := w.RunOnce(ctx); sent != 0 || err != nil {
			t.Fatalf("RunOnce with SMTP down = %d, %v; want 0, nil", sent, err)
		}
	}
	for id, m := range mustMessages(t, store) {
		if m.Status != domain.MessagePending || m.Attempts != 1 || m.LastError == "" || !m.DueAt.After(clock.Now()) {
			t.Errorf("message %s after a refused attempt: %+v; want pending, 1 attempt, an error, due later", id, m)
		}
	}
	if sent, err := w.RunOnce(ctx); sent != 0 || err != nil {
		t.Errorf("RunOnce during backoff = %d, %v; want nothing due", sent, err)
	}
	if !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("the log does not say why:\n%s", logs)
	}

	s.start(t)
	clock.Advance(time.Minute) // past 30s ±20%
	total := 0
	for range 10 {
		sent, err := w.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total += sent
	}
	if total != len(msgs) {
		t.Errorf("sent %d after SMTP came back, want %d", total, len(msgs))
	}
	counts := s.count()
	for _, m := range msgs {
		if n := counts[messageID(m)]; n != 1 {
			t.Errorf("message %s arrived %d times, want exactly once", m.ID, n)
		}
	}
	if s.total() != len(msgs) {
		t.Errorf("the sink got %d messages, want %d", s.total(), len(msgs))
	}
}

func TestWorkerDeadAfterMaxAttempts(t *testing.T) {
	s := startSink(t)
	s.refuse("bounce@example.org")
	msgs := bulk(3)
	msgs[1].To, msgs[1].Notice.PatientEmail = "bounce@example.org", "bounce@example.org"
	store := newMemOutbox(msgs...)
	clock := domaintest.NewClock(fixedNow)
	w := newWorker(t, store, s.url(), clock, &logBuffer{})
	metrics, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	w.Metrics = metrics
	for range domain.MaxAttempts + 2 {
		if _, err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(2 * time.Hour) // past the longest backoff
	}
	got := mustMessages(t, store)
	bad := got[msgs[1].ID]
	if bad.Status != domain.MessageDead || bad.Attempts != domain.MaxAttempts || !strings.Contains(bad.LastError, "550") {
		t.Errorf("the refused message: status %s, %d attempts, last error %q; want dead after %d with the 550",
			bad.Status, bad.Attempts, bad.LastError, domain.MaxAttempts)
	}
	if n := store.Claims(bad.ID); n != domain.MaxAttempts {
		t.Errorf("the refused message was tried %d times, want %d", n, domain.MaxAttempts)
	}
	kind := string(domain.MessageConfirmation)
	for name, c := range map[string]struct {
		got  float64
		want float64
	}{
		"sent":   {counterValue(t, metrics.Sent.WithLabelValues(kind)), 2},
		"failed": {counterValue(t, metrics.Failed.WithLabelValues(kind)), domain.MaxAttempts},
		"dead":   {counterValue(t, metrics.Dead.WithLabelValues(kind)), 1},
	} {
		if c.got != c.want {
			t.Errorf("metric %s = %v, want %v", name, c.got, c.want)
		}
	}
	counts := s.count()
	for _, m := range []domain.Message{msgs[0], msgs[2]} {
		if got[m.ID].Status != domain.MessageSent || counts[messageID(m)] != 1 {
			t.Errorf("message %s beside the bad one: %s, arrived %d times; want sent once", m.ID, got[m.ID].Status, counts[messageID(m)])
		}
	}
}

func TestWorkerUncomposableIsDeadAtOnce(t *testing.T) {
	s := startSink(t)
	msgs := bulk(2)
	msgs[0].To = "not an address"
	store := newMemOutbox(msgs...)
	w := newWorker(t, store, s.url(), domaintest.NewClock(fixedNow), &logBuffer{})
	sent, err := w.RunOnce(context.Background())
	if err != nil || sent != 1 {
		t.Fatalf("RunOnce = %d, %v; want 1, nil", sent, err)
	}
	m := mustMessages(t, store)[msgs[0].ID]
	if m.Status != domain.MessageDead || m.Attempts != 1 || !strings.Contains(m.LastError, "to:") {
		t.Errorf("uncomposable message: %s, %d attempts, %q; want dead at once, naming the field", m.Status, m.Attempts, m.LastError)
	}
}

func TestWorkersConcurrently(t *testing.T) {
	s := startSink(t)
	msgs := bulk(60)
	store := newMemOutbox(msgs...)
	clock := domaintest.NewClock(fixedNow)
	var wg sync.WaitGroup
	for range 2 {
		w := newWorker(t, store, s.url(), clock, &logBuffer{})
		w.Batch = 4
		wg.Go(func() {
			for range 40 {
				if _, err := w.RunOnce(context.Background()); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	counts := s.count()
	for _, m := range msgs {
		if n := counts[messageID(m)]; n != 1 {
			t.Errorf("message %s arrived %d times, want exactly once", m.ID, n)
		}
	}
}

func TestWorkerRun(t *testing.T) {
	s := startSink(t)
	msgs := bulk(5)
	store := newMemOutbox(msgs...)
	w := newWorker(t, store, s.url(), domaintest.NewClock(fixedNow), &logBuffer{})
	w.Batch, w.Interval = 2, 10*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for s.total() < len(msgs) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if s.total() != len(msgs) {
		t.Errorf("Run delivered %d, want %d", s.total(), len(msgs))
	}
}

func TestBackoff(t *testing.T) {
	for attempts := 1; attempts <= domain.MaxAttempts+2; attempts++ {
		base := min(30*time.Second<<(attempts-1), time.Hour)
		lo, hi := time.Duration(float64(base)*0.8)-time.Second, time.Duration(float64(base)*1.2)+time.Second
		seen := map[time.Duration]bool{}
		for range 50 {
			d := Backoff(attempts)
			if d < lo || d > hi {
				t.Errorf("Backoff(%d) = %v, want within %v–%v", attempts, d, lo, hi)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("Backoff(%d) has no jitter", attempts)
		}
	}
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
