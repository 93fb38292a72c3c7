package domain_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
)

// availStarts formats slot starts as "15:04 name-initial" in loc.
func availStarts(f *schedFixture, slots []domain.Slot) []string {
	names := map[string]string{f.ana.ID: "A", f.ben.ID: "B", f.cleo.ID: "C"}
	out := make([]string, len(slots))
	for i, s := range slots {
		out[i] = s.Start.Format("Mon 15:04") + " " + names[s.PractitionerID]
	}
	return out
}

func TestAvailabilityOnePractitioner(t *testing.T) {
	f := newSchedFixture(t)
	tue := f.monday.AddDays(1)
	q := domain.AvailabilityQuery{ServiceID: f.massage.ID, PractitionerID: f.ben.ID, From: tue, To: tue}
	slots, err := f.sched.Availability(context.Background(), q)
	if err != nil {
		t.Fatalf("Availability = %v", err)
	}
	// 09:00 to 16:00 every 15 minutes: the hour must end by 17:00.
	if len(slots) != 29 || !slots[0].Start.Equal(f.at(1, 9, 0)) || !slots[28].Start.Equal(f.at(1, 16, 0)) {
		t.Fatalf("slots = %v, want 09:00…16:00 every 15 minutes", availStarts(f, slots))
	}
	for _, s := range slots {
		if s.End.Sub(s.Start) != time.Hour || s.PractitionerID != f.ben.ID || s.Start.Location().String() != "America/New_York" {
			t.Errorf("slot %+v, want an hour with Ben in New York time", s)
		}
	}
	// A booking at 10:00 blocks 10:00–11:15: no start from 09:00 to 11:00.
	mustBook(t, f, f.req())
	slots, err = f.sched.Availability(context.Background(), q)
	if err != nil {
		t.Fatalf("Availability = %v", err)
	}
	got := availStarts(f, slots)
	if len(slots) != 29-9 || got[0] != "Tue 11:15 B" {
		t.Errorf("slots after a booking = %v, want 09:00–11:00 gone", got)
	}
}

func TestAvailabilityEveryoneSortedOneRead(t *testing.T) {
	f := newSchedFixture(t)
	tue := f.monday.AddDays(1)
	r := f.req()
	r.PractitionerID, r.Start = f.cleo.ID, f.at(1, 9, 0)
	mustBook(t, f, r)
	calls := f.store.ScheduleCalls()
	slots, err := f.sched.Availability(context.Background(), domain.AvailabilityQuery{ServiceID: f.massage.ID, From: tue, To: tue.AddDays(1)})
	if err != nil {
		t.Fatalf("Availability = %v", err)
	}
	if n := f.store.ScheduleCalls() - calls; n != 1 {
		t.Errorf("Schedules calls = %d, want 1 for all practitioners and days", n)
	}
	got := availStarts(f, slots)
	want := []string{"Tue 09:00 B", "Tue 09:15 B", "Tue 09:30 B", "Tue 09:45 B", "Tue 10:00 B", "Tue 10:15 B", "Tue 10:15 C", "Tue 10:30 B", "Tue 10:30 C"}
	if !slices.Equal(got[:len(want)], want) {
		t.Errorf("first slots = %v, want %v", got[:len(want)], want)
	}
	if len(got) != 2*29*2-5 {
		t.Errorf("slots = %d, want two days of Ben and Cleo less Cleo's 09:00–10:00", len(got))
	}
	if !slices.IsSortedFunc(slots, func(a, b domain.Slot) int { return a.Start.Compare(b.Start) }) {
		t.Errorf("slots are not sorted by start")
	}
}

func TestAvailabilityPolicy(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	avail := func(from, to domain.Date, staff bool) []domain.Slot {
		t.Helper()
		s, err := f.sched.Availability(ctx, domain.AvailabilityQuery{ServiceID: f.massage.ID, PractitionerID: f.ben.ID, From: from, To: to, IgnorePolicy: staff})
		if err != nil {
			t.Fatalf("Availability = %v", err)
		}
		return s
	}
	mon := f.monday
	if got := avail(mon, mon, false); !got[0].Start.Equal(f.at(0, 10, 0)) {
		t.Errorf("first slot today for a patient = %v, want 10:00 (two hours' notice)", got[0].Start)
	}
	if got := avail(mon, mon, true); !got[0].Start.Equal(f.at(0, 9, 0)) {
		t.Errorf("first slot today for staff = %v, want 09:00", got[0].Start)
	}
	f.clock.Set(f.at(0, 12, 7))
	if got := avail(mon, mon, true); !got[0].Start.Equal(f.at(0, 12, 15)) {
		t.Errorf("first slot for staff at 12:07 = %v, want 12:15, never the past", got[0].Start)
	}
	far := mon.AddDays(59)
	horizon := f.clock.Now().Add(domain.DefaultPolicy.Horizon)
	for _, s := range avail(far, far.AddDays(4), false) {
		if s.Start.After(horizon) {
			t.Fatalf("patient slot %v beyond the horizon %v", s.Start, horizon)
		}
	}
	if got := avail(far.AddDays(4), far.AddDays(4), true); len(got) == 0 { // Monday, 63 days on
		t.Errorf("staff see no slots beyond the horizon")
	}
}

func TestAvailabilityInPatientZone(t *testing.T) {
	f := newSchedFixture(t)
	london, _ := time.LoadLocation("Europe/London")
	tue := f.monday.AddDays(1)
	slots, err := f.sched.Availability(context.Background(), domain.AvailabilityQuery{
		ServiceID: f.massage.ID, PractitionerID: f.ben.ID, From: tue, To: tue, Location: london,
	})
	if err != nil {
		t.Fatalf("Availability = %v", err)
	}
	// Ben's 09:00–17:00 in New York is 14:00–22:00 in London; the last hour starts at 21:00.
	first, last := slots[0].Start, slots[len(slots)-1].Start
	if first.Location().String() != "Europe/London" || first.Format(time.RFC3339) != "2026-03-03T14:00:00Z" || last.Format("15:04") != "21:00" {
		t.Errorf("London slots %v…%v, want 14:00…21:00 London time", first, last)
	}
}

func TestAvailabilityRejects(t *testing.T) {
	f := newSchedFixture(t)
	tue := f.monday.AddDays(1)
	q := func(edit func(q *domain.AvailabilityQuery)) domain.AvailabilityQuery {
		q := domain.AvailabilityQuery{ServiceID: f.massage.ID, From: tue, To: tue}
		edit(&q)
		return q
	}
	tests := []struct {
		name   string
		q      domain.AvailabilityQuery
		fields []string
	}{
		{"unknown service", q(func(q *domain.AvailabilityQuery) { q.ServiceID = domain.NewID() }), []string{"service_id"}},
		{"malformed service", q(func(q *domain.AvailabilityQuery) { q.ServiceID = "massage" }), []string{"service_id"}},
		{"inactive service", q(func(q *domain.AvailabilityQuery) { q.ServiceID = f.retired.ID }), []string{"service_id"}},
		{"phone-only service", q(func(q *domain.AvailabilityQuery) { q.ServiceID = f.adjust.ID }), []string{"service_id"}},
		{"unknown practitioner", q(func(q *domain.AvailabilityQuery) { q.PractitionerID = domain.NewID() }), []string{"practitioner_id"}},
		{"inactive practitioner", q(func(q *domain.AvailabilityQuery) { q.PractitionerID = f.gone.ID }), []string{"practitioner_id"}},
		{"practitioner without the service", q(func(q *domain.AvailabilityQuery) { q.PractitionerID = f.ana.ID }), []string{"practitioner_id"}},
		{"from after to", q(func(q *domain.AvailabilityQuery) { q.From = tue.AddDays(1) }), []string{"from"}},
		{"63 days", q(func(q *domain.AvailabilityQuery) { q.To = tue.AddDays(62) }), []string{"to"}},
		{"no dates", q(func(q *domain.AvailabilityQuery) { q.From, q.To = domain.Date{}, domain.Date{} }), []string{"from", "to"}},
		{"not a day", q(func(q *domain.AvailabilityQuery) { q.To = domain.Date{Year: 2026, Month: 2, Day: 30} }), []string{"to"}},
		{"everything", domain.AvailabilityQuery{ServiceID: "x", PractitionerID: "y", From: tue.AddDays(1), To: tue}, []string{"service_id", "practitioner_id", "from"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.sched.Availability(context.Background(), tt.q)
			for _, field := range tt.fields {
				wantErr(t, err, domain.KindInvalid, field)
			}
		})
	}
	ok := []domain.AvailabilityQuery{
		q(func(q *domain.AvailabilityQuery) { q.To = tue.AddDays(61) }),
		q(func(q *domain.AvailabilityQuery) { q.ServiceID, q.IgnorePolicy = f.adjust.ID, true }),
	}
	for _, good := range ok {
		if _, err := f.sched.Availability(context.Background(), good); err != nil {
			t.Errorf("Availability(%+v) = %v, want nil", good, err)
		}
	}
}

func TestAvailabilityMatchesBook(t *testing.T) {
	f := newSchedFixture(t)
	ctx := context.Background()
	f.addTimeOff(domain.TimeOff{ID: domain.NewID(), PractitionerID: f.ben.ID, Start: f.at(1, 12, 0), End: f.at(1, 13, 0)})
	mustBook(t, f, f.req())
	tue := f.monday.AddDays(1)
	slots, err := f.sched.Availability(ctx, domain.AvailabilityQuery{ServiceID: f.massage.ID, PractitionerID: f.ben.ID, From: tue, To: tue})
	if err != nil {
		t.Fatalf("Availability = %v", err)
	}
	offered := map[int64]bool{}
	for _, s := range slots {
		offered[s.Start.Unix()] = true
	}
	// Every offered slot books, and every quarter hour not offered does not.
	for s := f.at(1, 8, 0); s.Before(f.at(1, 18, 0)); s = s.Add(15 * time.Minute) {
		probe := newSchedFixture(t)
		state := f.store.Data()
		probe.store.Edit(func(d *domaintest.Data) {
			d.TimeOff, d.Bookings, d.Patients = state.TimeOff, state.Bookings, state.Patients
			d.Practitioners, d.Services, d.Hours = state.Practitioners, state.Services, state.Hours
		})
		r := withEmail(f.req(), "probe@example.com")
		r.Start = s
		_, err := probe.sched.Book(ctx, r)
		if booked := err == nil; booked != offered[s.Unix()] {
			t.Errorf("%s: offered %v, Book = %v", s.Format("15:04"), offered[s.Unix()], err)
		}
		if err != nil && !errors.Is(err, domain.ErrSlotTaken) && domain.ErrorKind(err) != domain.KindInvalid && !errors.Is(err, domain.ErrPractitionerAway) {
			t.Errorf("%s: Book = %v, want a slot error", s.Format("15:04"), err)
		}
	}
}

// TestMergeSlots: the k-way merge equals a stable sort of the runs laid end
// to end, for random runs with many equal starts.
func TestMergeSlots(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC)
	for trial := range 200 {
		runs := make([][]domain.Slot, rng.IntN(6))
		var all []domain.Slot
		for i := range runs {
			at := base
			for range rng.IntN(20) {
				at = at.Add(time.Duration(rng.IntN(3)) * 15 * time.Minute)
				runs[i] = append(runs[i], domain.Slot{Start: at, End: at.Add(time.Hour), PractitionerID: fmt.Sprint(i)})
			}
			all = append(all, runs[i]...)
		}
		slices.SortStableFunc(all, func(a, b domain.Slot) int { return a.Start.Compare(b.Start) })
		if got := domain.MergeSlots(runs, len(all)); !slices.Equal(got, all) {
			t.Fatalf("trial %d: MergeSlots = %v\nwant %v", trial, got, all)
		}
	}
}
