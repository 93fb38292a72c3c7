package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// yearOfBookings fills s with 10 practitioners and a year of bookings, 8 a
// working day each (about 20,000), loaded in bulk. It returns the
// practitioner ids.
func yearOfBookings(b *testing.B, s *storage.Store) []string {
	b.Helper()
	ctx := context.Background()
	fx := storagetest.Seed(b, s)
	ids := fx.PractitionerIDs()
	for i := len(ids); i < 10; i++ {
		p := domain.Practitioner{Name: fmt.Sprintf("Therapist %02d", i), TimeZone: storagetest.SeedZone, Active: true,
			ServiceIDs: []string{fx.Massage.ID}}
		if err := s.CreatePractitioner(ctx, &p); err != nil {
			b.Fatal(err)
		}
		if err := s.SetWorkingHours(ctx, p.ID, storagetest.WeekdayHours(p.ID)); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	patients := make([]domain.Patient, 2000)
	for i := range patients {
		patients[i] = domain.Patient{ID: domain.NewID(), Name: fmt.Sprintf("Patient %d", i),
			Email: fmt.Sprintf("patient%d@example.com", i), CreatedAt: benchYear}
	}
	loc, _ := time.LoadLocation(storagetest.SeedZone)
	var bookings []domain.Booking
	for day := benchYear.In(loc); day.Before(benchYear.AddDate(1, 0, 0)); day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		for _, pid := range ids {
			for slot := range 8 {
				start := time.Date(day.Year(), day.Month(), day.Day(), 8, 30, 0, 0, loc).Add(time.Duration(slot) * 70 * time.Minute).UTC()
				bk := newBooking(fx, pid, start)
				bk.PatientID = patients[len(bookings)%len(patients)].ID
				bookings = append(bookings, bk)
			}
		}
	}
	if err := s.BulkInsertBookings(ctx, patients, bookings); err != nil {
		b.Fatal(err)
	}
	return ids
}

// benchYear is the first day of the benchmark's year of bookings.
var benchYear = time.Date(2025, 1, 1, 5, 0, 0, 0, time.UTC)

// BenchmarkSchedules31Days reads a month of 10 practitioners' schedules from
// a year of bookings, and, as the floor, the bare busy-block range query
// with database/sql.
func BenchmarkSchedules31Days(b *testing.B) {
	ctx := context.Background()
	from := time.Date(2025, 9, 1, 4, 0, 0, 0, time.UTC) // midnight in New York
	to := from.AddDate(0, 0, 31)
	for _, e := range storagetest.Engines() {
		s := storagetest.Open(b, e)
		ids := yearOfBookings(b, s)
		b.Run(string(e)+"/schedules", func(b *testing.B) {
			for b.Loop() {
				got, err := s.Schedules(ctx, ids, from, to)
				if err != nil || len(got) != 10 || len(got[0].Busy) < 150 {
					b.Fatalf("Schedules = %d, %v", len(got), err)
				}
			}
		})
		b.Run(string(e)+"/bare_query", func(b *testing.B) {
			for b.Loop() {
				n, err := s.BareBusyQuery(ctx, ids, from, to)
				if err != nil || n < 1500 {
					b.Fatalf("BareBusyQuery = %d, %v", n, err)
				}
			}
		})
	}
}

// BenchmarkCreateBooking stores bookings one after another, each with a
// confirmation message and an audit entry, as the scheduler does.
func BenchmarkCreateBooking(b *testing.B) {
	ctx := context.Background()
	for _, e := range storagetest.Engines() {
		s := storagetest.Open(b, e)
		fx := storagetest.Seed(b, s)
		i := 0 // across -count runs, which share the store
		b.Run(string(e), func(b *testing.B) {
			for b.Loop() {
				bk := newBooking(fx, fx.Therapist.ID, benchYear.Add(time.Duration(i)*70*time.Minute))
				p := newPatient(fmt.Sprintf("bench%d@example.com", i%500))
				fx := domain.Effects{
					Messages: []domain.Message{{Kind: domain.MessageConfirmation, To: p.Email, Notice: domain.Notice{UID: bk.UID}}},
					Audit:    &domain.AuditEntry{Action: "booking.create", EntityType: "booking", EntityID: bk.ID, Actor: domain.ActorPatient, After: bk},
				}
				if err := s.CreateBooking(ctx, &bk, &p, fx); err != nil {
					b.Fatalf("CreateBooking #%d: %v", i, err)
				}
				i++
			}
		})
	}
}

// BenchmarkCreateBookingRooms is BenchmarkCreateBooking alternating, in one
// loop so both meet the same machine, bookings that need no room with
// bookings holding one of three rooms (checked by the room's exclusion
// constraint or trigger as well as the practitioner's). It reports each
// kind's mean, p50 and p99 latency.
func BenchmarkCreateBookingRooms(b *testing.B) {
	ctx := context.Background()
	for _, e := range storagetest.Engines() {
		s := storagetest.Open(b, e)
		fx := storagetest.Seed(b, s)
		var rooms []string
		for i := range 3 {
			r := domain.Room{Name: fmt.Sprintf("Room %d", i+1), Kind: domain.RoomKindRoom, Active: true}
			if err := s.CreateRoom(ctx, &r); err != nil {
				b.Fatal(err)
			}
			rooms = append(rooms, r.ID)
		}
		i := 0 // across -count runs, which share the store
		b.Run(string(e), func(b *testing.B) {
			took := [2][]time.Duration{}
			for b.Loop() {
				kind := i % 2
				bk := newBooking(fx, fx.Therapist.ID, benchYear.Add(time.Duration(i)*70*time.Minute))
				if kind == 1 {
					bk.RoomID = rooms[i/2%len(rooms)]
				}
				p := newPatient(fmt.Sprintf("bench%d@example.com", i%500))
				fx := domain.Effects{
					Messages: []domain.Message{{Kind: domain.MessageConfirmation, To: p.Email, Notice: domain.Notice{UID: bk.UID}}},
					Audit:    &domain.AuditEntry{Action: "booking.create", EntityType: "booking", EntityID: bk.ID, Actor: domain.ActorPatient, After: bk},
				}
				t0 := time.Now()
				if err := s.CreateBooking(ctx, &bk, &p, fx); err != nil {
					b.Fatalf("CreateBooking #%d: %v", i, err)
				}
				took[kind] = append(took[kind], time.Since(t0))
				i++
			}
			reportLatency(b, "no_room", took[0])
			reportLatency(b, "room", took[1])
		})
	}
}

// reportLatency adds the mean, p50 and p99 (in µs) of one kind of
// operation to the benchmark's output.
func reportLatency(b *testing.B, kind string, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	var sum time.Duration
	for _, d := range took {
		sum += d
	}
	slices.Sort(took)
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	at := func(p float64) float64 { return us(took[int(float64(len(took)-1)*p)]) }
	b.ReportMetric(us(sum/time.Duration(len(took))), kind+"-mean-µs")
	b.ReportMetric(at(0.50), kind+"-p50-µs")
	b.ReportMetric(at(0.99), kind+"-p99-µs")
}

// BenchmarkRoomStorm: 40 clients book the same time through two replicas
// of one database, alternating two practitioners. With one shared room
// ("room") exactly one wins; without ("no_room", the baseline in the same
// run) one per practitioner wins. Each op is one storm; winners/op must be
// 1 and 2.
func BenchmarkRoomStorm(b *testing.B) {
	ctx := context.Background()
	for _, e := range storagetest.Engines() {
		stores := storagetest.OpenReplicas(b, e, 2)
		fx := storagetest.Seed(b, stores[0])
		room := domain.Room{Name: "Room A", Kind: domain.RoomKindRoom, Active: true}
		if err := stores[0].CreateRoom(ctx, &room); err != nil {
			b.Fatal(err)
		}
		slot := 0
		for _, kind := range []string{"no_room", "room"} {
			b.Run(string(e)+"/"+kind, func(b *testing.B) {
				won := 0
				for b.Loop() {
					at := benchYear.Add(time.Duration(slot) * 2 * time.Hour)
					slot++
					won += roomStorm(ctx, b, stores, fx, at, map[bool]string{true: room.ID}[kind == "room"])
				}
				b.ReportMetric(float64(won)/float64(b.N), "winners/op")
			})
		}
	}
}

// roomStorm books 40 visits at one time at once, returning how many won.
func roomStorm(ctx context.Context, b *testing.B, stores []*storage.Store, fx storagetest.Fixture, at time.Time, roomID string) int {
	const n = 40
	errs := make([]error, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		bk := newBooking(fx, fx.PractitionerIDs()[i%2], at)
		bk.RoomID = roomID
		p := newPatient(fmt.Sprintf("storm%d-%d@example.com", at.Unix(), i))
		wg.Go(func() {
			<-gate
			errs[i] = stores[i/2%2].CreateBooking(ctx, &bk, &p, domain.Effects{})
		})
	}
	close(gate)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, domain.ErrRoomTaken) && !errors.Is(err, domain.ErrSlotTaken):
			b.Fatalf("storm booking #%d = %v", i, err)
		}
	}
	return won
}
