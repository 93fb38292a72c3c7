package notifications

import (
	"bytes"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixedNow is the tests' "now"; the visit is a week later, Tuesday 1 December
// 2026 at 9:00 AM in New York.
var fixedNow = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

func testNotice() domain.Notice {
	return domain.Notice{
		UID:               "5f0c1a8e-7b7d-4c43-9d8e-2f7a1e6b9c01",
		Sequence:          0,
		Status:            domain.StatusConfirmed,
		ClinicName:        "Riverside Chiropractic & Massage",
		ClinicEmail:       "frontdesk@riverside.example",
		ClinicPhone:       "+1 212 555 0100",
		ClinicAddress:     "12 River Street, Suite 3\nNew York, NY 10001",
		ClinicTimeZone:    "America/New_York",
		WhatToBring:       "Comfortable clothes and a list of any medication you take.",
		CancelPolicy:      "Cancel or reschedule online up to 24 hours before your visit; later, please call us.",
		PatientName:       "Jane Doe",
		PatientEmail:      "jane.doe@example.org",
		TimeZone:          "America/New_York",
		PractitionerName:  "Dr. Sam Rivera",
		PractitionerTitle: "Chiropractor",
		PractitionerEmail: "sam.rivera@riverside.example",
		ServiceName:       "Complimentary Case Review",
		ServiceKind:       domain.KindCaseReview,
		Start:             time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC),
		End:               time.Date(2026, 12, 1, 14, 15, 0, 0, time.UTC),
		ManageURL:         "https://book.riverside.example/manage/Xk3v9QeYlT0m2hJ8sWc4uN6pB1rD5fG7aZ0yE2iK4oM",
		BookURL:           "https://book.riverside.example/book/7e1d2c3b-4a5f-4e6d-8c7b-9a0f1e2d3c4b",
		Changed:           fixedNow,
	}
}

func testMessage(kind domain.MessageKind) domain.Message {
	n := testNotice()
	to := n.PatientEmail
	switch kind {
	case domain.MessageRescheduled:
		n.Sequence, n.Previous = 1, n.Start
		n.Start, n.End = n.Start.Add(24*time.Hour), n.End.Add(24*time.Hour)
	case domain.MessageCancellation:
		n.Sequence, n.Status = 1, domain.StatusCancelled
	case domain.MessagePractitioner:
		to = n.PractitionerEmail
	}
	return domain.Message{
		ID:        "9b2d7c4e-1f3a-4e5b-8c6d-0a1b2c3d4e5f",
		BookingID: "0d6f4c2a-8b1e-4f3d-9a7c-5e2b1d0c9f8a",
		Kind:      kind,
		To:        to,
		Status:    domain.MessagePending,
		DueAt:     fixedNow,
		CreatedAt: fixedNow,
		Notice:    n,
	}
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./notifications -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

// checkLines fails unless every line of ics ends in CRLF, holds at most 75
// octets and the whole is valid UTF-8.
func checkLines(t *testing.T, ics []byte) {
	t.Helper()
	if !utf8.Valid(ics) {
		t.Error("not valid UTF-8")
	}
	if !bytes.HasSuffix(ics, []byte("\r\n")) {
		t.Error("does not end with CRLF")
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(ics, []byte("\r\n")), []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 75 {
			t.Errorf("line %d has %d octets: %q", i+1, len(line), line)
		}
		if !utf8.Valid(line) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, line)
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newMemOutbox returns the shared in-memory store holding msgs as pending
// outbox rows, for the tests of the worker's own logic.
func newMemOutbox(msgs ...domain.Message) *domaintest.Store {
	s := domaintest.NewStore(domain.Clinic{})
	s.AddMessages(msgs...)
	return s
}

// messageID is the Message-ID header Compose gives m.
func messageID(m domain.Message) string {
	return "<" + m.ID + "@" + senderDomain(m.Notice.ClinicEmail) + ">"
}
