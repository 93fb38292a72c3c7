package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// runHub starts an event hub over s until the test ends and waits until it
// watches the log.
func runHub(t *testing.T, s *storage.Store) *storage.EventHub {
	t.Helper()
	hub := storage.NewEventHub(s, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		hub.Close()
		if err := <-done; err != nil {
			t.Errorf("hub.Run: %v", err)
		}
	})
	select {
	case <-hub.Ready():
	case err := <-done:
		t.Fatalf("hub.Run ended before it was ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("hub not ready after 10 s")
	}
	return hub
}

// nextEvent waits for an event on ch, at most within.
func nextEvent(t *testing.T, ch <-chan domain.Event, within time.Duration) domain.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("event stream closed")
		}
		return ev
	case <-time.After(within):
		t.Fatalf("no event within %v", within)
	}
	return domain.Event{}
}

// TestBookingEvents: every booking write appends its event in the same
// transaction, with the change named, and the log replays from any seq.
func TestBookingEvents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		hub := runHub(t, s)
		subCtx, stop := context.WithCancel(ctx)
		defer stop()
		live := hub.Subscribe(subCtx, 0, false)

		b := newBooking(fx, fx.Therapist.ID, monday)
		mustBook(t, s, &b, "ada@example.com")
		created := nextEvent(t, live, 2*time.Second)
		if created.Kind != domain.EventBooking || created.BookingID != b.ID || created.Change != "created" ||
			created.PractitionerID != fx.Therapist.ID || !created.Start.Equal(b.Start) || !created.End.Equal(b.End) || created.Status != domain.StatusConfirmed {
			t.Errorf("created event = %+v, want booking %s created for %s at %v", created, b.ID, fx.Therapist.ID, b.Start)
		}

		moved := b
		moved.PractitionerID = fx.Chiropractor.ID
		moved.Start, moved.End = monday.Add(2*time.Hour), monday.Add(3*time.Hour)
		moved.BlockStart, moved.BlockEnd = moved.Start, moved.End.Add(10*time.Minute)
		if err := s.UpdateBooking(ctx, &moved, domain.Effects{}); err != nil {
			t.Fatalf("UpdateBooking(move): %v", err)
		}
		ev := nextEvent(t, live, 2*time.Second)
		if ev.Change != "moved" || ev.PractitionerID != fx.Chiropractor.ID || ev.PreviousPractitionerID != fx.Therapist.ID || ev.Seq <= created.Seq {
			t.Errorf("move event = %+v, want moved to %s from %s after seq %d", ev, fx.Chiropractor.ID, fx.Therapist.ID, created.Seq)
		}

		moved.Status = domain.StatusCancelled
		moved.CancelledAt = monday
		if err := s.UpdateBooking(ctx, &moved, domain.Effects{}); err != nil {
			t.Fatalf("UpdateBooking(cancel): %v", err)
		}
		cancelled := nextEvent(t, live, 2*time.Second)
		if cancelled.Change != "cancelled" || cancelled.Status != domain.StatusCancelled {
			t.Errorf("cancel event = %+v", cancelled)
		}

		// A write that is rolled back leaves no event.
		clash := newBooking(fx, fx.Chiropractor.ID, monday)
		clash.Start = moved.Start // the time is free again (cancelled), so book it twice in one go
		clash.End, clash.BlockStart, clash.BlockEnd = moved.End, moved.Start, moved.BlockEnd
		mustBook(t, s, &clash, "bea@example.com")
		nextEvent(t, live, 2*time.Second)
		again := newBooking(fx, fx.Chiropractor.ID, clash.Start)
		p := newPatient("cy@example.com")
		if err := s.CreateBooking(ctx, &again, &p, domain.Effects{}); !errors.Is(err, domain.ErrSlotTaken) {
			t.Fatalf("CreateBooking over a live booking = %v, want ErrSlotTaken", err)
		}
		select {
		case ev := <-live:
			t.Errorf("a refused booking sent %+v", ev)
		case <-time.After(300 * time.Millisecond):
		}

		// Replay from the first event: the later ones, in order.
		got, err := s.EventsAfter(ctx, created.Seq, 100)
		if err != nil {
			t.Fatalf("EventsAfter(%d): %v", created.Seq, err)
		}
		var changes []string
		for _, e := range got {
			if e.Seq > created.Seq {
				changes = append(changes, e.Change)
			}
		}
		if want := []string{"moved", "cancelled", "created"}; !equalStrings(changes, want) {
			t.Errorf("EventsAfter(%d) changes = %v, want %v", created.Seq, changes, want)
		}
	})
}

// TestEventsPrunedAnswerGone: a resume point older than the oldest kept
// event is ErrEventsGone, and a subscriber resuming from it gets a resync.
func TestEventsPrunedAnswerGone(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		for i := range 3 {
			b := newBooking(fx, fx.Therapist.ID, monday.Add(time.Duration(i)*2*time.Hour))
			mustBook(t, s, &b, "p"+string(rune('a'+i))+"@example.com")
		}
		last, err := s.LastEventSeq(ctx)
		if err != nil || last < 3 {
			t.Fatalf("LastEventSeq = %d, %v; want at least 3", last, err)
		}
		n, err := s.PruneEvents(ctx, time.Now().Add(time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("PruneEvents(future) = %d, %v; want 2 (the newest is kept)", n, err)
		}
		if _, err := s.EventsAfter(ctx, last-2, 10); !errors.Is(err, domain.ErrEventsGone) {
			t.Errorf("EventsAfter(%d) after pruning = %v, want ErrEventsGone", last-2, err)
		}
		if evs, err := s.EventsAfter(ctx, last-1, 10); err != nil || len(evs) != 1 {
			t.Errorf("EventsAfter(%d) = %v, %v; want the one kept", last-1, evs, err)
		}
		hub := runHub(t, s)
		sub := hub.Subscribe(ctx, last-2, true)
		if ev := nextEvent(t, sub, 2*time.Second); ev.Kind != domain.EventResync || ev.Seq != last {
			t.Errorf("resume from a pruned seq = %+v, want resync at %d", ev, last)
		}
	})
}

// TestEventsAcrossReplicas: a booking written through one store reaches a
// subscriber of another store on the same database within 2 seconds (on
// PostgreSQL by NOTIFY, on SQLite by the shared file).
func TestEventsAcrossReplicas(t *testing.T) {
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			stores := storagetest.OpenReplicas(t, e, 2)
			fx := storagetest.Seed(t, stores[0])
			hub := runHub(t, stores[1])
			live := hub.Subscribe(context.Background(), 0, false)
			b := newBooking(fx, fx.Chiropractor.ID, monday)
			began := time.Now()
			mustBook(t, stores[0], &b, "ada@example.com")
			ev := nextEvent(t, live, 2*time.Second)
			if ev.BookingID != b.ID {
				t.Errorf("replica 2 got %+v, want booking %s", ev, b.ID)
			}
			t.Logf("%s: replica 2 saw the booking %v after the commit", e, time.Since(began))
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
