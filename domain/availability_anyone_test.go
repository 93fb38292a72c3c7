package domain_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
)

// anyoneFixture is the scheduler fixture with a third massage therapist
// who works 12:00–20:00, so that groups of free practitioners differ
// through the day.
func anyoneFixture(t *testing.T) (*schedFixture, domain.Practitioner) {
	f := newSchedFixture(t)
	dee := domain.Practitioner{ID: domain.NewID(), Name: "Dee Late", TimeZone: "America/New_York", Active: true,
		ServiceIDs: []string{f.massage.ID}}
	f.store.Edit(func(d *domaintest.Data) {
		d.Practitioners = append(d.Practitioners, dee)
		for wd := time.Monday; wd <= time.Friday; wd++ {
			d.Hours[dee.ID] = append(d.Hours[dee.ID], domain.WorkingHours{
				ID: domain.NewID(), PractitionerID: dee.ID, Weekday: wd,
				Range: domain.TimeRange{Start: domain.At(12, 0), End: domain.At(20, 0)},
			})
		}
	})
	return f, dee
}

// TestAvailabilityAnyone books "anyone" at random offered times, one after
// another, and checks each answer against the long form and against Book:
// every start of the long form appears once, with exactly the practitioners
// the long form lists for it, in order; and a booking that names no
// practitioner at an offered time gets the practitioner it names.
func TestAvailabilityAnyone(t *testing.T) {
	f, _ := anyoneFixture(t)
	ctx := context.Background()
	q := domain.AvailabilityQuery{ServiceID: f.massage.ID, From: f.monday.AddDays(1), To: f.monday.AddDays(3), Location: f.loc}
	r := rand.New(rand.NewPCG(15, 1))
	for step := range 40 {
		long, err := f.sched.Availability(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		open, err := f.sched.AvailabilityAnyone(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		checkGrouped(t, step, long, open)
		if len(open) == 0 {
			break
		}
		pick := open[r.IntN(len(open))]
		req := withEmail(f.req(), fmt.Sprintf("anyone%d@example.com", step))
		req.PractitionerID, req.Start = "", pick.Start
		got, err := f.sched.Book(ctx, req)
		if err != nil {
			t.Fatalf("step %d: Book(anyone, %s) = %v", step, pick.Start, err)
		}
		if got.Booking.PractitionerID != pick.PractitionerID {
			t.Fatalf("step %d: Book(anyone, %s) went to %s; availability said %s (free: %v)",
				step, pick.Start.Format(time.Kitchen), got.Booking.PractitionerID, pick.PractitionerID, pick.PractitionerIDs)
		}
	}
}

// checkGrouped compares the grouped answer with the long one.
func checkGrouped(t *testing.T, step int, long []domain.Slot, open []domain.OpenTime) {
	t.Helper()
	byStart := map[time.Time][]string{}
	var starts []time.Time
	for _, s := range long {
		if _, ok := byStart[s.Start]; !ok {
			starts = append(starts, s.Start)
		}
		byStart[s.Start] = append(byStart[s.Start], s.PractitionerID)
	}
	if len(open) != len(starts) {
		t.Fatalf("step %d: %d grouped times for %d distinct starts", step, len(open), len(starts))
	}
	for i, o := range open {
		if !o.Start.Equal(starts[i]) {
			t.Fatalf("step %d: time %d starts %s, want %s", step, i, o.Start, starts[i])
		}
		if want := byStart[starts[i]]; !slices.Equal(o.PractitionerIDs, want) {
			t.Fatalf("step %d: at %s free %v, want %v", step, o.Start, o.PractitionerIDs, want)
		}
		if !slices.Contains(o.PractitionerIDs, o.PractitionerID) {
			t.Fatalf("step %d: at %s the pick %s is not free", step, o.Start, o.PractitionerID)
		}
		if o.End.Sub(o.Start) != time.Hour || o.Start.Location() != long[0].Start.Location() {
			t.Fatalf("step %d: time %s–%s", step, o.Start, o.End)
		}
	}
}

// TestAvailabilityAnyoneErrors: the grouped form validates as the long one.
func TestAvailabilityAnyoneErrors(t *testing.T) {
	f, _ := anyoneFixture(t)
	_, err := f.sched.AvailabilityAnyone(context.Background(), domain.AvailabilityQuery{ServiceID: "nope", From: f.monday, To: f.monday})
	if domain.ErrorKind(err) != domain.KindInvalid {
		t.Fatalf("AvailabilityAnyone(unknown service) = %v, want invalid", err)
	}
}
