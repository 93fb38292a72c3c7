package api

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// TestBookingKeepsPatientRecord: booking with an existing patient's email,
// under another name and phone, leaves their record (and so their earlier
// visits, as staff and feeds show them) as it was; what was typed is on
// the new booking, where staff see it beside the record.
func TestBookingKeepsPatientRecord(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		first := e.mustBook(0, "ada@example.com")
		d, err := e.store.Booking(ctx, first.Booking.ID)
		if err != nil {
			t.Fatal(err)
		}
		before := d.Patient
		slots := e.slots(e.ids.massage, e.ids.therapist)
		body := e.massageBooking(slots[3].Start, "ADA@example.com")
		body["patient"] = map[string]any{"name": "Mallory Impostor", "email": "ADA@example.com", "phone": "+1 555 666 0000"}
		r := e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 201, "book with her email")
		second := r.json(t)["booking"].(map[string]any)["id"].(string)

		after, err := e.store.Patient(ctx, before.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Errorf("patient after a booking with her email = %+v, want %+v", after, before)
		}
		got := e.do(req{method: "GET", path: "/api/v1/bookings/" + first.Booking.ID, role: domain.RoleFrontDesk}).want(t, 200, "first booking").json(t)
		b := got["booking"].(map[string]any)
		if name := b["patient"].(map[string]any)["name"]; name != before.Name {
			t.Errorf("first booking's patient name = %v, want %q", name, before.Name)
		}
		if g := b["given"].(map[string]any); g["differs"] != false || g["name"] != before.Name {
			t.Errorf("first booking's given = %v, want her own details, not differing", g)
		}
		got = e.do(req{method: "GET", path: "/api/v1/bookings/" + second, role: domain.RoleFrontDesk}).want(t, 200, "second booking").json(t)
		b = got["booking"].(map[string]any)
		g := b["given"].(map[string]any)
		if b["patient"].(map[string]any)["name"] != before.Name || g["name"] != "Mallory Impostor" || g["phone"] != "+1 555 666 0000" || g["differs"] != true {
			t.Errorf("second booking = patient %v, given %v; want the record and what was typed, differing", b["patient"], g)
		}
	})
}

// TestPasswordChangeAndDeactivationEndAccess: a new password ends the
// user's sessions and API tokens at once; deactivating ends the new ones
// and the feed links they made, and reactivating revives none of them.
func TestPasswordChangeAndDeactivationEndAccess(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		e := fe.env
		ctx := context.Background()
		u := map[string]any{"email": "leaving@clinic.example", "name": "Leaving Desk", "role": "frontdesk", "password": "first password"}
		id := e.do(req{method: "POST", path: "/api/v1/users", role: "admin", body: u}).want(t, 201, "create user").json(t)["user"].(map[string]any)["id"].(string)
		signIn := func(pw string) map[string]string {
			t.Helper()
			tok := e.do(req{method: "POST", path: "/api/v1/auth/tokens", body: map[string]any{"email": "leaving@clinic.example", "password": pw}}).want(t, 201, "sign in").json(t)
			return map[string]string{"Authorization": "Bearer " + tok["token"].(string)}
		}
		works := func(h map[string]string, want int, what string) {
			t.Helper()
			e.do(req{method: "GET", path: "/api/v1/patients", header: h}).want(t, want, what)
		}
		laptop, phone := signIn("first password"), signIn("first password")
		rawSession, sessionHash := domain.NewToken()
		session := domain.Credential{UserID: id, Hash: sessionHash, Kind: domain.CredentialSession, CreatedAt: fixedNow, ExpiresAt: fixedNow.Add(12 * time.Hour)}
		if err := e.store.CreateCredential(ctx, &session); err != nil {
			t.Fatal(err)
		}
		feed := e.do(req{method: "POST", path: "/api/v1/feed-tokens", header: laptop, body: map[string]any{"privacy": "busy"}}).want(t, 201, "her feed link").json(t)
		feedPath := strings.TrimPrefix(feed["url"].(string), e.srv.BaseURL)
		e.do(req{method: "GET", path: feedPath}).want(t, 200, "her feed")
		works(laptop, 200, "laptop token")

		u["password"] = "second password"
		e.do(req{method: "PUT", path: "/api/v1/users/" + id, role: "admin", body: u}).want(t, 200, "change password")
		works(laptop, 401, "laptop token after the password change")
		works(phone, 401, "phone token after the password change")
		if _, _, err := e.store.Credential(ctx, domain.HashToken(rawSession), fixedNow); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("session after the password change = %v, want ErrNotFound", err)
		}
		e.do(req{method: "GET", path: feedPath}).want(t, 200, "her feed after a password change")
		fresh := signIn("second password")
		works(fresh, 200, "a token with the new password")

		u["password"], u["active"] = "", false
		e.do(req{method: "PUT", path: "/api/v1/users/" + id, role: "admin", body: u}).want(t, 200, "deactivate")
		works(fresh, 401, "token after deactivation")
		e.do(req{method: "GET", path: feedPath}).want(t, 404, "her feed after deactivation")

		u["active"] = true
		e.do(req{method: "PUT", path: "/api/v1/users/" + id, role: "admin", body: u}).want(t, 200, "reactivate")
		works(fresh, 401, "the old token after reactivation")
		works(laptop, 401, "the oldest token after reactivation")
		e.do(req{method: "GET", path: feedPath}).want(t, 404, "her feed after reactivation")
		works(signIn("second password"), 200, "a new sign-in after reactivation")
	})
}

// TestPractitionerScopeFailsClosed: a practitioner account that names no
// practitioner (or an unknown one) sees no bookings at all, not everyone's;
// a linked one sees only their own and is refused another's.
func TestPractitionerScopeFailsClosed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.mustBook(0, "ada@example.com")
		bearer := func(practitionerID string) map[string]string {
			u := domain.User{ID: domain.NewID(), Email: domain.NewID()[:8] + "@clinic.example", Role: domain.RolePractitioner,
				PractitionerID: practitionerID, Active: true, CreatedAt: fixedNow, PasswordHash: testPasswordHash}
			if err := e.store.CreateUser(ctx, &u); err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			raw, hash := domain.NewToken()
			cred := domain.Credential{UserID: u.ID, Hash: hash, Kind: domain.CredentialToken, CreatedAt: fixedNow, ExpiresAt: fixedNow.Add(time.Hour)}
			if err := e.store.CreateCredential(ctx, &cred); err != nil {
				t.Fatal(err)
			}
			return map[string]string{"Authorization": "Bearer " + raw}
		}
		unlinked := bearer("")
		for _, path := range []string{"/api/v1/bookings", "/api/v1/bookings?practitioner_id=" + e.ids.therapist, "/api/v1/practitioners/" + e.ids.therapist + "/hours"} {
			r := e.do(req{method: "GET", path: path, header: unlinked})
			if r.status != 403 {
				t.Errorf("GET %s as an unlinked practitioner = %d, want 403: %s", path, r.status, r.body)
			}
		}
		other := bearer(e.ids.chiro)
		list := e.do(req{method: "GET", path: "/api/v1/bookings", header: other}).want(t, 200, "the chiropractor's own list").json(t)
		if n := len(list["bookings"].([]any)); n != 0 {
			t.Errorf("the chiropractor sees %d bookings of the therapist", n)
		}
		e.do(req{method: "GET", path: "/api/v1/bookings?practitioner_id=" + e.ids.therapist, header: other}).want(t, 403, "another's list")
		own := e.do(req{method: "GET", path: "/api/v1/bookings", role: domain.RolePractitioner}).want(t, 200, "the therapist's own list").json(t)
		if n := len(own["bookings"].([]any)); n != 1 {
			t.Errorf("the therapist sees %d bookings, want her 1", n)
		}
	})
}

// TestBookingRefusalConfirmsNoPatient: the public form's answer to a
// second case review does not say the email already has one; staff, who
// may know, hear the reason.
func TestBookingRefusalConfirmsNoPatient(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		s := e.slots(e.ids.caseReview, "")
		body := map[string]any{
			"service_id": e.ids.caseReview, "start": s[0].Start,
			"patient": map[string]any{"name": "Ann Review", "email": "ann@example.com"},
			"intake":  map[string]any{"pain_areas": []string{"neck"}, "duration": "months"},
		}
		e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 201, "book a case review")
		body["start"] = s[len(s)-1].Start
		public := e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 409, "a second case review")
		text := string(public.body)
		if !public.hasField(t, "patient.email") || strings.Contains(text, "already") || strings.Contains(text, "seen you") {
			t.Errorf("public refusal = %s; want patient.email named without confirming a record", text)
		}
		staff := e.do(req{method: "POST", path: "/api/v1/bookings", role: domain.RoleFrontDesk, body: body}).want(t, 409, "staff: a second case review")
		if !strings.Contains(string(staff.body), "already has one") {
			t.Errorf("staff refusal = %s; want the reason", staff.body)
		}
	})
}

// TestCancelledRemindersKeepNoLink (issue 16, finding 12): a reminder the
// change cancels no longer holds the patient's manage link in the
// database; the pending one of the moved visit still does (it is sent).
func TestCancelledRemindersKeepNoLink(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		booked := e.mustBook(0, "ada@example.com")
		slots := e.slots(e.ids.massage, e.ids.therapist)
		e.do(req{method: "POST", path: "/api/v1/manage/" + booked.ManageToken + "/reschedule", body: map[string]any{"start": slots[5].Start}}).want(t, 200, "reschedule")
		msgs, err := e.store.Messages(ctx, domain.MessageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var cancelled, pending int
		for _, m := range msgs {
			if m.Kind != domain.MessageReminder {
				continue
			}
			switch m.Status {
			case domain.MessageCancelled:
				cancelled++
				if m.Notice.ManageURL != "" {
					t.Errorf("cancelled reminder %s keeps the manage link %q", m.ID, m.Notice.ManageURL)
				}
			case domain.MessagePending:
				pending++
			}
		}
		if cancelled != 1 || pending != 1 {
			t.Errorf("reminders: %d cancelled, %d pending; want 1 and 1", cancelled, pending)
		}
	})
}
