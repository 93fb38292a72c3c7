package api

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// BenchmarkEventFanout measures, per change, the time from a booking
// write's commit to the moment the last of n open GET /api/v1/events
// streams has read its frame over HTTP: one stream is the baseline, 50 the
// front desks and practitioners of a busy clinic.
//
//	go test -run '^$' -bench BenchmarkEventFanout -benchtime 200x ./api/
func BenchmarkEventFanout(b *testing.B) {
	for _, engine := range storagetest.Engines() {
		for _, streams := range []int{1, 50} {
			b.Run(fmt.Sprintf("%s/streams=%d", engine, streams), func(b *testing.B) {
				benchFanout(b, engine, streams)
			})
		}
	}
}

func benchFanout(b *testing.B, engine storagetest.Engine, streams int) {
	store := storagetest.Open(b, engine)
	hub := storageHub(b, store)
	e := newEnv(b, store, 0, func(s *Server) { s.Events = hub })
	ctx := context.Background()
	id := e.bookCaseReview("bench@example.com")
	frames := make([]<-chan sseFrame, streams)
	for i := range frames {
		frames[i] = openStream(b, e.ts.URL, e.token[domain.RoleFrontDesk], "")
	}
	for hub.Subscribers() < streams {
		time.Sleep(time.Millisecond)
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := range b.N {
		bk, err := store.Booking(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		bk.StaffNotes = fmt.Sprintf("note %d", i)
		if err := store.UpdateBooking(ctx, &bk.Booking, domain.Effects{}); err != nil {
			b.Fatal(err)
		}
		committed := time.Now()
		var wg sync.WaitGroup
		for _, ch := range frames {
			wg.Go(func() {
				f := nextFrame(b, ch, 5*time.Second)
				if f.event != "booking" || !strings.Contains(f.data, id) {
					b.Errorf("frame %+v", f)
				}
			})
		}
		wg.Wait()
		lat = append(lat, time.Since(committed))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
