package storage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// TestBookingSourceAndAttribution stores every source with and without an
// attribution and reads them back; an update cannot change them.
func TestBookingSourceAndAttribution(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		attr := domain.Attribution{Referrer: "https://blog.example/neck-pain?x=1", UTMSource: "blog",
			UTMMedium: "article", UTMCampaign: "neck-pain", UTMContent: "footer"}
		for i, src := range domain.Sources {
			b := newBooking(fx, fx.Therapist.ID, monday.Add(time.Duration(i)*2*time.Hour))
			b.Source = src
			if i%2 == 0 {
				b.Attribution = attr
			}
			mustBook(t, s, &b, "p"+string(src)+"@example.com")
			got, err := s.Booking(ctx, b.ID)
			if err != nil {
				t.Fatalf("Booking: %v", err)
			}
			if got.Source != src || !reflect.DeepEqual(got.Attribution, b.Attribution) {
				t.Errorf("source %s: read %s, %+v; want %+v", src, got.Source, got.Attribution, b.Attribution)
			}
			changed := got.Booking
			changed.Source, changed.Attribution = domain.SourceStaff, domain.Attribution{UTMCampaign: "other"}
			changed.Status = domain.StatusArrived
			if err := s.UpdateBooking(ctx, &changed, domain.Effects{}); err != nil {
				t.Fatalf("UpdateBooking: %v", err)
			}
			again, err := s.Booking(ctx, b.ID)
			if err != nil {
				t.Fatalf("Booking: %v", err)
			}
			if again.Status != domain.StatusArrived || again.Source != src || again.Attribution != b.Attribution {
				t.Errorf("after update: %s %s %+v; want arrived, %s, %+v", again.Status, again.Source, again.Attribution, src, b.Attribution)
			}
		}
	})
}
