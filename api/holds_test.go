package api

import (
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// holdBody asks to hold the massage with the therapist at start.
func (e *env) holdBody(start string) map[string]any {
	return map[string]any{"service_id": e.ids.massage, "practitioner_id": e.ids.therapist, "start": start,
		"time_zone": "Europe/London"}
}

// from makes a request come from the client address ip (the test trusts
// the loopback proxy).
func from(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }

func TestHoldsAPI(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			e := newEnv(t, storagetest.Open(t, engine), 0, func(s *Server) {
				s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
			})
			slots := e.slots(e.ids.massage, e.ids.therapist)
			start := slots[0].Start
			r := e.do(req{method: "POST", path: "/api/v1/holds", body: e.holdBody(start), header: from("198.51.100.1")}).want(t, 201, "hold")
			got := r.json(t)
			token := got["hold_token"].(string)
			hold := got["hold"].(map[string]any)
			if !sameInstant(hold["start"], start) || hold["practitioner_id"] != e.ids.therapist || hold["room_id"] != nil || hold["expires_at"] == "" {
				t.Errorf("hold = %v, want the therapist at %s, no room", hold, start)
			}
			// Another client can neither hold nor book it; 409 names the hold.
			r = e.do(req{method: "POST", path: "/api/v1/holds", body: e.holdBody(start), header: from("198.51.100.2")}).want(t, 409, "second hold")
			if kind, _ := problemConflict(t, r); kind != "hold" {
				t.Errorf("second hold conflict kind = %q, want hold", kind)
			}
			r = e.do(req{method: "POST", path: "/api/v1/bookings", body: e.massageBooking(start, "other@example.com"), header: from("198.51.100.2")}).want(t, 409, "booking over a hold")
			if kind, id := problemConflict(t, r); kind != "hold" || id != e.ids.therapist {
				t.Errorf("booking conflict = %q %q, want hold %s", kind, id, e.ids.therapist)
			}
			for _, s := range e.slots(e.ids.massage, e.ids.therapist) {
				if s.Start == start {
					t.Errorf("availability offers the held %s", start)
				}
			}
			q := url.Values{"service_id": {e.ids.massage}, "practitioner_id": {e.ids.therapist}, "from": {"2031-03-04"}, "to": {"2031-03-14"}, "hold_token": {token}}
			if body := e.do(req{method: "GET", path: "/api/v1/availability?" + q.Encode()}).want(t, 200, "own availability").json(t); !offersStart(body, start) {
				t.Errorf("availability with the hold's own token hides %s", start)
			}
			// The holder books it: 201, and the hold is gone with the booking.
			b := e.massageBooking(start, "holder@example.com")
			b["hold_token"] = token
			e.do(req{method: "POST", path: "/api/v1/bookings", body: b, header: from("198.51.100.1")}).want(t, 201, "holder books")
			e.do(req{method: "DELETE", path: "/api/v1/holds/" + token}).want(t, 404, "release after booking")

			// Release frees the time at once; a client's new hold replaces its old.
			free := e.slots(e.ids.massage, e.ids.therapist)
			next := free[0].Start
			r = e.do(req{method: "POST", path: "/api/v1/holds", body: e.holdBody(next), header: from("198.51.100.3")}).want(t, 201, "hold next")
			first := r.json(t)["hold_token"].(string)
			e.do(req{method: "POST", path: "/api/v1/holds", body: e.holdBody(free[len(free)-1].Start), header: from("198.51.100.3")}).want(t, 201, "same client holds another")
			e.do(req{method: "POST", path: "/api/v1/holds", body: e.holdBody(next), header: from("198.51.100.4")}).want(t, 201, "the replaced hold's time is free")
			e.do(req{method: "DELETE", path: "/api/v1/holds/" + first}).want(t, 404, "release a replaced hold")

			// Bad input names the fields and holds nothing.
			r = e.do(req{method: "POST", path: "/api/v1/holds", body: map[string]any{"service_id": "nope", "start": "yesterday"}}).want(t, 422, "bad hold")
			if !r.hasField(t, "start") {
				t.Errorf("bad hold names %v, want start", r.fields(t))
			}
			r = e.do(req{method: "POST", path: "/api/v1/holds", body: map[string]any{"service_id": domain.NewID(), "start": next}}).want(t, 422, "unknown service")
			if !r.hasField(t, "service_id") {
				t.Errorf("unknown service names %v, want service_id", r.fields(t))
			}
		})
	}
}

// sameInstant reports whether two RFC 3339 texts name one instant.
func sameInstant(a any, b string) bool {
	as, _ := a.(string)
	x, err1 := time.Parse(time.RFC3339, as)
	y, err2 := time.Parse(time.RFC3339, b)
	return err1 == nil && err2 == nil && x.Equal(y)
}

// offersStart reports whether an availability answer has a slot at start.
func offersStart(body map[string]any, start string) bool {
	for _, s := range body["slots"].([]any) {
		if s.(map[string]any)["start"] == start {
			return true
		}
	}
	return false
}

func TestHoldsRateLimited(t *testing.T) {
	forEachEngineLimit(t, 2, func(t *testing.T, e *env) {
		start := e.slots(e.ids.massage, e.ids.therapist)[0].Start
		for i := range 2 {
			e.do(req{method: "POST", path: "/api/v1/holds", body: e.holdBody(start)}).want(t, 201, "hold "+string(rune('1'+i)))
		}
		e.do(req{method: "POST", path: "/api/v1/holds", body: e.holdBody(start)}).want(t, 429, "third hold in a minute")
	})
}
