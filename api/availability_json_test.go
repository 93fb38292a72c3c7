package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// TestAppendAvailabilityMatchesEncodingJSON: the hand-written encoder gives
// the bytes echo's c.JSON gave before, for any zone and id.
func TestAppendAvailabilityMatchesEncodingJSON(t *testing.T) {
	start := time.Date(2031, 3, 30, 0, 45, 0, 0, time.UTC) // around a DST change in Europe
	for _, zone := range []string{"UTC", "Europe/London", "America/Argentina/Buenos_Aires", "Asia/Kolkata", "Etc/GMT+5"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 1, 7} {
			var slots []domain.Slot
			for i := range n {
				s := start.Add(time.Duration(i) * 37 * time.Minute)
				id := domain.NewID()
				if i == 3 {
					id = `odd"<&>\` + "\u2028é"
				}
				slots = append(slots, domain.Slot{Start: s, End: s.Add(time.Hour), PractitionerID: id})
			}
			out := make([]slotJSON, 0, len(slots))
			for _, sl := range slots {
				out = append(out, slotJSON{Start: rfc3339(sl.Start, loc), End: rfc3339(sl.End, loc), PractitionerID: sl.PractitionerID})
			}
			var want bytes.Buffer
			if err := json.NewEncoder(&want).Encode(map[string]any{"time_zone": loc.String(), "slots": out}); err != nil {
				t.Fatal(err)
			}
			if got := appendAvailability(nil, slots, loc); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("%s, %d slots:\ngot  %s\nwant %s", zone, n, got, want.Bytes())
			}
		}
	}
}
