package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/domain"
)

// TestBusyCalendarRoutes adds, lists and removes a busy calendar; the URL
// never comes back, bad input is a problem naming the field, and only staff
// (a practitioner: their own) may see them.
func TestBusyCalendarRoutes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		base := "/api/v1/practitioners/" + e.ids.therapist + "/busy-calendars"
		const secret = "private-8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a"
		url := "webcal://calendar.google.com/calendar/ical/jordan%40example.com/" + secret + "/basic.ics"

		r := e.do(req{method: http.MethodPost, path: base, role: domain.RoleFrontDesk, body: map[string]any{"url": url}}).want(t, http.StatusCreated, "POST busy-calendars")
		if strings.Contains(string(r.body), secret) || strings.Contains(string(r.body), "jordan") {
			t.Errorf("the answer shows the URL: %s", r.body)
		}
		var created struct {
			Calendar busyCalendarJSON `json:"calendar"`
		}
		if err := json.Unmarshal(r.body, &created); err != nil {
			t.Fatal(err)
		}
		if c := created.Calendar; c.URLHint != "https://calendar.google.com/…" || c.Label != "Google Calendar" || c.LastFetchedAt != nil || c.LastError != nil {
			t.Errorf("created = %+v", c)
		}
		e.do(req{method: http.MethodPost, path: base, role: domain.RoleFrontDesk, body: map[string]any{"url": url}}).want(t, http.StatusConflict, "POST the same URL")

		for _, bad := range []map[string]any{
			{"url": "file:///etc/passwd"}, {"url": "https://"}, {"url": ""}, {"url": "https://x.example/c.ics", "label": strings.Repeat("x", 101)},
		} {
			r := e.do(req{method: http.MethodPost, path: base, role: domain.RoleFrontDesk, body: bad}).want(t, http.StatusUnprocessableEntity, "POST bad input")
			if !strings.Contains(string(r.body), `"field":"url"`) && !strings.Contains(string(r.body), `"field":"label"`) {
				t.Errorf("problem %s names no field", r.body)
			}
		}
		e.do(req{method: http.MethodPost, path: base, role: domain.RoleFrontDesk, body: `{"url":"https://x.example/c.ics","colour":"red"}`}).want(t, http.StatusBadRequest, "POST unknown field")

		list := e.do(req{method: http.MethodGet, path: base, role: domain.RoleFrontDesk}).want(t, http.StatusOK, "GET busy-calendars")
		var got struct {
			Calendars []busyCalendarJSON `json:"calendars"`
		}
		if err := json.Unmarshal(list.body, &got); err != nil || len(got.Calendars) != 1 || strings.Contains(string(list.body), secret) {
			t.Fatalf("GET = %s, %v", list.body, err)
		}
		e.do(req{method: http.MethodGet, path: base}).want(t, http.StatusUnauthorized, "GET anonymously")
		other := "/api/v1/practitioners/" + e.ids.chiro + "/busy-calendars"
		e.do(req{method: http.MethodGet, path: other, role: domain.RolePractitioner}).want(t, http.StatusForbidden, "GET another practitioner's")

		e.do(req{method: http.MethodDelete, path: other + "/" + got.Calendars[0].ID, role: domain.RoleFrontDesk}).want(t, http.StatusNotFound, "DELETE under another practitioner")
		e.do(req{method: http.MethodDelete, path: base + "/" + got.Calendars[0].ID, role: domain.RoleFrontDesk}).want(t, http.StatusNoContent, "DELETE")
		e.do(req{method: http.MethodDelete, path: base + "/" + got.Calendars[0].ID, role: domain.RoleFrontDesk}).want(t, http.StatusNotFound, "DELETE again")
	})
}
