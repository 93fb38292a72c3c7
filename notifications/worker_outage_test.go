package notifications

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// flakyStore is a real store with faults injected into ClaimMessages,
// MarkSent and MarkFailed: while it is down they fail with
// domain.ErrUnavailable, as the store does when the database cannot be
// reached.
type flakyStore struct {
	*storage.Store
	release chan struct{} // ends every hang, when the test ends

	mu        sync.Mutex
	down      bool
	hang      bool    // while down, calls first wait for their context to end, as for a server that does not answer
	downNext  bool    // the next claim succeeds, then the store is down
	markErrs  []error // the next MarkSent calls fail with these, in turn
	faults    int     // calls failed by the outage
	hangs     int     // calls that hung
	failCalls int     // MarkFailed calls
}

func openFlaky(t *testing.T, engine storagetest.Engine) *flakyStore {
	t.Helper()
	f := &flakyStore{Store: storagetest.Open(t, engine), release: make(chan struct{})}
	t.Cleanup(func() { close(f.release) })
	return f
}

// downAfterClaim takes the store down right after the next claim, while the
// worker is sending what it claimed.
func (f *flakyStore) downAfterClaim(hang bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.downNext, f.hang = true, hang
}

func (f *flakyStore) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// failMarks makes the next n MarkSent calls fail with err.
func (f *flakyStore) failMarks(err error, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.markErrs = append(f.markErrs, err)
	}
}

// counts returns how many calls the outage failed, and how many of those hung.
func (f *flakyStore) counts() (faults, hangs int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.faults, f.hangs
}

func (f *flakyStore) ClaimMessages(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]domain.Message, error) {
	if err := f.fault(ctx, "claim messages"); err != nil {
		return nil, err
	}
	msgs, err := f.Store.ClaimMessages(ctx, now, limit, lease)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.downNext && err == nil {
		f.down, f.downNext = true, false
	}
	return msgs, err
}

func (f *flakyStore) MarkSent(ctx context.Context, id string, at time.Time) error {
	f.mu.Lock()
	var err error
	if len(f.markErrs) > 0 {
		err, f.markErrs = f.markErrs[0], f.markErrs[1:]
	}
	f.mu.Unlock()
	if err != nil {
		return err
	}
	if err := f.fault(ctx, "mark message sent"); err != nil {
		return err
	}
	return f.Store.MarkSent(ctx, id, at)
}

func (f *flakyStore) MarkFailed(ctx context.Context, id, lastErr string, next time.Time, dead bool) error {
	f.mu.Lock()
	f.failCalls++
	f.mu.Unlock()
	if err := f.fault(ctx, "mark message failed"); err != nil {
		return err
	}
	return f.Store.MarkFailed(ctx, id, lastErr, next, dead)
}

// fault returns the outage's error while the store is down.
func (f *flakyStore) fault(ctx context.Context, op string) error {
	f.mu.Lock()
	down, hang := f.down, f.hang
	if down {
		f.faults++
		if hang {
			f.hangs++
		}
	}
	f.mu.Unlock()
	if !down {
		return nil
	}
	if hang {
		select {
		case <-ctx.Done():
		case <-f.release:
		}
	}
	return fmt.Errorf("%s: %w: dial tcp 127.0.0.1:5432: connect: connection refused", op, domain.ErrUnavailable)
}

// checkDeliveredOnce fails unless each of msgs arrived at the sink exactly
// once, nothing else arrived, and the store marks each sent at the time its
// email is dated: the time it went out, not when the store came back.
func checkDeliveredOnce(t *testing.T, s *sink, store domain.OutboxStore, msgs []domain.Message) {
	t.Helper()
	dated := map[string]time.Time{}
	for _, raw := range s.messages() {
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if dated[m.Header.Get("Message-Id")], err = m.Header.Date(); err != nil {
			t.Fatal(err)
		}
	}
	counts, stored := s.count(), mustMessages(t, store)
	for _, m := range msgs {
		id := messageID(m)
		if n := counts[id]; n != 1 {
			t.Errorf("message %s arrived %d times, want once", m.ID, n)
		}
		if got := stored[m.ID]; got.Status != domain.MessageSent || !got.SentAt.Equal(dated[id]) {
			t.Errorf("message %s is %s at %v, want sent at %v, when its email is dated", m.ID, got.Status, got.SentAt, dated[id])
		}
	}
	if s.total() != len(msgs) {
		t.Errorf("the sink got %d emails, want %d", s.total(), len(msgs))
	}
}

// sentTotal is the worker's sent metric over the kinds of msgs.
func sentTotal(t *testing.T, m *Metrics, msgs []domain.Message) float64 {
	t.Helper()
	kinds := map[domain.MessageKind]bool{}
	var total float64
	for _, msg := range msgs {
		if !kinds[msg.Kind] {
			kinds[msg.Kind] = true
			total += counterValue(t, m.Sent.WithLabelValues(string(msg.Kind)))
		}
	}
	return total
}

// TestWorkerStoreDownWhileSending takes the database down while a batch is
// being sent, for less than the lease: the email that went out is recorded
// once the store is back, with the time it went out; the worker neither
// claims nor hammers the store meanwhile; nothing arrives twice.
func TestWorkerStoreDownWhileSending(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			store := openFlaky(t, engine)
			clock, due := mustOutbox(t, store.Store, 3)
			s := startSink(t)
			logs := &logBuffer{}
			w := newWorker(t, store, s.url(), clock, logs)
			metrics, err := NewMetrics(prometheus.NewRegistry())
			if err != nil {
				t.Fatal(err)
			}
			w.Metrics = metrics
			ctx := context.Background()

			store.downAfterClaim(false)
			if sent, err := w.RunOnce(ctx); sent != 1 || !errors.Is(err, domain.ErrUnavailable) {
				t.Errorf("RunOnce as the store goes down = %d, %v; want 1 sent, then the store unavailable", sent, err)
			}
			for range 20 { // less than the shortest backoff
				clock.Advance(time.Second)
				if sent, _ := w.RunOnce(ctx); sent != 0 {
					t.Errorf("RunOnce with the store down sent %d", sent)
				}
			}
			if faults, _ := store.counts(); faults != 1 {
				t.Errorf("the store was asked %d times during the outage, want once: no claims, no retry before the backoff", faults)
			}

			store.setDown(false)
			clock.Advance(40 * time.Second) // past the first backoff, within the lease
			if sent, err := w.RunOnce(ctx); sent != 0 || err != nil {
				t.Errorf("RunOnce once the store is back = %d, %v; want 0 (the rest is leased), nil", sent, err)
			}
			if n := len(mustSent(t, store)); n != 1 {
				t.Errorf("%d messages marked sent once the store is back, want the one delivered", n)
			}
			clock.Advance(2 * time.Minute) // past the lease of the rest
			for range 3 {
				if _, err := w.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
			}
			checkDeliveredOnce(t, s, store, due)
			if got := sentTotal(t, metrics, due); got != float64(len(due)) {
				t.Errorf("sent metric = %v, want %d", got, len(due))
			}
			for _, want := range []string{"message sent, but not recorded", "earlier delivery recorded"} {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("the log does not say %q:\n%s", want, logs)
				}
			}
		})
	}
}

// TestWorkerStoreDownWhileFailing takes the database down while the mail
// server refuses a batch: the worker stops at the first failure it cannot
// record, does not panic or spin, and once both are back every message
// arrives once.
func TestWorkerStoreDownWhileFailing(t *testing.T) {
	store := openFlaky(t, storagetest.SQLite)
	clock, due := mustOutbox(t, store.Store, 2)
	s := startSink(t)
	s.stop()
	w := newWorker(t, store, s.url(), clock, &logBuffer{})
	ctx := context.Background()

	store.downAfterClaim(false)
	if sent, err := w.RunOnce(ctx); sent != 0 || !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("RunOnce with SMTP and the store down = %d, %v; want 0, the store unavailable", sent, err)
	}
	if store.failCalls != 1 {
		t.Errorf("MarkFailed called %d times, want once: the batch stops when the store is unavailable", store.failCalls)
	}
	store.setDown(false)
	s.start(t)
	clock.Advance(3 * time.Minute) // past the lease
	for range 3 {
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	checkDeliveredOnce(t, s, store, due)
}

func mustSent(t *testing.T, store domain.OutboxStore) []domain.Message {
	t.Helper()
	sent, err := store.Messages(context.Background(), domain.MessageFilter{Statuses: []domain.MessageStatus{domain.MessageSent}})
	if err != nil {
		t.Fatal(err)
	}
	return sent
}

// TestWorkerLeaseRunsOutUnrecorded lets the lease of delivered messages run
// out before the store records them: they are not sent again, and are
// recorded at the time they went out. With the store down the worker waits;
// with MarkSent failing otherwise it claims them again, and records them
// instead of sending them.
func TestWorkerLeaseRunsOutUnrecorded(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		for _, tc := range []struct {
			name   string
			outage func(f *flakyStore, due int)
			end    func(f *flakyStore)
		}{
			{"store down", func(f *flakyStore, _ int) { f.downAfterClaim(false) }, func(f *flakyStore) { f.setDown(false) }},
			{"mark failing", func(f *flakyStore, due int) {
				// The batch, then the retry before the next claim; the
				// claim's own attempt succeeds.
				f.failMarks(errors.New("mark message sent: canceling statement due to statement timeout"), 2*due)
			}, func(*flakyStore) {}},
		} {
			t.Run(string(engine)+"/"+tc.name, func(t *testing.T) {
				store := openFlaky(t, engine)
				clock, due := mustOutbox(t, store.Store, 2)
				s := startSink(t)
				w := newWorker(t, store, s.url(), clock, &logBuffer{})
				w.Lease = 10 * time.Second
				ctx := context.Background()

				tc.outage(store, len(due))
				_, _ = w.RunOnce(ctx)
				first := s.total()
				clock.Advance(30 * time.Second) // past the lease and the backoff
				_, _ = w.RunOnce(ctx)
				if s.total() != first {
					t.Errorf("the sink got %d emails after the lease ran out, want the %d before", s.total(), first)
				}
				tc.end(store)
				for range 3 {
					clock.Advance(30 * time.Second)
					if _, err := w.RunOnce(ctx); err != nil {
						t.Fatal(err)
					}
				}
				checkDeliveredOnce(t, s, store, due)
			})
		}
	}
}

// TestWorkerRunStopsDuringOutage ends Run while the store is down: Run
// returns promptly even when the store does not answer, and records what
// it can on the way out.
func TestWorkerRunStopsDuringOutage(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		for _, tc := range []struct {
			name     string
			hang     bool
			recorded int // messages marked sent once Run returned
			log      string
		}{
			{"store hangs", true, 0, "deliveries left unrecorded on shutdown"},
			{"store back", false, 1, "earlier delivery recorded"},
		} {
			t.Run(string(engine)+"/"+tc.name, func(t *testing.T) {
				store := openFlaky(t, engine)
				clock, _ := mustOutbox(t, store.Store, 2)
				s := startSink(t)
				logs := &logBuffer{}
				w := newWorker(t, store, s.url(), clock, logs)
				w.Interval, w.Grace = 10*time.Millisecond, 200*time.Millisecond

				store.downAfterClaim(tc.hang)
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- w.Run(ctx) }()
				waitFor(t, func() bool { faults, _ := store.counts(); return faults > 0 })
				if !tc.hang {
					waitFor(t, func() bool { return strings.Contains(logs.String(), "message sent, but not recorded") })
					store.setDown(false) // the clock stands still: only the last attempt on the way out can record
				}
				start := time.Now()
				cancel()
				select {
				case err := <-done:
					if err != nil {
						t.Errorf("Run = %v, want nil", err)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("Run did not return within 5s of its context ending")
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("Run took %v to return, want about twice the %v grace", d, w.Grace)
				}
				if s.total() != 1 {
					t.Errorf("the sink got %d emails, want 1", s.total())
				}
				if n := len(mustSent(t, store)); n != tc.recorded {
					t.Errorf("%d messages marked sent, want %d", n, tc.recorded)
				}
				if !strings.Contains(logs.String(), tc.log) {
					t.Errorf("the log does not say %q:\n%s", tc.log, logs)
				}
			})
		}
	}
}

// TestWorkerForgetsVanishedDelivery: a delivery the store no longer has a
// row for is forgotten, and the worker claims again.
func TestWorkerForgetsVanishedDelivery(t *testing.T) {
	store := openFlaky(t, storagetest.SQLite)
	clock, _ := mustOutbox(t, store.Store, 1)
	s := startSink(t)
	logs := &logBuffer{}
	w := newWorker(t, store, s.url(), clock, logs)
	ctx := context.Background()

	store.downAfterClaim(false)
	_, _ = w.RunOnce(ctx)
	store.setDown(false)
	store.failMarks(domain.ErrNotFound, 1)
	clock.Advance(40 * time.Second)
	if _, err := w.RunOnce(ctx); err != nil {
		t.Errorf("RunOnce = %v, want nil", err)
	}
	if n := w.unrecorded.len(); n != 0 {
		t.Errorf("%d deliveries still held, want none", n)
	}
	if !strings.Contains(logs.String(), "delivered message is no longer in the store") {
		t.Errorf("the log does not say the message is gone:\n%s", logs)
	}
}

// TestWorkerUnrecordedBounded: past maxUnrecorded deliveries the oldest are
// forgotten, and the log says which.
func TestWorkerUnrecordedBounded(t *testing.T) {
	logs := &logBuffer{}
	w := newWorker(t, newMemOutbox(), "smtp://127.0.0.1:1?tls=none", domaintest.NewClock(fixedNow), logs)
	down := fmt.Errorf("mark message sent: %w", domain.ErrUnavailable)
	for i := range maxUnrecorded + 2 {
		w.remember(delivery{ID: fmt.Sprint(i), At: fixedNow}, down)
	}
	if n := w.unrecorded.len(); n != maxUnrecorded {
		t.Errorf("%d deliveries held, want %d", n, maxUnrecorded)
	}
	for id, want := range map[string]bool{"0": false, "1": false, "2": true, fmt.Sprint(maxUnrecorded + 1): true} {
		if _, held := w.unrecorded.find(id); held != want {
			t.Errorf("delivery %s held = %v, want %v", id, held, want)
		}
	}
	if n := strings.Count(logs.String(), "forgetting the oldest"); n != 2 {
		t.Errorf("the log says %d times that it forgets one, want 2:\n%.2000s", n, logs)
	}
}

// waitFor waits up to 5s for cond.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
	}
}
