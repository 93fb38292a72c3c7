package api

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

const unknownID = "00000000-0000-4000-8000-000000000000"

// TestStaffRoutesRequireAuthAndRole checks every staff route answers 401
// without credentials and 403 to each role it does not admit.
func TestStaffRoutesRequireAuthAndRole(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		chiroBooking := e.bookCaseReview("matrix@example.com")
		chiro := "/api/v1/practitioners/" + e.ids.chiro
		admin := []domain.Role{domain.RoleAdmin}
		desk := []domain.Role{domain.RoleAdmin, domain.RoleFrontDesk}
		routes := []struct {
			method, path string
			body         any
			allowed      []domain.Role
		}{
			{"GET", "/api/v1/clinic", nil, nil},
			{"PUT", "/api/v1/clinic", map[string]any{}, admin},
			{"POST", "/api/v1/services", map[string]any{}, admin},
			{"PUT", "/api/v1/services/" + e.ids.massage, map[string]any{}, admin},
			{"POST", "/api/v1/practitioners", map[string]any{}, admin},
			{"PUT", chiro, map[string]any{}, admin},
			{"GET", chiro + "/hours", nil, desk},
			{"PUT", chiro + "/hours", map[string]any{"hours": []any{}}, desk},
			{"GET", chiro + "/overrides", nil, desk},
			{"POST", chiro + "/overrides", map[string]any{}, desk},
			{"DELETE", chiro + "/overrides/" + unknownID, nil, desk},
			{"GET", chiro + "/time-off", nil, desk},
			{"POST", chiro + "/time-off", map[string]any{}, desk},
			{"DELETE", chiro + "/time-off/" + unknownID, nil, desk},
			{"GET", "/api/v1/bookings?practitioner_id=" + e.ids.chiro, nil, desk},
			{"GET", "/api/v1/bookings/" + chiroBooking, nil, desk},
			{"POST", "/api/v1/bookings/" + chiroBooking + "/reschedule", map[string]any{}, desk},
			{"POST", "/api/v1/bookings/" + chiroBooking + "/cancel", map[string]any{}, desk},
			{"POST", "/api/v1/bookings/" + chiroBooking + "/status", map[string]any{}, desk},
			{"PUT", "/api/v1/bookings/" + chiroBooking + "/notes", map[string]any{}, desk},
			{"GET", "/api/v1/patients", nil, desk},
			{"GET", "/api/v1/patients/" + unknownID, nil, desk},
			{"GET", "/api/v1/notifications", nil, desk},
			{"POST", "/api/v1/notifications/" + unknownID + "/retry", nil, desk},
			{"GET", "/api/v1/feed-tokens", nil, nil},
			{"POST", "/api/v1/feed-tokens", map[string]any{}, desk},
			{"DELETE", "/api/v1/feed-tokens/" + unknownID, nil, nil},
			{"GET", "/api/v1/users", nil, admin},
			{"POST", "/api/v1/users", map[string]any{}, admin},
			{"PUT", "/api/v1/users/" + unknownID, map[string]any{}, admin},
			{"GET", "/api/v1/audit", nil, admin},
			{"DELETE", "/api/v1/auth/tokens/current", nil, nil},
		}
		for _, rt := range routes {
			r := e.do(req{method: rt.method, path: rt.path, body: rt.body})
			if r.status != http.StatusUnauthorized {
				t.Errorf("%s %s anonymous = %d, want 401: %s", rt.method, rt.path, r.status, r.body)
			}
			r = e.do(req{method: rt.method, path: rt.path, body: rt.body, header: map[string]string{"Authorization": "Bearer not-a-real-token"}})
			if r.status != http.StatusUnauthorized {
				t.Errorf("%s %s with a wrong token = %d, want 401", rt.method, rt.path, r.status)
			}
			if rt.allowed == nil {
				continue
			}
			for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleFrontDesk, domain.RolePractitioner} {
				if slices.Contains(rt.allowed, role) {
					continue
				}
				if r := e.do(req{method: rt.method, path: rt.path, body: rt.body, role: role}); r.status != http.StatusForbidden {
					t.Errorf("%s %s as %s = %d, want 403: %s", rt.method, rt.path, role, r.status, r.body)
				}
			}
		}
		if n, _ := e.counts(); n != 1 {
			t.Errorf("refused requests changed the bookings: %d, want 1", n)
		}
	})
}

// bookCaseReview books the chiropractor's case review and returns its id.
func (e *env) bookCaseReview(email string) string {
	e.t.Helper()
	s := e.slots(e.ids.caseReview, e.ids.chiro)
	r := e.do(req{method: "POST", path: "/api/v1/bookings", body: map[string]any{
		"service_id": e.ids.caseReview, "practitioner_id": e.ids.chiro, "start": s[0].Start,
		"patient": map[string]any{"name": "Case Review", "email": email},
		"intake":  map[string]any{"pain_areas": []string{"back"}, "duration": "weeks", "tried": []string{"nothing"}},
	}}).want(e.t, 201, "book a case review")
	return r.json(e.t)["booking"].(map[string]any)["id"].(string)
}

func TestClinicSetup(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		cl := e.do(req{method: "GET", path: "/api/v1/clinic", role: "practitioner"}).want(t, 200, "GET clinic").json(t)["clinic"].(map[string]any)
		if cl["time_zone"] != "America/New_York" {
			t.Errorf("clinic = %v", cl)
		}
		body := map[string]any{
			"name": "Harbor Clinic", "time_zone": "America/New_York", "phone": "+1 555 0100", "email": "desk@clinic.example",
			"address": "1 Main St", "what_to_bring": "Comfortable clothes",
			"policy": map[string]any{"min_notice_minutes": 120, "horizon_days": 60, "cancel_cutoff_minutes": 1440,
				"reschedule_cutoff_minutes": 720, "slot_step_minutes": 15, "reminder_before_minutes": 1440},
		}
		got := e.do(req{method: "PUT", path: "/api/v1/clinic", role: "admin", body: body}).want(t, 200, "PUT clinic").json(t)["clinic"].(map[string]any)
		if got["name"] != "Harbor Clinic" || got["phone"] != "+1 555 0100" {
			t.Errorf("PUT clinic = %v", got)
		}
		body["time_zone"] = "Nowhere/Land"
		body["policy"].(map[string]any)["slot_step_minutes"] = 1
		r := e.do(req{method: "PUT", path: "/api/v1/clinic", role: "admin", body: body}).want(t, 422, "bad clinic")
		if !r.hasField(t, "time_zone") || !r.hasField(t, "policy.slot_step_minutes") {
			t.Errorf("bad clinic names %v", r.fields(t))
		}
	})
}

func TestServiceAndPractitionerSetup(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		svc := map[string]any{"name": "Sports Massage", "kind": "massage", "duration_minutes": 90, "price_cents": 12000,
			"currency": "USD", "buffer_after_minutes": 15, "online_bookable": false}
		created := e.do(req{method: "POST", path: "/api/v1/services", role: "admin", body: svc}).want(t, 201, "create service").json(t)["service"].(map[string]any)
		id := created["id"].(string)
		if created["duration_minutes"] != 90.0 || created["online_bookable"] != false {
			t.Errorf("created service = %v", created)
		}
		public := string(e.do(req{method: "GET", path: "/api/v1/services"}).body)
		if strings.Contains(public, id) {
			t.Error("a service not bookable online is listed publicly")
		}
		all := string(e.do(req{method: "GET", path: "/api/v1/services?all=true", role: "admin"}).body)
		if !strings.Contains(all, id) {
			t.Error("all=true does not list the hidden service")
		}
		svc["name"], svc["online_bookable"] = "Sports Massage 90", true
		e.do(req{method: "PUT", path: "/api/v1/services/" + id, role: "admin", body: svc}).want(t, 200, "update service")
		e.do(req{method: "PUT", path: "/api/v1/services/" + unknownID, role: "admin", body: svc}).want(t, 404, "update unknown service")
		e.do(req{method: "PUT", path: "/api/v1/services/42", role: "admin", body: svc}).want(t, 404, "update malformed id")
		svc["duration_minutes"], svc["kind"] = 3, "yoga"
		r := e.do(req{method: "POST", path: "/api/v1/services", role: "admin", body: svc}).want(t, 422, "bad service")
		if !r.hasField(t, "duration_minutes") || !r.hasField(t, "kind") {
			t.Errorf("bad service names %v", r.fields(t))
		}

		p := map[string]any{"name": "Robin Hands", "title": "LMT", "email": "robin@clinic.example", "time_zone": "America/Chicago",
			"service_ids": []string{e.ids.massage, id}, "bio": "Deep tissue."}
		cp := e.do(req{method: "POST", path: "/api/v1/practitioners", role: "admin", body: p}).want(t, 201, "create practitioner").json(t)["practitioner"].(map[string]any)
		pid := cp["id"].(string)
		p["active"] = false
		e.do(req{method: "PUT", path: "/api/v1/practitioners/" + pid, role: "admin", body: p}).want(t, 200, "update practitioner")
		if strings.Contains(string(e.do(req{method: "GET", path: "/api/v1/practitioners"}).body), pid) {
			t.Error("an inactive practitioner is listed publicly")
		}
		e.do(req{method: "PUT", path: "/api/v1/practitioners/" + unknownID, role: "admin", body: p}).want(t, 404, "update unknown practitioner")
		p["time_zone"] = "EST5EDT-ish"
		r = e.do(req{method: "POST", path: "/api/v1/practitioners", role: "admin", body: p}).want(t, 422, "bad practitioner")
		if !r.hasField(t, "time_zone") {
			t.Errorf("bad practitioner names %v", r.fields(t))
		}
		audit := string(e.do(req{method: "GET", path: "/api/v1/audit?entity_id=" + id, role: "admin"}).want(t, 200, "audit").body)
		if !strings.Contains(audit, "service.create") || !strings.Contains(audit, "service.update") {
			t.Errorf("audit of the service = %s, want its create and update", audit)
		}
		e.do(req{method: "GET", path: "/api/v1/audit?limit=0", role: "admin"}).want(t, 422, "audit limit 0")
	})
}

func TestHoursOverridesTimeOff(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		own := "/api/v1/practitioners/" + e.ids.therapist
		hours := map[string]any{"hours": []map[string]any{{"weekday": 1, "start": "09:00", "end": "12:30"}, {"weekday": 1, "start": "13:30", "end": "18:00"}}}
		got := e.do(req{method: "PUT", path: own + "/hours", role: "practitioner", body: hours}).want(t, 200, "own hours").json(t)
		if len(got["hours"].([]any)) != 2 {
			t.Errorf("PUT hours = %v", got)
		}
		got = e.do(req{method: "GET", path: own + "/hours", role: "practitioner"}).want(t, 200, "GET own hours").json(t)
		if h := got["hours"].([]any)[0].(map[string]any); h["start"] != "09:00" || h["weekday"] != 1.0 {
			t.Errorf("GET hours = %v", got)
		}
		bad := map[string]any{"hours": []map[string]any{{"weekday": 7, "start": "09:00", "end": "10:00"}, {"weekday": 2, "start": "9am", "end": "10:00"}}}
		r := e.do(req{method: "PUT", path: own + "/hours", role: "practitioner", body: bad}).want(t, 422, "bad hours")
		if !r.hasField(t, "hours[0].weekday") || !r.hasField(t, "hours[1].start") {
			t.Errorf("bad hours names %v", r.fields(t))
		}
		e.do(req{method: "GET", path: "/api/v1/practitioners/" + unknownID + "/hours", role: "admin"}).want(t, 404, "hours of nobody")

		o := e.do(req{method: "POST", path: own + "/overrides", role: "practitioner", body: map[string]any{
			"date": "2031-03-10", "ranges": []map[string]any{{"start": "10:00", "end": "14:00"}}, "note": "Dentist"}}).want(t, 201, "override").json(t)["override"].(map[string]any)
		list := string(e.do(req{method: "GET", path: own + "/overrides?from=2031-03-01&to=2031-03-31", role: "practitioner"}).want(t, 200, "overrides").body)
		if !strings.Contains(list, o["id"].(string)) {
			t.Errorf("overrides = %s, want %v", list, o["id"])
		}
		r = e.do(req{method: "POST", path: own + "/overrides", role: "frontdesk", body: map[string]any{"date": "10/03/2031"}}).want(t, 422, "bad override")
		if !r.hasField(t, "date") {
			t.Errorf("bad override names %v", r.fields(t))
		}
		e.do(req{method: "GET", path: own + "/overrides?from=March", role: "frontdesk"}).want(t, 422, "bad from")
		e.do(req{method: "DELETE", path: own + "/overrides/" + o["id"].(string), role: "practitioner"}).want(t, 204, "delete override")
		e.do(req{method: "DELETE", path: own + "/overrides/" + o["id"].(string), role: "practitioner"}).want(t, 404, "delete override twice")

		to := e.do(req{method: "POST", path: own + "/time-off", role: "frontdesk", body: map[string]any{
			"start": "2031-03-11T09:00:00-04:00", "end": "2031-03-12T18:00:00-04:00", "reason": "Course"}}).want(t, 201, "time off").json(t)["time_off"].(map[string]any)
		list = string(e.do(req{method: "GET", path: own + "/time-off", role: "practitioner"}).want(t, 200, "time off list").body)
		if !strings.Contains(list, to["id"].(string)) {
			t.Errorf("time off = %s, want %v", list, to["id"])
		}
		r = e.do(req{method: "POST", path: own + "/time-off", role: "frontdesk", body: map[string]any{
			"start": "2031-03-12T09:00:00Z", "end": "2031-03-11T09:00:00Z"}}).want(t, 422, "backwards time off")
		if !r.hasField(t, "end") {
			t.Errorf("backwards time off names %v", r.fields(t))
		}
		e.do(req{method: "DELETE", path: own + "/time-off/" + to["id"].(string), role: "practitioner"}).want(t, 204, "delete time off")
		e.do(req{method: "DELETE", path: own + "/time-off/" + to["id"].(string), role: "practitioner"}).want(t, 404, "delete time off twice")
	})
}

func TestFrontDeskBookings(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		booked := e.mustBook(0, "Pat.Front@Example.com")
		id := booked.Booking.ID
		list := e.do(req{method: "GET", path: "/api/v1/bookings?from=2031-03-04&to=2031-03-14", role: "frontdesk"}).want(t, 200, "list").json(t)
		bs := list["bookings"].([]any)
		if len(bs) != 1 {
			t.Fatalf("bookings = %v, want 1", bs)
		}
		b := bs[0].(map[string]any)
		patient := b["patient"].(map[string]any)
		if got := mapKeys(patient); !slices.Equal(got, []string{"email", "email_status", "id", "name", "phone"}) {
			t.Errorf("patient keys = %v, want exactly id, name, email, email_status, phone", got)
		}
		if patient["email_status"] != "ok" || b["attendee_status"] != "needs_action" {
			t.Errorf("email_status %v, attendee_status %v; want ok, needs_action", patient["email_status"], b["attendee_status"])
		}
		if patient["email"] != "pat.front@example.com" {
			t.Errorf("patient email = %v, want it lower-cased", patient["email"])
		}
		for _, k := range []string{"service", "practitioner", "staff_notes", "overbooked", "source", "intake", "sequence"} {
			if _, ok := b[k]; !ok {
				t.Errorf("staff booking has no %q", k)
			}
		}
		mine := e.do(req{method: "GET", path: "/api/v1/bookings?from=2031-03-04&to=2031-03-14", role: "practitioner"}).want(t, 200, "own list").json(t)
		if len(mine["bookings"].([]any)) != 1 {
			t.Errorf("the therapist's own list = %v", mine)
		}
		for q, field := range map[string]string{"status=lost": "status", "from=yesterday": "from", "practitioner_id=x": "practitioner_id", "from=2031-03-05&to=2031-03-04": "to"} {
			r := e.do(req{method: "GET", path: "/api/v1/bookings?" + q, role: "frontdesk"})
			if r.status != 422 || !r.hasField(t, field) {
				t.Errorf("bookings?%s = %d %v, want 422 naming %s", q, r.status, r.fields(t), field)
			}
		}
		e.do(req{method: "GET", path: "/api/v1/bookings/" + id, role: "practitioner"}).want(t, 200, "GET booking")
		e.do(req{method: "GET", path: "/api/v1/bookings/" + unknownID, role: "frontdesk"}).want(t, 404, "unknown booking")

		path := "/api/v1/bookings/" + id
		nb := e.do(req{method: "PUT", path: path + "/notes", role: "frontdesk", body: map[string]any{"staff_notes": "Prefers light pressure"}}).want(t, 200, "notes").json(t)["booking"].(map[string]any)
		if nb["staff_notes"] != "Prefers light pressure" {
			t.Errorf("notes = %v", nb["staff_notes"])
		}
		if strings.Contains(string(e.do(req{method: "GET", path: "/api/v1/manage/" + booked.ManageToken}).body), "light pressure") {
			t.Error("the patient sees staff notes")
		}
		r := e.do(req{method: "PUT", path: path + "/notes", role: "frontdesk", body: map[string]any{"staff_notes": strings.Repeat("x", 4001)}}).want(t, 422, "long notes")
		if !r.hasField(t, "staff_notes") {
			t.Errorf("long notes name %v", r.fields(t))
		}
		st := e.do(req{method: "POST", path: path + "/status", role: "frontdesk", body: map[string]any{"status": "arrived"}}).want(t, 200, "arrived").json(t)["booking"].(map[string]any)
		if st["status"] != "arrived" {
			t.Errorf("status = %v", st["status"])
		}
		e.do(req{method: "POST", path: path + "/status", role: "frontdesk", body: map[string]any{"status": "confirmed"}}).want(t, 200, "undo arrival")
		r = e.do(req{method: "POST", path: path + "/status", role: "frontdesk", body: map[string]any{"status": "cancelled"}}).want(t, 422, "status cancelled")
		if !r.hasField(t, "status") {
			t.Errorf("status problem names %v", r.fields(t))
		}
		e.do(req{method: "POST", path: path + "/status", role: "frontdesk", body: map[string]any{"status": "no_show"}}).want(t, 409, "no-show before the visit")

		slots := e.slots(e.ids.massage, e.ids.therapist)
		target := slots[len(slots)-1].Start
		mv := e.do(req{method: "POST", path: path + "/reschedule", role: "frontdesk", body: map[string]any{"start": target}}).want(t, 200, "reschedule").json(t)["booking"].(map[string]any)
		if !mustTime(t, mv["start"].(string)).Equal(mustTime(t, target)) || mv["sequence"].(float64) < 1 {
			t.Errorf("rescheduled = %v, want start %s and a raised sequence", mv, target)
		}
		r = e.do(req{method: "POST", path: path + "/reschedule", role: "frontdesk", body: map[string]any{"start": ""}}).want(t, 422, "reschedule without start")
		if !r.hasField(t, "start") {
			t.Errorf("reschedule problem names %v", r.fields(t))
		}

		// A squeeze-in on the same time, by staff, with the explicit flag.
		body := e.massageBooking(target, "squeeze@example.com")
		e.do(req{method: "POST", path: "/api/v1/bookings", role: "frontdesk", body: body}).want(t, 409, "staff booking a taken slot")
		body["overbook"] = true
		sq := e.do(req{method: "POST", path: "/api/v1/bookings", role: "frontdesk", body: body}).want(t, 201, "overbook").json(t)
		sqID := sq["booking"].(map[string]any)["id"].(string)
		got := e.do(req{method: "GET", path: "/api/v1/bookings/" + sqID, role: "admin"}).json(t)["booking"].(map[string]any)
		if got["overbooked"] != true || got["source"] != "staff" {
			t.Errorf("squeeze-in = %v, want overbooked by staff", got)
		}

		c := e.do(req{method: "POST", path: path + "/cancel", role: "practitioner", body: map[string]any{"reason": "Therapist ill"}}).want(t, 200, "cancel").json(t)["booking"].(map[string]any)
		if c["status"] != "cancelled" || c["cancel_reason"] != "Therapist ill" {
			t.Errorf("cancelled = %v", c)
		}

		pid := patient["id"].(string)
		found := string(e.do(req{method: "GET", path: "/api/v1/patients?q=pat.front", role: "frontdesk"}).want(t, 200, "search").body)
		if !strings.Contains(found, pid) {
			t.Errorf("search = %s, want %s", found, pid)
		}
		e.do(req{method: "GET", path: "/api/v1/patients?q=" + strings.Repeat("q", 201), role: "frontdesk"}).want(t, 422, "long search")
		hist := e.do(req{method: "GET", path: "/api/v1/patients/" + pid, role: "frontdesk"}).want(t, 200, "patient").json(t)
		if len(hist["bookings"].([]any)) != 1 {
			t.Errorf("history = %v, want the one booking", hist["bookings"])
		}
		e.do(req{method: "GET", path: "/api/v1/patients/" + unknownID, role: "frontdesk"}).want(t, 404, "unknown patient")
	})
}

func mapKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestUsersAndTokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		u := map[string]any{"email": "New.Desk@Clinic.example", "name": "New Desk", "role": "frontdesk", "password": "long enough pw"}
		created := e.do(req{method: "POST", path: "/api/v1/users", role: "admin", body: u}).want(t, 201, "create user").json(t)["user"].(map[string]any)
		if created["email"] != "new.desk@clinic.example" {
			t.Errorf("user = %v", created)
		}
		if _, ok := created["password_hash"]; ok || strings.Contains(string(e.do(req{method: "GET", path: "/api/v1/users", role: "admin"}).body), "argon2") {
			t.Error("a password hash is shown")
		}
		r := e.do(req{method: "POST", path: "/api/v1/users", role: "admin", body: u}).want(t, 422, "duplicate user")
		if !r.hasField(t, "email") {
			t.Errorf("duplicate names %v", r.fields(t))
		}
		r = e.do(req{method: "POST", path: "/api/v1/users", role: "admin", body: map[string]any{"email": "x@clinic.example", "role": "boss", "password": "short"}}).want(t, 422, "bad user")
		if !r.hasField(t, "password") || !r.hasField(t, "role") {
			t.Errorf("bad user names %v", r.fields(t))
		}
		r = e.do(req{method: "POST", path: "/api/v1/users", role: "admin", body: map[string]any{"email": "p@clinic.example", "role": "practitioner", "password": "long enough pw", "practitioner_id": unknownID}}).want(t, 422, "unknown practitioner")
		if !r.hasField(t, "practitioner_id") {
			t.Errorf("practitioner user names %v", r.fields(t))
		}

		tok := e.do(req{method: "POST", path: "/api/v1/auth/tokens", body: map[string]any{"email": "new.desk@clinic.example", "password": "long enough pw", "name": "laptop"}}).want(t, 201, "sign in").json(t)
		bearer := map[string]string{"Authorization": "Bearer " + tok["token"].(string)}
		if exp := mustTime(t, tok["expires_at"].(string)); exp.Sub(fixedNow).Hours() != 90*24 {
			t.Errorf("token expires %v, want in 90 days", exp)
		}
		e.do(req{method: "GET", path: "/api/v1/patients", header: bearer}).want(t, 200, "use the token")

		u["password"], u["name"] = "", "Renamed Desk"
		e.do(req{method: "PUT", path: "/api/v1/users/" + created["id"].(string), role: "admin", body: u}).want(t, 200, "update user, keep password")
		e.do(req{method: "POST", path: "/api/v1/auth/tokens", body: map[string]any{"email": "new.desk@clinic.example", "password": "long enough pw"}}).want(t, 201, "the old password still works")
		u["active"] = false
		e.do(req{method: "PUT", path: "/api/v1/users/" + created["id"].(string), role: "admin", body: u}).want(t, 200, "deactivate")
		e.do(req{method: "GET", path: "/api/v1/patients", header: bearer}).want(t, 401, "a deactivated user's token")

		e.do(req{method: "DELETE", path: "/api/v1/auth/tokens/current", role: "frontdesk"}).want(t, 204, "revoke")
		e.do(req{method: "GET", path: "/api/v1/patients", role: "frontdesk"}).want(t, 401, "a revoked token")

		r = e.do(req{method: "POST", path: "/api/v1/auth/tokens", body: map[string]any{"email": "", "password": ""}}).want(t, 422, "empty sign-in")
		if !r.hasField(t, "email") || !r.hasField(t, "password") {
			t.Errorf("empty sign-in names %v", r.fields(t))
		}
	})
}

func TestSignInFailures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		wrongPw := e.do(req{method: "POST", path: "/api/v1/auth/tokens", body: map[string]any{"email": "admin@clinic.example", "password": "wrong password"}}).want(t, 401, "wrong password")
		noUser := e.do(req{method: "POST", path: "/api/v1/auth/tokens", body: map[string]any{"email": "nobody@clinic.example", "password": "wrong password"}}).want(t, 401, "unknown email")
		if wrongPw.json(t)["detail"] != noUser.json(t)["detail"] {
			t.Errorf("wrong password says %s, unknown email %s; want the same", wrongPw.body, noUser.body)
		}
		for range auth.SignInBurst - 1 {
			e.do(req{method: "POST", path: "/api/v1/auth/tokens", body: map[string]any{"email": "admin@clinic.example", "password": "wrong password"}}).want(t, 401, "wrong password")
		}
		r := e.do(req{method: "POST", path: "/api/v1/auth/tokens", body: map[string]any{"email": "admin@clinic.example", "password": testPassword}}).want(t, 429, "after too many failures")
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		e.do(req{method: "POST", path: "/api/v1/auth/tokens", body: map[string]any{"email": "frontdesk@clinic.example", "password": testPassword}}).want(t, 201, "another account signs in")
	})
}

func TestNotificationsFeedTokensAudit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		e.mustBook(0, "notify@example.com")
		ctx := context.Background()
		msgs, err := e.store.Messages(ctx, domain.MessageFilter{})
		if err != nil || len(msgs) == 0 {
			t.Fatalf("Messages = %v, %v; want the confirmation", msgs, err)
		}
		list := e.do(req{method: "GET", path: "/api/v1/notifications?status=pending", role: "frontdesk"}).want(t, 200, "notifications").json(t)
		if len(list["notifications"].([]any)) == 0 {
			t.Errorf("notifications = %v", list)
		}
		if strings.Contains(string(e.do(req{method: "GET", path: "/api/v1/notifications", role: "frontdesk"}).body), "/manage/") {
			t.Error("the notifications list shows a manage link")
		}
		r := e.do(req{method: "GET", path: "/api/v1/notifications?status=lost", role: "frontdesk"}).want(t, 422, "bad status")
		if !r.hasField(t, "status") {
			t.Errorf("bad status names %v", r.fields(t))
		}
		if err := e.store.MarkFailed(ctx, msgs[0].ID, "550 mailbox full", fixedNow, true); err != nil {
			t.Fatal(err)
		}
		e.do(req{method: "POST", path: "/api/v1/notifications/" + msgs[0].ID + "/retry", role: "frontdesk"}).want(t, 204, "retry")
		e.do(req{method: "POST", path: "/api/v1/notifications/" + unknownID + "/retry", role: "frontdesk"}).want(t, 404, "retry unknown")

		ft := e.do(req{method: "POST", path: "/api/v1/feed-tokens", role: "practitioner", body: map[string]any{"practitioner_id": e.ids.therapist, "privacy": "initials"}}).want(t, 201, "feed token").json(t)
		u, _ := url.Parse(ft["url"].(string))
		if u.Scheme != "https" || u.Host != "clinic.example" || !strings.HasPrefix(u.Path, "/feeds/") || !strings.HasSuffix(u.Path, ".ics") {
			t.Errorf("feed url = %v", ft["url"])
		}
		if ft["webcal_url"] != "webcal://"+strings.TrimPrefix(ft["url"].(string), "https://") {
			t.Errorf("webcal_url = %v", ft["webcal_url"])
		}
		clinicWide := e.do(req{method: "POST", path: "/api/v1/feed-tokens", role: "frontdesk", body: map[string]any{}}).want(t, 201, "clinic feed").json(t)
		if clinicWide["privacy"] != "busy" || clinicWide["practitioner_id"] != "" {
			t.Errorf("clinic feed = %v, want busy for the whole clinic", clinicWide)
		}
		mine := string(e.do(req{method: "GET", path: "/api/v1/feed-tokens", role: "practitioner"}).want(t, 200, "own feeds").body)
		if !strings.Contains(mine, ft["id"].(string)) || strings.Contains(mine, clinicWide["id"].(string)) {
			t.Errorf("a practitioner's feeds = %s", mine)
		}
		if strings.Contains(mine, strings.TrimSuffix(strings.TrimPrefix(u.Path, "/feeds/"), ".ics")) {
			t.Error("the feed list shows a secret")
		}
		e.do(req{method: "DELETE", path: "/api/v1/feed-tokens/" + clinicWide["id"].(string), role: "practitioner"}).want(t, 403, "delete another's feed")
		r = e.do(req{method: "POST", path: "/api/v1/feed-tokens", role: "frontdesk", body: map[string]any{"privacy": "everything"}}).want(t, 422, "bad privacy")
		if !r.hasField(t, "privacy") {
			t.Errorf("bad privacy names %v", r.fields(t))
		}
		e.do(req{method: "POST", path: "/api/v1/feed-tokens", role: "practitioner", body: map[string]any{"practitioner_id": e.ids.chiro}}).want(t, 403, "another's feed")
		e.do(req{method: "DELETE", path: "/api/v1/feed-tokens/" + ft["id"].(string), role: "practitioner"}).want(t, 204, "revoke feed")
		e.do(req{method: "DELETE", path: "/api/v1/feed-tokens/" + ft["id"].(string), role: "practitioner"}).want(t, 404, "revoke twice")

		entries := e.do(req{method: "GET", path: "/api/v1/audit", role: "admin"}).want(t, 200, "audit").json(t)["entries"].([]any)
		var actions []string
		for _, en := range entries {
			actions = append(actions, en.(map[string]any)["action"].(string))
		}
		for _, want := range []string{"feed_token.create", "feed_token.revoke", "notification.retry"} {
			if !slices.Contains(actions, want) {
				t.Errorf("audit actions = %v, want %s", actions, want)
			}
		}
	})
}

// TestCookieSessionCSRF signs in with a cookie as the web pages do (the
// test server's BASE_URL is https, so the cookie is __Host- prefixed): safe
// requests pass, unsafe ones need the session's CSRF token.
func TestCookieSessionCSRF(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		form := url.Values{"email": {"frontdesk@clinic.example"}, "password": {testPassword}}
		resp, err := e.client.Post(e.ts.URL+"/test/login", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var session *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == auth.SecureSessionCookie {
				session = c
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || !session.Secure || session.Path != "/" {
			t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax, Secure, Path=/", session)
		}
		cookie := map[string]string{"Cookie": auth.SecureSessionCookie + "=" + session.Value}
		csrf := string(e.do(req{method: "GET", path: "/test/csrf", header: cookie}).want(t, 200, "csrf page").body)
		if len(csrf) < 20 {
			t.Fatalf("CSRFToken = %q", csrf)
		}
		e.do(req{method: "GET", path: "/api/v1/patients", header: cookie}).want(t, 200, "GET with the cookie")
		e.do(req{method: "POST", path: "/api/v1/feed-tokens", body: map[string]any{}, header: cookie}).want(t, 403, "POST without CSRF")
		e.do(req{method: "POST", path: "/api/v1/feed-tokens", body: map[string]any{}, header: map[string]string{"Cookie": cookie["Cookie"], "X-CSRF-Token": "forged"}}).want(t, 403, "POST with a forged CSRF")
		e.do(req{method: "POST", path: "/api/v1/feed-tokens", body: map[string]any{}, header: map[string]string{"Cookie": cookie["Cookie"], "X-CSRF-Token": csrf}}).want(t, 201, "POST with CSRF")

		logout, _ := http.NewRequest("POST", e.ts.URL+"/test/logout", strings.NewReader(url.Values{"csrf_token": {csrf}}.Encode()))
		logout.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		logout.Header.Set("Cookie", cookie["Cookie"])
		lr, err := e.client.Do(logout)
		if err != nil {
			t.Fatal(err)
		}
		lr.Body.Close()
		if lr.StatusCode != 204 {
			t.Fatalf("logout with the form's csrf_token = %d", lr.StatusCode)
		}
		e.do(req{method: "GET", path: "/api/v1/patients", header: cookie}).want(t, 401, "after logout")
		wrong := url.Values{"email": {"frontdesk@clinic.example"}, "password": {"nope nope nope"}}
		wr, _ := e.client.Post(e.ts.URL+"/test/login", "application/x-www-form-urlencoded", strings.NewReader(wrong.Encode()))
		wr.Body.Close()
		if wr.StatusCode != 401 {
			t.Errorf("cookie login with a wrong password = %d, want 401", wr.StatusCode)
		}
	})
}
