package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// reportYear is a busy clinic's year on PostgreSQL: 13 practitioners, 16
// half-hour visits each working day, 50,000 bookings in all; every eighth
// a case review of a patient of its own, the rest massages; past visits
// mostly completed, some no-shows and cancellations; sources and campaigns
// mixed; half the visits with a delivered reminder in the outbox.
func reportYear(b *testing.B) (*domain.Reports, *storage.Store) {
	b.Helper()
	ctx := context.Background()
	s := storagetest.Open(b, storagetest.Postgres)
	fx := storagetest.Seed(b, s)
	ids := fx.PractitionerIDs()
	for i := len(ids); i < 13; i++ {
		p := domain.Practitioner{Name: fmt.Sprintf("Therapist %02d", i), TimeZone: storagetest.SeedZone, Active: true,
			ServiceIDs: []string{fx.Massage.ID, fx.CaseReview.ID}}
		if err := s.CreatePractitioner(ctx, &p); err != nil {
			b.Fatal(err)
		}
		if err := s.SetWorkingHours(ctx, p.ID, storagetest.WeekdayHours(p.ID)); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	const total = 50000
	patients := make([]domain.Patient, 12000)
	for i := range patients {
		patients[i] = domain.Patient{ID: domain.NewID(), Name: fmt.Sprintf("Patient %d", i),
			Email: fmt.Sprintf("patient%d@example.com", i), CreatedAt: benchYear}
	}
	loc, _ := time.LoadLocation(storagetest.SeedZone)
	statuses := []domain.Status{domain.StatusCompleted, domain.StatusCompleted, domain.StatusCompleted, domain.StatusArrived,
		domain.StatusCompleted, domain.StatusNoShow, domain.StatusCancelled, domain.StatusCompleted, domain.StatusConfirmed}
	sources := []domain.Source{domain.SourceOnline, domain.SourceEmbed, domain.SourceStaff, domain.SourceEmbed}
	campaigns := []string{"", "neck-pain", "desk-posture", "sports-season", ""}
	bookings := make([]domain.Booking, 0, total)
	reviews := 0
	for day := benchYear.In(loc); len(bookings) < total; day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		for _, pid := range ids {
			for slot := range 16 {
				if len(bookings) == total {
					break
				}
				n := len(bookings)
				start := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, loc).Add(time.Duration(slot) * 30 * time.Minute).UTC()
				bk := newBooking(fx, pid, start)
				bk.End, bk.BlockEnd = start.Add(30*time.Minute), start.Add(30*time.Minute)
				bk.Status = statuses[n%len(statuses)]
				bk.Source = sources[n%len(sources)]
				bk.Attribution = domain.Attribution{UTMCampaign: campaigns[n%len(campaigns)]}
				bk.PatientID = patients[reviews+n%(len(patients)-reviews)].ID
				if n%8 == 0 && reviews < len(patients)-1 {
					bk.ServiceID, bk.Complimentary, bk.PatientID = fx.CaseReview.ID, true, patients[reviews].ID
					bk.End, bk.BlockEnd = start.Add(15*time.Minute), start.Add(15*time.Minute)
					reviews++
				}
				if bk.Status == domain.StatusCancelled {
					bk.CancelledAt = start.Add(-time.Duration(n%48) * time.Hour)
				}
				bookings = append(bookings, bk)
			}
		}
	}
	if err := s.BulkInsertBookings(ctx, patients, bookings); err != nil {
		b.Fatal(err)
	}
	if err := s.ExecForTest(ctx, `INSERT INTO outbox (id, booking_id, kind, recipient, status, due_at, sent_at, created_at, payload)
		SELECT gen_random_uuid(), id, 'reminder', 'patient@example.com', 'sent', start_at - interval '1 day',
			start_at - interval '1 day', start_at - interval '3 days', '{}'
		FROM bookings WHERE hashtext(id::text) % 2 = 0`); err != nil {
		b.Fatal(err)
	}
	if err := s.ExecForTest(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return &domain.Reports{Store: s}, s
}

// BenchmarkReports runs each report over the whole year, and as the
// baseline loads the same year's bookings the way a report without SQL
// aggregates would (Bookings, which reads every row into Go).
func BenchmarkReports(b *testing.B) {
	r, s := reportYear(b)
	ctx := context.Background()
	loc, _ := time.LoadLocation(storagetest.SeedZone)
	from := domain.DateOf(benchYear.In(loc))
	q := domain.ReportQuery{From: from, To: from.AddDays(364)}
	for _, bc := range []struct {
		name string
		run  func() error
	}{
		{"funnel", func() error { _, err := r.Funnel(ctx, q); return err }},
		{"utilisation", func() error { _, err := r.Utilisation(ctx, q); return err }},
		{"heatmap", func() error { _, err := r.Heatmap(ctx, q); return err }},
		{"no-shows", func() error { _, err := r.Attendance(ctx, q); return err }},
		{"heatmap-sql-only", func() error {
			_, err := s.BookedHours(ctx, domain.WallClock(q.From, 0, loc), domain.WallClock(q.To.AddDays(1), 0, loc), "")
			return err
		}},
		{"no-shows-sql-only", func() error {
			_, err := s.Attendance(ctx, domain.WallClock(q.From, 0, loc), domain.WallClock(q.To.AddDays(1), 0, loc), 24*time.Hour)
			return err
		}},
		{"baseline-load-every-booking", func() error {
			start := domain.WallClock(q.From, 0, loc)
			list, err := s.Bookings(ctx, domain.BookingFilter{From: start, To: domain.WallClock(q.To.AddDays(1), 0, loc)})
			if err == nil && len(list) < 40000 {
				err = fmt.Errorf("loaded %d bookings, want the year's 50,000", len(list))
			}
			return err
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
