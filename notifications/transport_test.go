package notifications

import (
	"context"
	"errors"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/domain"
)

func TestNewTransport(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want SMTPTransport
	}{
		{"smtp://user:p%40ss@mail.example.com:2525", SMTPTransport{Host: "mail.example.com", Port: 2525, Username: "user", Password: "p@ss", TLS: TLSOpportunistic}},
		{"smtp://mail.example.com", SMTPTransport{Host: "mail.example.com", Port: 587, TLS: TLSOpportunistic}},
		{"smtp://mail.example.com:587?tls=required", SMTPTransport{Host: "mail.example.com", Port: 587, TLS: TLSRequired}},
		{"smtp://127.0.0.1:1025?tls=none", SMTPTransport{Host: "127.0.0.1", Port: 1025, TLS: TLSNone}},
		{"smtps://u:p@mail.example.com", SMTPTransport{Host: "mail.example.com", Port: 465, Username: "u", Password: "p", TLS: TLSImplicit}},
		{"smtps://mail.example.com:4650?tls=required", SMTPTransport{Host: "mail.example.com", Port: 4650, TLS: TLSImplicit}},
		{"smtp://[::1]:25?tls=none", SMTPTransport{Host: "::1", Port: 25, TLS: TLSNone}},
	} {
		tr, err := NewTransport(tc.url, "")
		if err != nil {
			t.Errorf("NewTransport(%q) = %v", tc.url, err)
			continue
		}
		got, ok := tr.(*SMTPTransport)
		if !ok || *got != tc.want {
			t.Errorf("NewTransport(%q) = %+v, want %+v", tc.url, tr, tc.want)
		}
	}
}

func TestNewTransportRejects(t *testing.T) {
	for _, raw := range []string{
		"mail.example.com:25",
		"http://mail.example.com",
		"smtp://:25",
		"smtp://user:secret@host:99999",
		"smtp://user:secret@host:port",
		"smtp://host:25?tls=maybe",
		"smtp://host:25?tls=none&tls=required",
		"smtp://host:25?timeout=5",
		"smtps://host?tls=none",
		"smtp://host:25/path",
		"smtp://user:secret@host%zz:25",
	} {
		_, err := NewTransport(raw, "")
		var e *domain.Error
		if !errors.As(err, &e) || e.Kind != domain.KindInvalid || e.Field != "SMTP_URL" {
			t.Errorf("NewTransport(%q) = %v, want KindInvalid on SMTP_URL", raw, err)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("NewTransport(%q) error %q shows the password", raw, err)
		}
	}
}

func TestFileTransport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	tr, err := NewTransport("", dir)
	if err != nil {
		t.Fatal(err)
	}
	msg := testMessage(domain.MessageConfirmation)
	for range 2 { // a message written twice is one file
		m, err := Compose(msg)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Send(context.Background(), m); err != nil {
			t.Fatalf("Send = %v", err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != msg.ID+"@riverside.example.eml" {
		t.Fatalf("mail dir holds %v, want one %s@riverside.example.eml", entries, msg.ID)
	}
	f, err := os.Open(filepath.Join(dir, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parsed, err := mail.ReadMessage(f)
	if err != nil || parsed.Header.Get("Message-Id") != messageID(msg) {
		t.Errorf("the .eml file does not read back (%v)", err)
	}
	if _, err := NewTransport("", ""); err == nil {
		t.Error(`NewTransport("", "") = nil error, want one naming DATA_DIR`)
	}
}

func TestSMTPTransportConnectionRefused(t *testing.T) {
	s := startSink(t)
	s.stop()
	tr, err := NewTransport(s.url(), "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compose(testMessage(domain.MessageReminder))
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Send(context.Background(), m)
	var de *DeliveryError
	if err == nil || errors.As(err, &de) {
		t.Errorf("Send to a closed port = %v, want a plain error (nothing delivered)", err)
	}
}

func TestSMTPTransportPartialDelivery(t *testing.T) {
	s := startSink(t)
	s.refuse("bounce@example.org")
	tr, err := NewTransport(s.url(), "")
	if err != nil {
		t.Fatal(err)
	}
	good, bad := testMessage(domain.MessageConfirmation), testMessage(domain.MessageReminder)
	bad.ID, bad.To = "11111111-2222-4333-8444-555555555555", "bounce@example.org"
	mGood, err := Compose(good)
	if err != nil {
		t.Fatal(err)
	}
	mBad, err := Compose(bad)
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Send(context.Background(), mBad, mGood)
	var de *DeliveryError
	if !errors.As(err, &de) || len(de.Errs) != 2 || de.Errs[0] == nil || de.Errs[1] != nil {
		t.Fatalf("Send(bad, good) = %v, want a DeliveryError for the first only", err)
	}
	if !strings.Contains(de.Errs[0].Error(), "550") {
		t.Errorf("the refusal %q does not carry the server's 550", de.Errs[0])
	}
	if got := s.count()[messageID(good)]; got != 1 {
		t.Errorf("the good message arrived %d times, want 1", got)
	}
}
