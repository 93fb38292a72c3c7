package notifications

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/frontdesk/frontdesk/domain"
)

func testFeed(events int) domain.Feed {
	f := domain.Feed{Name: "Riverside Chiropractic & Massage — Dr. Sam Rivera", TimeZone: "America/New_York",
		LastModified: fixedNow}
	start := time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)
	for i := range events {
		s := start.Add(time.Duration(i) * 30 * time.Minute)
		f.Events = append(f.Events, domain.FeedEvent{
			UID:          fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			Sequence:     i % 3,
			Summary:      "Deep Tissue Massage 60 min · " + domain.Initials("Zoë Ångström"),
			Start:        s,
			End:          s.Add(time.Hour),
			Cancelled:    i%7 == 6,
			Practitioner: "Dr. Sam Rivera",
			LastModified: fixedNow.Add(-time.Duration(i) * time.Minute),
		})
	}
	if events > 0 {
		f.Events = append(f.Events, domain.FeedEvent{
			UID: "timeoff-3c9a", Summary: "Away", Busy: true, Practitioner: "Dr. Sam Rivera",
			Start: start.Add(-24 * time.Hour), End: start.Add(-16 * time.Hour), LastModified: start.Add(-24 * time.Hour),
		})
	}
	return f
}

func TestFeedCalendar(t *testing.T) {
	f := testFeed(7)
	ics, err := FeedCalendar(f)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, ics)
	golden(t, "feed.ics.golden", ics)
	again, err := FeedCalendar(f)
	if err != nil || !bytes.Equal(ics, again) {
		t.Errorf("FeedCalendar is not deterministic (err %v)", err)
	}
	for _, want := range []string{
		"\r\nX-WR-CALNAME:Riverside Chiropractic & Massage — Dr. Sam Rivera\r\n",
		"\r\nNAME:Riverside Chiropractic & Massage — Dr. Sam Rivera\r\n",
		"\r\nX-WR-TIMEZONE:America/New_York\r\n",
		"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n",
		"\r\nX-PUBLISHED-TTL:PT15M\r\n",
	} {
		if !bytes.Contains(ics, []byte(want)) {
			t.Errorf("feed lacks %q", strings.TrimSpace(want))
		}
	}
	for _, banned := range []string{"METHOD", "ORGANIZER", "ATTENDEE"} {
		if bytes.Contains(ics, []byte("\r\n"+banned)) {
			t.Errorf("feed has %s", banned)
		}
	}
	cal, err := ical.NewDecoder(bytes.NewReader(ics)).Decode()
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	events := cal.Events()
	if len(events) != len(f.Events) {
		t.Fatalf("got %d events, want %d", len(events), len(f.Events))
	}
	for i, ev := range events {
		want := f.Events[i]
		wantStatus, wantTransp := "CONFIRMED", "OPAQUE"
		if want.Cancelled {
			wantStatus, wantTransp = "CANCELLED", "TRANSPARENT"
		}
		stamp := want.LastModified.UTC().Format("20060102T150405Z")
		for name, w := range map[string]string{
			"UID": want.UID, "SEQUENCE": fmt.Sprint(want.Sequence), "STATUS": wantStatus, "TRANSP": wantTransp,
			"DTSTAMP": stamp, "LAST-MODIFIED": stamp,
		} {
			if got := propText(t, ev.Props, name); got != w {
				t.Errorf("event %d %s = %q, want %q", i, name, got, w)
			}
		}
		start, err := ev.DateTimeStart(time.UTC)
		if err != nil || !start.Equal(want.Start) {
			t.Errorf("event %d DTSTART = %v (%v), want %v", i, start, err, want.Start)
		}
	}
	if got := propText(t, events[len(events)-1].Props, "SUMMARY"); got != "Away (Dr. Sam Rivera)" {
		t.Errorf("busy block SUMMARY = %q", got)
	}
}

func TestFeedCalendarEmpty(t *testing.T) {
	ics, err := FeedCalendar(domain.Feed{Name: "Quiet", TimeZone: "Europe/London"})
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, ics)
	if !bytes.HasPrefix(ics, []byte("BEGIN:VCALENDAR\r\n")) || !bytes.HasSuffix(ics, []byte("END:VCALENDAR\r\n")) {
		t.Errorf("empty feed is not a calendar:\n%s", ics)
	}
}

func TestFeedCalendarRejectsBadEvent(t *testing.T) {
	f := testFeed(2)
	f.Events[1].End = f.Events[1].Start
	_, err := FeedCalendar(f)
	var e *domain.Error
	if !errors.As(err, &e) || e.Kind != domain.KindInvalid || e.Field != "events.end" {
		t.Errorf("FeedCalendar with an empty event = %v, want KindInvalid on events.end", err)
	}
}
