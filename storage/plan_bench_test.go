package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// BenchmarkPlan12 books a 12-visit weekly plan (one transaction: the
// plan, 12 visits, the series email, 12 reminders, the practitioner's
// note and 14 audit rows) through domain.Plans on each engine, and as the
// baseline in the same run the same 12 visits booked one by one through
// Scheduler.Book, as the front desk had to before plans. Each iteration's
// visits are cancelled again outside the measured time, so every iteration
// finds the same free calendar (and one more set of cancelled rows).
// Reported: p50 and p99 of one plan, and of the 12 single bookings.
func BenchmarkPlan12(b *testing.B) {
	for _, engine := range storagetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			s := storagetest.Open(b, engine)
			e := newPlanEnv(b, s)
			ctx := context.Background()
			patient := domain.Patient{Name: "Bench", Email: "bench@example.com"}
			first := planFirst.AddDate(0, 0, 1) // Tuesday 10:00
			var plans, singles []time.Duration
			n := 0
			for b.Loop() {
				n++
				req := e.request("", first, 12, domain.OnConflictFail)
				req.PatientID = benchPatient(b, e, &patient)
				t0 := time.Now()
				got, err := e.plans.Create(ctx, req)
				plans = append(plans, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := e.plans.CancelRest(ctx, e.staff, got.Plan.ID, time.Time{}, ""); err != nil {
					b.Fatal(err)
				}
				t0 = time.Now()
				var ids []string
				for _, start := range domain.SeriesStarts(first, 1, 12, e.fx.Therapist.Location()) {
					one, err := e.plans.Scheduler.Book(ctx, domain.BookRequest{ServiceID: e.fx.Massage.ID,
						PractitionerID: e.fx.Therapist.ID, Start: start, Patient: patient, Actor: e.staff})
					if err != nil {
						b.Fatal(err)
					}
					ids = append(ids, one.Booking.ID)
				}
				singles = append(singles, time.Since(t0))
				for _, id := range ids {
					if _, err := e.plans.Scheduler.Cancel(ctx, e.staff, id, ""); err != nil {
						b.Fatal(err)
					}
				}
			}
			percentiles(b, "plan", plans)
			percentiles(b, "12-singles", singles)
		})
	}
}

// benchPatient stores the bench patient once and returns its id.
func benchPatient(b *testing.B, e planEnv, p *domain.Patient) string {
	if p.ID != "" {
		return p.ID
	}
	rv := e.reviewAt(b, p.Email, time.Date(2026, 10, 2, 14, 0, 0, 0, time.UTC))
	*p = rv.Patient
	return p.ID
}

// percentiles reports the p50 and p99 (ms) of took.
func percentiles(b *testing.B, kind string, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	at := func(p float64) float64 {
		return float64(took[int(float64(len(took)-1)*p)]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), kind+"-p50-ms")
	b.ReportMetric(at(0.99), kind+"-p99-ms")
}
