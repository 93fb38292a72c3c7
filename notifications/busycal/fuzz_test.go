package busycal

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// FuzzExpand feeds the expander arbitrary files: it must answer an
// *InvalidError or busy instances that lie in the window, start before
// they end, come sorted and stay within the limits, quickly.
func FuzzExpand(f *testing.F) {
	for _, fx := range fixtures {
		body, err := os.ReadFile(filepath.Join("testdata", fx.file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260105T090000Z\r\nDURATION:PT1S\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260105T040000\r\nDTEND:20260105T050000\r\nRRULE:FREQ=HOURLY;INTERVAL=24;BYHOUR=5\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20240229\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte("BEGIN:VCALENDAR\r\nX;A=b\r\nEND:VCALENDAR\r\n"))
	zone, _ := time.LoadLocation("Europe/Berlin")
	window := domain.Interval{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	lim := Limits{MaxEvents: 2000, MaxPerEvent: 500, MaxSteps: 50_000}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 256<<10 {
			return
		}
		start := time.Now()
		exp, err := Expander{Limits: lim}.Expand(body, domain.ExpandRequest{Zone: zone, Window: window})
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("Expand took %v", took)
		}
		if err != nil {
			if _, ok := err.(*InvalidError); !ok {
				t.Fatalf("Expand error %T %v, want *InvalidError", err, err)
			}
			return
		}
		if len(exp.Events) > lim.MaxEvents {
			t.Fatalf("%d events, limit %d", len(exp.Events), lim.MaxEvents)
		}
		for i, e := range exp.Events {
			if !e.Start.Before(e.End) || !e.Start.Before(window.End) || !e.End.After(window.Start) {
				t.Fatalf("event %v outside the window or empty", e.Interval)
			}
			if i > 0 && e.Start.Before(exp.Events[i-1].Start) {
				t.Fatalf("events not sorted at %d", i)
			}
		}
	})
}
