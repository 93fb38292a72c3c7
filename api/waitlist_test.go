package api

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// waitlistBody is a valid join: the therapist's massage in the week after
// fixedNow, mornings and afternoons in London.
func (e *env) waitlistBody(email string) map[string]any {
	return map[string]any{
		"service_id": e.ids.massage, "practitioner_id": e.ids.therapist,
		"patient": map[string]any{"name": "Wai Ting", "email": email},
		"from":    "2031-03-04", "to": "2031-03-10", "time_zone": "Europe/London",
		"times": []string{"morning", "afternoon"},
	}
}

func (e *env) waitlistRows() int {
	e.t.Helper()
	list, err := e.store.WaitlistEntries(context.Background(), domain.WaitlistFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(list)
}

// TestWaitlistBadInput: every bad join answers problem+json naming the
// field, and writes no entry, patient or offer.
func TestWaitlistBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		with := func(k string, v any) map[string]any {
			b := e.waitlistBody("bad-waitlist@example.com")
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
			return b
		}
		tests := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"missing service", with("service_id", nil), 422, "service_id"},
			{"unknown service", with("service_id", "00000000-0000-4000-8000-000000000000"), 422, "service_id"},
			{"malformed service", with("service_id", "x'; DROP TABLE waitlist_entries; --"), 422, "service_id"},
			{"unknown practitioner", with("practitioner_id", "00000000-0000-4000-8000-000000000000"), 422, "practitioner_id"},
			{"missing from", with("from", nil), 422, "from"},
			{"bad from", with("from", "2031-02-30"), 422, "from"},
			{"from not a date", with("from", "next week"), 422, "from"},
			{"to before from", with("to", "2031-03-01"), 422, "to"},
			{"to in the past", map[string]any{"service_id": e.ids.massage, "from": "2031-02-01", "to": "2031-02-02",
				"patient": map[string]any{"name": "P", "email": "p@example.com"}}, 422, "to"},
			{"over a year", with("to", "2032-06-01"), 422, "to"},
			{"bad time of day", with("times", []string{"night"}), 422, "times"},
			{"bad zone", with("time_zone", "Mars/Olympus"), 422, "time_zone"},
			{"control character in the zone", with("time_zone", "Europe/London\x00"), 422, "time_zone"},
			{"control character in the name", with("patient", map[string]any{"name": "Wai\x07Ting", "email": "w@example.com"}), 422, "patient.name"},
			{"newline in the name", with("patient", map[string]any{"name": "Wai\r\nBcc: x@evil.test", "email": "w@example.com"}), 422, "patient.name"},
			{"bad email", with("patient", map[string]any{"name": "W", "email": "w@"}), 422, "patient.email"},
			{"intake on a massage", with("intake", map[string]any{"pain_areas": []string{"neck"}, "duration": "days"}), 422, "intake"},
			{"unknown field", with("priority", "vip"), 400, "priority"},
			{"wrong type", with("times", "morning"), 400, "times"},
			{"malformed JSON", `{"service_id":`, 400, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, patients := e.counts()
				r := e.do(req{method: "POST", path: "/api/v1/waitlist", body: tt.body})
				if r.status != tt.status {
					t.Fatalf("POST waitlist (%s) = %d, want %d: %s", tt.name, r.status, tt.status, r.body)
				}
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("POST waitlist (%s) answered %s, want problem+json", tt.name, ct)
				}
				if tt.field != "" && !r.hasField(t, tt.field) {
					t.Errorf("POST waitlist (%s) names %v, want %s", tt.name, r.fields(t), tt.field)
				}
				if _, p := e.counts(); p != patients || e.waitlistRows() != 0 {
					t.Errorf("POST waitlist (%s) wrote %d entries and %d patients, want none", tt.name, e.waitlistRows(), p-patients)
				}
			})
		}
		e.do(req{method: "GET", path: "/api/v1/waitlist"}).want(t, 401, "the waitlist without signing in")
		e.do(req{method: "GET", path: "/api/v1/waitlist?status=lost", role: domain.RoleFrontDesk}).want(t, 422, "a bad status filter")
		e.do(req{method: "POST", path: "/api/v1/offers/nonsense/accept"}).want(t, 404, "a made-up offer token")
	})
}

var offerURL = regexp.MustCompile(`/offers/([A-Za-z0-9_-]{43})$`)

// offerTokens returns the tokens of the offer emails in the outbox.
func (e *env) offerTokens() []string {
	e.t.Helper()
	msgs, err := e.store.Messages(context.Background(), domain.MessageFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		if m.Kind == domain.MessageWaitlistOffer {
			if got := offerURL.FindStringSubmatch(m.Notice.ManageURL); got != nil {
				out = append(out, got[1])
			}
		}
	}
	return out
}

// openOffer returns the one token among tokens whose offer is open.
func (e *env) openOffer(tokens []string) string {
	e.t.Helper()
	var open []string
	for _, tok := range tokens {
		o := e.do(req{method: "GET", path: "/api/v1/offers/" + tok}).want(e.t, 200, "offer").json(e.t)["offer"].(map[string]any)
		if o["status"] == "open" {
			open = append(open, tok)
		}
	}
	if len(open) != 1 {
		e.t.Fatalf("%d open offers among %d, want one", len(open), len(tokens))
	}
	return open[0]
}

// TestWaitlistOverHTTP: a patient joins while a suitable time is free and
// is offered it at once; staff see the entry with its offer; the offer
// page shows it; accepting after expiry is a 409 problem+json naming the
// offer and books nothing; the next offer is declined, then one accepted
// (201, source waitlist), and staff offer a time to a chosen patient and
// remove an entry.
func TestWaitlistOverHTTP(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			clock := domaintest.NewClock(fixedNow)
			e := newEnv(t, storagetest.Open(t, engine), 0, func(s *Server) {
				s.Clock = clock
				s.Scheduler = &domain.Scheduler{Store: s.Store, Clock: clock, BaseURL: s.BaseURL}
			})
			joined := e.do(req{method: "POST", path: "/api/v1/waitlist", body: e.waitlistBody("ann@example.com")}).want(t, 201, "join").json(t)
			entry := joined["entry"].(map[string]any)
			if entry["status"] != "offered" || !strings.Contains(joined["manage_url"].(string), "/waitlist/") {
				t.Fatalf("join = %v, want an entry offered the free time at once, with its link", joined)
			}
			e.do(req{method: "POST", path: "/api/v1/waitlist", body: e.waitlistBody("ann@example.com")}).want(t, 409, "joining twice")
			mine := e.do(req{method: "GET", path: "/api/v1/waitlist/entry/" + joined["manage_token"].(string)}).want(t, 200, "own entry").json(t)
			if mine["entry"].(map[string]any)["id"] != entry["id"] {
				t.Fatalf("own entry = %v", mine)
			}
			list := e.do(req{method: "GET", path: "/api/v1/waitlist?practitioner_id=" + e.ids.therapist, role: domain.RoleFrontDesk}).want(t, 200, "staff list").json(t)
			entries := list["entries"].([]any)
			if len(entries) != 1 || entries[0].(map[string]any)["offer"] == nil {
				t.Fatalf("staff list = %v, want Ann's entry with its offer", list)
			}
			tokens := e.offerTokens()
			if len(tokens) != 1 {
				t.Fatalf("%d offer emails queued, want 1", len(tokens))
			}
			shown := e.do(req{method: "GET", path: "/api/v1/offers/" + tokens[0]}).want(t, 200, "offer").json(t)["offer"].(map[string]any)
			if shown["status"] != "open" || !strings.HasSuffix(shown["start"].(string), "Z") && !strings.Contains(shown["start"].(string), "+00:00") {
				t.Fatalf("offer = %v, want open, in London time (UTC in March)", shown)
			}

			clock.Advance(domain.DefaultOfferFor)
			bookings, _ := e.counts()
			late := e.do(req{method: "POST", path: "/api/v1/offers/" + tokens[0] + "/accept"}).want(t, 409, "accept after expiry")
			if !late.hasField(t, "offer") || !strings.Contains(string(late.body), "expired") {
				t.Fatalf("accept after expiry = %s, want a problem naming the offer as expired", late.body)
			}
			if b, _ := e.counts(); b != bookings {
				t.Fatalf("accept after expiry left %d bookings, want %d", b, bookings)
			}
			// The lapse passed the time on: Ann is offered the next suitable time.
			tokens = e.offerTokens()
			if len(tokens) != 2 {
				t.Fatalf("%d offers after the lapse, want the second", len(tokens))
			}
			second := e.openOffer(tokens)
			e.do(req{method: "POST", path: "/api/v1/offers/" + second + "/decline"}).want(t, 200, "decline")
			e.do(req{method: "POST", path: "/api/v1/offers/" + second + "/decline"}).want(t, 409, "decline twice")
			if err := e.srv.Waitlist.Tick(context.Background()); err != nil { // the worker's pass: Ann is offered the next time
				t.Fatal(err)
			}
			tokens = e.offerTokens()
			if len(tokens) != 3 {
				t.Fatalf("%d offers after the decline and a tick, want a third", len(tokens))
			}
			got := e.do(req{method: "POST", path: "/api/v1/offers/" + e.openOffer(tokens) + "/accept"}).want(t, 201, "accept").json(t)
			b := got["booking"].(map[string]any)
			stored, err := e.store.Booking(context.Background(), b["id"].(string))
			if err != nil || stored.Source != domain.SourceWaitlist || stored.Patient.Email != "ann@example.com" {
				t.Fatalf("accepted booking = %+v, %v; want Ann's, source waitlist", stored.Booking, err)
			}

			// Staff: a second patient joins for a range with nothing free
			// beyond what staff offer, then is removed.
			body := e.waitlistBody("bo@example.com")
			body["from"], body["to"], body["times"] = "2031-03-11", "2031-03-11", []string{"morning"}
			bo := e.do(req{method: "POST", path: "/api/v1/waitlist", body: body}).want(t, 201, "join (London mornings)").json(t)["entry"].(map[string]any)
			if bo["status"] != "waiting" {
				t.Fatalf("Bo = %v, want waiting (the therapist works no London mornings)", bo)
			}
			s := e.slots(e.ids.massage, e.ids.therapist)
			offered := e.do(req{method: "POST", path: "/api/v1/waitlist/" + bo["id"].(string) + "/offer", role: domain.RoleFrontDesk,
				body: map[string]any{"start": s[len(s)-1].Start}}).want(t, 201, "staff offer").json(t)
			if offered["offer"].(map[string]any)["status"] != "open" {
				t.Fatalf("staff offer = %v", offered)
			}
			e.do(req{method: "DELETE", path: "/api/v1/waitlist/" + bo["id"].(string), role: domain.RoleFrontDesk}).want(t, 200, "remove")
			e.do(req{method: "DELETE", path: "/api/v1/waitlist/" + bo["id"].(string), role: domain.RoleFrontDesk}).want(t, 409, "remove twice")
			audit, err := e.store.Audit(context.Background(), domain.AuditFilter{EntityID: bo["id"].(string)})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, a := range audit {
				actions = append(actions, a.Action)
				if a.Action == "waitlist.offer" && a.Actor.Role != domain.RoleFrontDesk {
					t.Errorf("the staff offer is audited as %+v, want the front desk user", a.Actor)
				}
			}
			slices.Sort(actions) // one instant on the test clock: no order to read
			if strings.Join(actions, " ") != "waitlist.join waitlist.offer waitlist.remove" {
				t.Errorf("Bo's audit = %v, want join, offer and remove", actions)
			}
		})
	}
}

// TestWaitlistOfferRace: a patient accepting an offer and another patient
// booking the same freed time at the same moment never both get it: one
// booking, one 201, and the loser hears 409. The offer keeps its time as a
// hold, so the one who loses is always the other patient. Eight rounds
// per database.
func TestWaitlistOfferRace(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		for round := range 8 {
			email := fmt.Sprintf("waiter%d@example.com", round)
			j := e.do(req{method: "POST", path: "/api/v1/waitlist", body: e.waitlistBody(email)}).want(t, 201, "join").json(t)
			if j["entry"].(map[string]any)["status"] != "offered" {
				t.Fatalf("round %d: join = %v, want offered a free time at once", round, j)
			}
			tok := e.openOfferOf(email)
			offer := e.do(req{method: "GET", path: "/api/v1/offers/" + tok}).want(t, 200, "offer").json(t)["offer"].(map[string]any)
			start := offer["start"].(string)

			var got [2]response
			var wg sync.WaitGroup
			ready := make(chan struct{})
			wg.Go(func() {
				<-ready
				got[0] = doWith(t, e.client, e.ts.URL, "", req{method: "POST", path: "/api/v1/offers/" + tok + "/accept"})
			})
			wg.Go(func() {
				<-ready
				got[1] = doWith(t, e.client, e.ts.URL, "", req{method: "POST", path: "/api/v1/bookings",
					body: e.massageBooking(start, fmt.Sprintf("racer%d@example.com", round))})
			})
			close(ready)
			wg.Wait()
			created := 0
			for _, r := range got {
				switch r.status {
				case 201:
					created++
				case 409:
				default:
					t.Fatalf("round %d: answered %d: %s", round, r.status, r.body)
				}
			}
			live, err := e.store.Bookings(context.Background(), domain.BookingFilter{PractitionerID: e.ids.therapist,
				From: mustTime(t, start), To: mustTime(t, start).Add(time.Minute), Statuses: []domain.Status{domain.StatusConfirmed}})
			if err != nil {
				t.Fatal(err)
			}
			if got[0].status != 201 || got[1].status != 409 {
				t.Errorf("round %d: accept %d, booking %d; want the offer's hold to keep the time for its patient (201, 409)",
					round, got[0].status, got[1].status)
			}
			if created != 1 || len(live) != 1 {
				t.Fatalf("round %d: %d answers were 201 and %d bookings hold %s, want exactly one (accept %d, booking %d)",
					round, created, len(live), start, got[0].status, got[1].status)
			}
		}
	})
}

// openOfferOf returns the token of the open offer emailed to email.
func (e *env) openOfferOf(email string) string {
	e.t.Helper()
	msgs, err := e.store.Messages(context.Background(), domain.MessageFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	var tokens []string
	for _, m := range msgs {
		if got := offerURL.FindStringSubmatch(m.Notice.ManageURL); m.Kind == domain.MessageWaitlistOffer && m.To == email && got != nil {
			tokens = append(tokens, got[1])
		}
	}
	return e.openOffer(tokens)
}

// TestWaitlistMovesLaterBooking: a patient with a booking asks from the
// manage link to hear of an earlier time; accepting the offer moves that
// booking (same id, one visit, not two) and renews its link.
func TestWaitlistMovesLaterBooking(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		s := e.slots(e.ids.massage, e.ids.therapist)
		late := s[len(s)-1]
		b := e.do(req{method: "POST", path: "/api/v1/bookings", body: e.massageBooking(late.Start, "mover@example.com")}).want(t, 201, "book").json(t)
		oldToken := b["manage_token"].(string)
		day := mustTime(t, late.Start).UTC().Format(time.DateOnly)
		e.do(req{method: "POST", path: "/api/v1/manage/" + oldToken + "/waitlist",
			body: map[string]any{"from": day, "to": "2031-03-04"}}).want(t, 422, "a range after the visit")
		j := e.do(req{method: "POST", path: "/api/v1/manage/" + oldToken + "/waitlist",
			body: map[string]any{"from": "2031-03-04", "to": day}}).want(t, 201, "tell me if something earlier opens").json(t)
		if j["entry"].(map[string]any)["booking_id"] != b["booking"].(map[string]any)["id"] {
			t.Fatalf("entry = %v, want it tied to the booking", j["entry"])
		}
		tok := e.openOfferOf("mover@example.com")
		view := e.do(req{method: "GET", path: "/api/v1/offers/" + tok}).want(t, 200, "offer").json(t)["offer"].(map[string]any)
		if view["moves_booking_id"] != b["booking"].(map[string]any)["id"] || !mustTime(t, view["start"].(string)).Before(mustTime(t, late.Start)) {
			t.Fatalf("offer = %v, want an earlier time that moves booking %v", view, b["booking"])
		}
		before, _ := e.counts()
		got := e.do(req{method: "POST", path: "/api/v1/offers/" + tok + "/accept"}).want(t, 201, "accept").json(t)
		moved := got["booking"].(map[string]any)
		if moved["id"] != b["booking"].(map[string]any)["id"] || !mustTime(t, moved["start"].(string)).Equal(mustTime(t, view["start"].(string))) {
			t.Fatalf("accept = %v, want booking %v moved to %v", moved, b["booking"], view["start"])
		}
		if after, _ := e.counts(); after != before {
			t.Fatalf("accepting left %d bookings, want %d: a move, not a second visit", after, before)
		}
		e.do(req{method: "GET", path: "/api/v1/manage/" + oldToken}).want(t, 404, "the old link")
		e.do(req{method: "GET", path: "/api/v1/manage/" + got["manage_token"].(string)}).want(t, 200, "the new link")
	})
}
