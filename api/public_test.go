package api

import (
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPublicCatalog(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		r := e.do(req{method: "GET", path: "/api/v1/services"}).want(t, 200, "GET services")
		var sv struct {
			Services []map[string]any `json:"services"`
		}
		if err := json.Unmarshal(r.body, &sv); err != nil {
			t.Fatal(err)
		}
		if len(sv.Services) < 2 {
			t.Fatalf("GET services = %d services, want the seeded ones", len(sv.Services))
		}
		for _, k := range []string{"id", "name", "kind", "duration_minutes", "price_cents", "currency", "new_patients_only", "description", "buffer_before_minutes", "buffer_after_minutes"} {
			if _, ok := sv.Services[0][k]; !ok {
				t.Errorf("service has no %q: %v", k, sv.Services[0])
			}
		}
		r = e.do(req{method: "GET", path: "/api/v1/practitioners"}).want(t, 200, "GET practitioners")
		var pr struct {
			Practitioners []map[string]any `json:"practitioners"`
		}
		if err := json.Unmarshal(r.body, &pr); err != nil {
			t.Fatal(err)
		}
		for _, p := range pr.Practitioners {
			for _, k := range []string{"id", "name", "title", "time_zone", "service_ids", "bio"} {
				if _, ok := p[k]; !ok {
					t.Errorf("practitioner has no %q: %v", k, p)
				}
			}
			if _, ok := p["email"]; ok {
				t.Errorf("a patient sees a practitioner's email: %v", p)
			}
		}
		e.do(req{method: "GET", path: "/api/v1/services?all=true"}).want(t, 401, "all services, anonymous")
		e.do(req{method: "GET", path: "/api/v1/services?all=maybe", role: "admin"}).want(t, 422, "all=maybe")
		e.do(req{method: "GET", path: "/api/v1/services?all=true", role: "frontdesk"}).want(t, 200, "all services, staff")
	})
}

func TestAvailability(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		q := url.Values{"service_id": {e.ids.massage}, "from": {"2031-03-04"}, "to": {"2031-03-05"}, "tz": {"Asia/Tokyo"}}
		r := e.do(req{method: "GET", path: "/api/v1/availability?" + q.Encode()}).want(t, 200, "availability in Tokyo")
		var out struct {
			TimeZone string     `json:"time_zone"`
			Slots    []slotJSON `json:"slots"`
		}
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatal(err)
		}
		if out.TimeZone != "Asia/Tokyo" || len(out.Slots) == 0 {
			t.Fatalf("availability = %s %d slots, want Asia/Tokyo and some", out.TimeZone, len(out.Slots))
		}
		for _, s := range out.Slots {
			if !strings.HasSuffix(s.Start, "+09:00") || !strings.HasSuffix(s.End, "+09:00") {
				t.Errorf("slot %v is not in Tokyo's offset", s)
			}
			start, _ := time.Parse(time.RFC3339, s.Start)
			end, _ := time.Parse(time.RFC3339, s.End)
			if end.Sub(start) != time.Hour || s.PractitionerID == "" {
				t.Errorf("slot %v is not a 60-minute massage with a practitioner", s)
			}
		}
		// Default zone: the clinic's.
		q.Del("tz")
		r = e.do(req{method: "GET", path: "/api/v1/availability?" + q.Encode()}).want(t, 200, "availability")
		if got := r.json(t)["time_zone"]; got != "America/New_York" {
			t.Errorf("default time_zone = %v, want the clinic's America/New_York", got)
		}

		bad := []struct {
			query, field string
			status       int
		}{
			{"from=2031-03-04&to=2031-03-05", "service_id", 422},
			{"service_id=nope&from=2031-03-04", "service_id", 422},
			{"service_id=" + e.ids.massage + "&practitioner_id=00000000-0000-4000-8000-000000000000", "practitioner_id", 422},
			{"service_id=" + e.ids.massage + "&from=2031-3-4", "from", 422},
			{"service_id=" + e.ids.massage + "&to=tomorrow", "to", 422},
			{"service_id=" + e.ids.massage + "&from=2031-03-10&to=2031-03-04", "to", 422},
			{"service_id=" + e.ids.massage + "&from=2031-03-01&to=2031-06-01", "to", 422},
			{"service_id=" + e.ids.massage + "&tz=Mars/Olympus", "tz", 422},
			{"service_id=" + e.ids.massage + "&ignore_policy=yes", "ignore_policy", 422},
		}
		for _, b := range bad {
			r := e.do(req{method: "GET", path: "/api/v1/availability?" + b.query})
			if r.status != b.status || !r.hasField(t, b.field) {
				t.Errorf("availability?%s = %d %v, want %d naming %s", b.query, r.status, r.fields(t), b.status, b.field)
			}
		}
		e.do(req{method: "GET", path: "/api/v1/availability?ignore_policy=true&service_id=" + e.ids.massage}).want(t, 403, "ignore_policy as a patient")
		e.do(req{method: "GET", path: "/api/v1/availability?ignore_policy=true&service_id=" + e.ids.massage, role: "frontdesk"}).want(t, 200, "ignore_policy as staff")
	})
}

func TestBookAndManage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		slots := e.slots(e.ids.massage, e.ids.therapist)
		r := e.do(req{method: "POST", path: "/api/v1/bookings", body: e.massageBooking(slots[0].Start, "Pat@Example.com")}).want(t, 201, "book")
		got := r.json(t)
		b := got["booking"].(map[string]any)
		for _, k := range []string{"id", "status", "start", "end", "service_id", "practitioner_id", "time_zone"} {
			if _, ok := b[k]; !ok {
				t.Errorf("booking has no %q: %v", k, b)
			}
		}
		for _, k := range []string{"patient", "staff_notes", "intake"} {
			if _, ok := b[k]; ok {
				t.Errorf("the patient's booking shows %q: %v", k, b)
			}
		}
		if b["status"] != "confirmed" || b["time_zone"] != "Europe/London" || !strings.HasSuffix(b["start"].(string), "Z") && !strings.HasSuffix(b["start"].(string), "+00:00") {
			t.Errorf("booking = %v, want confirmed, in London's zone (UTC in March)", b)
		}
		token := got["manage_token"].(string)
		if got["manage_url"] != "https://clinic.example/manage/"+token {
			t.Errorf("manage_url = %v, want BaseURL/manage/token", got["manage_url"])
		}

		m := e.do(req{method: "GET", path: "/api/v1/manage/" + token}).want(t, 200, "manage").json(t)["booking"].(map[string]any)
		for _, k := range []string{"service", "practitioner", "can_cancel", "can_reschedule", "cancel_cutoff", "clinic_phone"} {
			if _, ok := m[k]; !ok {
				t.Errorf("managed booking has no %q: %v", k, m)
			}
		}
		if m["can_cancel"] != true || m["id"] != b["id"] {
			t.Errorf("managed booking = %v, want the booking, cancellable", m)
		}
		if ref := e.do(req{method: "GET", path: "/api/v1/manage/" + token}).header.Get("Referrer-Policy"); ref != "no-referrer" {
			t.Errorf("manage Referrer-Policy = %q, want no-referrer", ref)
		}
		e.do(req{method: "GET", path: "/api/v1/manage/not-a-token"}).want(t, 404, "wrong token")
		e.do(req{method: "GET", path: "/api/v1/manage/" + strings.Repeat("x", 300)}).want(t, 404, "long token")
		e.do(req{method: "POST", path: "/api/v1/manage/not-a-token/cancel"}).want(t, 404, "cancel with a wrong token")

		// Reschedule to the slot two steps on, then cancel.
		r = e.do(req{method: "POST", path: "/api/v1/manage/" + token + "/reschedule", body: map[string]any{"start": "soon"}}).want(t, 422, "reschedule to a bad time")
		if !r.hasField(t, "start") {
			t.Errorf("reschedule problem names %v, want start", r.fields(t))
		}
		later := slots[len(slots)-1].Start
		r = e.do(req{method: "POST", path: "/api/v1/manage/" + token + "/reschedule", body: map[string]any{"start": later}}).want(t, 200, "reschedule")
		moved := r.json(t)["booking"].(map[string]any)
		if ms, _ := time.Parse(time.RFC3339, moved["start"].(string)); !ms.Equal(mustTime(t, later)) || moved["id"] != b["id"] {
			t.Errorf("rescheduled booking = %v, want same id at %s", moved, later)
		}
		r = e.do(req{method: "POST", path: "/api/v1/manage/" + token + "/cancel", body: map[string]any{"reason": "Feeling better"}}).want(t, 200, "cancel")
		if st := r.json(t)["booking"].(map[string]any)["status"]; st != "cancelled" {
			t.Errorf("cancelled booking status = %v", st)
		}
		e.do(req{method: "POST", path: "/api/v1/manage/" + token + "/cancel"}).want(t, 409, "cancel twice")
	})
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestBookCaseReviewIntake(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		s := e.slots(e.ids.caseReview, "")
		body := map[string]any{
			"service_id": e.ids.caseReview, "start": s[0].Start,
			"patient": map[string]any{"name": "Ann Review", "email": "ann@example.com"},
			"intake":  map[string]any{"pain_areas": []string{"neck", "back"}, "duration": "months", "tried": []string{"massage"}, "notes": "Worse in the morning"},
		}
		e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 201, "book a case review")
		body["start"] = s[len(s)-1].Start
		r := e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 409, "a second case review")
		if !r.hasField(t, "patient.email") {
			t.Errorf("second case review names %v, want patient.email", r.fields(t))
		}
	})
}

func TestBookBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		s := e.slots(e.ids.massage, e.ids.therapist)
		start := mustTime(t, s[0].Start)
		outsider := e.do(req{method: "POST", path: "/api/v1/practitioners", role: "admin", body: map[string]any{
			"name": "Sam Other", "time_zone": "America/New_York", "service_ids": []string{e.ids.caseReview},
		}}).want(t, 201, "create a practitioner").json(t)["practitioner"].(map[string]any)["id"].(string)
		valid := func() map[string]any { return e.massageBooking(s[0].Start, "bad-input@example.com") }
		with := func(k string, v any) map[string]any {
			b := valid()
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
			return b
		}
		intake := map[string]any{"pain_areas": []string{"neck"}, "duration": "days", "notes": strings.Repeat("x", 1001)}
		tests := []struct {
			name   string
			body   any
			status int
			field  string
		}{
			{"missing service", with("service_id", nil), 422, "service_id"},
			{"missing start", with("start", nil), 422, "start"},
			{"missing patient", with("patient", nil), 422, "patient.email"},
			{"bad email", with("patient", map[string]any{"name": "P", "email": "not-an-email"}), 422, "patient.email"},
			{"missing name", with("patient", map[string]any{"email": "p@example.com"}), 422, "patient.name"},
			{"bad phone", with("patient", map[string]any{"name": "P", "email": "p@example.com", "phone": "call me"}), 422, "patient.phone"},
			{"start not RFC 3339", with("start", "tomorrow at nine"), 422, "start"},
			{"start off the grid", with("start", start.Add(7*time.Minute).Format(time.RFC3339)), 422, "start"},
			{"start in the past", with("start", fixedNow.Add(-24*time.Hour).Format(time.RFC3339)), 422, "start"},
			{"start at night", with("start", time.Date(2031, 3, 5, 7, 0, 0, 0, time.UTC).Format(time.RFC3339)), 422, "start"},
			{"unknown service", with("service_id", "00000000-0000-4000-8000-000000000000"), 422, "service_id"},
			{"malformed service", with("service_id", "1 OR 1=1"), 422, "service_id"},
			{"unknown practitioner", with("practitioner_id", "00000000-0000-4000-8000-000000000000"), 422, "practitioner_id"},
			{"practitioner without the service", with("practitioner_id", outsider), 422, "practitioner_id"},
			{"intake on a massage", with("intake", map[string]any{"pain_areas": []string{"neck"}, "duration": "days"}), 422, "intake"},
			{"bad time zone", with("time_zone", "Moon/Base"), 422, "time_zone"},
			{"oversized notes", with("notes", strings.Repeat("n", 1001)), 422, "notes"},
			{"unknown field", with("coupon", "FREE"), 400, "coupon"},
			{"wrong type", with("patient", map[string]any{"name": "P", "email": 42}), 400, "patient.email"},
			{"wrong type start", with("start", 1700000000), 400, "start"},
			{"malformed JSON", `{"service_id": "x",`, 400, ""},
			{"trailing data", `{"service_id": "x"} {}`, 400, ""},
			{"empty body", "", 400, ""},
			{"overbook as a patient", with("overbook", true), 403, ""},
			{"oversized body", with("notes", strings.Repeat("n", 70<<10)), 413, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				bookings, patients := e.counts()
				r := e.do(req{method: "POST", path: "/api/v1/bookings", body: tt.body})
				if r.status != tt.status {
					t.Fatalf("POST bookings (%s) = %d, want %d: %s", tt.name, r.status, tt.status, r.body)
				}
				if tt.field != "" && !r.hasField(t, tt.field) {
					t.Errorf("POST bookings (%s) names %v, want %s", tt.name, r.fields(t), tt.field)
				}
				if b, p := e.counts(); b != bookings || p != patients {
					t.Errorf("POST bookings (%s) left %d bookings and %d patients, want %d and %d", tt.name, b, p, bookings, patients)
				}
			})
		}
		oversizedIntake := valid()
		oversizedIntake["service_id"] = e.ids.caseReview
		delete(oversizedIntake, "practitioner_id")
		oversizedIntake["intake"] = intake
		r := e.do(req{method: "POST", path: "/api/v1/bookings", body: oversizedIntake}).want(t, 422, "oversized intake")
		if !r.hasField(t, "intake.notes") {
			t.Errorf("oversized intake names %v, want intake.notes", r.fields(t))
		}
		r = e.do(req{method: "POST", path: "/api/v1/bookings", body: "{}", header: map[string]string{"Content-Type": "text/plain"}}).want(t, 415, "text/plain body")
	})
}

// storm sends the bodies concurrently over real HTTP and returns the
// statuses and bodies in order.
func (e *env) storm(bodies []any, headers map[string]string) []response {
	out := make([]response, len(bodies))
	start := make(chan struct{})
	done := make(chan int)
	for i, b := range bodies {
		go func() {
			<-start
			out[i] = doWith(e.t, e.client, e.ts.URL, "", req{method: "POST", path: "/api/v1/bookings", body: b, header: headers})
			done <- i
		}()
	}
	close(start)
	for range bodies {
		<-done
	}
	return out
}

func TestBookingStormSameSlot(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		s := e.slots(e.ids.massage, e.ids.therapist)
		bodies := make([]any, 50)
		for i := range bodies {
			bodies[i] = e.massageBooking(s[0].Start, "storm"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.com")
		}
		created, conflicts := 0, 0
		for _, r := range e.storm(bodies, nil) {
			switch r.status {
			case 201:
				created++
			case 409:
				conflicts++
				if !strings.Contains(r.json(t)["detail"].(string), "just taken") {
					t.Errorf("409 detail = %s, want it to say the time was just taken", r.body)
				}
			default:
				t.Errorf("storm response %d: %s", r.status, r.body)
			}
		}
		if created != 1 || conflicts != 49 {
			t.Errorf("storm = %d created, %d conflicts; want 1 and 49", created, conflicts)
		}
		if n, _ := e.counts(); n != 1 {
			t.Errorf("storm left %d bookings, want 1", n)
		}
	})
}

func TestBookingStormOverlappingTimes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		s := e.slots(e.ids.massage, e.ids.therapist)
		// Four consecutive starts on the grid: every pair overlaps an hour-long visit.
		var starts []string
		first := mustTime(t, s[0].Start)
		for _, sl := range s {
			if st := mustTime(t, sl.Start); st.Sub(first) < time.Hour {
				starts = append(starts, sl.Start)
			}
		}
		if len(starts) < 2 {
			t.Fatalf("only %d overlapping starts", len(starts))
		}
		bodies := make([]any, 50)
		for i := range bodies {
			bodies[i] = e.massageBooking(starts[i%len(starts)], "overlap"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.com")
		}
		created := 0
		for _, r := range e.storm(bodies, nil) {
			switch r.status {
			case 201:
				created++
			case 409:
			default:
				t.Errorf("storm response %d: %s", r.status, r.body)
			}
		}
		if n, _ := e.counts(); created != 1 || n != 1 {
			t.Errorf("overlapping storm = %d created, %d stored; want 1 and 1", created, n)
		}
	})
}

func TestIdempotentRetriesUnderConcurrency(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		s := e.slots(e.ids.massage, e.ids.therapist)
		body, _ := json.Marshal(e.massageBooking(s[0].Start, "retry@example.com"))
		bodies := make([]any, 20)
		for i := range bodies {
			bodies[i] = body
		}
		rs := e.storm(bodies, map[string]string{"Idempotency-Key": "retry-key-1"})
		var first map[string]any
		fresh := 0
		for _, r := range rs {
			if r.status != 201 {
				t.Fatalf("idempotent retry = %d: %s, want 201 (the first answer's status)", r.status, r.body)
			}
			switch r.header.Get("Idempotent-Replayed") {
			case "":
				fresh++
			case "true":
			default:
				t.Errorf("Idempotent-Replayed = %q, want true or absent", r.header.Get("Idempotent-Replayed"))
			}
			got := r.json(t)
			if first == nil {
				first = got
			} else if !reflect.DeepEqual(got, first) {
				t.Errorf("retry answered %v, want %v", got, first)
			}
		}
		if fresh != 1 {
			t.Errorf("%d responses came without Idempotent-Replayed, want 1 (the first)", fresh)
		}
		if n, _ := e.counts(); n != 1 {
			t.Errorf("retries left %d bookings, want 1", n)
		}
		// The same key with another body is refused.
		other := e.massageBooking(s[len(s)-1].Start, "retry@example.com")
		e.do(req{method: "POST", path: "/api/v1/bookings", body: other, header: map[string]string{"Idempotency-Key": "retry-key-1"}}).want(t, 422, "same key, other body")
	})
}

func TestPublicRateLimit(t *testing.T) {
	forEachEngineLimit(t, 2, func(t *testing.T, e *env) {
		for i := range 2 {
			r := e.do(req{method: "POST", path: "/api/v1/bookings", body: "{}"})
			if r.status == 429 {
				t.Fatalf("request %d was limited", i)
			}
		}
		r := e.do(req{method: "POST", path: "/api/v1/bookings", body: "{}"}).want(t, 429, "third write in a minute")
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		e.do(req{method: "GET", path: "/api/v1/services"}).want(t, 200, "reads are not limited")
		e.do(req{method: "POST", path: "/api/v1/bookings", body: "{}", role: "frontdesk"}).want(t, 422, "staff are not limited")
	})
}

// TestAvailabilityAnyone: with no practitioner each start comes once, with
// everyone free then; each=practitioner gives the long form, and expanding
// the grouped answer gives exactly the long one.
func TestAvailabilityAnyone(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		q := url.Values{"service_id": {e.ids.massage}, "from": {"2031-03-04"}, "to": {"2031-03-05"}}
		var grouped struct {
			Slots []struct {
				Start, End      string
				PractitionerID  string   `json:"practitioner_id"`
				PractitionerIDs []string `json:"practitioner_ids"`
			} `json:"slots"`
		}
		r := e.do(req{method: "GET", path: "/api/v1/availability?" + q.Encode()}).want(t, 200, "availability for anyone")
		if err := json.Unmarshal(r.body, &grouped); err != nil {
			t.Fatal(err)
		}
		q.Set("each", "practitioner")
		var long struct {
			Slots []slotJSON `json:"slots"`
		}
		r = e.do(req{method: "GET", path: "/api/v1/availability?" + q.Encode()}).want(t, 200, "availability, each practitioner")
		if err := json.Unmarshal(r.body, &long); err != nil {
			t.Fatal(err)
		}
		if len(grouped.Slots) == 0 {
			t.Fatal("no slots for anyone")
		}
		var expanded []string
		seen := map[string]bool{}
		for _, s := range grouped.Slots {
			if seen[s.Start] {
				t.Errorf("start %s comes twice", s.Start)
			}
			seen[s.Start] = true
			if !slices.Contains(s.PractitionerIDs, s.PractitionerID) {
				t.Errorf("at %s practitioner_id %s is not among practitioner_ids %v", s.Start, s.PractitionerID, s.PractitionerIDs)
			}
			for _, id := range s.PractitionerIDs {
				expanded = append(expanded, s.Start+" "+s.End+" "+id)
			}
		}
		var want []string
		for _, s := range long.Slots {
			want = append(want, s.Start+" "+s.End+" "+s.PractitionerID)
		}
		if !slices.Equal(expanded, want) {
			t.Errorf("grouped answer expands to %d slots, the long form has %d (or they differ)", len(expanded), len(want))
		}
		q.Set("each", "room")
		if r := e.do(req{method: "GET", path: "/api/v1/availability?" + q.Encode()}); r.status != 422 || !r.hasField(t, "each") {
			t.Errorf("each=room = %d %v, want 422 naming each", r.status, r.fields(t))
		}
	})
}
