package notifications

import (
	"context"
	"net/mail"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
)

// TestSenderNameInFromAndOrganizer: a clinic whose MAIL_FROM carries a
// display name sends every invite (patient and practitioner alike) From that
// name, and the invite's ORGANIZER has it as CN; read back from a real SMTP
// server and the .ics parsed again.
func TestSenderNameInFromAndOrganizer(t *testing.T) {
	s := startSink(t)
	msgs := lifecycle()
	inv := testMessage(domain.MessagePractitionerInvite)
	inv.ID = "aaaaaaaa-0000-4000-8000-000000000009"
	inv.To = inv.Notice.PractitionerEmail
	msgs = append(msgs, inv)
	for i := range msgs {
		msgs[i].Notice.SenderName = "Riverside Clinic"
	}
	w := newWorker(t, newMemOutbox(msgs...), s.url(), domaintest.NewClock(fixedNow.Add(time.Hour)), &logBuffer{})
	if sent, err := w.RunOnce(context.Background()); err != nil || sent != len(msgs) {
		t.Fatalf("RunOnce = %d, %v; want %d, nil", sent, err, len(msgs))
	}
	got := s.messages()
	if len(got) != len(msgs) {
		t.Fatalf("the sink got %d messages, want %d", len(got), len(msgs))
	}
	for i, raw := range got {
		h, parts := parseMIME(t, raw)
		from, err := mail.ParseAddress(h.Get("From"))
		if err != nil || from.Name != "Riverside Clinic" || from.Address != "frontdesk@riverside.example" {
			t.Errorf("message %d From = %q (%v), want Riverside Clinic <frontdesk@riverside.example>", i, h.Get("From"), err)
		}
		org := organizer(t, parts)
		if org == nil {
			t.Errorf("message %d has no invite with an ORGANIZER", i)
			continue
		}
		if cn := org.Params.Get(ical.ParamCommonName); cn != "Riverside Clinic" || org.Value != "mailto:frontdesk@riverside.example" {
			t.Errorf("message %d ORGANIZER = CN %q %s, want CN Riverside Clinic mailto:frontdesk@riverside.example", i, cn, org.Value)
		}
	}
}

// TestSenderNameFallsBackToClinicName: a notice without a sender name (one
// written before the clinic had one) comes from the clinic's name.
func TestSenderNameFallsBackToClinicName(t *testing.T) {
	n := testNotice()
	if got := n.Sender(); got != n.ClinicName {
		t.Errorf("Sender() = %q, want the clinic's name %q", got, n.ClinicName)
	}
	n.SenderName = "Front Desk"
	if got := n.Sender(); got != "Front Desk" {
		t.Errorf("Sender() = %q, want Front Desk", got)
	}
}

// organizer returns the ORGANIZER of the invite attached to an email, or nil.
func organizer(t *testing.T, parts []part) *ical.Prop {
	t.Helper()
	for _, p := range parts {
		if p.path != "multipart/mixed/application/ics" {
			continue
		}
		_, ev := decode(t, p.body)
		if prop := ev.Props.Get(ical.PropOrganizer); prop != nil {
			return prop
		}
	}
	return nil
}
