package api

import (
	"testing"
	"time"
)

// TestMoveAndStatusVersion: a change sent with the version the desk read
// lands; one sent with an older version is a 409 stale and writes nothing;
// a move onto a taken time is a 409 naming the visit in the way.
func TestMoveAndStatusVersion(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		first := e.mustBook(0, "first@example.com")
		slots := e.slots(e.ids.massage, e.ids.therapist)
		var later string
		for _, s := range slots {
			if mustTime(t, s.Start).Sub(mustTime(t, first.Booking.Start)) >= 2*time.Hour {
				later = s.Start
				break
			}
		}
		second := e.do(req{method: "POST", path: "/api/v1/bookings", body: e.massageBooking(later, "second@example.com")}).want(t, 201, "book second").json(t)
		id := second["booking"].(map[string]any)["id"].(string)
		path := "/api/v1/bookings/" + id
		read := e.do(req{method: "GET", path: path, role: "frontdesk"}).want(t, 200, "read").json(t)["booking"].(map[string]any)
		seen := read["version"].(string)
		if seen == "" {
			t.Fatalf("booking has no version: %v", read)
		}

		arrived := e.do(req{method: "POST", path: path + "/status", role: "frontdesk", body: map[string]any{"status": "arrived", "version": seen}}).
			want(t, 200, "arrived with the version read").json(t)["booking"].(map[string]any)
		if arrived["version"] == seen {
			t.Errorf("the version did not change with the status: %v", seen)
		}
		// The other desk still has the old page.
		r := e.do(req{method: "POST", path: path + "/status", role: "frontdesk", body: map[string]any{"status": "no_show", "version": seen}}).want(t, 409, "stale status")
		if p := r.json(t); p["type"] != "urn:frontdesk:problem:stale" {
			t.Errorf("stale problem = %v", p)
		}
		now := e.do(req{method: "GET", path: path, role: "frontdesk"}).json(t)["booking"].(map[string]any)
		if now["status"] != "arrived" {
			t.Errorf("after the stale change status = %v, want arrived", now["status"])
		}
		undone := e.do(req{method: "POST", path: path + "/status", role: "frontdesk", body: map[string]any{"status": "confirmed", "version": now["version"]}}).
			want(t, 200, "undo").json(t)["booking"].(map[string]any)

		e.do(req{method: "POST", path: path + "/reschedule", role: "frontdesk", body: map[string]any{"start": slots[len(slots)-1].Start, "version": seen}}).want(t, 409, "stale move")
		e.do(req{method: "POST", path: path + "/reschedule", role: "frontdesk", body: map[string]any{"start": slots[len(slots)-1].Start, "version": "last tuesday"}}).want(t, 422, "bad version")
		clash := e.do(req{method: "POST", path: path + "/reschedule", role: "frontdesk", body: map[string]any{"start": first.Booking.Start, "version": undone["version"]}}).
			want(t, 409, "move onto a taken time").json(t)
		visits, _ := clash["visits"].([]any)
		if clash["type"] != "urn:frontdesk:problem:slot-taken" || len(visits) != 1 || visits[0].(map[string]any)["booking_id"] != first.Booking.ID {
			t.Errorf("clash problem = %v, want slot-taken naming the first visit", clash)
		}
		after := e.do(req{method: "GET", path: path, role: "frontdesk"}).json(t)["booking"].(map[string]any)
		if after["start"] != read["start"] || after["version"] != undone["version"] {
			t.Errorf("refused moves changed the booking: %v", after)
		}
		e.do(req{method: "POST", path: path + "/reschedule", role: "frontdesk", body: map[string]any{"start": slots[len(slots)-1].Start, "version": undone["version"]}}).want(t, 200, "move")
	})
}
