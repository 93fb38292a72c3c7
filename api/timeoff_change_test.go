package api

import (
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// TestTimeOffChangeInFeeds: PUT changes time off in place; its feed event
// keeps its UID, raises SEQUENCE and gets a new DTSTAMP, never in the future.
func TestTimeOffChangeInFeeds(t *testing.T) {
	forEachFeedEngine(t, func(t *testing.T, fe *feedEnv) {
		id := fe.timeOffThroughAPI(t, fe.ids.therapist, ny(12, 9, 0))
		path := fe.newFeed(t, fe.ids.therapist, domain.PrivacyBusy)
		first := feedText(fe.get(path, nil).want(t, 200, "feed").body)
		uid := "UID:timeoff-" + id
		if !strings.Contains(first, uid) || !strings.Contains(first, "SEQUENCE:0") {
			t.Fatalf("feed lacks the time off at SEQUENCE 0:\n%s", first)
		}
		fe.clock.Advance(time.Hour)
		path2 := "/api/v1/practitioners/" + fe.ids.therapist + "/time-off/" + id
		body := map[string]string{"start": ny(12, 9, 0).Format(time.RFC3339), "end": ny(12, 15, 0).Format(time.RFC3339), "reason": "Longer course"}
		got := fe.do(req{method: "PUT", path: path2, role: domain.RoleAdmin, body: body}).want(t, 200, "update time off").json(t)
		if to := got["time_off"].(map[string]any); to["id"] != id || to["reason"] != "Longer course" {
			t.Errorf("PUT time off = %v", to)
		}
		second := feedText(fe.get(path, nil).want(t, 200, "feed").body)
		event := second[strings.Index(second, uid)-400:]
		if !strings.Contains(second, uid) || !strings.Contains(second, "SEQUENCE:1") || !strings.Contains(second, "DTEND:20310312T190000Z") {
			t.Errorf("after the change the feed shows:\n%s", event)
		}
		for _, line := range strings.Split(second, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "DTSTAMP:"); ok {
				if stamp, err := time.Parse("20060102T150405Z", v); err != nil || stamp.After(fe.clock.Now()) {
					t.Errorf("DTSTAMP %s is in the future of %v (%v)", v, fe.clock.Now(), err)
				}
			}
		}
		fe.do(req{method: "PUT", path: "/api/v1/practitioners/" + fe.ids.chiro + "/time-off/" + id, role: domain.RoleAdmin, body: body}).want(t, 404, "another's time off")
		body["end"] = body["start"]
		fe.do(req{method: "PUT", path: path2, role: domain.RoleAdmin, body: body}).want(t, 422, "end before start")
	})
}
