package inbound_test

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/inbound"
)

// FuzzRead feeds the message reader anything: it must never panic (Read
// recovers, so a recovered panic shows as that Malformed text and fails
// here), and what it returns must be fit to store and judge.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml.tmpl"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
	}
	f.Add([]byte("From: a@b\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: x\r\n\r\nFinal-Recipient: rfc822; a@b\r\nAction: failed\r\n--b--\r\n"), "<>")
	f.Add([]byte("From: a@b\r\nContent-Type: text/calendar; method=REPLY\r\nContent-Transfer-Encoding: base64\r\n\r\nQkVHSU46VkNBTEVOREFS\r\n"), "a@b")
	f.Fuzz(func(t *testing.T, raw []byte, envelopeFrom string) {
		m := inbound.Read(raw, envelopeFrom)
		if len(m.Malformed) > 18 && m.Malformed[:18] == "The message could " {
			t.Fatalf("Read panicked: %s", m.Malformed)
		}
		if m.Calendar != nil && m.Calendar.UID == "" {
			t.Fatal("a calendar answer without a UID")
		}
		if m.Bounce != nil && len(m.Bounce.MessageIDs) > 1000 {
			t.Fatalf("%d Message-IDs from one message", len(m.Bounce.MessageIDs))
		}
		if m.From != "" && !utf8.ValidString(m.From) {
			t.Fatalf("From is not valid UTF-8: %q", m.From)
		}
	})
}
