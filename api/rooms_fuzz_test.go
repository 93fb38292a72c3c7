package api

import (
	"fmt"
	"testing"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// FuzzRoomInput sends arbitrary bodies, as an admin on a real SQLite
// store, to every door that takes room input: creating and changing a
// room, the rooms a service may use, and a staff booking naming its room.
// Never a 5xx; every error is problem+json; and a refused write leaves the
// rooms and the service's rooms as they were.
func FuzzRoomInput(f *testing.F) {
	e := newEnv(f, storagetest.Open(f, storagetest.Engines()[0]), 0)
	room := e.addRoom("Room A", "")
	e.setServiceRooms(room).want(f, 200, "massage uses Room A")
	paths := []struct{ method, path string }{
		{"POST", "/api/v1/rooms"},
		{"PUT", "/api/v1/rooms/" + room},
		{"PUT", "/api/v1/services/" + e.ids.massage},
		{"POST", "/api/v1/bookings"},
	}
	seeds := []string{
		``, `{}`, `null`, `[]`, `{"name":"Room B"}`, `{"name":"Table","kind":"equipment"}`, `{"name":" ","kind":"sofa"}`,
		`{"name":"x","future_visits":"keep"}`, `{"active":false}`, `{"active":false,"future_visits":"release"}`,
		`{"name":"` + string(make([]byte, 300)) + `"}`, `{"sort_order":-1}`, `{"sort_order":1e99}`, `{"name":"\u0000\ud800"}`,
		`{"name":"Massage 60","kind":"massage","duration_minutes":60,"room_ids":["` + room + `"]}`,
		`{"name":"Massage 60","kind":"massage","duration_minutes":60,"room_ids":["nope"]}`,
		`{"name":"Massage 60","kind":"massage","duration_minutes":60,"room_ids":"` + room + `"}`,
		`{"name":"Massage 60","kind":"massage","duration_minutes":60,"room_ids":["` + domain.NewID() + `",null]}`,
		`{"service_id":"` + e.ids.massage + `","practitioner_id":"` + e.ids.therapist + `","start":"2031-03-04T10:00:00-05:00","patient":{"name":"A","email":"a@b.co"},"room_id":"` + room + `"}`,
		`{"service_id":"` + e.ids.massage + `","practitioner_id":"` + e.ids.therapist + `","start":"2031-03-04T11:30:00-05:00","patient":{"name":"A","email":"a@b.co"},"room_id":"` + domain.NewID() + `"}`,
		`{"service_id":"` + e.ids.massage + `","start":"2031-03-04T13:00:00-05:00","patient":{"name":"A","email":"a@b.co"},"room_id":7}`,
		`{"name":"A"} {"name":"B"}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, door uint8, body []byte) {
		p := paths[int(door)%len(paths)]
		token := e.token[domain.RoleAdmin]
		before := roomState(t, e, token)
		r := doWith(t, e.client, e.ts.URL, token, req{method: p.method, path: p.path, body: body})
		if r.status >= 500 {
			t.Fatalf("%s %s %q = %d: %s", p.method, p.path, body, r.status, r.body)
		}
		if r.status < 400 {
			return
		}
		if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("%s %s %q = %d as %q", p.method, p.path, body, r.status, ct)
		}
		if after := roomState(t, e, token); after != before {
			t.Fatalf("%s %s %q = %d, yet it changed the rooms:\n before %s\n after  %s", p.method, p.path, body, r.status, before, after)
		}
	})
}

// roomState is the rooms and the services (with their rooms) as the API lists them.
func roomState(t *testing.T, e *env, token string) string {
	t.Helper()
	rooms := doWith(t, e.client, e.ts.URL, token, req{method: "GET", path: "/api/v1/rooms?all=true"}).want(t, 200, "list rooms")
	svc := doWith(t, e.client, e.ts.URL, token, req{method: "GET", path: "/api/v1/services"}).want(t, 200, "services")
	return fmt.Sprintf("%s %s", rooms.body, svc.body)
}
