package api

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// planFirst is Tuesday 4 March 2031, 10:00 in New York (EST); the clocks
// go forward on Sunday 9 March, so a weekly plan crosses the change.
const planFirst = "2031-03-04T10:00:00-05:00"

func (e *env) planBody(over map[string]any) map[string]any {
	b := map[string]any{"service_id": e.ids.massage, "practitioner_id": e.ids.therapist,
		"first_start": planFirst, "every_weeks": 1, "count": 12}
	for k, v := range over {
		b[k] = v
	}
	return b
}

func planOf(t testing.TB, r response) map[string]any {
	t.Helper()
	return r.json(t)["plan"].(map[string]any)
}

func visitsOf(plan map[string]any) []any { return plan["visits"].([]any) }

func TestPlansAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		review := e.bookCaseReview("rosa@example.com")
		// Someone else has the therapist's fifth Tuesday at 10:30.
		week5 := time.Date(2031, 4, 1, 10, 30, 0, 0, nyZone(t))
		e.do(req{method: "POST", path: "/api/v1/bookings", body: e.massageBooking(week5.Format(time.RFC3339), "other@example.com")}).
			want(t, 201, "book week 5")
		bookings, patients := e.counts()

		r := e.do(req{method: "POST", path: "/api/v1/plans", role: domain.RoleFrontDesk,
			body: e.planBody(map[string]any{"booking_id": review})}).want(t, 409, "plan with a taken week")
		conflicts, _ := r.json(t)["conflicts"].([]any)
		if len(conflicts) != 1 {
			t.Fatalf("conflicts = %v, want exactly week 5", conflicts)
		}
		c := conflicts[0].(map[string]any)
		if at, _ := time.Parse(time.RFC3339, c["start"].(string)); !at.Equal(time.Date(2031, 4, 1, 10, 0, 0, 0, nyZone(t))) || c["reason"] != "taken" {
			t.Errorf("conflict = %v, want 1 April 10:00 taken", c)
		}
		if alts := c["alternatives"].([]any); len(alts) == 0 {
			t.Errorf("no alternatives for week 5: %v", c)
		}
		if b, p := e.counts(); b != bookings || p != patients {
			t.Fatalf("a refused plan wrote %d bookings and %d patients", b-bookings, p-patients)
		}

		r = e.do(req{method: "POST", path: "/api/v1/plans", role: domain.RoleFrontDesk,
			body: e.planBody(map[string]any{"booking_id": review, "on_conflict": "skip"})}).want(t, 201, "plan skipping week 5")
		plan := planOf(t, r)
		visits := visitsOf(plan)
		if len(visits) != 11 || len(plan["skipped"].([]any)) != 1 || plan["source_booking_id"] != review || plan["status"] != "active" {
			t.Fatalf("plan = %v", plan)
		}
		for _, v := range visits {
			start, _ := time.Parse(time.RFC3339, v.(map[string]any)["start"].(string))
			if local := start.In(nyZone(t)); local.Hour() != 10 || local.Minute() != 0 || local.Weekday() != time.Tuesday {
				t.Errorf("visit at %s, want Tuesday 10:00 New York time", local)
			}
		}
		id := plan["id"].(string)
		rv := e.do(req{method: "GET", path: "/api/v1/bookings/" + review, role: domain.RoleFrontDesk}).want(t, 200, "review").json(t)["booking"].(map[string]any)
		if rv["review_outcome"] != "plan_started" {
			t.Errorf("review outcome = %v, want plan_started", rv["review_outcome"])
		}
		first := visits[0].(map[string]any)["booking_id"].(string)
		vb := e.do(req{method: "GET", path: "/api/v1/bookings/" + first, role: domain.RoleFrontDesk}).want(t, 200, "visit").json(t)["booking"].(map[string]any)
		if vb["plan_id"] != id || vb["source"] != "plan" || vb["review_outcome"] != nil {
			t.Errorf("visit booking = plan_id %v source %v outcome %v", vb["plan_id"], vb["source"], vb["review_outcome"])
		}
		got := planOf(t, e.do(req{method: "GET", path: "/api/v1/plans/" + id, role: domain.RoleFrontDesk}).want(t, 200, "get plan"))
		if len(visitsOf(got)) != 11 {
			t.Errorf("GET plan has %d visits", len(visitsOf(got)))
		}
		list := e.do(req{method: "GET", path: "/api/v1/plans?patient_id=" + plan["patient_id"].(string), role: domain.RoleFrontDesk}).
			want(t, 200, "list plans").json(t)["plans"].([]any)
		if len(list) != 1 {
			t.Errorf("patient has %d plans, want 1", len(list))
		}
		e.do(req{method: "GET", path: "/api/v1/plans/" + id}).want(t, 401, "anonymous reads a plan")

		// Cancel the rest from the seventh visit: five cancelled in one change.
		from := visits[6].(map[string]any)["start"].(string)
		after := planOf(t, e.do(req{method: "POST", path: "/api/v1/plans/" + id + "/cancel", role: domain.RoleFrontDesk,
			body: map[string]any{"from": from}}).want(t, 200, "cancel the rest"))
		if pr := after["progress"].(map[string]any); pr["cancelled"] != 5.0 || pr["upcoming"] != 6.0 || after["status"] != "active" {
			t.Errorf("after cancelling the rest: %v %v", after["status"], pr)
		}
		e.do(req{method: "POST", path: "/api/v1/plans/" + id + "/cancel", role: domain.RoleFrontDesk,
			body: map[string]any{"from": from}}).want(t, 409, "nothing left to cancel")
		all := planOf(t, e.do(req{method: "POST", path: "/api/v1/plans/" + id + "/cancel", role: domain.RoleFrontDesk}).want(t, 200, "cancel all"))
		if all["status"] != "cancelled" {
			t.Errorf("plan with every visit cancelled is %v", all["status"])
		}
	})
}

func TestPlansBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		review := e.bookCaseReview("rosa@example.com")
		bookings, patients := e.counts()
		for _, tc := range []struct {
			name  string
			over  map[string]any
			field string
		}{
			{"500 visits", map[string]any{"count": 500}, "count"},
			{"every 0 weeks", map[string]any{"every_weeks": 0}, "every_weeks"},
			{"every 9 weeks", map[string]any{"every_weeks": 9}, "every_weeks"},
			{"first time in the past", map[string]any{"first_start": "2031-03-01T10:00:00-05:00"}, "first_start"},
			{"new patients only", map[string]any{"service_id": e.ids.caseReview, "practitioner_id": e.ids.chiro}, "service_id"},
			{"past the horizon", map[string]any{"every_weeks": 8, "count": 52}, "count"},
			{"bad rule", map[string]any{"on_conflict": "maybe"}, "on_conflict"},
			{"no patient", map[string]any{"booking_id": nil}, "patient_id"},
			{"not a review", map[string]any{"booking_id": domain.NewID()}, "booking_id"},
			{"no practitioner", map[string]any{"practitioner_id": ""}, "practitioner_id"},
		} {
			body := e.planBody(map[string]any{"booking_id": review})
			for k, v := range tc.over {
				if v == nil {
					delete(body, k)
				} else {
					body[k] = v
				}
			}
			r := e.do(req{method: "POST", path: "/api/v1/plans", role: domain.RoleFrontDesk, body: body}).want(t, 422, tc.name)
			if !r.hasField(t, tc.field) {
				t.Errorf("%s names %v, want %s", tc.name, r.fields(t), tc.field)
			}
		}
		e.do(req{method: "POST", path: "/api/v1/plans", body: e.planBody(map[string]any{"booking_id": review})}).want(t, 401, "anonymous plan")
		if b, p := e.counts(); b != bookings || p != patients {
			t.Fatalf("refused plans wrote %d bookings and %d patients", b-bookings, p-patients)
		}
		rv := e.do(req{method: "GET", path: "/api/v1/bookings/" + review, role: domain.RoleFrontDesk}).want(t, 200, "review").json(t)["booking"].(map[string]any)
		if rv["review_outcome"] != nil {
			t.Errorf("a refused plan set the review outcome to %v", rv["review_outcome"])
		}

		// The outcome staff record by hand.
		r := e.do(req{method: "PUT", path: "/api/v1/bookings/" + review + "/review-outcome", role: domain.RoleFrontDesk,
			body: map[string]any{"review_outcome": "follow_up"}}).want(t, 200, "follow up")
		if r.json(t)["booking"].(map[string]any)["review_outcome"] != "follow_up" {
			t.Errorf("outcome = %v", r.json(t)["booking"])
		}
		e.do(req{method: "PUT", path: "/api/v1/bookings/" + review + "/review-outcome", role: domain.RoleFrontDesk,
			body: map[string]any{"review_outcome": "maybe"}}).want(t, 422, "unknown outcome")
		massage := e.mustBook(3, "m@example.com").Booking.ID
		e.do(req{method: "PUT", path: "/api/v1/bookings/" + massage + "/review-outcome", role: domain.RoleFrontDesk,
			body: map[string]any{"review_outcome": "declined"}}).want(t, 422, "outcome of a massage")
	})
}

func TestPatientSeries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		s := e.slots(e.ids.massage, e.ids.therapist)
		body := e.massageBooking(s[0].Start, "series@example.com")
		bookings, _ := e.counts()
		for _, tc := range []struct {
			repeat map[string]any
			field  string
		}{
			{map[string]any{"every_weeks": 5, "count": 4}, "repeat.every_weeks"},
			{map[string]any{"every_weeks": 1, "count": 13}, "repeat.count"},
			{map[string]any{"every_weeks": 1, "count": 12}, "repeat.count"}, // 77 days: past the 60-day horizon
		} {
			body["repeat"] = tc.repeat
			r := e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 422, "bad series")
			if !r.hasField(t, tc.field) {
				t.Errorf("repeat %v names %v, want %s", tc.repeat, r.fields(t), tc.field)
			}
		}
		if b, _ := e.counts(); b != bookings {
			t.Fatalf("refused series wrote %d bookings", b-bookings)
		}
		body["repeat"] = map[string]any{"every_weeks": 2, "count": 4}
		r := e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 201, "book a series")
		plan := planOf(t, r)
		if len(visitsOf(plan)) != 4 || plan["source"] != "online" {
			t.Fatalf("series plan = %v", plan)
		}
		token := r.json(t)["manage_token"].(string)
		if b := r.json(t)["booking"].(map[string]any); b["plan_id"] != plan["id"] {
			t.Errorf("first visit's plan_id = %v", b["plan_id"])
		}
		mine := planOf(t, e.do(req{method: "GET", path: "/api/v1/manage/" + token + "/plan"}).want(t, 200, "manage plan"))
		if len(visitsOf(mine)) != 4 {
			t.Errorf("manage plan shows %d visits", len(visitsOf(mine)))
		}
		// The same times again: all taken, 409 listing them, nothing booked.
		body["patient"] = map[string]any{"name": "Late", "email": "late@example.com"}
		r = e.do(req{method: "POST", path: "/api/v1/bookings", body: body}).want(t, 409, "series on taken times")
		if c, _ := r.json(t)["conflicts"].([]any); len(c) != 4 {
			t.Errorf("conflicts = %v, want all 4", c)
		}
		after := planOf(t, e.do(req{method: "POST", path: "/api/v1/manage/" + token + "/plan/cancel"}).want(t, 200, "patient cancels the rest"))
		if after["status"] != "cancelled" {
			t.Errorf("after the patient cancelled the rest: %v", after["status"])
		}
	})
}

func nyZone(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
