package domain_test

import (
	"context"
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/domain"
)

// FuzzBookRequestValidate books arbitrary requests against the fixture
// clinic. Book never panics; a refusal is always a domain error a caller can
// answer (never KindInternal); KindInvalid names at least one field; input
// that is plainly wrong is always KindInvalid naming its field; and what is
// accepted is stored clean.
func FuzzBookRequestValidate(f *testing.F) {
	f.Add(uint8(0), "", "", int64(26*60), "", "Jane Doe", "jane@example.com", "+1 555 0199", "", false, "neck", "weeks")
	f.Add(uint8(1), "", "", int64(50*60), "Europe/London", "  Ann  ", "ANN@example.com", "", "notes", true, "back", "years")
	f.Add(uint8(2), "massage", "ben", int64(-5), "Mars/Olympus", "", "not-an-email", "call me", strings.Repeat("x", 1001), true, "knee", "forever")
	f.Add(uint8(0), "", "", int64(0), "Local", "A\nB", "a@b", "1234567", "\xff", false, "", "")
	f.Fuzz(func(t *testing.T, svcSel uint8, svcRaw, practRaw string, minutes int64, tz, name, email, phone, notes string, withIntake bool, pain, duration string) {
		fx := newSchedFixture(t)
		req := domain.BookRequest{
			ServiceID: svcRaw, PractitionerID: practRaw, TimeZone: tz,
			Start:   fx.clock.Now().Add(time.Duration(minutes%(90*24*60)) * time.Minute),
			Patient: domain.Patient{Name: name, Email: email, Phone: phone},
			Notes:   notes, Actor: domain.ActorPatient,
		}
		switch svcSel % 3 {
		case 0:
			req.ServiceID, req.PractitionerID = fx.massage.ID, fx.ben.ID
		case 1:
			req.ServiceID, req.PractitionerID = fx.review.ID, fx.ana.ID
		}
		if withIntake {
			req.Intake = &domain.Intake{PainAreas: []string{pain}, Duration: duration}
		}
		got, err := fx.sched.Book(context.Background(), req)
		if err != nil {
			fuzzCheckRefusal(t, req, err)
			return
		}
		fuzzCheckAccepted(t, fx, req, got)
	})
}

// fuzzCheckRefusal checks a refusal is well formed and names every field
// the test can tell is wrong on its own.
func fuzzCheckRefusal(t *testing.T, req domain.BookRequest, err error) {
	kind := domain.ErrorKind(err)
	if kind == domain.KindInternal {
		t.Fatalf("Book(%+v) = internal error %v", req, err)
	}
	var wrong []string
	name := strings.TrimSpace(req.Patient.Name)
	if name == "" || strings.ContainsAny(name, "\r\n\x00") {
		wrong = append(wrong, "patient.name")
	}
	if !strings.Contains(req.Patient.Email, "@") {
		wrong = append(wrong, "patient.email")
	}
	if !utf8.ValidString(req.Notes) || utf8.RuneCountInString(req.Notes) > domain.MaxNotes {
		wrong = append(wrong, "notes")
	}
	if _, zerr := time.LoadLocation(req.TimeZone); zerr != nil || req.TimeZone == "Local" {
		wrong = append(wrong, "time_zone")
	}
	if !domain.IsID(req.ServiceID) {
		wrong = append(wrong, "service_id")
	}
	if len(wrong) > 0 && kind != domain.KindInvalid {
		t.Fatalf("Book with bad %v = %v (kind %d), want KindInvalid", wrong, err, kind)
	}
	if kind != domain.KindInvalid {
		return
	}
	e := wantErr(t, err, domain.KindInvalid, "")
	if len(e.Problems()) == 0 {
		t.Fatalf("Book = %v: KindInvalid naming no field", err)
	}
	for _, field := range wrong {
		wantErr(t, err, domain.KindInvalid, field)
	}
}

// fuzzCheckAccepted checks an accepted booking is stored clean.
func fuzzCheckAccepted(t *testing.T, fx *schedFixture, req domain.BookRequest, got domain.Booked) {
	p := got.Booking.Patient
	addr, err := mail.ParseAddress(p.Email)
	switch {
	case err != nil || addr.Address != p.Email || p.Email != strings.ToLower(p.Email):
		t.Fatalf("accepted email %q", p.Email)
	case p.Name == "" || p.Name != strings.TrimSpace(p.Name):
		t.Fatalf("accepted name %q", p.Name)
	case utf8.RuneCountInString(got.Booking.Notes) > domain.MaxNotes:
		t.Fatalf("accepted %d characters of notes", utf8.RuneCountInString(got.Booking.Notes))
	case !got.Booking.Start.After(fx.clock.Now()):
		t.Fatalf("accepted a start %v not after now %v", got.Booking.Start, fx.clock.Now())
	case got.ManageToken == "" || len(fx.bookings()) != 1:
		t.Fatalf("accepted without a token or a single stored booking")
	}
	if _, err := time.LoadLocation(got.Booking.TimeZone); err != nil {
		t.Fatalf("accepted zone %q", got.Booking.TimeZone)
	}
}
