package api

import (
	"context"
	"testing"

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
