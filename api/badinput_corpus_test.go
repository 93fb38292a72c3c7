package api

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/domain"
)

// corpusRoute is how the bad-input corpus calls one write route: a valid
// body to mutate (nil: the route reads no body) and who calls it.
type corpusRoute struct {
	body map[string]any
	role domain.Role
}

// corpusFixture holds the rows the corpus's paths name.
type corpusFixture struct {
	booking, token, patient, room, timeOff, message string
}

// corpusRoutes is a valid request for every write route of the API. The
// test walks echo's routes, so a route added without an entry here fails
// it: a new write cannot miss the corpus.
func corpusRoutes(e *env, fx corpusFixture, start string) map[string]corpusRoute {
	t := e.ids.therapist
	patient := map[string]any{"name": "Pat Example", "email": "pat@example.com", "phone": "+1 555 010 0200"}
	return map[string]corpusRoute{
		"POST /api/v1/auth/tokens":           {body: map[string]any{"email": "admin@clinic.example", "password": testPassword, "name": "laptop"}},
		"DELETE /api/v1/auth/tokens/current": {role: domain.RoleFrontDesk},
		"POST /api/v1/bookings": {body: map[string]any{"service_id": e.ids.massage, "practitioner_id": t, "start": start,
			"time_zone": "Europe/London", "patient": patient, "notes": "Window seat"}},
		"POST /api/v1/bookings/:id/cancel":        {body: map[string]any{"reason": "Ill"}, role: domain.RoleAdmin},
		"POST /api/v1/bookings/:id/reschedule":    {body: map[string]any{"start": start, "practitioner_id": t}, role: domain.RoleAdmin},
		"POST /api/v1/bookings/:id/status":        {body: map[string]any{"status": "arrived"}, role: domain.RoleAdmin},
		"PUT /api/v1/bookings/:id/notes":          {body: map[string]any{"staff_notes": "Prefers the low table"}, role: domain.RoleAdmin},
		"PUT /api/v1/bookings/:id/review-outcome": {body: map[string]any{"review_outcome": "plan"}, role: domain.RoleAdmin},
		"POST /api/v1/feed-tokens":                {body: map[string]any{"practitioner_id": t, "privacy": "initials"}, role: domain.RoleAdmin},
		"DELETE /api/v1/feed-tokens/:id":          {role: domain.RoleAdmin},
		"POST /api/v1/holds":                      {body: map[string]any{"service_id": e.ids.massage, "practitioner_id": t, "start": start, "time_zone": "Europe/London"}},
		"DELETE /api/v1/holds/:hold_token":        {},
		"POST /api/v1/inbound/:id/accept":         {role: domain.RoleAdmin},
		"POST /api/v1/inbound/:id/decline":        {role: domain.RoleAdmin},
		"POST /api/v1/manage/:token/cancel":       {body: map[string]any{"reason": "Ill"}},
		"POST /api/v1/manage/:token/reschedule":   {body: map[string]any{"start": start}},
		"POST /api/v1/manage/:token/plan/cancel":  {},
		"POST /api/v1/manage/:token/waitlist":     {body: map[string]any{"from": "2031-03-05", "to": "2031-03-12", "time_zone": "Europe/London", "times": []any{"morning"}}},
		"POST /api/v1/notifications/:id/retry":    {role: domain.RoleAdmin},
		"POST /api/v1/offers/:token/accept":       {},
		"POST /api/v1/offers/:token/decline":      {},
		"POST /api/v1/plans": {body: map[string]any{"patient_id": fx.patient, "service_id": e.ids.massage, "practitioner_id": t,
			"first_start": start, "every_weeks": 1, "count": 3, "on_conflict": "skip"}, role: domain.RoleAdmin},
		"POST /api/v1/plans/:id/cancel": {role: domain.RoleAdmin},
		"POST /api/v1/practitioners": {body: map[string]any{"name": "Sam Other", "title": "Therapist", "email": "sam@clinic.example",
			"time_zone": "America/New_York", "bio": "Ten years.", "service_ids": []any{e.ids.massage}, "color": "#336699"}, role: domain.RoleAdmin},
		"PUT /api/v1/practitioners/:id": {body: map[string]any{"name": "Terry Therapist", "title": "Therapist", "time_zone": "America/New_York",
			"bio": "Ten years.", "service_ids": []any{e.ids.massage}, "active": true}, role: domain.RoleAdmin},
		"POST /api/v1/practitioners/:id/busy-calendars":        {body: map[string]any{"url": "https://calendar.example/busy.ics", "label": "Home"}, role: domain.RoleAdmin},
		"DELETE /api/v1/practitioners/:id/busy-calendars/:cid": {role: domain.RoleAdmin},
		"PUT /api/v1/practitioners/:id/hours":                  {body: map[string]any{"hours": []any{map[string]any{"weekday": 1, "start": "09:00", "end": "17:00"}}}, role: domain.RoleAdmin},
		"POST /api/v1/practitioners/:id/overrides": {body: map[string]any{"date": "2031-03-20", "ranges": []any{map[string]any{"start": "10:00", "end": "12:00"}},
			"note": "Short day"}, role: domain.RoleAdmin},
		"DELETE /api/v1/practitioners/:id/overrides/:oid": {role: domain.RoleAdmin},
		"POST /api/v1/practitioners/:id/time-off":         {body: map[string]any{"start": "2031-03-21T09:00:00-04:00", "end": "2031-03-21T12:00:00-04:00", "reason": "Dentist"}, role: domain.RoleAdmin},
		"PUT /api/v1/practitioners/:id/time-off/:tid":     {body: map[string]any{"start": "2031-03-22T09:00:00-04:00", "end": "2031-03-22T12:00:00-04:00", "reason": "Dentist"}, role: domain.RoleAdmin},
		"DELETE /api/v1/practitioners/:id/time-off/:tid":  {role: domain.RoleAdmin},
		"POST /api/v1/rooms":                              {body: map[string]any{"name": "Room B", "kind": "room"}, role: domain.RoleAdmin},
		"PUT /api/v1/rooms/:id":                           {body: map[string]any{"name": "Room A1", "kind": "room", "active": true, "sort_order": 2}, role: domain.RoleAdmin},
		"POST /api/v1/services": {body: map[string]any{"name": "Hot stones", "kind": "massage", "duration_minutes": 60, "price_cents": 9000, "currency": "USD",
			"description": "Warm.", "buffer_before_minutes": 0, "buffer_after_minutes": 10, "online_bookable": true, "sort_order": 3}, role: domain.RoleAdmin},
		"PUT /api/v1/services/:id": {body: map[string]any{"name": "Massage 60", "kind": "massage", "duration_minutes": 60, "price_cents": 9500, "currency": "USD",
			"description": "A massage.", "buffer_after_minutes": 10, "online_bookable": true}, role: domain.RoleAdmin},
		"PUT /api/v1/clinic": {body: map[string]any{"name": "Test Clinic", "time_zone": "America/New_York", "phone": "+1 555 0100", "email": "clinic@example.com",
			"address": "1 Test Street", "what_to_bring": "Comfortable clothes.", "policy": map[string]any{"min_notice_minutes": 60, "horizon_days": 60,
				"cancel_cutoff_minutes": 1440, "reschedule_cutoff_minutes": 720, "slot_step_minutes": 15, "reminder_before_minutes": 1440}}, role: domain.RoleAdmin},
		"PUT /api/v1/patients/:id/email": {body: map[string]any{"email": "pat.new@example.com"}, role: domain.RoleAdmin},
		"POST /api/v1/users":             {body: map[string]any{"email": "new@clinic.example", "name": "New Desk", "role": "frontdesk", "password": "long enough pw"}, role: domain.RoleAdmin},
		"PUT /api/v1/users/:id":          {body: map[string]any{"email": "frontdesk@clinic.example", "name": "Desk", "role": "frontdesk", "password": "", "active": true}, role: domain.RoleAdmin},
		"POST /api/v1/waitlist": {body: map[string]any{"service_id": e.ids.massage, "practitioner_id": t, "patient": patient, "from": "2031-03-05",
			"to": "2031-03-12", "time_zone": "Europe/London", "times": []any{"morning"}}},
		"DELETE /api/v1/waitlist/:id":              {role: domain.RoleAdmin},
		"POST /api/v1/waitlist/:id/offer":          {role: domain.RoleAdmin},
		"POST /api/v1/waitlist/entry/:token/leave": {},
	}
}

// newCorpusFixture makes the rows the corpus's paths name: a booking (and
// its patient, messages and manage token), a room and a time off; start is
// a free slot for bodies that book.
func newCorpusFixture(t testing.TB, e *env) (fx corpusFixture, start string) {
	t.Helper()
	ctx := context.Background()
	booked := e.mustBook(0, "ada@example.com")
	d, err := e.store.Booking(ctx, booked.Booking.ID)
	if err != nil {
		t.Fatal(err)
	}
	room := e.do(req{method: "POST", path: "/api/v1/rooms", role: domain.RoleAdmin, body: map[string]any{"name": "Room A"}}).want(t, 201, "room").json(t)["room"].(map[string]any)["id"].(string)
	off := e.do(req{method: "POST", path: "/api/v1/practitioners/" + e.ids.therapist + "/time-off", role: domain.RoleAdmin,
		body: map[string]any{"start": "2031-03-25T09:00:00-04:00", "end": "2031-03-25T10:00:00-04:00"}}).want(t, 201, "time off").json(t)["time_off"].(map[string]any)["id"].(string)
	msgs, err := e.store.Messages(ctx, domain.MessageFilter{})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("messages = %v, %v", msgs, err)
	}
	fx = corpusFixture{booking: d.ID, token: booked.ManageToken, patient: d.PatientID, room: room, timeOff: off, message: msgs[0].ID}
	return fx, e.slots(e.ids.massage, e.ids.therapist)[4].Start
}

var pathParam = regexp.MustCompile(`:[a-z_]+`)

// corpusPath fills a route's parameters with rows that exist, so that
// requests get past the look-up to the body; unknown kinds get an id no
// row has.
func corpusPath(route string, e *env, fx corpusFixture) string {
	return pathParam.ReplaceAllStringFunc(route, func(p string) string {
		switch {
		case p == ":token" && strings.Contains(route, "/manage/"):
			return fx.token
		case p == ":tid":
			return fx.timeOff
		case p != ":id":
			return unknownID
		case strings.HasPrefix(route, "/api/v1/bookings/"):
			return fx.booking
		case strings.HasPrefix(route, "/api/v1/practitioners/"):
			return e.ids.therapist
		case strings.HasPrefix(route, "/api/v1/services/"):
			return e.ids.massage
		case strings.HasPrefix(route, "/api/v1/rooms/"):
			return fx.room
		case strings.HasPrefix(route, "/api/v1/users/"):
			return e.user[domain.RoleFrontDesk].ID
		case strings.HasPrefix(route, "/api/v1/patients/"):
			return fx.patient
		case strings.HasPrefix(route, "/api/v1/notifications/"):
			return fx.message
		}
		return unknownID
	})
}

// badBody is one body of the corpus and the field a refusal must name
// ("" when the body as a whole is wrong).
type badBody struct {
	what, field string
	body        []byte
}

// wholeBodies are wrong as a whole, whatever the route.
func wholeBodies() []badBody {
	huge := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	return []badBody{
		{"null", "body", []byte(`null`)}, {"array", "", []byte(`[]`)}, {"string", "", []byte(`"x"`)},
		{"number", "", []byte(`1`)}, {"truncated", "", []byte(`{"a":`)}, {"trailing data", "", []byte(`{} {}`)},
		{"huge", "", []byte(huge)}, {"unknown field", "zzz_unknown", []byte(`{"zzz_unknown":1}`)},
	}
}

// leafMutations are bad values for one leaf of a valid body.
func leafMutations(v any) []any {
	switch x := v.(type) {
	case string:
		out := []any{"a\x00b", "Ann \u202eeoD", "a\x1b[2Jb", "a\vb", "a\u2028b", strings.Repeat("x", 10001), 7, true, []any{}, map[string]any{}}
		if len(x) >= 10 && x[4] == '-' {
			out = append(out, "0001"+x[4:], "9999"+x[4:])
		}
		return out
	case float64, int:
		return []any{float64(1 << 62), 9223372036854775807.0, -9223372036854775808.0, 1e300, "7", true}
	case bool:
		return []any{"yes", 1}
	case []any:
		return []any{"x", 3, map[string]any{}}
	case map[string]any:
		return []any{"x", 3, []any{}}
	}
	return nil
}

// mutations walks body and yields every copy with one leaf made bad, with
// the leaf's path as the API names fields ("patient.name", "hours[0].start").
func mutations(body map[string]any) []badBody {
	var out []badBody
	var walk func(path string, v any, set func(any) map[string]any)
	walk = func(path string, v any, set func(any) map[string]any) {
		for _, m := range leafMutations(v) {
			raw, _ := json.Marshal(set(m))
			out = append(out, badBody{what: fmt.Sprintf("%s=%.40v", path, m), field: path, body: raw})
		}
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				walk(joinPath(path, k), child, func(n any) map[string]any {
					c := maps.Clone(x)
					c[k] = n
					return set(c)
				})
			}
		case []any:
			for i, child := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), child, func(n any) map[string]any {
					c := append([]any(nil), x...)
					c[i] = n
					return set(c)
				})
			}
		}
	}
	for k, v := range body {
		walk(k, v, func(n any) map[string]any {
			c := maps.Clone(body)
			c[k] = n
			return c
		})
	}
	return out
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

var indexes = regexp.MustCompile(`\[\d+\]`)

// names reports whether a problem's field names the mutated one: the same
// path, indexes aside (encoding/json drops them), or one of its parents.
func names(got, want string) bool {
	g, w := indexes.ReplaceAllString(got, ""), indexes.ReplaceAllString(want, "")
	return g == w || strings.HasPrefix(w, g+".")
}

// TestBadInputCorpus (issue 16): every write route of the API, found by
// walking echo's routes, gets bodies that are wrong as a whole (null,
// arrays, truncated, 2 MiB) and valid bodies with one leaf made bad (NUL,
// control and bidi characters, 10,001 characters, years 0001 and 9999,
// integers past int32 and int64, wrong types). Every answer is a 4xx
// problem+json naming the field (400 and 422), never a 5xx, and no table
// of the database gains, loses or changes a row (the audit log counts
// every change). On both databases.
func TestBadInputCorpus(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		fx, start := newCorpusFixture(t, e)
		table := corpusRoutes(e, fx, start)
		before, err := e.store.RowCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sent := 0
		for _, r := range e.echo.Routes() {
			if r.Method == "GET" || r.Method == "HEAD" || r.Method == "OPTIONS" || !strings.HasPrefix(r.Path, "/api/") {
				continue
			}
			key := r.Method + " " + r.Path
			rt, ok := table[key]
			if !ok {
				t.Errorf("write route %s has no entry in corpusRoutes: give it a valid body (or none)", key)
				continue
			}
			if rt.body == nil {
				continue // reads no body; its path parameters are the fuzz targets' and route tests' concern
			}
			path := corpusPath(r.Path, e, fx)
			bodies := append(wholeBodies(), mutations(rt.body)...)
			for _, b := range bodies {
				sent++
				res := e.do(req{method: r.Method, path: path, role: rt.role, body: b.body})
				what := fmt.Sprintf("%s %s", key, b.what)
				if res.status < 400 || res.status >= 500 {
					t.Errorf("%s = %d, want a 4xx: %.300s", what, res.status, res.body)
					continue
				}
				if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("%s = %d as %q, want problem+json", what, res.status, ct)
					continue
				}
				if (res.status == 400 || res.status == 422) && b.field != "" && !namesAny(res.fields(t), b.field) {
					t.Errorf("%s = %d naming %v, want %q", what, res.status, res.fields(t), b.field)
				}
			}
		}
		after, err := e.store.RowCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for table, n := range after {
			if n != before[table] && table != "rate_limits" {
				t.Errorf("table %s: %d rows before the corpus, %d after", table, before[table], n)
			}
		}
		t.Logf("%d bad requests over %d routes", sent, len(table))
	})
}

func namesAny(fields []string, want string) bool {
	for _, f := range fields {
		if names(f, want) {
			return true
		}
	}
	return false
}
