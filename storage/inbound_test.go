package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

func saveInbound(t *testing.T, s *storage.Store, sum string, at time.Time) domain.InboundMessage {
	t.Helper()
	m := domain.InboundMessage{ReceivedAt: at, SHA256: sum, MessageID: sum + "@mail.example", EnvelopeFrom: "a@example.com"}
	dup, err := s.SaveInbound(context.Background(), &m, []byte("raw "+sum+"\x00\xff"))
	if err != nil || dup {
		t.Fatalf("SaveInbound(%s) = %v, %v", sum, dup, err)
	}
	return m
}

func TestInboundQueue(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		first := saveInbound(t, s, "aa", monday)
		again := domain.InboundMessage{ReceivedAt: monday.Add(time.Second), SHA256: "aa"}
		if dup, err := s.SaveInbound(ctx, &again, []byte("raw aa")); err != nil || !dup || again.ID != first.ID {
			t.Fatalf("SaveInbound(same digest) = %v, %v, id %s; want duplicate of %s", dup, err, again.ID, first.ID)
		}
		second := saveInbound(t, s, "bb", monday.Add(time.Minute))

		claimed, err := s.ClaimInbound(ctx, monday.Add(time.Hour), 10, time.Minute)
		if err != nil || len(claimed) != 2 || claimed[0].Message.ID != first.ID || string(claimed[0].Raw) != "raw aa\x00\xff" {
			t.Fatalf("ClaimInbound = %+v, %v; want both, oldest first, raw bytes intact", claimed, err)
		}
		if claimed[0].Message.Attempts != 0 {
			t.Errorf("Attempts = %d, want 0 before the first", claimed[0].Message.Attempts)
		}
		if again, _ := s.ClaimInbound(ctx, monday.Add(time.Hour), 10, time.Minute); len(again) != 0 {
			t.Fatalf("claimed %d messages still leased", len(again))
		}
		if err := s.RetryInbound(ctx, second.ID, "db away", monday.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		done := claimed[0].Message
		done.Kind, done.State, done.Detail, done.From = domain.InboundReply, domain.InboundApplied, "ok \x00bad \xff", "a@example.com"
		done.ProposedStart = monday.Add(48 * time.Hour)
		if err := s.FinishInbound(ctx, done); err != nil {
			t.Fatalf("FinishInbound: %v", err)
		}
		got, err := s.InboundMessage(ctx, first.ID)
		if err != nil || got.State != domain.InboundApplied || got.Kind != domain.InboundReply || !got.ProposedStart.Equal(done.ProposedStart) {
			t.Fatalf("InboundMessage = %+v, %v", got, err)
		}
		if seen, err := s.InboundSeen(ctx, first.MessageID, second.ID); err != nil || !seen {
			t.Fatalf("InboundSeen(processed id) = %v, %v; want true", seen, err)
		}
		if seen, _ := s.InboundSeen(ctx, first.MessageID, first.ID); seen {
			t.Fatal("InboundSeen counts the message itself")
		}
		if seen, _ := s.InboundSeen(ctx, second.MessageID, ""); seen {
			t.Fatal("InboundSeen counts an unprocessed message")
		}
		retried, _ := s.ClaimInbound(ctx, monday.Add(3*time.Hour), 10, time.Minute)
		if len(retried) != 1 || retried[0].Message.ID != second.ID || retried[0].Message.Attempts != 1 {
			t.Fatalf("after retry: claimed %+v, want the second with one attempt", retried)
		}
		list, err := s.InboundMessages(ctx, domain.InboundFilter{})
		if err != nil || len(list) != 2 || list[0].ID != second.ID {
			t.Fatalf("InboundMessages = %v, %v; want both, newest first", list, err)
		}
		if _, err := s.InboundMessage(ctx, domain.NewID()); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("InboundMessage(unknown) = %v", err)
		}
	})
}

func TestInboundClaimsDoNotOverlap(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		for i := range 40 {
			saveInbound(t, s, string(rune('A'+i))+"x", monday.Add(time.Duration(i)*time.Second))
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := s.ClaimInbound(context.Background(), monday.Add(time.Hour), 3, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, c := range got {
						seen[c.Message.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 40 {
			t.Fatalf("claimed %d distinct messages, want 40", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("message %s claimed %d times", id, n)
			}
		}
	})
}

func TestBouncingAddressHoldsMail(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		b := newBooking(fx, fx.Therapist.ID, monday)
		msg := domain.Message{ID: domain.NewID(), Kind: domain.MessageReminder, To: "ada@example.com", Status: domain.MessagePending,
			DueAt: monday, CreatedAt: monday.Add(-time.Hour)}
		p := newPatient("ada@example.com")
		if err := s.CreateBooking(ctx, &b, &p, domain.Effects{Messages: []domain.Message{msg}}); err != nil {
			t.Fatal(err)
		}
		sent, err := s.SentMessage(ctx, domain.MessageIDFor(msg.ID, msg.Notice.ClinicEmail))
		if err != nil || sent.ID != msg.ID || sent.BookingID != b.ID {
			t.Fatalf("SentMessage = %+v, %v", sent, err)
		}
		if _, err := s.SentMessage(ctx, domain.NewID()+"@frontdesk"); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("SentMessage(unknown) = %v", err)
		}
		got, err := s.MarkEmailBouncing(ctx, "ADA@example.com", "550 5.1.1", monday)
		if err != nil || got.EmailStatus != domain.EmailBouncing || got.ID != p.ID {
			t.Fatalf("MarkEmailBouncing = %+v, %v", got, err)
		}
		if _, err := s.MarkEmailBouncing(ctx, "nobody@example.com", "x", monday); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("MarkEmailBouncing(no patient) = %v", err)
		}
		if claimed, _ := s.ClaimMessages(ctx, monday.Add(time.Hour), 10, time.Minute); len(claimed) != 0 {
			t.Fatalf("claimed %d messages to a bouncing address", len(claimed))
		}
		d, err := s.Booking(ctx, b.ID)
		if err != nil || d.Patient.EmailStatus != domain.EmailBouncing {
			t.Fatalf("booking's patient email status = %q, %v", d.Patient.EmailStatus, err)
		}
		byUID, err := s.BookingByUID(ctx, b.UID)
		if err != nil || byUID.ID != b.ID {
			t.Fatalf("BookingByUID = %s, %v", byUID.ID, err)
		}
		if _, err := s.BookingByUID(ctx, "not-a-uuid@google.com"); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("BookingByUID(foreign) = %v", err)
		}
	})
}
