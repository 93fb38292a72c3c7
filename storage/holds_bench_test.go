package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// BenchmarkPlaceHold places holds through the use case (Scheduler.PlaceHold:
// the checks of a booking, then the hold's transaction: locks, the client's
// previous hold and expired holds deleted, the insert checked by the
// constraints and triggers, the audit row), one browser moving between two
// times so each hold replaces the one before. The baseline, in the same
// run, is CreateBooking's write alone (as BenchmarkCreateBooking).
func BenchmarkPlaceHold(b *testing.B) {
	ctx := context.Background()
	for _, e := range storagetest.Engines() {
		s := storagetest.Open(b, e)
		fx := storagetest.Seed(b, s)
		sch := schedulers([]*storage.Store{s}, domaintest.NewClock(holdClockStart))[0]
		b.Run(string(e)+"/place-hold", func(b *testing.B) {
			i := 0
			for b.Loop() {
				start := monday.Add(time.Duration(i%2) * 4 * time.Hour)
				if _, err := sch.PlaceHold(ctx, domain.HoldRequest{ServiceID: fx.Massage.ID, PractitionerID: fx.Therapist.ID,
					Start: start, ClientKey: "bench-browser", Actor: domain.ActorPatient}); err != nil {
					b.Fatalf("PlaceHold #%d: %v", i, err)
				}
				i++
			}
		})
		b.Run(string(e)+"/create-booking-baseline", func(b *testing.B) {
			i := 0
			for b.Loop() {
				bk := newBooking(fx, fx.Chiropractor.ID, benchYear.Add(time.Duration(i)*70*time.Minute))
				p := newPatient(fmt.Sprintf("bench%d@example.com", i%500))
				fx := domain.Effects{
					Audit: &domain.AuditEntry{Action: "booking.create", EntityType: "booking", EntityID: bk.ID, Actor: domain.ActorPatient, After: bk},
				}
				if err := s.CreateBooking(ctx, &bk, &p, fx); err != nil {
					b.Fatalf("CreateBooking #%d: %v", i, err)
				}
				i++
			}
		})
	}
}
