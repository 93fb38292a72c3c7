package main

import (
	"context"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"time"
)

// bookAttempts is how often a booking is sent, with the same Idempotency-Key,
// when no answer comes back (a replica died): as a careful client would.
const bookAttempts = 3

// client is one simulated user agent: one request at a time.
type client struct {
	st  *runState
	id  int
	n   int // requests sent, for round robin over replicas and unique emails
	rec *recorder
	rng *mrand.Rand
}

func (c *client) loop(ctx context.Context, deadline time.Time) {
	for ctx.Err() == nil && time.Now().Before(deadline) {
		switch c.st.cfg.mix.pick(c.rng) {
		case opAvailability:
			c.availability(ctx)
		case opBook:
			c.book(ctx)
		case opContendedBook:
			c.contendedBook(ctx)
		case opReschedule:
			c.reschedule(ctx)
		case opCancel:
			c.cancel(ctx)
		case opFeed:
			c.feed(ctx, false)
		case opFeedConditional:
			c.feed(ctx, true)
		}
		if c.st.cfg.think > 0 {
			time.Sleep(c.st.cfg.think)
		}
	}
}

// send is one request to the next replica; a request that got no answer
// is paced so a dead replica does not turn the client into a busy loop.
func (c *client) send(ctx context.Context, method, path string, body any, header map[string]string) response {
	i := c.st.t.pick(c.id, c.n)
	c.n++
	r := c.st.t.do(ctx, i, method, path, body, header)
	if r.status == statusTransport {
		time.Sleep(10 * time.Millisecond)
	}
	return r
}

func (c *client) availability(ctx context.Context) {
	svc := c.st.browse[c.rng.IntN(len(c.st.browse))]
	loc, _ := time.LoadLocation(c.st.cfg.zone) // validated by parseRun
	from := time.Now().In(loc).AddDate(0, 0, 1)
	r := c.send(ctx, "GET", availabilityPath(svc.ID, "", from, c.st.cfg.availDays, c.st.cfg.zone), nil, nil)
	c.rec.add(opAvailability, r.status, r.body, r.elapsed, r.status == 200)
}

func (c *client) feed(ctx context.Context, conditional bool) {
	route, header := opFeed, map[string]string(nil)
	if conditional {
		header = map[string]string{"If-None-Match": c.st.etag.Load().(string)}
	}
	path := c.st.feedPaths[c.rng.IntN(len(c.st.feedPaths))]
	r := c.send(ctx, "GET", path, nil, header)
	if conditional {
		route = "feed-304"
		if r.status != http.StatusNotModified {
			route = "feed-changed" // the feed changed since the last ETag: a full answer
		}
	}
	if r.status == 200 {
		c.st.etag.Store(r.header.Get("ETag"))
	}
	c.rec.add(route, r.status, r.body, r.elapsed, r.status == 200 || r.status == http.StatusNotModified)
}

func (c *client) book(ctx context.Context) {
	s, ok := c.st.pool.take(c.rng)
	if !ok {
		c.rec.skip(opBook)
		return
	}
	b, status := c.postBooking(ctx, opBook, s)
	if status == http.StatusCreated {
		c.st.ledger.accept(b, false)
	}
}

// contendedBook tries the slot every client is fighting over in this time
// window: one 201, the rest 409.
func (c *client) contendedBook(ctx context.Context) {
	i := int(time.Since(c.st.start)/c.st.window) % len(c.st.contended)
	b, status := c.postBooking(ctx, opContendedBook, c.st.contended[i])
	if status == http.StatusCreated {
		c.st.wins[i].Add(1)
		c.st.ledger.accept(b, true)
	}
}

// postBooking books s for a new patient, retrying with the same
// Idempotency-Key when no answer comes. It returns the final status.
func (c *client) postBooking(ctx context.Context, route string, s slot) (booking, int) {
	key := randomHex(16)
	body := c.bookingBody(s)
	var r response
	for range bookAttempts {
		r = c.send(ctx, "POST", "/api/v1/bookings", body, map[string]string{"Idempotency-Key": key})
		c.rec.add(route, r.status, r.body, r.elapsed, expectedBooking(route, r.status))
		if r.status != statusTransport {
			break
		}
	}
	if r.status != http.StatusCreated {
		return booking{}, r.status
	}
	var out struct {
		Booking struct {
			ID string `json:"id"`
		} `json:"booking"`
		ManageToken string `json:"manage_token"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil || out.Booking.ID == "" {
		c.rec.add(route+"-bad-body", r.status, r.body, 0, false)
		return booking{}, statusTransport
	}
	return booking{ID: out.Booking.ID, Token: out.ManageToken, Slot: s}, r.status
}

func expectedBooking(route string, status int) bool {
	switch status {
	case http.StatusCreated: // a replay of a retry answers 201 too (Idempotent-Replayed: true)
		return true
	case http.StatusConflict:
		return route == opContendedBook
	}
	return false
}

func (c *client) bookingBody(s slot) map[string]any {
	c.n++
	body := map[string]any{
		"service_id": s.Service, "practitioner_id": s.Practitioner, "start": s.Start, "time_zone": c.st.cfg.zone,
		"patient": map[string]string{
			"name":  "Load Patient",
			"email": fmt.Sprintf("lg-%s-%d-%d@example.com", c.st.runID, c.id, c.n),
			"phone": "+1 555 0100",
		},
	}
	if c.st.cat.services[s.Service].Kind == "case_review" {
		body["intake"] = map[string]any{"pain_areas": []string{"neck"}, "duration": "weeks", "tried": []string{"massage"}, "notes": ""}
	}
	return body
}

func (c *client) reschedule(ctx context.Context) {
	b, ok := c.st.ledger.takeLive(c.rng)
	if !ok {
		c.rec.skip(opReschedule)
		return
	}
	to, ok := c.st.pool.takeFor(b.Slot.key())
	if !ok {
		c.st.ledger.restore(b)
		c.rec.skip(opReschedule)
		return
	}
	r := c.send(ctx, "POST", "/api/v1/manage/"+url.PathEscape(b.Token)+"/reschedule", map[string]string{"start": to.Start}, nil)
	c.rec.add(opReschedule, r.status, r.body, r.elapsed, r.status == 200)
	switch {
	case r.status == 200:
		c.st.pool.put(b.Slot)
		b.Slot = to
		c.st.ledger.moved(b)
	case r.status == http.StatusConflict: // our reserved slot was taken: unexpected, and the slot is gone
		c.st.ledger.restore(b)
	case r.status >= 400 && r.status < 500:
		c.st.pool.put(to)
		c.st.ledger.restore(b)
	default: // no answer or a server error: it may have happened
		c.st.ledger.lost(b.ID)
	}
}

func (c *client) cancel(ctx context.Context) {
	b, ok := c.st.ledger.takeLive(c.rng)
	if !ok {
		c.rec.skip(opCancel)
		return
	}
	r := c.send(ctx, "POST", "/api/v1/manage/"+url.PathEscape(b.Token)+"/cancel", map[string]string{"reason": "Load test"}, nil)
	c.rec.add(opCancel, r.status, r.body, r.elapsed, r.status == 200)
	switch {
	case r.status == 200:
		c.st.ledger.cancelled(b.ID)
		c.st.pool.put(b.Slot)
	case r.status >= 400 && r.status < 500:
		c.st.ledger.restore(b)
	default:
		c.st.ledger.lost(b.ID)
	}
}
