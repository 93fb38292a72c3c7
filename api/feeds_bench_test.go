package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// benchVisits is the size of the clinic feed the benchmarks serve.
const benchVisits = 5000

// benchFeedEnv is a feedEnv on PostgreSQL with benchVisits visits in the
// clinic feed's window and the path of that feed (full names). The visits
// go straight to the store: booking 5,000 through the Scheduler would
// measure the Scheduler, and take minutes.
func benchFeedEnv(b *testing.B) (*feedEnv, string) {
	b.Helper()
	fe := newFeedEnv(b, storagetest.Open(b, storagetest.Postgres))
	fe.srv.feedLimits = nil
	ctx := context.Background()
	practitioners := []string{fe.ids.chiro, fe.ids.therapist}
	// 30 days back to 58 ahead, 29 half-hour visits a day each: 5,104 slots.
	first := fixedNow.Truncate(24*time.Hour).AddDate(0, 0, -29).Add(6 * time.Hour)
	jobs := make(chan int)
	errs := make(chan error, benchVisits)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range jobs {
				errs <- fe.store.CreateBooking(ctx, benchBooking(fe, practitioners, first, i), benchPatient(i), domain.Effects{})
			}
		})
	}
	for i := range benchVisits {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatalf("CreateBooking: %v", err)
		}
	}
	path := fe.newFeed(b, "", domain.PrivacyFullName)
	r := fe.get(path, nil).want(b, 200, "the 5,000-visit feed")
	if n := len(parseFeed(b, r.body)); n != benchVisits {
		b.Fatalf("feed has %d events, want %d", n, benchVisits)
	}
	return fe, path
}

// benchBooking is visit i: practitioner i%2, 29 a day from 06:00 UTC,
// every 20th cancelled.
func benchBooking(fe *feedEnv, practitioners []string, first time.Time, i int) *domain.Booking {
	slot := i / len(practitioners)
	start := first.AddDate(0, 0, slot/29).Add(time.Duration(slot%29) * 30 * time.Minute)
	_, hash := domain.NewToken()
	b := &domain.Booking{
		ID: domain.NewID(), UID: domain.NewID(), ServiceID: fe.ids.massage, PractitionerID: practitioners[i%len(practitioners)],
		Start: start, End: start.Add(25 * time.Minute), BlockStart: start, BlockEnd: start.Add(30 * time.Minute),
		Status: domain.StatusConfirmed, Source: domain.SourceOnline, TimeZone: storagetest.SeedZone,
		ManageHash: hash, CreatedAt: fixedNow.Add(-time.Hour), UpdatedAt: fixedNow.Add(-time.Hour),
	}
	if i%20 == 0 {
		b.Status, b.CancelledAt = domain.StatusCancelled, fixedNow.Add(-time.Hour)
	}
	return b
}

// benchPatient is one of 500 patients.
func benchPatient(i int) *domain.Patient {
	n := i % 500
	return &domain.Patient{Name: fmt.Sprintf("Patient Number%d", n), Email: fmt.Sprintf("p%d@bench.example", n), Phone: "+1 212 555 0100"}
}

// serve runs one request through the echo handler, no network in between.
func serve(b *testing.B, fe *feedEnv, path string, header map[string]string, want int) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	fe.echo.ServeHTTP(w, r)
	if w.Code != want {
		b.Fatalf("GET %s = %d, want %d: %s", path, w.Code, want, w.Body.Bytes())
	}
	return w
}

// BenchmarkFeed5000 serves the 5,000-visit clinic feed through the HTTP
// handler on PostgreSQL: "render" renders it every time (a changed feed),
// "cached" is a poll of unchanged content by a client that sends no
// validator (the render cache answers).
func BenchmarkFeed5000(b *testing.B) {
	fe, path := benchFeedEnv(b)
	b.Run("render", func(b *testing.B) {
		var size int
		for b.Loop() {
			fe.srv.feedCache = newRenderCache(feedCacheBytes)
			size = serve(b, fe, path, nil, http.StatusOK).Body.Len()
		}
		b.ReportMetric(float64(size), "bytes/feed")
	})
	b.Run("cached", func(b *testing.B) {
		renders := fe.renderCount()
		for b.Loop() {
			serve(b, fe, path, nil, http.StatusOK)
		}
		if got := fe.renderCount() - renders; got > 1 {
			b.Errorf("unchanged feed rendered %d times, want at most once", got)
		}
	})
}

// BenchmarkFeed304 answers conditional requests for the 5,000-visit clinic
// feed with 304, and checks the calendar is never rendered nor its
// bookings loaded for them. "domain" is domain.Feeds.Feed alone (the
// database load and fingerprint of a full build) and "check" Feeds.Check
// alone (the feed's version: one query). The "full-build" variants answer
// the way every request was answered before FeedVersionStore, by building
// the feed; "parallel" has eight clients revalidate at once and reports
// their 99th percentile.
func BenchmarkFeed304(b *testing.B) {
	fe, path := benchFeedEnv(b)
	loads := fe.countBookings()
	ctx := context.Background()
	raw := strings.TrimSuffix(strings.TrimPrefix(path, "/feeds/"), ".ics")
	b.Run("domain", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := fe.srv.Feeds.Feed(ctx, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	w := serve(b, fe, path, nil, http.StatusOK)
	etag, lm := w.Header().Get("ETag"), w.Header().Get("Last-Modified")
	b.Run("check", func(b *testing.B) {
		tok, err := fe.store.FeedToken(ctx, domain.HashToken(raw))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if got, _, known, err := fe.srv.Feeds.Check(ctx, tok); err != nil || !known || `"`+got+`"` != etag {
				b.Fatalf("Check = %q, %v, %v; want %s, known", got, known, err, etag)
			}
		}
	})
	for _, tc := range []struct {
		name   string
		header map[string]string
	}{
		{"if-none-match", map[string]string{"If-None-Match": etag}},
		{"if-modified-since", map[string]string{"If-Modified-Since": lm}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			renders, builds := fe.renderCount(), loads.bookings.Load()
			for b.Loop() {
				serve(b, fe, path, tc.header, http.StatusNotModified)
			}
			if got := fe.renderCount() - renders; got != 0 {
				b.Errorf("304s rendered the calendar %d times, want none", got)
			}
			if got := loads.bookings.Load() - builds; got != 0 {
				b.Errorf("304s loaded the bookings %d times, want none", got)
			}
		})
	}
	b.Run("if-none-match/full-build", func(b *testing.B) {
		defer withoutVersions(fe)()
		for b.Loop() {
			serve(b, fe, path, map[string]string{"If-None-Match": etag}, http.StatusNotModified)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		revalidateInParallel(b, fe, path, etag)
	})
	b.Run("parallel/full-build", func(b *testing.B) {
		defer withoutVersions(fe)()
		revalidateInParallel(b, fe, path, etag)
	})
}

// withoutVersions makes the feeds answer every request by building, as
// before FeedVersionStore, until the returned function puts it back.
func withoutVersions(fe *feedEnv) func() {
	versions := fe.srv.Feeds.Versions
	fe.srv.Feeds.Versions = nil
	return func() { fe.srv.Feeds.Versions = versions }
}

// revalidateInParallel has eight clients revalidate the feed at once, as
// the load test's eight, and reports their 99th percentile.
func revalidateInParallel(b *testing.B, fe *feedEnv, path, etag string) {
	var (
		mu        sync.Mutex
		latencies []time.Duration
	)
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			r := httptest.NewRequest(http.MethodGet, path, nil)
			r.Header.Set("If-None-Match", etag)
			w := httptest.NewRecorder()
			start := time.Now()
			fe.echo.ServeHTTP(w, r)
			mine = append(mine, time.Since(start))
			if w.Code != http.StatusNotModified {
				b.Errorf("GET %s = %d, want 304", path, w.Code)
				return
			}
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	slices.Sort(latencies)
	if len(latencies) > 0 {
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	}
}
