package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// sseFrame is one event of a text/event-stream.
type sseFrame struct {
	id, event, data string
}

// storageHub is startHub for benchmarks.
func storageHub(tb testing.TB, store *storage.Store) *storage.EventHub {
	tb.Helper()
	hub := storage.NewEventHub(store, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = hub.Run(ctx) }()
	tb.Cleanup(func() { hub.Close(); cancel(); <-done })
	<-hub.Ready()
	return hub
}

// startHub runs an event hub over store until the test ends (or stop is
// called) and waits until it listens.
func startHub(t *testing.T, store *storage.Store) (hub *storage.EventHub, stop func()) {
	t.Helper()
	hub = storage.NewEventHub(store, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = hub.Run(ctx) }()
	stop = func() { hub.Close(); cancel(); <-done }
	t.Cleanup(stop)
	select {
	case <-hub.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("event hub not ready after 10 s")
	}
	return hub, stop
}

// openStream opens GET /api/v1/events with the bearer token and returns
// its frames; the stream is closed when the test ends.
func openStream(t testing.TB, base, token, lastEventID string) <-chan sseFrame {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	if lastEventID != "" {
		r.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("GET /api/v1/events: %v", err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("GET /api/v1/events = %d %s, want 200 text/event-stream", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseFrame, 64)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		var f sseFrame
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if f.event != "" {
					out <- f
				}
				f = sseFrame{}
			case strings.HasPrefix(line, "id: "):
				f.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				f.event = line[7:]
			case strings.HasPrefix(line, "data: "):
				f.data = line[6:]
			}
		}
	}()
	return out
}

// nextFrame waits for a frame, at most within.
func nextFrame(t testing.TB, frames <-chan sseFrame, within time.Duration) sseFrame {
	t.Helper()
	select {
	case f, ok := <-frames:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return f
	case <-time.After(within):
		t.Fatalf("no event within %v", within)
	}
	return sseFrame{}
}

// noFrame checks nothing arrives for a while.
func noFrame(t *testing.T, frames <-chan sseFrame, what string) {
	t.Helper()
	select {
	case f := <-frames:
		t.Errorf("%s: got %+v, want nothing", what, f)
	case <-time.After(400 * time.Millisecond):
	}
}

// bookingData decodes an event: booking's data, checking the contract's
// field names are all there.
func bookingData(t *testing.T, f sseFrame) map[string]any {
	t.Helper()
	if f.event != "booking" {
		t.Fatalf("frame %+v, want event: booking", f)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(f.data), &m); err != nil {
		t.Fatalf("event data %q: %v", f.data, err)
	}
	for _, k := range []string{"id", "practitioner_id", "room_id", "start", "end", "status", "change"} {
		if _, ok := m[k]; !ok {
			t.Errorf("event data %s lacks %q", f.data, k)
		}
	}
	return m
}

// TestEventsStream: staff get every booking change as it commits, a
// practitioner only their own calendar's; Last-Event-ID replays the
// missed ones; bad input and no sign-in are refused.
func TestEventsStream(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			store := storagetest.Open(t, engine)
			hub, _ := startHub(t, store)
			e := newEnv(t, store, 0, func(s *Server) { s.Events = hub })

			e.do(req{method: "GET", path: "/api/v1/events"}).want(t, 401, "events without sign-in")
			e.do(req{method: "GET", path: "/api/v1/events", role: domain.RoleFrontDesk, header: map[string]string{"Last-Event-ID": "yesterday"}}).want(t, 422, "a bad Last-Event-ID")
			e.do(req{method: "GET", path: "/api/v1/events?last_event_id=-1", role: domain.RoleFrontDesk}).want(t, 422, "a negative last_event_id")

			desk := openStream(t, e.ts.URL, e.token[domain.RoleFrontDesk], "")
			mine := openStream(t, e.ts.URL, e.token[domain.RolePractitioner], "") // the therapist's
			review := e.bookCaseReview("ada@example.com")
			first := nextFrame(t, desk, 2*time.Second)
			got := bookingData(t, first)
			if got["id"] != review || got["practitioner_id"] != e.ids.chiro || got["change"] != "created" || got["status"] != "confirmed" || got["room_id"] != nil {
				t.Errorf("created event = %s", first.data)
			}
			if first.id == "" {
				t.Errorf("event %+v has no id to resume from", first)
			}
			noFrame(t, mine, "the therapist's stream, on the chiropractor's booking")

			e.do(req{method: "POST", path: "/api/v1/bookings/" + review + "/status", role: domain.RoleFrontDesk,
				body: map[string]string{"status": "arrived"}}).want(t, 200, "mark arrived")
			arrived := bookingData(t, nextFrame(t, desk, 2*time.Second))
			if arrived["change"] != "status" || arrived["status"] != "arrived" {
				t.Errorf("arrival event = %v", arrived)
			}

			s := e.slots(e.ids.massage, e.ids.therapist)
			e.do(req{method: "POST", path: "/api/v1/bookings", body: map[string]any{
				"service_id": e.ids.massage, "practitioner_id": e.ids.therapist, "start": s[0].Start,
				"patient": map[string]any{"name": "Bea Massage", "email": "bea@example.com"}}}).want(t, 201, "book a massage")
			if m := bookingData(t, nextFrame(t, mine, 2*time.Second)); m["practitioner_id"] != e.ids.therapist {
				t.Errorf("therapist's stream got %v", m)
			}
			nextFrame(t, desk, 2*time.Second)

			// A reconnect from the first event replays the two after it.
			again := openStream(t, e.ts.URL, e.token[domain.RoleFrontDesk], first.id)
			var changes []string
			for len(changes) < 2 {
				f := nextFrame(t, again, 2*time.Second)
				if m := bookingData(t, f); m["seq"].(float64) > mustFloat(t, first.id) {
					changes = append(changes, m["change"].(string))
				}
			}
			if changes[0] != "status" || changes[1] != "created" {
				t.Errorf("replay after %s = %v, want [status created]", first.id, changes)
			}
		})
	}
}

// TestEventsResumeAfterRestart: a client of a replica that goes away
// reconnects to a new process with Last-Event-ID and gets the change made
// (through another replica) while it was gone.
func TestEventsResumeAfterRestart(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			stores := storagetest.OpenReplicas(t, engine, 3)
			hub, stopHub := startHub(t, stores[0])
			before := newEnv(t, stores[0], 0, func(s *Server) { s.Events = hub })
			frames := openStream(t, before.ts.URL, before.token[domain.RoleFrontDesk], "")
			before.bookCaseReview("ada@example.com")
			seen := nextFrame(t, frames, 2*time.Second)

			// The replica stops: its streams end.
			stopHub()
			before.ts.CloseClientConnections()
			before.ts.Close()
			for range frames {
			}

			// Meanwhile another replica books.
			b := newBooking(t, stores[1], before.ids)

			// The replica's new process, on the same database.
			hub2, _ := startHub(t, stores[2])
			srv := &Server{Store: stores[2], Scheduler: &domain.Scheduler{Store: stores[2], Clock: before.srv.Clock}, Clock: before.srv.Clock, Events: hub2}
			after := httptest.NewServer(srv.Echo())
			t.Cleanup(after.Close)
			resumed := openStream(t, after.URL, before.token[domain.RoleFrontDesk], seen.id)
			for {
				f := nextFrame(t, resumed, 2*time.Second)
				m := bookingData(t, f)
				if m["id"] == b {
					if mustFloat(t, f.id) <= mustFloat(t, seen.id) {
						t.Errorf("resumed event id %s is not past %s", f.id, seen.id)
					}
					break
				}
			}
		})
	}
}

// newBooking books the therapist's first massage slot straight through
// the store's scheduler (another replica's door) and returns its id.
func newBooking(t *testing.T, store *storage.Store, ids seedIDs) string {
	t.Helper()
	sched := &domain.Scheduler{Store: store, Clock: domain.ClockFunc(func() time.Time { return fixedNow }), BaseURL: "https://clinic.example"}
	start := time.Date(2031, 3, 5, 15, 0, 0, 0, time.UTC) // Wednesday 10:00 in New York
	booked, err := sched.Book(context.Background(), domain.BookRequest{ServiceID: ids.massage, PractitionerID: ids.therapist, Start: start,
		TimeZone: storagetest.SeedZone, Patient: domain.Patient{Name: "Cy Other", Email: "cy@example.com"}, Actor: domain.ActorPatient})
	if err != nil {
		t.Fatalf("Book on another replica: %v", err)
	}
	return booked.Booking.ID
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	var f float64
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		t.Fatalf("event id %q is not a number", s)
	}
	return f
}
