package storage_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// bookWithMessages stores a booking with n messages due at due, i minutes apart.
func bookWithMessages(t *testing.T, s *storage.Store, fx storagetest.Fixture, start time.Time, n int, due time.Time) domain.Booking {
	t.Helper()
	b := newBooking(fx, fx.Therapist.ID, start)
	var msgs []domain.Message
	for i := range n {
		msgs = append(msgs, domain.Message{Kind: domain.MessageConfirmation, To: "ada@example.com",
			DueAt: due.Add(time.Duration(i) * time.Minute), CreatedAt: due.Add(time.Duration(i) * time.Minute),
			Notice: domain.Notice{UID: b.UID, PatientName: "Ada", ManageURL: "https://clinic.example/manage/secret", Start: start}})
	}
	p := newPatient("ada@example.com")
	if err := s.CreateBooking(context.Background(), &b, &p, domain.Effects{Messages: msgs}); err != nil {
		t.Fatalf("CreateBooking(with %d messages): %v", n, err)
	}
	return b
}

func TestOutboxLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		now := monday.Add(-48 * time.Hour)
		b := bookWithMessages(t, s, fx, monday, 3, now.Add(-time.Hour))
		stored, err := s.Messages(ctx, domain.MessageFilter{BookingID: b.ID})
		if err != nil || len(stored) != 3 {
			t.Fatalf("Messages(booking) = %d, %v; want 3", len(stored), err)
		}
		for _, m := range stored {
			if m.BookingID != b.ID || !domain.IsID(m.ID) || m.Status != domain.MessagePending || m.Notice.ManageURL == "" || m.Notice.UID != b.UID {
				t.Errorf("stored message %+v lacks its booking, id, status or notice", m)
			}
		}

		claimed, err := s.ClaimMessages(ctx, now, 2, time.Minute)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("ClaimMessages = %d, %v; want 2", len(claimed), err)
		}
		if claimed[0].Attempts != 0 || !claimed[0].CreatedAt.Before(claimed[1].CreatedAt) {
			t.Errorf("claimed %+v; want the oldest first with no earlier attempts", claimed)
		}
		rest, _ := s.ClaimMessages(ctx, now, 10, time.Minute)
		if len(rest) != 1 {
			t.Errorf("second ClaimMessages = %d messages, want only the unclaimed one", len(rest))
		}
		if again, _ := s.ClaimMessages(ctx, now.Add(59*time.Second), 10, time.Minute); len(again) != 0 {
			t.Errorf("ClaimMessages within the lease = %d messages, want none", len(again))
		}
		// A worker that died holding a message: after the lease it is claimable again.
		expired, err := s.ClaimMessages(ctx, now.Add(time.Minute), 10, time.Minute)
		if err != nil || len(expired) != 3 || expired[0].Attempts != 1 {
			t.Fatalf("ClaimMessages after the lease = %+v, %v; want all 3, attempted once before", expired, err)
		}

		sent, failed, dead := expired[0], expired[1], expired[2]
		if err := s.MarkSent(ctx, sent.ID, now.Add(2*time.Minute)); err != nil {
			t.Fatalf("MarkSent: %v", err)
		}
		if err := s.MarkFailed(ctx, failed.ID, "421 try later", now.Add(time.Hour), false); err != nil {
			t.Fatalf("MarkFailed: %v", err)
		}
		if err := s.MarkFailed(ctx, dead.ID, "550 no such user", now.Add(2*time.Minute), true); err != nil {
			t.Fatalf("MarkFailed(dead): %v", err)
		}
		byID := map[string]domain.Message{}
		all, _ := s.Messages(ctx, domain.MessageFilter{})
		for _, m := range all {
			byID[m.ID] = m
		}
		if m := byID[sent.ID]; m.Status != domain.MessageSent || !m.SentAt.Equal(now.Add(2*time.Minute)) || m.Notice.ManageURL != "" || m.Notice.PatientName != "Ada" {
			t.Errorf("sent message = %+v; want status sent, sent_at set and the manage URL erased", m)
		}
		if m := byID[failed.ID]; m.Status != domain.MessagePending || m.LastError != "421 try later" || !m.DueAt.Equal(now.Add(time.Hour)) || m.Attempts != 2 {
			t.Errorf("failed message = %+v; want pending, due in an hour, 2 attempts", m)
		}
		if m := byID[dead.ID]; m.Status != domain.MessageDead || m.Notice.ManageURL == "" {
			t.Errorf("dead message = %+v; want dead with its link kept for a retry", m)
		}
		if got, _ := s.Messages(ctx, domain.MessageFilter{Statuses: []domain.MessageStatus{domain.MessageDead}}); len(got) != 1 {
			t.Errorf("Messages(dead) = %d, want 1", len(got))
		}
		if err := s.RetryMessage(ctx, dead.ID, now.Add(3*time.Minute)); err != nil {
			t.Fatalf("RetryMessage: %v", err)
		}
		if got, _ := s.ClaimMessages(ctx, now.Add(3*time.Minute), 10, time.Minute); len(got) != 1 || got[0].ID != dead.ID {
			t.Errorf("ClaimMessages after retry = %+v, want the retried message", got)
		}
		if err := s.RetryMessage(ctx, sent.ID, now); domain.ErrorKind(err) != domain.KindConflict {
			t.Errorf("RetryMessage(sent) = %v, want KindConflict", err)
		}
		for _, id := range []string{domain.NewID(), "nope"} {
			if err := s.MarkSent(ctx, id, now); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("MarkSent(%q) = %v, want ErrNotFound", id, err)
			}
		}
	})
}

func TestCancelReminders(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		b := newBooking(fx, fx.Therapist.ID, monday)
		reminder := domain.Message{Kind: domain.MessageReminder, To: "ada@example.com", DueAt: monday.Add(-24 * time.Hour)}
		p := newPatient("ada@example.com")
		if err := s.CreateBooking(ctx, &b, &p, domain.Effects{Messages: []domain.Message{reminder}}); err != nil {
			t.Fatal(err)
		}
		b.Status = domain.StatusCancelled
		audit := &domain.AuditEntry{Action: "booking.cancel", EntityType: "booking", EntityID: b.ID,
			Actor: domain.ActorPatient, Before: map[string]string{"status": "confirmed"}, After: map[string]string{"status": "cancelled"}}
		cancellation := domain.Message{Kind: domain.MessageCancellation, To: "ada@example.com", DueAt: monday.Add(-48 * time.Hour)}
		if err := s.UpdateBooking(ctx, &b, domain.Effects{CancelReminders: true, Messages: []domain.Message{cancellation}, Audit: audit}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Messages(ctx, domain.MessageFilter{BookingID: b.ID})
		kinds := map[domain.MessageKind]domain.MessageStatus{}
		for _, m := range got {
			kinds[m.Kind] = m.Status
		}
		want := map[domain.MessageKind]domain.MessageStatus{domain.MessageReminder: domain.MessageCancelled, domain.MessageCancellation: domain.MessagePending}
		if !reflect.DeepEqual(kinds, want) {
			t.Errorf("messages after cancelling = %v, want %v", kinds, want)
		}
		entries, err := s.Audit(ctx, domain.AuditFilter{EntityID: b.ID})
		if err != nil || len(entries) != 1 || entries[0].Action != "booking.cancel" || !jsonEqual(entries[0].After, `{"status":"cancelled"}`) {
			t.Errorf("Audit(booking) = %+v, %v; want the cancellation with its JSON", entries, err)
		}
	})
}

func TestConcurrentClaimsNeverShare(t *testing.T) {
	// PostgreSQL only: several workers (replicas) claim at once with SKIP
	// LOCKED. SQLite has a single writer connection per process.
	s := storagetest.Open(t, storagetest.Postgres)
	fx := storagetest.Seed(t, s)
	ctx := context.Background()
	now := monday.Add(-48 * time.Hour)
	const total = 200
	for i := range total / 20 {
		bookWithMessages(t, s, fx, monday.Add(time.Duration(i)*2*time.Hour), 20, now.Add(-time.Hour))
	}
	const workers = 8
	var (
		mu    sync.Mutex
		seen  = map[string]int{}
		wg    sync.WaitGroup
		errs  = make(chan error, workers)
		start = make(chan struct{})
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for {
				got, err := s.ClaimMessages(ctx, now, 7, time.Hour)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("ClaimMessages: %v", err)
	}
	if len(seen) != total {
		t.Errorf("workers claimed %d distinct messages, want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %s was claimed %d times", id, n)
		}
	}
}
