package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// history is a week of a clinic with known figures: Monday 2 to Friday 6
// March 2026 in New York (before the change to summer time), both
// practitioners working 09:00–12:30 and 13:30–18:00.
type history struct {
	e                *env
	chiro, therapist domain.Practitioner
	review, massage  domain.Service
	room             domain.Room
	inRoom           map[string]bool // patients whose massages hold the room
}

var nyc = func() *time.Location { l, _ := time.LoadLocation("America/New_York"); return l }()

// at is a New York wall time in the week.
func nycAt(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, nyc).UTC()
}

// add stores one booking with the status and source, made a week before.
func (h *history) add(svc domain.Service, p domain.Practitioner, email string, start time.Time, st domain.Status,
	src domain.Source, campaign string, cancelledBefore time.Duration, reminder domain.MessageStatus) string {
	h.e.t.Helper()
	made := time.Date(2026, 2, 20, 12, 0, 0, 0, time.UTC)
	_, hash := domain.NewToken()
	b := domain.Booking{
		ID: domain.NewID(), UID: domain.NewID(), ServiceID: svc.ID, PractitionerID: p.ID,
		Start: start, End: start.Add(svc.Duration), BlockStart: start, BlockEnd: start.Add(svc.Duration),
		Status: st, Complimentary: svc.Kind == domain.KindCaseReview, Source: src,
		Attribution: domain.Attribution{UTMCampaign: campaign}, TimeZone: "America/New_York",
		ManageHash: hash, CreatedAt: made, UpdatedAt: made,
	}
	if svc.Kind == domain.KindMassage && h.inRoom[email] {
		b.RoomID = h.room.ID
	}
	if st == domain.StatusCancelled {
		b.CancelledAt = start.Add(-cancelledBefore)
	}
	var fx domain.Effects
	if reminder != "" {
		m := domain.Message{Kind: domain.MessageReminder, To: email, Status: reminder, DueAt: start.Add(-24 * time.Hour), CreatedAt: made}
		if reminder == domain.MessageSent {
			m.SentAt = start.Add(-24 * time.Hour)
		}
		fx.Messages = []domain.Message{m}
	}
	pat := domain.Patient{Name: "Patient " + email, Email: email}
	if err := h.e.store.CreateBooking(context.Background(), &b, &pat, fx); err != nil {
		h.e.t.Fatalf("CreateBooking(%s %s): %v", email, start, err)
	}
	return b.ID
}

// seedHistory stores the week; the comments give what each row adds.
func seedHistory(t *testing.T, e *env) *history {
	ctx := context.Background()
	h := &history{e: e}
	var err error
	if h.chiro, err = e.store.Practitioner(ctx, e.ids.chiro); err != nil {
		t.Fatal(err)
	}
	if h.therapist, err = e.store.Practitioner(ctx, e.ids.therapist); err != nil {
		t.Fatal(err)
	}
	if h.review, err = e.store.Service(ctx, e.ids.caseReview); err != nil {
		t.Fatal(err)
	}
	if h.massage, err = e.store.Service(ctx, e.ids.massage); err != nil {
		t.Fatal(err)
	}
	// The therapist is off Wednesday morning (-210 minutes); the
	// chiropractor works only 10:00–12:00 on Friday (-360).
	off := domain.TimeOff{PractitionerID: h.therapist.ID, Start: nycAt(4, 9, 0), End: nycAt(4, 12, 30), Reason: "course"}
	if err := e.store.CreateTimeOff(ctx, &off); err != nil {
		t.Fatal(err)
	}
	ov := domain.DateOverride{PractitionerID: h.chiro.ID, Date: domain.Date{Year: 2026, Month: 3, Day: 6},
		Ranges: []domain.TimeRange{{Start: domain.At(10, 0), End: domain.At(12, 0)}}}
	if err := e.store.SaveDateOverride(ctx, &ov); err != nil {
		t.Fatal(err)
	}
	// One room, for massages: open while either practitioner is, as both
	// perform the massage (2,400 minutes); a's, c's and h's massages hold it.
	h.room = domain.Room{Name: "Room 1", Kind: domain.RoomKindRoom, Active: true}
	if err := e.store.CreateRoom(ctx, &h.room); err != nil {
		t.Fatal(err)
	}
	h.massage.RoomIDs = []string{h.room.ID}
	if err := e.store.UpdateService(ctx, &h.massage); err != nil {
		t.Fatal(err)
	}
	h.inRoom = map[string]bool{"a@example.com": true, "c@example.com": true, "h@example.com": true}
	R, M, C, T := h.review, h.massage, h.chiro, h.therapist
	const none = domain.MessageStatus("")
	// Case reviews, all with the chiropractor.
	h.add(R, C, "a@example.com", nycAt(2, 9, 0), domain.StatusArrived, domain.SourceEmbed, "neck-pain", 0, none)                    // attended, converted, first attended
	h.add(R, C, "b@example.com", nycAt(2, 10, 0), domain.StatusCompleted, domain.SourceOnline, "", 0, none)                         // attended, converted, first missed
	h.add(R, C, "c@example.com", nycAt(3, 9, 0), domain.StatusNoShow, domain.SourceEmbed, "neck-pain", 0, none)                     // no-show (no reminder)
	h.add(R, C, "d@example.com", nycAt(3, 11, 0), domain.StatusCancelled, domain.SourceOnline, "", 2*time.Hour, domain.MessageSent) // late cancel, reminded
	h.add(R, C, "e@example.com", nycAt(4, 9, 0), domain.StatusArrived, domain.SourceEmbed, "neck-pain", 0, none)                    // attended, no treatment after
	h.add(R, C, "f@example.com", nycAt(5, 9, 0), domain.StatusCancelled, domain.SourceStaff, "", 72*time.Hour, none)                // cancelled in time
	h.add(R, C, "g@example.com", nycAt(9, 9, 0), domain.StatusArrived, domain.SourceOnline, "", 0, none)                            // next week: not counted
	// Massages, all with the therapist.
	h.add(M, T, "a@example.com", nycAt(3, 10, 0), domain.StatusCompleted, domain.SourceOnline, "", 0, none)                          // a's first treatment
	h.add(M, T, "b@example.com", nycAt(5, 14, 0), domain.StatusNoShow, domain.SourceOnline, "", 0, domain.MessageSent)               // b's first: no-show, reminded
	h.add(M, T, "b@example.com", nycAt(6, 9, 0), domain.StatusCompleted, domain.SourceOnline, "", 0, none)                           // b's second
	h.add(M, T, "c@example.com", nycAt(4, 15, 30), domain.StatusConfirmed, domain.SourceOnline, "", 0, none)                         // 15:30–16:30: two hours of the heat map
	h.add(M, T, "e@example.com", nycAt(2, 14, 0), domain.StatusCompleted, domain.SourceOnline, "", 0, none)                          // before e's review: not a conversion
	h.add(M, T, "h@example.com", nycAt(5, 10, 0), domain.StatusCancelled, domain.SourceOnline, "", time.Hour, domain.MessagePending) // late cancel, not reminded
	return h
}

func (e *env) report(path string, csvToo bool) (map[string]any, [][]string) {
	e.t.Helper()
	r := e.do(req{method: "GET", path: path, role: domain.RoleFrontDesk}).want(e.t, 200, path)
	var out map[string]any
	if err := json.Unmarshal(r.body, &out); err != nil {
		e.t.Fatal(err)
	}
	if !csvToo {
		return out, nil
	}
	c := e.do(req{method: "GET", path: path, role: domain.RoleFrontDesk, header: map[string]string{"Accept": "text/csv"}}).want(e.t, 200, path+" as CSV")
	if ct := c.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		e.t.Errorf("%s CSV Content-Type = %q", path, ct)
	}
	rows, err := csv.NewReader(bytes.NewReader(c.body)).ReadAll()
	if err != nil {
		e.t.Fatalf("%s CSV does not parse: %v\n%s", path, err, c.body)
	}
	return out, rows
}

func TestReportsOverSeededHistory(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		h := seedHistory(t, e)
		const week = "from=2026-03-02&to=2026-03-06"

		funnel, rows := e.report("/api/v1/reports/funnel?group_by=source&"+week, true)
		wantFunnel := map[string]any{
			"case_reviews": map[string]any{"booked": 6.0, "attended": 3.0, "no_show": 1.0, "cancelled": 2.0},
			"converted":    map[string]any{"plans": 2.0, "first_treatment_attended": 1.0},
			"by_source": []any{
				map[string]any{"source": "online", "utm_campaign": "", "booked": 2.0, "attended": 1.0, "no_show": 0.0, "cancelled": 1.0, "converted": 1.0, "first_treatment_attended": 0.0},
				map[string]any{"source": "embed", "utm_campaign": "neck-pain", "booked": 3.0, "attended": 2.0, "no_show": 1.0, "cancelled": 0.0, "converted": 1.0, "first_treatment_attended": 1.0},
				map[string]any{"source": "staff", "utm_campaign": "", "booked": 1.0, "attended": 0.0, "no_show": 0.0, "cancelled": 1.0, "converted": 0.0, "first_treatment_attended": 0.0},
			},
		}
		for k, want := range wantFunnel {
			if !reflect.DeepEqual(want, funnel[k]) {
				t.Errorf("funnel %s:\n got %v\nwant %v", k, funnel[k], want)
			}
		}
		// The CSV: a total row, then the JSON's by_source rows.
		jsonRows := [][]string{{"source", "utm_campaign", "booked", "attended", "no_show", "cancelled", "converted", "first_treatment_attended"},
			{"all", "", "6", "3", "1", "2", "2", "1"}}
		for _, g := range funnel["by_source"].([]any) {
			m := g.(map[string]any)
			jsonRows = append(jsonRows, []string{m["source"].(string), m["utm_campaign"].(string), num(m["booked"]), num(m["attended"]),
				num(m["no_show"]), num(m["cancelled"]), num(m["converted"]), num(m["first_treatment_attended"])})
		}
		if want, got := jsonRows, rows; !reflect.DeepEqual(want, got) {
			t.Errorf("funnel CSV differs from the JSON:\n got %v\nwant %v", got, want)
		}
		if plain, _ := e.report("/api/v1/reports/funnel?"+week, false); len(plain["by_source"].([]any)) != 0 {
			t.Errorf("funnel without group_by has by_source %v", plain["by_source"])
		}

		use, rows := e.report("/api/v1/reports/utilisation?"+week, true)
		wantUse := []any{
			map[string]any{"id": h.chiro.ID, "name": h.chiro.Name, "open_minutes": 2040.0, "booked_minutes": 60.0},
			map[string]any{"id": h.therapist.ID, "name": h.therapist.Name, "open_minutes": 2190.0, "booked_minutes": 300.0},
		}
		if want, got := wantUse, use["practitioners"]; !reflect.DeepEqual(want, got) {
			t.Errorf("utilisation:\n got %v\nwant %v", got, want)
		}
		// The room: a's and c's massages (h's was cancelled).
		wantRooms := []any{map[string]any{"id": h.room.ID, "name": "Room 1", "open_minutes": 2400.0, "booked_minutes": 120.0}}
		if want, got := wantRooms, use["rooms"]; !reflect.DeepEqual(want, got) {
			t.Errorf("rooms:\n got %v\nwant %v", got, want)
		}
		wantRows := [][]string{{"kind", "id", "name", "open_minutes", "booked_minutes"},
			{"practitioner", h.chiro.ID, h.chiro.Name, "2040", "60"},
			{"practitioner", h.therapist.ID, h.therapist.Name, "2190", "300"},
			{"room", h.room.ID, "Room 1", "2400", "120"}}
		if want, got := wantRows, rows; !reflect.DeepEqual(want, got) {
			t.Errorf("utilisation CSV:\n got %v\nwant %v", got, want)
		}

		heat, rows := e.report("/api/v1/reports/heatmap?"+week, true)
		cells := map[string][2]int{}
		for _, c := range heat["cells"].([]any) {
			m := c.(map[string]any)
			cells[fmt.Sprintf("%s %02.0f", m["weekday"], m["hour"])] = [2]int{int(m["open_minutes"].(float64)), int(m["booked_minutes"].(float64))}
		}
		for cell, want := range map[string][2]int{
			"monday 09":    {120, 15}, // both open; a's review
			"monday 12":    {60, 0},   // until 12:30
			"monday 13":    {60, 0},   // from 13:30
			"monday 14":    {120, 60}, // e's massage
			"wednesday 09": {60, 15},  // the therapist is off
			"wednesday 15": {120, 30}, // c's massage from 15:30
			"wednesday 16": {120, 30}, // … to 16:30
			"thursday 10":  {120, 0},  // h's cancelled massage counts nothing
			"friday 09":    {60, 60},  // the chiropractor starts at 10
			"friday 12":    {30, 0},   // and stops at 12
			"saturday 10":  {0, 0},
		} {
			if got := cells[cell]; got != want {
				t.Errorf("heat map %s = %v (open, booked), want %v", cell, got, want)
			}
		}
		if len(rows) != 1+168 || len(heat["cells"].([]any)) != 168 {
			t.Errorf("heat map has %d cells and %d CSV rows, want 168 and a header", len(heat["cells"].([]any)), len(rows))
		}
		for i, c := range heat["cells"].([]any) {
			m := c.(map[string]any)
			if want := []string{m["weekday"].(string), num(m["hour"]), num(m["open_minutes"]), num(m["booked_minutes"])}; !reflect.DeepEqual(want, rows[i+1]) {
				t.Errorf("heat map CSV row %d = %v, JSON %v", i+1, rows[i+1], want)
			}
		}

		noShows, rows := e.report("/api/v1/reports/no-shows?"+week, true)
		wantNoShows := map[string][5]int{ // bookings, no-shows, reminded, late cancels, reminded
			h.review.ID + " " + h.chiro.ID:      {6, 1, 0, 1, 1},
			h.massage.ID + " " + h.therapist.ID: {6, 1, 1, 1, 0},
		}
		got := noShows["rows"].([]any)
		if len(got) != len(wantNoShows) || len(rows) != len(got)+1 {
			t.Fatalf("no-shows rows = %v; CSV %v", got, rows)
		}
		for i, r := range got {
			m := r.(map[string]any)
			key := m["service_id"].(string) + " " + m["practitioner_id"].(string)
			n := [5]int{int(m["bookings"].(float64)), int(m["no_show"].(float64)), int(m["no_show_reminded"].(float64)),
				int(m["late_cancel"].(float64)), int(m["late_cancel_reminded"].(float64))}
			if n != wantNoShows[key] {
				t.Errorf("no-shows %s (%s with %s) = %v, want %v", key, m["service"], m["practitioner"], n, wantNoShows[key])
			}
			csvN := rows[i+1]
			if csvN[0] != m["service_id"] || csvN[4] != strconv.Itoa(n[0]) || csvN[5] != strconv.Itoa(n[1]) || csvN[8] != strconv.Itoa(n[4]) {
				t.Errorf("no-shows CSV row %v differs from %v", csvN, m)
			}
		}
	})
}

func num(v any) string { return strconv.FormatFloat(v.(float64), 'f', -1, 64) }

// TestReportsRefuseBadQueries names the field and keeps practitioners out.
func TestReportsRefuseBadQueries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		for _, tc := range []struct{ path, field string }{
			{"/api/v1/reports/funnel?from=2026-13-01", "from"},
			{"/api/v1/reports/funnel?from=2026-03-10&to=2026-03-01", "to"},
			{"/api/v1/reports/utilisation?from=2020-01-01&to=2026-01-01", "to"},
			{"/api/v1/reports/funnel?group_by=colour", "group_by"},
			{"/api/v1/reports/heatmap?practitioner_id=x", "practitioner_id"},
			{"/api/v1/reports/no-shows?to=tomorrow", "to"},
		} {
			r := e.do(req{method: "GET", path: tc.path, role: domain.RoleAdmin}).want(t, 422, tc.path)
			if !r.hasField(t, tc.field) {
				t.Errorf("%s: 422 does not name %s: %s", tc.path, tc.field, r.body)
			}
		}
		e.do(req{method: "GET", path: "/api/v1/reports/funnel", role: domain.RolePractitioner}).want(t, 403, "practitioner")
		e.do(req{method: "GET", path: "/api/v1/reports/funnel"}).want(t, 401, "anonymous")
		e.do(req{method: "GET", path: "/api/v1/reports/funnel", role: domain.RoleAdmin}).want(t, 200, "default period")
	})
}
