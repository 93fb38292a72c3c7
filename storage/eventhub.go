package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontdesk/frontdesk/domain"
)

// The channel the bookings trigger notifies on PostgreSQL (migration 00038).
const eventChannel = "frontdesk_events"

const (
	// subscriberBuffer is how many events a subscriber may fall behind
	// before it is dropped (it reconnects and resumes from the log).
	subscriberBuffer = 256
	// replayLimit bounds a resume; more missed events answer EventResync.
	replayLimit = 1000
	// sqlitePoll is how often the SQLite watcher reads new events: the
	// one process writes them, one indexed read is cheap.
	sqlitePoll = 25 * time.Millisecond
	// pruneEvery is how often a replica drops events past EventRetention.
	pruneEvery = time.Hour
	// recentSeqs is how many delivered seqs the hub remembers, so a
	// catch-up after a reconnect does not deliver an event twice.
	recentSeqs = 4096
)

// EventHub is domain.EventStream for one process: it watches the event log
// (LISTEN on PostgreSQL, so a change on any replica arrives at its commit;
// a cheap poll on SQLite, whose one writer is this process) and fans each
// event out in memory to its subscribers. Run it, then Subscribe.
type EventHub struct {
	store  *Store
	log    *slog.Logger
	mu     sync.Mutex
	subs   map[chan domain.Event]struct{}
	closed bool
	last   int64          // the largest seq delivered
	seen   map[int64]bool // the last recentSeqs delivered seqs
	order  []int64        // seen in delivery order, a ring
	next   int            // order's next slot
	ready  chan struct{}  // closed once the watcher first listens
	once   sync.Once
}

var _ domain.EventStream = (*EventHub)(nil)

// NewEventHub returns a hub over s's event log; log may be nil.
func NewEventHub(s *Store, log *slog.Logger) *EventHub {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &EventHub{store: s, log: log, subs: make(map[chan domain.Event]struct{}),
		seen: make(map[int64]bool, recentSeqs), order: make([]int64, recentSeqs), ready: make(chan struct{})}
}

// Ready is closed once the hub watches the log: a change committed after
// it is delivered.
func (h *EventHub) Ready() <-chan struct{} { return h.ready }

// Run watches the log and prunes it until ctx ends or Close is called. On
// PostgreSQL a lost connection is retried with backoff, and the events
// committed meanwhile are read from the log.
func (h *EventHub) Run(ctx context.Context) error {
	last, err := h.store.LastEventSeq(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.last = last
	h.mu.Unlock()
	go h.prune(ctx)
	if h.store.dialect == DialectPostgres {
		return h.listen(ctx)
	}
	return h.poll(ctx)
}

// Close ends every subscription and refuses new ones (the server's
// shutdown: open streams must not hold it up).
func (h *EventHub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}

func (h *EventHub) markReady() { h.once.Do(func() { close(h.ready) }) }

func (h *EventHub) poll(ctx context.Context) error {
	h.markReady()
	t := time.NewTicker(sqlitePoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		h.catchUp(ctx)
	}
}

// catchUp reads and delivers what the log holds past the last delivered
// event.
func (h *EventHub) catchUp(ctx context.Context) {
	h.mu.Lock()
	after := h.last
	h.mu.Unlock()
	evs, err := h.store.readEvents(ctx, after, replayLimit)
	if err != nil {
		if ctx.Err() == nil {
			h.log.Warn("read events", "err", err)
		}
		return
	}
	h.publish(evs...)
}

func (h *EventHub) listen(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	for {
		began := time.Now()
		err := h.listenOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if time.Since(began) > time.Minute {
			backoff = 100 * time.Millisecond
		}
		h.log.Warn("event listener lost its connection; reconnecting", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listenOnce listens on one connection until it fails. Events committed
// before LISTEN took effect are read from the log once it has.
func (h *EventHub) listenOnce(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, h.store.dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+eventChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	h.catchUp(ctx)
	h.markReady()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("wait for notification: %w", err)
		}
		ev, err := parseEventPayload(n.Payload)
		if err != nil {
			h.log.Warn("event notification", "err", err)
			continue
		}
		h.publish(ev)
	}
}

// eventPayload is the JSON the trigger notifies.
type eventPayload struct {
	Seq                    int64     `json:"seq"`
	Kind                   string    `json:"kind"`
	ID                     string    `json:"id"`
	PractitionerID         string    `json:"practitioner_id"`
	RoomID                 *string   `json:"room_id"`
	Start                  time.Time `json:"start"`
	End                    time.Time `json:"end"`
	Status                 string    `json:"status"`
	Change                 string    `json:"change"`
	PreviousPractitionerID *string   `json:"previous_practitioner_id"`
	At                     time.Time `json:"at"`
}

func parseEventPayload(s string) (domain.Event, error) {
	var p eventPayload
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return domain.Event{}, fmt.Errorf("decode %q: %w", s, err)
	}
	return domain.Event{Seq: p.Seq, Kind: p.Kind, BookingID: p.ID, PractitionerID: p.PractitionerID, RoomID: deref(p.RoomID),
		Start: p.Start.UTC(), End: p.End.UTC(), Status: domain.Status(p.Status), Change: p.Change,
		PreviousPractitionerID: deref(p.PreviousPractitionerID), At: p.At.UTC()}, nil
}

// publish delivers events to every subscriber, each once. A subscriber
// whose buffer is full is dropped rather than waited for.
func (h *EventHub) publish(evs ...domain.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ev := range evs {
		if ev.Kind != domain.EventResync {
			if h.seen[ev.Seq] {
				continue
			}
			if old := h.order[h.next]; old != 0 {
				delete(h.seen, old)
			}
			h.order[h.next], h.next = ev.Seq, (h.next+1)%recentSeqs
			h.seen[ev.Seq] = true
		}
		h.last = max(h.last, ev.Seq)
		for ch := range h.subs {
			select {
			case ch <- ev:
			default:
				delete(h.subs, ch)
				close(ch)
			}
		}
	}
}

// Subscribe implements domain.EventStream.
func (h *EventHub) Subscribe(ctx context.Context, after int64, resume bool) <-chan domain.Event {
	in := make(chan domain.Event, subscriberBuffer)
	out := make(chan domain.Event)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		close(out)
		return out
	}
	h.subs[in] = struct{}{}
	h.mu.Unlock()
	go h.forward(ctx, in, out, after, resume)
	return out
}

// forward sends a subscriber its replay, then what the hub delivers to in
// (buffered meanwhile), skipping what the replay already gave.
func (h *EventHub) forward(ctx context.Context, in, out chan domain.Event, after int64, resume bool) {
	defer close(out)
	defer h.unsubscribe(in)
	var replayed map[int64]bool
	if resume {
		evs, err := h.store.EventsAfter(ctx, after, replayLimit+1)
		if err != nil && !errors.Is(err, domain.ErrEventsGone) {
			return
		}
		if err != nil || len(evs) > replayLimit {
			last, lerr := h.store.LastEventSeq(ctx)
			if lerr != nil {
				return
			}
			evs = []domain.Event{{Seq: last, Kind: domain.EventResync}}
		}
		replayed = make(map[int64]bool, len(evs))
		for _, ev := range evs {
			replayed[ev.Seq] = true
			if !send(ctx, out, ev) {
				return
			}
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-in:
			if !ok {
				return
			}
			if ev.Kind != domain.EventResync && replayed[ev.Seq] {
				continue
			}
			if !send(ctx, out, ev) {
				return
			}
		}
	}
}

func send(ctx context.Context, out chan<- domain.Event, ev domain.Event) bool {
	select {
	case out <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

func (h *EventHub) unsubscribe(in chan domain.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[in]; ok {
		delete(h.subs, in)
		close(in)
	}
}

// Subscribers returns how many subscriptions are open.
func (h *EventHub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

func (h *EventHub) prune(ctx context.Context) {
	for {
		if n, err := h.store.PruneEvents(ctx, time.Now().Add(-EventRetention)); err != nil && ctx.Err() == nil {
			h.log.Warn("prune events", "err", err)
		} else if n > 0 {
			h.log.Info("pruned events", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pruneEvery):
		}
	}
}
