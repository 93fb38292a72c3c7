package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/api"
	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// benchDay is the day every calendar benchmark shows.
var benchDay = domain.Date{Year: 2026, Month: 6, Day: 1}

// calendarBench is the whole app over HTTP with n practitioners who each
// have perDay visits on benchDay (every fourth a squeeze-in overlapping the
// one before), and a front-desk API token.
type calendarBench struct {
	url, token string
	store      domain.Store
	site       *Site
}

func newCalendarBench(b *testing.B, engine storagetest.Engine, n, perDay int) calendarBench {
	b.Helper()
	ctx := context.Background()
	store := storagetest.Open(b, engine)
	loc := loadZone("America/New_York")
	clock := domaintest.NewClock(domain.WallClock(benchDay, domain.At(12, 40), loc))
	mustB(b, "save clinic", store.SaveClinic(ctx, domain.Clinic{Name: "Bench Clinic", TimeZone: "America/New_York", Policy: domain.DefaultPolicy}))
	svc := domain.Service{Name: "Treatment", Kind: domain.KindMassage, Duration: 15 * time.Minute, Currency: "USD", Active: true, Color: "#2563eb"}
	mustB(b, "create service", store.CreateService(ctx, &svc))
	statuses := []domain.Status{domain.StatusCompleted, domain.StatusNoShow, domain.StatusArrived, domain.StatusConfirmed}
	for i := range n {
		p := domain.Practitioner{Name: fmt.Sprintf("Practitioner %d", i+1), TimeZone: "America/New_York", Active: true, ServiceIDs: []string{svc.ID}}
		mustB(b, "create practitioner", store.CreatePractitioner(ctx, &p))
		var hours []domain.WorkingHours
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			hours = append(hours, domain.WorkingHours{PractitionerID: p.ID, Weekday: wd, Range: domain.TimeRange{Start: domain.At(7, 0), End: domain.At(19, 0)}})
		}
		mustB(b, "set hours", store.SetWorkingHours(ctx, p.ID, hours))
		for k := range perDay {
			start := domain.WallClock(benchDay, domain.At(8, 0), loc).Add(time.Duration(k) * 15 * time.Minute)
			over := k%4 == 3
			if over {
				start = start.Add(-25 * time.Minute)
			}
			_, hash := domain.NewToken()
			bk := domain.Booking{ID: domain.NewID(), UID: domain.NewID(), ServiceID: svc.ID, PractitionerID: p.ID, Start: start, End: start.Add(15 * time.Minute),
				BlockStart: start, BlockEnd: start.Add(15 * time.Minute), Status: statuses[k%len(statuses)], Overbooked: over, Source: domain.SourceStaff,
				TimeZone: "America/New_York", ManageHash: hash, CreatedAt: clock.Now(), UpdatedAt: clock.Now()}
			pt := domain.Patient{Name: fmt.Sprintf("Patient %d-%d", i, k), Email: fmt.Sprintf("p%d-%d@example.com", i, k)}
			mustB(b, "create booking", store.CreateBooking(ctx, &bk, &pt, domain.Effects{}))
		}
	}
	u := domain.User{ID: domain.NewID(), Email: "desk@bench.example", Name: "Desk", Role: domain.RoleFrontDesk, Active: true, CreatedAt: clock.Now()}
	mustB(b, "create user", store.CreateUser(ctx, &u))
	raw, hash := domain.NewToken()
	mustB(b, "create token", store.CreateCredential(ctx, &domain.Credential{ID: domain.NewID(), UserID: u.ID, Hash: hash, Kind: domain.CredentialToken,
		Name: "bench", CreatedAt: clock.Now(), ExpiresAt: clock.Now().Add(24 * time.Hour)}))
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	log := slog.New(slog.DiscardHandler)
	sched := &domain.Scheduler{Store: store, Clock: clock, BaseURL: base}
	authn := auth.New(store, clock, base)
	srv := &api.Server{Store: store, Scheduler: sched, Clock: clock, Logger: log, BaseURL: base, Auth: authn}
	site := &Site{Scheduler: sched, Store: store, Auth: authn, BaseURL: base, Clock: clock, Logger: log}
	srv.HTMLError = site.HTMLError
	e := srv.Echo()
	site.Register(e)
	ts.Config.Handler = e
	ts.Start()
	b.Cleanup(ts.Close)
	return calendarBench{url: base, token: raw, store: store, site: site}
}

// get fetches the day view and checks it shows what it should.
func (cb calendarBench) get(b *testing.B, client *http.Client, want int) time.Duration {
	req, _ := http.NewRequest(http.MethodGet, cb.url+"/staff?view=day&date="+benchDay.String(), nil)
	req.Header.Set("Authorization", "Bearer "+cb.token)
	start := time.Now()
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Since(start)
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("GET /staff = %d, %v", res.StatusCode, err)
	}
	if n := strings.Count(string(body), `class="visit `); n != want {
		b.Fatalf("the day shows %d visits, want %d", n, want)
	}
	return took
}

// BenchmarkCalendarDay renders the staff day view over HTTP (session
// check, the day's hours, time off and bookings read from the database,
// layout, template, gzip) for 5 practitioners × 40 visits, and the same
// for 1 practitioner × 4 visits as the baseline. It reports p50 and p99.
func BenchmarkCalendarDay(b *testing.B) {
	for _, engine := range storagetest.Engines() {
		for _, size := range []struct{ n, perDay int }{{1, 4}, {5, 40}} {
			b.Run(fmt.Sprintf("%s/%dx%d", engine, size.n, size.perDay), func(b *testing.B) {
				cb := newCalendarBench(b, engine, size.n, size.perDay)
				client := &http.Client{}
				for range 5 {
					cb.get(b, client, size.n*size.perDay) // warm the connection and caches
				}
				var took []time.Duration
				b.ResetTimer()
				cpu := cpuTime()
				for b.Loop() {
					took = append(took, cb.get(b, client, size.n*size.perDay))
				}
				b.StopTimer()
				b.ReportMetric(float64(cpuTime()-cpu)/1e6/float64(len(took)), "cpu-ms/op")
				slices.Sort(took)
				pct := func(p float64) float64 { return float64(took[int(float64(len(took)-1)*p)]) / 1e6 }
				b.ReportMetric(pct(0.5), "p50-ms")
				b.ReportMetric(pct(0.99), "p99-ms")
			})
		}
	}
}

func mustB(b *testing.B, what string, err error) {
	b.Helper()
	if err != nil {
		b.Fatalf("%s: %v", what, err)
	}
}

// BenchmarkCalendarDayRender is the server-side render alone, the data
// read once: the grid laid out (lanes, free times, marks) and the page
// template executed, for 5 practitioners × 40 visits and the 1 × 4
// baseline. It reports p50 and p99.
func BenchmarkCalendarDayRender(b *testing.B) {
	for _, size := range []struct{ n, perDay int }{{1, 4}, {5, 40}} {
		b.Run(fmt.Sprintf("%dx%d", size.n, size.perDay), func(b *testing.B) {
			cb := newCalendarBench(b, storagetest.SQLite, size.n, size.perDay)
			ctx := context.Background()
			loc := loadZone("America/New_York")
			ps, err := cb.store.Practitioners(ctx, false)
			mustB(b, "practitioners", err)
			d := calendarPage{View: "day", Date: benchDay, Zone: zoneLabel(loc), CanBook: true, Practitioners: ps}
			cols, days := d.columns(ps)
			from, to := domain.WallClock(benchDay, 0, loc), domain.WallClock(benchDay.AddDays(1), 0, loc)
			scheds, err := cb.store.Schedules(ctx, uniqueIDs(cols), from, to)
			mustB(b, "schedules", err)
			bookings, err := cb.store.Bookings(ctx, domain.BookingFilter{From: from, To: to})
			mustB(b, "bookings", err)
			now := cb.site.Clock.Now()
			l := layout{Title: "Calendar", Clinic: domain.Clinic{Name: "Bench Clinic", TimeZone: "America/New_York"}, CSRF: "token", User: &domain.User{Role: domain.RoleFrontDesk}, Nav: "calendar"}
			var took []time.Duration
			cpu := cpuTime()
			for b.Loop() {
				start := time.Now()
				d.Grid = layoutGrid(loc, cols, days, scheds, bookings, false, now)
				d.links(nil, days)
				out, err := renderPage("calendar", view{L: l, D: d})
				took = append(took, time.Since(start))
				if err != nil || strings.Count(string(out), `class="visit `) != size.n*size.perDay {
					b.Fatalf("render: %v", err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/1e6/float64(len(took)), "cpu-ms/op")
			slices.Sort(took)
			pct := func(p float64) float64 { return float64(took[int(float64(len(took)-1)*p)]) / 1e6 }
			b.ReportMetric(pct(0.5), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
		})
	}
}

// cpuTime is the CPU this process has used (user and system, every
// thread, GC included): unlike wall time it does not grow when other
// processes take the machine's cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
