package api

import (
	"net/url"
	"slices"
	"testing"

	"github.com/frontdesk/frontdesk/domain"
)

// TestPatientSearchAndHistory: the desk finds a patient by part of their
// name, email or phone, and their record lists every visit and the emails
// written to them; practitioners and the public cannot list patients.
func TestPatientSearchAndHistory(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		s := e.slots(e.ids.massage, e.ids.therapist)
		e.do(req{method: "POST", path: "/api/v1/bookings", body: map[string]any{
			"service_id": e.ids.massage, "practitioner_id": e.ids.therapist, "start": s[0].Start,
			"patient": map[string]any{"name": "Grace Hopper", "email": "Grace@Navy.example", "phone": "+1 (212) 555-0199"}}}).want(t, 201, "book")
		e.bookCaseReview("ada@example.com")

		for _, q := range []string{"hopp", "GRACE@navy", "555-0199", "212"} {
			got := e.do(req{method: "GET", path: "/api/v1/patients?q=" + url.QueryEscape(q), role: domain.RoleFrontDesk}).want(t, 200, "search "+q).json(t)
			list := got["patients"].([]any)
			if len(list) != 1 || list[0].(map[string]any)["name"] != "Grace Hopper" {
				t.Errorf("search %q = %v, want Grace Hopper alone", q, list)
			}
		}
		found := e.do(req{method: "GET", path: "/api/v1/patients?q=hopper", role: domain.RoleFrontDesk}).json(t)["patients"].([]any)
		id := found[0].(map[string]any)["id"].(string)

		hist := e.do(req{method: "GET", path: "/api/v1/patients/" + id, role: domain.RoleFrontDesk}).want(t, 200, "history").json(t)
		if b := hist["bookings"].([]any); len(b) != 1 || b[0].(map[string]any)["status"] != "confirmed" {
			t.Errorf("bookings = %v, want the one confirmed massage", b)
		}
		msgs := hist["messages"].([]any)
		if len(msgs) == 0 {
			t.Fatalf("messages = %v, want the confirmation", msgs)
		}
		for _, m := range msgs {
			m := m.(map[string]any)
			if m["to"] != "grace@navy.example" {
				t.Errorf("message %v is not to the patient (practitioners' notes must not be listed)", m)
			}
		}
		// The confirmation and the reminder are written by one change, at one
		// instant: which is listed first is not the point.
		if !slices.ContainsFunc(msgs, func(m any) bool { return m.(map[string]any)["kind"] == "confirmation" }) {
			t.Errorf("messages = %v, want the confirmation among them", msgs)
		}

		for _, r := range []domain.Role{"", domain.RolePractitioner} {
			want := map[domain.Role]int{"": 401, domain.RolePractitioner: 403}[r]
			e.do(req{method: "GET", path: "/api/v1/patients?q=a", role: r}).want(t, want, "search as "+string(r))
			e.do(req{method: "GET", path: "/api/v1/patients/" + id, role: r}).want(t, want, "history as "+string(r))
		}
		e.do(req{method: "GET", path: "/api/v1/patients/not-an-id", role: domain.RoleFrontDesk}).want(t, 404, "a malformed id")
	})
}
