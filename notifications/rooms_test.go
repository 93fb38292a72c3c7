package notifications

import (
	"bytes"
	"strings"
	"testing"

	"github.com/emersion/go-ical"

	"github.com/frontdesk/frontdesk/domain"
)

// TestComposeRoom: an email names the room only when the notice carries one
// (the scheduler puts it there for patients only when the clinic wants it),
// in the text, the HTML and the invite's description.
func TestComposeRoom(t *testing.T) {
	for _, kind := range []domain.MessageKind{domain.MessageConfirmation, domain.MessageReminder, domain.MessagePractitioner} {
		for _, room := range []string{"", "Treatment room 2"} {
			msg := testMessage(kind)
			msg.Notice.Room = room
			m, err := Compose(msg)
			if err != nil {
				t.Fatal(err)
			}
			raw := string(writeMsg(t, m))
			_, parts := parseMIME(t, []byte(raw))
			for _, p := range parts {
				body := string(p.body)
				if got := strings.Contains(body, "Treatment room 2"); got != (room != "") {
					t.Errorf("%s with room %q: part %s names the room: %v", kind, room, p.path, got)
				}
				if room == "" && strings.Contains(body, "Room:") {
					t.Errorf("%s without a room: part %s has a Room line", kind, p.path)
				}
			}
		}
	}
}

// TestFeedCalendarRoom: a visit in a room carries it as LOCATION; one
// without has none, and a feed with no rooms keeps its fingerprint.
func TestFeedCalendarRoom(t *testing.T) {
	f := testFeed(2)
	before := f.Fingerprint()
	f.Events[0].Room = "Treatment room 2, upstairs"
	if f.Fingerprint() == before {
		t.Error("a room does not change the feed's fingerprint")
	}
	f.Events[0].Room = ""
	if f.Fingerprint() != before {
		t.Error("an empty room changes the feed's fingerprint")
	}
	f.Events[0].Room = "Treatment room 2, upstairs"
	ics, err := FeedCalendar(f)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, ics)
	cal, err := ical.NewDecoder(bytes.NewReader(ics)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	events := cal.Events()
	if got := propText(t, events[0].Props, "LOCATION"); got != "Treatment room 2, upstairs" {
		t.Errorf("LOCATION = %q", got)
	}
	if p := events[1].Props.Get("LOCATION"); p != nil {
		t.Errorf("event without a room has LOCATION %q", p.Value)
	}
}
