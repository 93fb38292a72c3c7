package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/api/problem"
	"github.com/frontdesk/frontdesk/domain"
)

// TestTimeOffOverVisits: time off or a day off over confirmed visits is
// refused with the visits listed (nothing saved) unless the request says
// keep or cancel; cancel cancels each visit and emails its patient in the
// same change.
func TestTimeOffOverVisits(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		s := e.slots(e.ids.massage, e.ids.therapist)
		book := func(email, start string) string {
			r := e.do(req{method: "POST", path: "/api/v1/bookings", body: map[string]any{
				"service_id": e.ids.massage, "practitioner_id": e.ids.therapist, "start": start,
				"patient": map[string]any{"name": "Pat " + email, "email": email}}}).want(t, 201, "book")
			return r.json(t)["booking"].(map[string]any)["id"].(string)
		}
		first := book("ann@example.com", s[0].Start)
		start, _ := time.Parse(time.RFC3339, s[0].Start)
		offPath := "/api/v1/practitioners/" + e.ids.therapist + "/time-off"
		body := map[string]any{"start": start.Add(-time.Hour).Format(time.RFC3339), "end": start.Add(3 * time.Hour).Format(time.RFC3339), "reason": "Dentist"}

		r := e.do(req{method: "POST", path: offPath, role: domain.RoleFrontDesk, body: body}).want(t, 409, "time off over a visit")
		var p problem.Document
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Visits) != 1 || p.Visits[0].BookingID != first || p.Visits[0].Patient != "Pat ann@example.com" || !r.hasField(t, "visits") {
			t.Errorf("409 = %s, want the visit %s listed and the field visits", r.body, first)
		}
		if list := e.do(req{method: "GET", path: offPath, role: domain.RoleFrontDesk}).json(t)["time_off"].([]any); len(list) != 0 {
			t.Errorf("after the 409 the practitioner has time off %v", list)
		}

		body["visits"] = "move"
		e.do(req{method: "POST", path: offPath, role: domain.RoleFrontDesk, body: body}).want(t, 422, "an unknown visits answer")

		body["visits"] = "keep"
		e.do(req{method: "POST", path: offPath, role: domain.RoleFrontDesk, body: body}).want(t, 201, "time off keeping the visit")
		if st := e.bookingStatus(first); st != "confirmed" {
			t.Errorf("kept visit is %s", st)
		}

		// A day off over another visit, cancelling it with a message.
		second := book("bea@example.com", s[len(s)-1].Start)
		last, _ := time.Parse(time.RFC3339, s[len(s)-1].Start)
		day := last.In(newYork).Format(time.DateOnly)
		ovPath := "/api/v1/practitioners/" + e.ids.therapist + "/overrides"
		e.do(req{method: "POST", path: ovPath, role: domain.RoleFrontDesk, body: map[string]any{"date": day, "ranges": []any{}}}).want(t, 409, "a day off over a visit")
		e.do(req{method: "POST", path: ovPath, role: domain.RoleFrontDesk, body: map[string]any{"date": day, "ranges": []any{},
			"visits": "cancel", "patient_message": "Jordan is away that day; please book another."}}).want(t, 201, "a day off cancelling the visit")
		if st := e.bookingStatus(second); st != "cancelled" {
			t.Errorf("cancelled visit is %s", st)
		}
		hist := e.do(req{method: "GET", path: "/api/v1/bookings/" + second, role: domain.RoleFrontDesk}).json(t)
		_ = hist
		var cancels int
		for _, m := range e.do(req{method: "GET", path: "/api/v1/notifications", role: domain.RoleFrontDesk}).json(t)["notifications"].([]any) {
			if m := m.(map[string]any); m["booking_id"] == second && m["kind"] == "cancellation" && m["to"] == "bea@example.com" {
				cancels++
			}
		}
		if cancels != 1 {
			t.Errorf("%d cancellation emails to the patient, want 1", cancels)
		}
		if st := e.bookingStatus(first); st != "confirmed" {
			t.Errorf("a visit on another day is %s", st)
		}
	})
}

// bookingStatus reads a booking's status through the staff API.
func (e *env) bookingStatus(id string) string {
	e.t.Helper()
	got := e.do(req{method: "GET", path: "/api/v1/bookings/" + id, role: domain.RoleFrontDesk}).want(e.t, 200, "booking").json(e.t)
	if b, ok := got["booking"].(map[string]any); ok {
		return b["status"].(string)
	}
	return got["status"].(string)
}
