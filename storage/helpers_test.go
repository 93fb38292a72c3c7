package storage_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// forEachEngine runs f against a fresh store of every engine.
func forEachEngine(t *testing.T, f func(t *testing.T, s *storage.Store)) {
	t.Helper()
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			f(t, storagetest.Open(t, e))
		})
	}
}

// monday is a Monday in New York, 10:00 local: inside the seeded hours.
var monday = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// newBooking returns a live massage booking of the practitioner at start,
// blocking start to start+70m (60 minutes and 10 minutes' buffer).
func newBooking(fx storagetest.Fixture, practitionerID string, start time.Time) domain.Booking {
	_, hash := domain.NewToken()
	return domain.Booking{
		ID: domain.NewID(), UID: domain.NewID(), ServiceID: fx.Massage.ID, PractitionerID: practitionerID,
		Start: start, End: start.Add(time.Hour), BlockStart: start, BlockEnd: start.Add(70 * time.Minute),
		Status: domain.StatusConfirmed, Source: domain.SourceOnline, TimeZone: "Europe/London",
		AttendeeStatus: domain.AttendeeNeedsAction, ManageHash: hash, CreatedAt: monday.Add(-72 * time.Hour), UpdatedAt: monday.Add(-72 * time.Hour),
	}
}

// newPatient returns a patient with the email.
func newPatient(email string) domain.Patient {
	return domain.Patient{Name: "Ada Lovelace", Email: email, Phone: "+44 20 7946 0000"}
}

// mustBook stores b for the patient with the email, failing the test on error.
func mustBook(t *testing.T, s *storage.Store, b *domain.Booking, email string) domain.Patient {
	t.Helper()
	p := newPatient(email)
	if err := s.CreateBooking(context.Background(), b, &p, domain.Effects{}); err != nil {
		t.Fatalf("CreateBooking(%s at %s): %v", b.PractitionerID, b.Start, err)
	}
	return p
}

// jsonEqual reports whether v encodes to the JSON text want.
func jsonEqual(v any, want string) bool {
	b, err := json.Marshal(v)
	return err == nil && string(b) == want
}
