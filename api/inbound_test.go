package api

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// receiveCounter stores a COUNTER from the patient of booking id proposing
// start, as the inbound door would after reading it, and processes it.
func (e *env) receiveCounter(id string, start time.Time) domain.InboundMessage {
	e.t.Helper()
	ctx := context.Background()
	d, err := e.store.Booking(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	m := domain.InboundMessage{ID: domain.NewID(), ReceivedAt: fixedNow, SHA256: domain.NewID()}
	if _, err := e.store.SaveInbound(ctx, &m, []byte("stored raw bytes")); err != nil {
		e.t.Fatal(err)
	}
	got, err := e.srv.Inbox.Process(ctx, m, domain.InboundMail{
		MessageID: domain.NewID() + "@mail.example", From: d.Patient.Email, Subject: "New Time Proposed",
		Authenticated: []string{"example.com"},
		Calendar: &domain.CalendarAnswer{Method: "COUNTER", UID: d.UID, Attendee: d.Patient.Email,
			PartStat: "TENTATIVE", Sequence: d.Sequence, Start: start, End: start.Add(time.Hour)},
	})
	if err != nil || got.State != domain.InboundProposal {
		e.t.Fatalf("Process(COUNTER) = %s (%s), %v; want proposal", got.State, got.Detail, err)
	}
	return got
}

func TestInboundProposals(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		booked := e.mustBook(0, "pat@example.com")
		start, _ := time.Parse(time.RFC3339, booked.Booking.Start)
		proposed := start.Add(2 * time.Hour)
		m := e.receiveCounter(booked.Booking.ID, proposed)

		e.do(req{method: "GET", path: "/api/v1/inbound"}).want(t, 401, "list anonymously")
		e.do(req{method: "GET", path: "/api/v1/inbound", role: domain.RolePractitioner}).want(t, 403, "list as a practitioner")
		bad := e.do(req{method: "GET", path: "/api/v1/inbound?booking_id=nope", role: domain.RoleFrontDesk}).want(t, 422, "bad booking_id")
		if !bad.hasField(t, "booking_id") {
			t.Errorf("problem does not name booking_id: %s", bad.body)
		}
		list := e.do(req{method: "GET", path: "/api/v1/inbound?booking_id=" + booked.Booking.ID, role: domain.RoleFrontDesk}).want(t, 200, "list").json(t)
		msgs := list["messages"].([]any)
		if len(msgs) != 1 {
			t.Fatalf("messages = %v, want the proposal", msgs)
		}
		got := msgs[0].(map[string]any)
		if got["kind"] != "counter" || got["state"] != "proposal" || got["booking_id"] != booked.Booking.ID || got["from"] != "pat@example.com" {
			t.Fatalf("message = %v", got)
		}

		e.do(req{method: "POST", path: "/api/v1/inbound/" + domain.NewID() + "/accept", role: domain.RoleFrontDesk}).want(t, 404, "accept unknown")
		acc := e.do(req{method: "POST", path: "/api/v1/inbound/" + m.ID + "/accept", role: domain.RoleFrontDesk}).want(t, 200, "accept").json(t)
		b := acc["booking"].(map[string]any)
		if at, _ := time.Parse(time.RFC3339, b["start"].(string)); !at.Equal(proposed) {
			t.Fatalf("booking moved to %v, want %v", b["start"], proposed)
		}
		if acc["message"].(map[string]any)["state"] != "proposal_accepted" {
			t.Fatalf("message after accepting = %v", acc["message"])
		}
		e.do(req{method: "POST", path: "/api/v1/inbound/" + m.ID + "/decline", role: domain.RoleFrontDesk}).want(t, 409, "decline an answered proposal")

		second := e.receiveCounter(booked.Booking.ID, proposed.Add(time.Hour))
		dec := e.do(req{method: "POST", path: "/api/v1/inbound/" + second.ID + "/decline", role: domain.RoleFrontDesk}).want(t, 200, "decline").json(t)
		if dec["message"].(map[string]any)["state"] != "proposal_declined" {
			t.Fatalf("message after declining = %v", dec["message"])
		}
		after := e.do(req{method: "GET", path: "/api/v1/bookings/" + booked.Booking.ID, role: domain.RoleFrontDesk}).want(t, 200, "booking").json(t)
		if at, _ := time.Parse(time.RFC3339, after["booking"].(map[string]any)["start"].(string)); !at.Equal(proposed) {
			t.Fatalf("a declined proposal moved the booking to %v", at)
		}
	})
}

func TestFixBouncingEmail(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		booked := e.mustBook(0, "pat@example.com")
		e.mustBook(1, "other@example.com")
		ctx := context.Background()
		p, err := e.store.MarkEmailBouncing(ctx, "pat@example.com", "550 5.1.1", fixedNow)
		if err != nil {
			t.Fatal(err)
		}
		got := e.do(req{method: "GET", path: "/api/v1/patients/" + p.ID, role: domain.RoleFrontDesk}).want(t, 200, "patient").json(t)
		if st := got["patient"].(map[string]any)["email_status"]; st != "bouncing" {
			t.Fatalf("email_status = %v, want bouncing", st)
		}
		b := e.do(req{method: "GET", path: "/api/v1/bookings/" + booked.Booking.ID, role: domain.RoleFrontDesk}).want(t, 200, "booking").json(t)
		if st := b["booking"].(map[string]any)["patient"].(map[string]any)["email_status"]; st != "bouncing" {
			t.Fatalf("the booking's patient email_status = %v, want bouncing", st)
		}
		path := "/api/v1/patients/" + p.ID + "/email"
		e.do(req{method: "PUT", path: path, role: domain.RolePractitioner, body: map[string]any{"email": "pat@example.org"}}).want(t, 403, "as a practitioner")
		bad := e.do(req{method: "PUT", path: path, role: domain.RoleFrontDesk, body: map[string]any{"email": "not an address"}}).want(t, 422, "bad address")
		if !bad.hasField(t, "email") {
			t.Errorf("problem does not name email: %s", bad.body)
		}
		e.do(req{method: "PUT", path: path, role: domain.RoleFrontDesk, body: map[string]any{"email": "other@example.com"}}).want(t, 409, "another patient's address")
		e.do(req{method: "PUT", path: path, role: domain.RoleFrontDesk, body: map[string]any{"email": "pat@example.org", "x": 1}}).want(t, 400, "unknown field")
		e.do(req{method: "PUT", path: "/api/v1/patients/" + domain.NewID() + "/email", role: domain.RoleFrontDesk, body: map[string]any{"email": "a@example.org"}}).want(t, 404, "unknown patient")
		fixed := e.do(req{method: "PUT", path: path, role: domain.RoleFrontDesk, body: map[string]any{"email": "Pat@Example.org"}}).want(t, 200, "fix").json(t)
		fp := fixed["patient"].(map[string]any)
		if fp["email"] != "pat@example.org" || fp["email_status"] != "ok" {
			t.Fatalf("fixed patient = %v", fp)
		}
	})
}
