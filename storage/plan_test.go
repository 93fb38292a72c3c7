package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// planNow is a Thursday before the end of daylight saving time in New
// York (2026-11-01): a weekly plan from Monday 5 October crosses it.
var planNow = time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)

// planFirst is Monday 5 October 2026, 10:00 in New York (EDT).
var planFirst = time.Date(2026, 10, 5, 14, 0, 0, 0, time.UTC)

type planEnv struct {
	store *storage.Store
	fx    storagetest.Fixture
	plans *domain.Plans
	staff domain.Actor
}

func newPlanEnv(t testing.TB, s *storage.Store) planEnv {
	t.Helper()
	fx := storagetest.Seed(t, s)
	sched := &domain.Scheduler{Store: s, Clock: domaintest.NewClock(planNow), BaseURL: "https://clinic.example"}
	staff := domain.Actor{UserID: domain.NewID(), Name: "Front Desk", Role: domain.RoleFrontDesk}
	return planEnv{store: s, fx: fx, plans: &domain.Plans{Scheduler: sched, Store: s}, staff: staff}
}

// review books a case review for a new patient and returns it.
func (e planEnv) review(t testing.TB, email string) domain.BookingDetail {
	return e.reviewAt(t, email, time.Date(2026, 10, 2, 14, 0, 0, 0, time.UTC)) // Friday 10:00
}

func (e planEnv) reviewAt(t testing.TB, email string, start time.Time) domain.BookingDetail {
	t.Helper()
	got, err := e.plans.Scheduler.Book(context.Background(), domain.BookRequest{
		ServiceID: e.fx.CaseReview.ID, PractitionerID: e.fx.Chiropractor.ID,
		Start:   start,
		Patient: domain.Patient{Name: "Rosa Parks", Email: email},
		Intake:  &domain.Intake{PainAreas: []string{"back"}, Duration: "months", Tried: []string{"nothing"}},
		Actor:   domain.ActorPatient,
	})
	if err != nil {
		t.Fatalf("book case review: %v", err)
	}
	return got.Booking
}

func (e planEnv) request(reviewID string, first time.Time, count int, rule domain.OnConflict) domain.PlanRequest {
	return domain.PlanRequest{Actor: e.staff, BookingID: reviewID, ServiceID: e.fx.Massage.ID,
		PractitionerID: e.fx.Therapist.ID, FirstStart: first, EveryWeeks: 1, Count: count, OnConflict: rule}
}

func TestPlanKeepsLocalTimeAcrossDST(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		e := newPlanEnv(t, s)
		ctx := context.Background()
		rv := e.review(t, "rosa@example.com")
		got, err := e.plans.Create(ctx, e.request(rv.ID, planFirst, 12, domain.OnConflictFail))
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		ny, _ := time.LoadLocation(storagetest.SeedZone)
		if len(got.Plan.Visits) != 12 {
			t.Fatalf("visits = %d, want 12", len(got.Plan.Visits))
		}
		offsets := map[int]bool{}
		for i, v := range got.Plan.Visits {
			local := v.Start.In(ny)
			if local.Hour() != 10 || local.Minute() != 0 || local.Weekday() != time.Monday {
				t.Errorf("visit %d starts %s, want Monday 10:00 New York time", i, local)
			}
			_, off := local.Zone()
			offsets[off] = true
		}
		if len(offsets) != 2 {
			t.Errorf("the series should cross the change of time (offsets %v)", offsets)
		}
		stored, err := s.Plan(ctx, got.Plan.ID)
		if err != nil {
			t.Fatalf("Plan: %v", err)
		}
		if len(stored.Visits) != 12 || stored.SourceBookingID != rv.ID || stored.PatientID != rv.PatientID {
			t.Fatalf("stored plan = %d visits, source %q, patient %q", len(stored.Visits), stored.SourceBookingID, stored.PatientID)
		}
		for i, v := range stored.Visits {
			if v.PlanID != got.Plan.ID || v.Source != domain.SourcePlan || !v.Start.Equal(got.Plan.Visits[i].Start) {
				t.Errorf("stored visit %d = plan %q source %q start %s", i, v.PlanID, v.Source, v.Start)
			}
		}
		review, _ := s.Booking(ctx, rv.ID)
		if review.ReviewOutcome != domain.OutcomePlanStarted {
			t.Errorf("review outcome = %q, want plan_started", review.ReviewOutcome)
		}
		msgs, _ := s.Messages(ctx, domain.MessageFilter{Limit: 500})
		var series int
		for _, m := range msgs {
			if m.Kind == domain.MessagePlanConfirmation {
				series++
				if m.Notice.Series == nil || len(m.Notice.Series.Visits) != 12 {
					t.Errorf("the series email lists %v", m.Notice.Series)
				}
			}
		}
		if series != 1 {
			t.Errorf("series confirmations = %d, want 1", series)
		}
	})
}

func TestPlanConflictingWeek(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		e := newPlanEnv(t, s)
		ctx := context.Background()
		rv := e.review(t, "rosa@example.com")
		week5 := domain.SeriesStarts(planFirst, 1, 12, e.fx.Therapist.Location())[4]
		other := newBooking(e.fx, e.fx.Therapist.ID, week5.Add(30*time.Minute))
		mustBook(t, s, &other, "other@example.com")

		_, err := e.plans.Create(ctx, e.request(rv.ID, planFirst, 12, domain.OnConflictFail))
		conflicts, ok := domain.ConflictsOf(err)
		if !ok || len(conflicts) != 1 || !conflicts[0].Start.Equal(week5) || conflicts[0].Reason != "taken" {
			t.Fatalf("Create = %v, want one conflict at %s", err, week5)
		}
		if len(conflicts[0].Alternatives) == 0 {
			t.Errorf("no alternatives offered for %s", week5)
		}
		for _, alt := range conflicts[0].Alternatives {
			if alt.Before(week5.AddDate(0, 0, -3)) || alt.After(week5.AddDate(0, 0, 4)) {
				t.Errorf("alternative %s is not near %s", alt, week5)
			}
		}
		if n := patientVisits(t, s, rv.PatientID); n != 1 {
			t.Fatalf("after a refused plan the patient has %d bookings, want only the review", n)
		}
		if plans, _ := s.Plans(ctx, domain.PlanFilter{PatientID: rv.PatientID}); len(plans) != 0 {
			t.Fatalf("a refused plan was stored: %v", plans)
		}

		got, err := e.plans.Create(ctx, e.request(rv.ID, planFirst, 12, domain.OnConflictSkip))
		if err != nil {
			t.Fatalf("Create with skip: %v", err)
		}
		if len(got.Plan.Visits) != 11 || len(got.Skipped) != 1 || !got.Skipped[0].Start.Equal(week5) {
			t.Fatalf("skip booked %d, skipped %v", len(got.Plan.Visits), got.Skipped)
		}
		if n := patientVisits(t, s, rv.PatientID); n != 12 {
			t.Fatalf("patient has %d bookings, want the review and 11 visits", n)
		}
	})
}

func patientVisits(t *testing.T, s *storage.Store, patientID string) int {
	t.Helper()
	list, err := s.Bookings(context.Background(), domain.BookingFilter{PatientID: patientID})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// Two front-desk staff book overlapping plans for one practitioner at the
// same moment: whatever the interleaving, no two live visits overlap, and
// each plan is all or nothing (fail) or books around the other (skip).
func TestPlansRacingForOnePractitioner(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		e := newPlanEnv(t, s)
		ctx := context.Background()
		a := e.review(t, "a@example.com")
		b := e.reviewAt(t, "b@example.com", time.Date(2026, 10, 2, 15, 0, 0, 0, time.UTC))
		for round := 0; round < 4; round++ {
			first := planFirst.AddDate(0, 0, 1+round) // Tuesday, Wednesday, …
			reqA := e.request(a.ID, first, 6, domain.OnConflictFail)
			reqB := e.request(b.ID, first.AddDate(0, 0, 14), 6, domain.OnConflictSkip) // weeks 3–8
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, 2)
			for i, req := range []domain.PlanRequest{reqA, reqB} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = e.plans.Create(ctx, req)
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if _, conflict := domain.ConflictsOf(err); err != nil && !conflict {
					t.Fatalf("round %d plan %d: %v", round, i, err)
				}
			}
			if errs[0] == nil && errs[1] == nil {
				// B booked around A: only its last two weeks are free.
				if n := planVisitCount(t, s, b.PatientID, first.AddDate(0, 0, 14)); n != 2 {
					t.Errorf("round %d: B booked %d visits around A, want 2", round, n)
				}
			}
		}
		live, err := s.Bookings(ctx, domain.BookingFilter{PractitionerID: e.fx.Therapist.ID,
			Statuses: []domain.Status{domain.StatusConfirmed}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range live {
			for j := i + 1; j < len(live); j++ {
				if live[i].Block().Overlaps(live[j].Block()) {
					t.Fatalf("double booking: %s and %s", live[i].Start, live[j].Start)
				}
			}
		}
		if len(live) == 0 {
			t.Fatal("no plan was booked at all")
		}
	})
}

func planVisitCount(t *testing.T, s *storage.Store, patientID string, first time.Time) int {
	t.Helper()
	plans, err := s.Plans(context.Background(), domain.PlanFilter{PatientID: patientID})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		if len(p.Visits) > 0 && !p.Visits[0].Start.Before(first) && p.Visits[0].Start.Sub(first) < 30*24*time.Hour {
			return len(p.Visits)
		}
	}
	return 0
}

// sneakyStore books someone else into a visit's time after the plan was
// checked and before it is written: only the database can see it then.
type sneakyStore struct {
	*storage.Store
	sneak func()
}

func (s sneakyStore) CreatePlan(ctx context.Context, w domain.PlanWrite) error {
	if s.sneak != nil {
		s.sneak()
	}
	return s.Store.CreatePlan(ctx, w)
}

func TestPlanVisitTakenWhileWriting(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		e := newPlanEnv(t, s)
		ctx := context.Background()
		rv := e.review(t, "rosa@example.com")
		week3 := domain.SeriesStarts(planFirst, 1, 6, e.fx.Therapist.Location())[2]
		var once sync.Once
		e.plans.Store = sneakyStore{Store: s, sneak: func() {
			once.Do(func() {
				other := newBooking(e.fx, e.fx.Therapist.ID, week3)
				mustBook(t, s, &other, "other@example.com")
			})
		}}
		_, err := e.plans.Create(ctx, e.request(rv.ID, planFirst, 6, domain.OnConflictFail))
		conflicts, ok := domain.ConflictsOf(err)
		if !ok || len(conflicts) != 1 || !conflicts[0].Start.Equal(week3) {
			t.Fatalf("Create = %v, want the conflict the database found at %s", err, week3)
		}
		if n := patientVisits(t, s, rv.PatientID); n != 1 {
			t.Fatalf("the refused plan left %d bookings", n-1)
		}
		// Skip: the visit taken meanwhile is left out, the rest booked.
		rv2 := e.reviewAt(t, "sam@example.com", time.Date(2026, 10, 2, 15, 0, 0, 0, time.UTC))
		week4 := domain.SeriesStarts(planFirst, 1, 6, e.fx.Therapist.Location())[3].Add(4 * time.Hour)
		var once2 sync.Once
		e.plans.Store = sneakyStore{Store: s, sneak: func() {
			once2.Do(func() {
				other := newBooking(e.fx, e.fx.Therapist.ID, week4)
				mustBook(t, s, &other, "third@example.com")
			})
		}}
		got, err := e.plans.Create(ctx, e.request(rv2.ID, planFirst.Add(4*time.Hour), 6, domain.OnConflictSkip))
		if err != nil || len(got.Plan.Visits) != 5 || len(got.Skipped) != 1 || !got.Skipped[0].Start.Equal(week4) {
			t.Fatalf("skip = %v, %d visits, skipped %v; want 5 and %s skipped", err, len(got.Plan.Visits), got.Skipped, week4)
		}
	})
}

// A patient's own hold on the first visit's time is theirs to book as a
// series (and ends with it); someone else's live hold on a later visit is
// a conflict like a booking.
func TestSeriesAndHolds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		e := newPlanEnv(t, s)
		ctx := context.Background()
		sched := e.plans.Scheduler
		starts := domain.SeriesStarts(planFirst.AddDate(0, 0, 1), 1, 3, e.fx.Therapist.Location())
		hold := func(start time.Time, client string) domain.Held {
			h, err := sched.PlaceHold(ctx, domain.HoldRequest{ServiceID: e.fx.Massage.ID, PractitionerID: e.fx.Therapist.ID,
				Start: start, ClientKey: client, Actor: domain.ActorPatient})
			if err != nil {
				t.Fatalf("hold %s: %v", start, err)
			}
			return h
		}
		mine := hold(starts[0], "me")
		theirs := hold(starts[1], "them")
		req := domain.BookRequest{ServiceID: e.fx.Massage.ID, PractitionerID: e.fx.Therapist.ID, Start: starts[0],
			Patient: domain.Patient{Name: "Ida B. Wells", Email: "ida@example.com"}, Actor: domain.ActorPatient, HoldToken: mine.Token}
		_, err := e.plans.BookSeries(ctx, req, domain.Repeat{EveryWeeks: 1, Count: 3})
		conflicts, ok := domain.ConflictsOf(err)
		if !ok || len(conflicts) != 1 || !conflicts[0].Start.Equal(starts[1]) {
			t.Fatalf("BookSeries with a hold in week 2 = %v, want that week alone", err)
		}
		if err := sched.ReleaseHold(ctx, theirs.Token, domain.ActorPatient); err != nil {
			t.Fatal(err)
		}
		got, err := e.plans.BookSeries(ctx, req, domain.Repeat{EveryWeeks: 1, Count: 3})
		if err != nil || len(got.Plan.Visits) != 3 {
			t.Fatalf("BookSeries on the patient's own hold = %v", err)
		}
		if _, err := sched.HoldByToken(ctx, mine.Token); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("the patient's hold outlived the series: %v", err)
		}
	})
}
