package api

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// roomBench is a clinic of five massage practitioners and three rooms with
// a month of visits: each practitioner has four a working day, each in one
// of the rooms, so rooms are busier than any one practitioner.
type roomBench struct {
	*env
	rooms         []string
	practitioners []string
}

func newRoomBench(b *testing.B, engine storagetest.Engine) *roomBench {
	b.Helper()
	e := newEnv(b, storagetest.Open(b, engine), 0)
	ctx := context.Background()
	rb := &roomBench{env: e, practitioners: []string{e.ids.chiro, e.ids.therapist}}
	for i := range 3 {
		p := domain.Practitioner{Name: fmt.Sprintf("Therapist %d", i), TimeZone: storagetest.SeedZone, Active: true,
			ServiceIDs: []string{e.ids.massage}}
		if err := e.store.CreatePractitioner(ctx, &p); err != nil {
			b.Fatal(err)
		}
		if err := e.store.SetWorkingHours(ctx, p.ID, storagetest.WeekdayHours(p.ID)); err != nil {
			b.Fatal(err)
		}
		rb.practitioners = append(rb.practitioners, p.ID)
	}
	for i := range 3 {
		r := domain.Room{Name: fmt.Sprintf("Room %d", i+1), Kind: domain.RoomKindRoom, Active: true}
		if err := e.store.CreateRoom(ctx, &r); err != nil {
			b.Fatal(err)
		}
		rb.rooms = append(rb.rooms, r.ID)
	}
	loc, _ := time.LoadLocation(storagetest.SeedZone)
	n := 0
	for d := range 31 {
		day := time.Date(2031, 3, 4+d, 0, 0, 0, 0, loc)
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		for pi, pid := range rb.practitioners {
			for k := range 4 {
				// Practitioner pi starts at 09:00 + pi*25m and every 2h after;
				// rooms rotate, so a room is often taken while its practitioner is free.
				start := day.Add(9*time.Hour + time.Duration(pi)*25*time.Minute + time.Duration(k)*2*time.Hour)
				_, hash := domain.NewToken()
				bk := domain.Booking{ServiceID: e.ids.massage, PractitionerID: pid, RoomID: rb.rooms[(pi+k)%3],
					Start: start.UTC(), End: start.Add(time.Hour).UTC(), BlockStart: start.UTC(), BlockEnd: start.Add(70 * time.Minute).UTC(),
					Status: domain.StatusConfirmed, Source: domain.SourceStaff, ManageHash: hash, CreatedAt: fixedNow, UpdatedAt: fixedNow}
				p := domain.Patient{Name: "Bench", Email: fmt.Sprintf("bench%d@example.com", n)}
				if err := e.store.CreateBooking(ctx, &bk, &p, domain.Effects{}); err != nil {
					// A room taken by an earlier practitioner's visit: leave the slot free.
					if !errorsIsTaken(err) {
						b.Fatal(err)
					}
				}
				n++
			}
		}
	}
	return rb
}

func errorsIsTaken(err error) bool {
	_, ok := domain.TakenOf(err)
	return ok
}

// addRoomService adds "Massage in a room", the massage with the three
// rooms, performed by all five practitioners, and returns its id. The
// benchmarks alternate it with the massage itself (no rooms), so the two
// share whatever else the machine is doing.
func (rb *roomBench) addRoomService(b *testing.B) string {
	b.Helper()
	ctx := context.Background()
	svc, err := rb.store.Service(ctx, rb.ids.massage)
	if err != nil {
		b.Fatal(err)
	}
	svc.ID, svc.Name, svc.RoomIDs = "", "Massage in a room", rb.rooms
	if err := rb.store.CreateService(ctx, &svc); err != nil {
		b.Fatal(err)
	}
	for _, id := range rb.practitioners {
		p, err := rb.store.Practitioner(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		p.ServiceIDs = append(p.ServiceIDs, svc.ID)
		if err := rb.store.UpdatePractitioner(ctx, &p); err != nil {
			b.Fatal(err)
		}
	}
	return svc.ID
}

// BenchmarkAvailabilityRooms asks for 31 days of a massage across five
// practitioners over real HTTP, alternating the massage with no rooms
// (today's path) and the same massage needing one of three shared rooms;
// it reports the p50 and p99 latency of each.
func BenchmarkAvailabilityRooms(b *testing.B) {
	for _, engine := range storagetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			rb := newRoomBench(b, engine)
			roomy := rb.addRoomService(b)
			client := rb.ts.Client()
			paths := make([]string, 2)
			for i, id := range []string{rb.ids.massage, roomy} {
				q := url.Values{"service_id": {id}, "from": {"2031-03-04"}, "to": {"2031-04-03"}, "tz": {"America/Los_Angeles"}}
				paths[i] = rb.ts.URL + "/api/v1/availability?" + q.Encode()
			}
			took := [2][]time.Duration{}
			n := 0
			for b.Loop() {
				k := n % 2
				n++
				t0 := time.Now()
				resp, err := client.Get(paths[k])
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				took[k] = append(took[k], time.Since(t0))
				if resp.StatusCode != 200 {
					b.Fatalf("availability = %d", resp.StatusCode)
				}
			}
			reportPercentiles(b, "no_rooms", took[0])
			reportPercentiles(b, "rooms", took[1])
		})
	}
}

// BenchmarkBookRooms books massages one after another through the
// Scheduler on the real store, as the front desk does (chosen practitioner,
// staff rules): of every five, two with no room (practitioners 1 and 2)
// and three needing one of three rooms (practitioners 3 to 5), at the same
// start, so each room takes one. It reports each kind's latency.
func BenchmarkBookRooms(b *testing.B) {
	for _, engine := range storagetest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			rb := newRoomBench(b, engine)
			roomy := rb.addRoomService(b)
			starts := benchStarts(3000)
			actor := domain.ActorOf(rb.user[domain.RoleFrontDesk])
			took := [2][]time.Duration{}
			n := 0
			for b.Loop() {
				k := n % 5
				svc, kind := rb.ids.massage, 0
				if k >= 2 {
					svc, kind = roomy, 1
				}
				t0 := time.Now()
				_, err := rb.srv.Scheduler.Book(context.Background(), domain.BookRequest{
					ServiceID: svc, PractitionerID: rb.practitioners[k], Start: starts[n/5%len(starts)],
					Patient: domain.Patient{Name: "Bench", Email: fmt.Sprintf("book%d@example.com", n)}, Actor: actor,
				})
				took[kind] = append(took[kind], time.Since(t0))
				if err != nil {
					b.Fatalf("Book #%d: %v", n, err)
				}
				n++
			}
			reportPercentiles(b, "no_rooms", took[0])
			reportPercentiles(b, "rooms", took[1])
		})
	}
}

// benchStarts returns n massage starts in the seeded weekday hours from
// 2031-05-05 on, 70 minutes apart: free of each other and of the month of
// visits newRoomBench books.
func benchStarts(n int) []time.Time {
	loc, _ := time.LoadLocation(storagetest.SeedZone)
	var out []time.Time
	for day := time.Date(2031, 5, 5, 0, 0, 0, 0, loc); len(out) < n; day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		for _, m := range []int{9 * 60, 10*60 + 15, 11*60 + 30, 13*60 + 30, 14*60 + 45, 16 * 60} {
			out = append(out, day.Add(time.Duration(m)*time.Minute))
		}
	}
	return out[:n]
}

// reportPercentiles adds the mean, p50 and p99 latency (ms) of one kind of
// request to the benchmark's output.
func reportPercentiles(b *testing.B, kind string, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	var sum time.Duration
	for _, d := range took {
		sum += d
	}
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	at := func(p float64) float64 { return ms(took[int(float64(len(took)-1)*p)]) }
	b.ReportMetric(ms(sum/time.Duration(len(took))), kind+"-mean-ms")
	b.ReportMetric(at(0.50), kind+"-p50-ms")
	b.ReportMetric(at(0.99), kind+"-p99-ms")
}
