package api

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestBookingAttribution books with a source and attribution, sees them in
// the staff view, and refuses bad ones naming the field, writing nothing.
func TestBookingAttribution(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		slots := e.slots(e.ids.massage, e.ids.therapist)
		body := e.massageBooking(slots[0].Start, "attr@example.com")
		body["source"] = "embed"
		body["attribution"] = map[string]any{"referrer": "https://blog.example/neck?x=1", "utm_source": "blog",
			"utm_medium": "article", "utm_campaign": "neck-pain", "utm_content": "footer"}
		r := e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 201, "book with attribution")
		var booked bookedJSON
		if err := json.Unmarshal(r.body, &booked); err != nil {
			t.Fatal(err)
		}
		got := e.do(req{method: "GET", path: "/api/v1/bookings/" + booked.Booking.ID, role: "frontdesk"}).want(t, 200, "staff booking").json(t)
		b := got["booking"].(map[string]any)
		if b["source"] != "embed" {
			t.Errorf("source = %v, want embed", b["source"])
		}
		a, _ := b["attribution"].(map[string]any)
		if a["utm_campaign"] != "neck-pain" || a["referrer"] != "https://blog.example/neck?x=1" || a["utm_content"] != "footer" {
			t.Errorf("attribution = %v", b["attribution"])
		}

		plain := e.do(req{method: "POST", path: "/api/v1/bookings", body: e.massageBooking(slots[12].Start, "plain@example.com")}).want(t, 201, "plain")
		if err := json.Unmarshal(plain.body, &booked); err != nil {
			t.Fatal(err)
		}
		got = e.do(req{method: "GET", path: "/api/v1/bookings/" + booked.Booking.ID, role: "frontdesk"}).want(t, 200, "staff booking").json(t)
		if b := got["booking"].(map[string]any); b["source"] != "online" || b["attribution"] != nil {
			t.Errorf("plain booking: source %v, attribution %v; want online, null", b["source"], b["attribution"])
		}

		before, _ := e.counts()
		for _, tc := range []struct {
			field string
			set   func(map[string]any)
		}{
			{"attribution.utm_campaign", func(m map[string]any) { m["attribution"] = map[string]any{"utm_campaign": strings.Repeat("x", 201)} }},
			{"attribution.utm_source", func(m map[string]any) { m["attribution"] = map[string]any{"utm_source": "a\nb"} }},
			{"attribution.referrer", func(m map[string]any) { m["attribution"] = map[string]any{"referrer": "javascript:alert(1)"} }},
			{"attribution.referrer", func(m map[string]any) {
				m["attribution"] = map[string]any{"referrer": "https://x.example/" + strings.Repeat("a", 2048)}
			}},
			{"source", func(m map[string]any) { m["source"] = "staff" }},
		} {
			bad := e.massageBooking(slots[24].Start, "bad@example.com")
			tc.set(bad)
			r := e.do(req{method: "POST", path: "/api/v1/bookings", body: bad}).want(t, 422, "bad "+tc.field)
			if fields := r.fields(t); !slices.Contains(fields, tc.field) {
				t.Errorf("422 names %v, want %s", fields, tc.field)
			}
		}
		if after, _ := e.counts(); after != before {
			t.Errorf("bad requests wrote bookings: %d -> %d", before, after)
		}
	})
}
