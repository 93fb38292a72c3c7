package notifications

import (
	"strings"
	"testing"

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
