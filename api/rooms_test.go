package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// addRoom creates a room as admin and returns its id.
func (e *env) addRoom(name, kind string) string {
	e.t.Helper()
	body := map[string]any{"name": name}
	if kind != "" {
		body["kind"] = kind
	}
	r := e.do(req{method: "POST", path: "/api/v1/rooms", role: domain.RoleAdmin, body: body}).want(e.t, 201, "create room")
	return r.json(e.t)["room"].(map[string]any)["id"].(string)
}

// setServiceRooms makes the massage use the rooms, as admin.
func (e *env) setServiceRooms(ids ...string) response {
	e.t.Helper()
	return e.do(req{method: "PUT", path: "/api/v1/services/" + e.ids.massage, role: domain.RoleAdmin, body: map[string]any{
		"name": "Massage 60", "kind": "massage", "duration_minutes": 60, "buffer_after_minutes": 10,
		"price_cents": 9500, "room_ids": ids,
	}})
}

// problemConflict returns the "conflict" member of a problem.
func problemConflict(t testing.TB, r response) (kind, id string) {
	t.Helper()
	c, ok := r.json(t)["conflict"].(map[string]any)
	if !ok {
		return "", ""
	}
	return c["kind"].(string), c["id"].(string)
}

func TestRoomsSetup(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		a := e.addRoom("Room A", "")
		table := e.addRoom("Adjusting table", "equipment")
		e.do(req{method: "POST", path: "/api/v1/rooms", role: domain.RoleFrontDesk, body: map[string]any{"name": "X"}}).want(t, 403, "frontdesk creates a room")
		e.do(req{method: "GET", path: "/api/v1/rooms"}).want(t, 401, "anonymous lists rooms")
		r := e.do(req{method: "POST", path: "/api/v1/rooms", role: domain.RoleAdmin, body: map[string]any{"name": " ", "kind": "sofa"}}).want(t, 422, "bad room")
		if !r.hasField(t, "name") || !r.hasField(t, "kind") {
			t.Errorf("bad room names %v, want name and kind", r.fields(t))
		}
		list := e.do(req{method: "GET", path: "/api/v1/rooms", role: domain.RoleFrontDesk}).want(t, 200, "list rooms").json(t)["rooms"].([]any)
		if len(list) != 2 {
			t.Fatalf("rooms = %v, want two", list)
		}
		r = e.do(req{method: "PUT", path: "/api/v1/rooms/" + a, role: domain.RoleAdmin, body: map[string]any{"name": "Room 1"}}).want(t, 200, "rename")
		if got := r.json(t)["room"].(map[string]any); got["name"] != "Room 1" || got["active"] != true || got["kind"] != "room" {
			t.Errorf("renamed room = %v", got)
		}
		e.do(req{method: "PUT", path: "/api/v1/rooms/" + domain.NewID(), role: domain.RoleAdmin, body: map[string]any{"name": "Ghost"}}).want(t, 404, "unknown room")

		// A service names known, active rooms only; nothing changes otherwise.
		for _, ids := range [][]string{{domain.NewID()}, {"nope"}} {
			if r := e.setServiceRooms(ids...).want(t, 422, "unknown room on service"); !r.hasField(t, "room_ids") {
				t.Errorf("service with rooms %v names %v, want room_ids", ids, r.fields(t))
			}
		}
		e.do(req{method: "PUT", path: "/api/v1/rooms/" + table, role: domain.RoleAdmin, body: map[string]any{"active": false}}).want(t, 200, "deactivate unused room")
		if r := e.setServiceRooms(a, table).want(t, 422, "inactive room on service"); !r.hasField(t, "room_ids") {
			t.Errorf("inactive room names %v, want room_ids", r.fields(t))
		}
		svc := e.setServiceRooms(a).want(t, 200, "service rooms").json(t)["service"].(map[string]any)
		if ids := svc["room_ids"].([]any); len(ids) != 1 || ids[0] != a {
			t.Errorf("service room_ids = %v, want [%s]", ids, a)
		}
	})
}

func TestRoomsBooking(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		// Before rooms, a booking has room_id null and nothing breaks.
		first := e.mustBook(0, "before@example.com")
		if first.Booking.RoomID != nil {
			t.Errorf("booking before rooms has room_id %v, want null", *first.Booking.RoomID)
		}
		a := e.addRoom("Room A", "")
		e.setServiceRooms(a).want(t, 200, "service rooms")

		// Both practitioners are free at the first slot but share one room:
		// the first booking takes it, and the time is no longer offered.
		slots := e.slots(e.ids.massage, "")
		start := slots[len(slots)/2].Start
		body := e.massageBooking(start, "one@example.com")
		body["practitioner_id"] = e.ids.chiro
		r := e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 201, "book in room")
		var got bookedJSON
		decodeInto(t, r, &got)
		if got.Booking.RoomID == nil || *got.Booking.RoomID != a {
			t.Fatalf("booking room_id = %v, want %s", got.Booking.RoomID, a)
		}
		for _, s := range e.slots(e.ids.massage, e.ids.therapist) {
			if s.Start == start {
				t.Errorf("slot %s offered with the only room taken", start)
			}
		}
		body = e.massageBooking(start, "two@example.com")
		r = e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 409, "second in the same room")
		if kind, id := problemConflict(t, r); kind != "room" || id != a {
			t.Errorf("409 conflict = %s %s, want room %s: %s", kind, id, a, r.body)
		}
		// Same practitioner, same time: the practitioner is named.
		body = e.massageBooking(start, "three@example.com")
		body["practitioner_id"] = e.ids.chiro
		r = e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 409, "practitioner taken")
		if kind, id := problemConflict(t, r); kind != "practitioner" || id != e.ids.chiro {
			t.Errorf("409 conflict = %s %s, want practitioner %s: %s", kind, id, e.ids.chiro, r.body)
		}

		// Patients may not choose rooms or overbook; staff overbooking the
		// practitioner is told the room is taken too, and must say so.
		body = e.massageBooking(start, "four@example.com")
		body["room_id"] = a
		e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 403, "patient picks a room")
		body["practitioner_id"], body["overbook"] = e.ids.chiro, true
		r = e.do(req{method: "POST", path: "/api/v1/bookings", role: domain.RoleFrontDesk, body: body}).want(t, 409, "overbook without the room")
		if !r.hasField(t, "overbook_room") {
			t.Errorf("overbook into a taken room names %v, want overbook_room", r.fields(t))
		}
		body["overbook_room"] = true
		r = e.do(req{method: "POST", path: "/api/v1/bookings", role: domain.RoleFrontDesk, body: body}).want(t, 201, "overbook the room too")
		decodeInto(t, r, &got)
		d, err := e.store.Booking(context.Background(), got.Booking.ID)
		if err != nil || !d.Overbooked || !d.RoomOverbooked || d.RoomID != a {
			t.Errorf("double-booked visit = overbooked %v, room %q overbooked %v (%v)", d.Overbooked, d.RoomID, d.RoomOverbooked, err)
		}
		audit, _ := e.store.Audit(context.Background(), domain.AuditFilter{EntityID: d.ID})
		if len(audit) != 1 || !strings.Contains(fmt.Sprintf("%s", audit[0].After), `"RoomOverbooked":true`) {
			t.Errorf("audit of the room overbook = %+v", audit)
		}

		// An unknown or inactive room named by staff is a 422 on room_id.
		body = e.massageBooking(slots[len(slots)-1].Start, "five@example.com")
		body["room_id"] = domain.NewID()
		if r := e.do(req{method: "POST", path: "/api/v1/bookings", role: domain.RoleFrontDesk, body: body}).want(t, 422, "unknown room"); !r.hasField(t, "room_id") {
			t.Errorf("unknown room names %v", r.fields(t))
		}
		if n, _ := e.counts(); n != 3 {
			t.Errorf("%d bookings stored, want 3", n)
		}
	})
}

func TestRoomDeactivateNeedsDecision(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		a := e.addRoom("Room A", "")
		b := e.addRoom("Room B", "")
		e.setServiceRooms(a).want(t, 200, "service rooms")
		booked := e.mustBook(0, "visit@example.com")
		if booked.Booking.RoomID == nil || *booked.Booking.RoomID != a {
			t.Fatalf("booking room = %v, want %s", booked.Booking.RoomID, a)
		}
		r := e.do(req{method: "PUT", path: "/api/v1/rooms/" + a, role: domain.RoleAdmin, body: map[string]any{"active": false}}).want(t, 409, "deactivate a room in use")
		visits, _ := r.json(t)["visits"].([]any)
		if len(visits) != 1 || visits[0].(map[string]any)["booking_id"] != booked.Booking.ID || !r.hasField(t, "future_visits") {
			t.Fatalf("409 = %s, want the one visit and future_visits", r.body)
		}
		if list := e.do(req{method: "GET", path: "/api/v1/rooms", role: domain.RoleAdmin}).json(t)["rooms"].([]any); len(list) != 2 {
			t.Errorf("refused deactivation changed the rooms: %v", list)
		}
		e.do(req{method: "PUT", path: "/api/v1/rooms/" + a, role: domain.RoleAdmin, body: map[string]any{"active": false, "future_visits": "maybe"}}).want(t, 422, "bad decision")
		e.do(req{method: "PUT", path: "/api/v1/rooms/" + a, role: domain.RoleAdmin, body: map[string]any{"active": false, "future_visits": "release"}}).want(t, 200, "release")
		d, err := e.store.Booking(context.Background(), booked.Booking.ID)
		if err != nil || d.RoomID != "" {
			t.Errorf("released visit room = %q, %v", d.RoomID, err)
		}
		// The service now points only at an inactive room: no slots, and
		// pointing it at an active room brings them back.
		r = e.do(req{method: "GET", path: "/api/v1/availability?service_id=" + e.ids.massage + "&from=2031-03-04&to=2031-03-14"}).want(t, 200, "availability")
		if s := r.json(t)["slots"].([]any); len(s) != 0 {
			t.Errorf("%d slots offered for a service whose only room is out of use", len(s))
		}
		e.setServiceRooms(b).want(t, 200, "service rooms")
		if s := e.slots(e.ids.massage, ""); len(s) == 0 {
			t.Error("no slots with an active room")
		}
		// A staff move keeps the visit's room when free, or takes a free one.
		moved := e.do(req{method: "POST", path: "/api/v1/bookings/" + booked.Booking.ID + "/reschedule", role: domain.RoleFrontDesk,
			body: map[string]any{"start": booked.Booking.Start}}).want(t, 200, "move").json(t)["booking"].(map[string]any)
		if moved["room_id"] != b {
			t.Errorf("moved visit room_id = %v, want %s (the service's free room)", moved["room_id"], b)
		}
	})
}

// TestRoomStormTwoReplicas: 40 clients book the same time with two
// different practitioners and one shared room, through two API servers on
// one database: exactly one wins.
func TestRoomStormTwoReplicas(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			stores := storagetest.OpenReplicas(t, engine, 2)
			e := newEnv(t, stores[0], 0)
			a := e.addRoom("Room A", "")
			e.setServiceRooms(a).want(t, 200, "service rooms")
			clock := domain.ClockFunc(func() time.Time { return fixedNow })
			second := &Server{Store: stores[1], Clock: clock, BaseURL: "https://clinic.example",
				Scheduler: &domain.Scheduler{Store: stores[1], Clock: clock, BaseURL: "https://clinic.example"}}
			ts2 := httptest.NewServer(second.Echo())
			t.Cleanup(ts2.Close)
			start := e.slots(e.ids.massage, e.ids.therapist)[0].Start

			const n = 40
			out := make([]response, n)
			gate, done := make(chan struct{}), make(chan struct{}, n)
			for i := range n {
				body := e.massageBooking(start, fmt.Sprintf("storm%d@example.com", i))
				body["practitioner_id"] = []string{e.ids.chiro, e.ids.therapist}[i%2]
				base := []string{e.ts.URL, ts2.URL}[i/2%2]
				go func() {
					<-gate
					out[i] = doWith(t, http.DefaultClient, base, "", req{method: "POST", path: "/api/v1/bookings", body: body})
					done <- struct{}{}
				}()
			}
			close(gate)
			for range n {
				<-done
			}
			created := 0
			for i, r := range out {
				switch r.status {
				case 201:
					created++
				case 409:
					if kind, id := problemConflict(t, r); !(kind == "room" && id == a) && !(kind == "practitioner" && id != "") {
						t.Errorf("409 #%d names %q %q: %s", i, kind, id, r.body)
					}
				default:
					t.Errorf("storm #%d = %d: %s", i, r.status, r.body)
				}
			}
			if created != 1 {
				t.Errorf("storm created %d bookings, want exactly 1", created)
			}
			if list, err := stores[1].Bookings(context.Background(), domain.BookingFilter{RoomID: a}); err != nil || len(list) != 1 {
				t.Errorf("%d bookings hold the room (%v), want 1", len(list), err)
			}
		})
	}
}

// decodeInto decodes a response body into v.
func decodeInto(t testing.TB, r response, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %d: %v: %s", r.status, err, r.body)
	}
}

// TestFeedRoomRename: a room's name is its visits' LOCATION, so renaming
// it through the API makes the next poll of a feed showing one of its
// visits a 200 with a new ETag (and the new name), though no booking row
// changed; renaming a room no visit of the feed holds leaves the feed's
// ETag as it was.
func TestFeedRoomRename(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		loads := fe.countBookings()
		room, spare := fe.addRoom("Room A", ""), fe.addRoom("Room B", "")
		fe.setServiceRooms(room).want(t, 200, "massage uses Room A")
		if got := fe.massage(t, ny(4, 10, 0), "pat@example.com"); got.Booking.RoomID != room {
			t.Fatalf("booking room = %q, want Room A %s", got.Booking.RoomID, room)
		}
		clinic := &poller{fe: fe, loads: loads, path: fe.newFeed(t, "", domain.PrivacyFullName)}
		hers := &poller{fe: fe, loads: loads, path: fe.newFeed(t, fe.ids.therapist, domain.PrivacyBusy)}
		chiro := &poller{fe: fe, loads: loads, path: fe.newFeed(t, fe.ids.chiro, domain.PrivacyInitials)}
		for _, p := range []*poller{clinic, hers, chiro} {
			p.fetch(t)
			p.unchanged(t, "nothing changed")
		}
		rename := func(id, name string) {
			fe.clock.Advance(time.Minute)
			fe.do(req{method: "PUT", path: "/api/v1/rooms/" + id, role: domain.RoleAdmin, body: map[string]any{"name": name}}).want(t, 200, "rename "+name)
		}

		rename(room, "Garden room")
		for _, p := range []*poller{clinic, hers} {
			p.changed(t, "Room A renamed ("+p.path[:16]+")")
			body := string(fe.get(p.path, nil).want(t, 200, "feed after the rename").body)
			if !strings.Contains(body, "LOCATION:Garden room") || strings.Contains(body, "Room A") {
				t.Errorf("feed after the rename lacks LOCATION:Garden room or still says Room A:\n%s", body)
			}
			p.unchanged(t, "after the rename")
		}
		chiro.sameContent(t, "Room A renamed, none of the chiropractor's visits in it")
		chiro.unchanged(t, "after the rename")

		rename(spare, "Quiet room")
		for _, p := range []*poller{clinic, hers, chiro} {
			p.sameContent(t, "Room B renamed, no visit in it ("+p.path[:16]+")")
			p.unchanged(t, "after Room B's rename")
		}
	})
}
