package notifications

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// TestWorkersShareRealStore runs two workers against one real database (on
// PostgreSQL they claim with FOR UPDATE SKIP LOCKED) while the outbox holds
// the emails of real bookings: every due message arrives exactly once, and
// the store marks exactly those sent.
func TestWorkersShareRealStore(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			store := storagetest.Open(t, engine)
			clock, pending := mustOutbox(t, store, 12)
			if len(pending) < 12 {
				t.Fatalf("%d due messages after 12 bookings, want at least one confirmation each", len(pending))
			}
			due := len(pending)

			s := startSink(t)
			var wg sync.WaitGroup
			for range 2 {
				w := newWorker(t, store, s.url(), clock, &logBuffer{})
				w.Batch = 3
				wg.Go(func() {
					for range 20 {
						if _, err := w.RunOnce(context.Background()); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()

			for id, n := range s.count() {
				if n != 1 {
					t.Errorf("%s arrived %d times, want once", id, n)
				}
			}
			sent, err := store.Messages(context.Background(), domain.MessageFilter{Statuses: []domain.MessageStatus{domain.MessageSent}})
			if err != nil {
				t.Fatal(err)
			}
			if s.total() != due || len(sent) != due {
				t.Fatalf("sink got %d, store marked %d sent, want the %d due messages", s.total(), len(sent), due)
			}
			for _, m := range sent {
				if m.Notice.ManageURL != "" {
					t.Errorf("sent message %s still holds the manage link", m.ID)
				}
			}
		})
	}
}

// mustOutbox books n visits in a seeded store, six a day from Tuesday 2
// March 2027, and returns a clock on the Monday before with the messages
// then due, the booking confirmations among them.
func mustOutbox(t *testing.T, store *storage.Store, n int) (*domaintest.Clock, []domain.Message) {
	t.Helper()
	fx := storagetest.Seed(t, store)
	loc, err := time.LoadLocation(storagetest.SeedZone)
	if err != nil {
		t.Fatal(err)
	}
	monday := domain.Date{Year: 2027, Month: time.March, Day: 1}
	clock := domaintest.NewClock(domain.WallClock(monday, domain.At(7, 0), loc))
	sched := &domain.Scheduler{Store: store, Clock: clock, BaseURL: "https://clinic.test"}
	for i := range n {
		start := domain.WallClock(monday.AddDays(1+i/6), domain.At([]int{9, 11, 14}[i%3], 0), loc)
		p := fx.PractitionerIDs()[(i/3)%2]
		_, err := sched.Book(context.Background(), domain.BookRequest{
			ServiceID: fx.Massage.ID, PractitionerID: p, Start: start, Actor: domain.ActorPatient,
			Patient: domain.Patient{Name: fmt.Sprintf("Patient %d", i), Email: fmt.Sprintf("p%d@example.org", i)},
		})
		if err != nil {
			t.Fatalf("book %d at %v: %v", i, start, err)
		}
	}
	pending, err := store.Messages(context.Background(), domain.MessageFilter{Statuses: []domain.MessageStatus{domain.MessagePending}})
	if err != nil {
		t.Fatal(err)
	}
	var due []domain.Message
	for _, m := range pending {
		if !m.DueAt.After(clock.Now()) {
			due = append(due, m)
		}
	}
	return clock, due
}
