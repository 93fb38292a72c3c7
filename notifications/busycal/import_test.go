package busycal_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/notifications"
	"github.com/frontdesk/frontdesk/notifications/busycal"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// feedServer publishes a calendar file like Outlook's ICS publishing: a
// strong ETag over the bytes, 304 on a match. It counts requests and
// full answers.
type feedServer struct {
	*httptest.Server
	mu          sync.Mutex
	body        []byte
	etag        string
	ignoreETags bool // answer 200 with the same bytes even on a match
	requests    int
}

func newFeedServer(t *testing.T, file string) *feedServer {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	fs := &feedServer{body: body, etag: `"1"`}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		fs.requests++
		w.Header().Set("ETag", fs.etag)
		if !fs.ignoreETags && r.Header.Get("If-None-Match") == fs.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		_, _ = w.Write(fs.body)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) count() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.requests
}

func (fs *feedServer) url() string {
	return fs.URL + "/owa/calendar/0f6e7d8c@riverside.example/4a1b2c3d5e6f/calendar.ics"
}

// countingExpander counts the files it reads.
type countingExpander struct {
	busycal.Expander
	reads atomic.Int32
}

func (c *countingExpander) Expand(body []byte, req domain.ExpandRequest) (domain.Expansion, error) {
	c.reads.Add(1)
	return c.Expander.Expand(body, req)
}

// testClock is a clock the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// pollStart is a Monday, 07:00 in New York, the seeded practitioners' zone.
var pollStart = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

func newImport(t *testing.T, s *storage.Store, clock domain.Clock, exp domain.BusyExpander) *domain.BusyImport {
	t.Helper()
	allow, err := busycal.ParseAllow("127.0.0.1/32")
	if err != nil {
		t.Fatal(err)
	}
	return &domain.BusyImport{
		Store: s, Fetcher: &busycal.Fetcher{Allow: allow, Timeout: 5 * time.Second}, Expander: exp,
		Clock: clock, Key: []byte("test key, at least sixteen bytes"), Interval: 5 * time.Minute,
		OwnProdID: notifications.ProdID,
	}
}

// TestImportETag: a feed that has not changed (304, or the same bytes) is
// not read again; a changed one is; a failing one keeps its busy time.
func TestImportETag(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			s := storagetest.Open(t, engine)
			fx := storagetest.Seed(t, s)
			fs := newFeedServer(t, "outlook-published.ics")
			clock := &testClock{now: pollStart}
			exp := &countingExpander{}
			bi := newImport(t, s, clock, exp)
			cal, err := bi.AddCalendar(ctx, domain.NewBusyCalendar{PractitionerID: fx.Therapist.ID, URL: fs.url()})
			if err != nil {
				t.Fatal(err)
			}
			if cal.URLHint != fs.URL+"/…" || cal.Label != "127.0.0.1" {
				t.Errorf("AddCalendar = hint %q, label %q", cal.URLHint, cal.Label)
			}
			poll := func(wantFetched int) domain.BusyCalendar {
				t.Helper()
				n, err := bi.Poll(ctx)
				if err != nil || n != wantFetched {
					t.Fatalf("Poll = %d, %v; want %d", n, err, wantFetched)
				}
				list, err := bi.Calendars(ctx, fx.Therapist.ID)
				if err != nil || len(list) != 1 {
					t.Fatalf("Calendars = %v, %v", list, err)
				}
				return list[0]
			}
			got := poll(1)
			if got.LastError != "" || got.Events == 0 || exp.reads.Load() != 1 {
				t.Fatalf("first poll: %+v, %d reads", got, exp.reads.Load())
			}
			events := got.Events
			poll(0) // not due yet
			clock.add(5 * time.Minute)
			poll(1) // 304
			fs.mu.Lock()
			fs.ignoreETags = true
			fs.mu.Unlock()
			clock.add(5 * time.Minute)
			poll(1) // 200, same bytes
			if n := exp.reads.Load(); n != 1 || fs.count() != 3 {
				t.Errorf("after an unchanged feed: %d reads of %d fetches, want 1 of 3", n, fs.count())
			}
			fs.mu.Lock()
			fs.body, fs.etag = []byte("<html>Sign in to Outlook</html>"), `"2"`
			fs.mu.Unlock()
			for i := range domain.BusyAlertAfter {
				clock.add(5 * time.Minute)
				got = poll(1)
				if got.LastError == "" || got.Events != events || got.Alerting() != (i+1 >= domain.BusyAlertAfter) {
					t.Errorf("failing poll %d: %+v; want the error, the last good events, alerting after %d", i+1, got, domain.BusyAlertAfter)
				}
			}
			if busy := busyTimeOff(t, s, fx.Therapist.ID, clock.Now()); len(busy) == 0 {
				t.Error("a failing feed dropped its last good busy time")
			}
			fs.mu.Lock()
			fs.body, fs.etag = []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n"), `"3"`
			fs.mu.Unlock()
			clock.add(5 * time.Minute)
			got = poll(1)
			if got.LastError != "" || got.Events != 0 || got.Alerting() {
				t.Errorf("after an empty calendar: %+v", got)
			}
			if busy := busyTimeOff(t, s, fx.Therapist.ID, clock.Now()); len(busy) != 0 {
				t.Errorf("busy time %v after the calendar emptied", busy)
			}
		})
	}
}

// busyTimeOff returns the practitioner's imported busy time in the next 60 days.
func busyTimeOff(t *testing.T, s *storage.Store, practitionerID string, now time.Time) []domain.TimeOff {
	t.Helper()
	scheds, err := s.Schedules(context.Background(), []string{practitionerID}, now, now.Add(60*24*time.Hour))
	if err != nil || len(scheds) != 1 {
		t.Fatalf("Schedules = %v, %v", scheds, err)
	}
	var out []domain.TimeOff
	for _, off := range scheds[0].TimeOff {
		if off.Calendar != "" {
			out = append(out, off)
		}
	}
	return out
}

// TestImportTwoReplicas runs two pollers, each with its own store, on one
// PostgreSQL database: every URL is fetched once per interval.
func TestImportTwoReplicas(t *testing.T) {
	ctx := context.Background()
	dsn := storagetest.PostgresDSN(t)
	var stores []*storage.Store
	for range 2 {
		s, err := storage.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	fx := storagetest.Seed(t, stores[0])
	clock := &testClock{now: pollStart}
	var servers []*feedServer
	var imports []*domain.BusyImport
	for _, s := range stores {
		imports = append(imports, newImport(t, s, clock, busycal.Expander{}))
	}
	for i, file := range []string{"google-basic.ics", "outlook-published.ics", "apple-icloud.ics"} {
		fs := newFeedServer(t, file)
		servers = append(servers, fs)
		pid := fx.PractitionerIDs()[i%2]
		if _, err := imports[i%2].AddCalendar(ctx, domain.NewBusyCalendar{PractitionerID: pid, URL: fs.url()}); err != nil {
			t.Fatal(err)
		}
	}
	for round := 1; round <= 4; round++ {
		var wg sync.WaitGroup
		for _, bi := range imports {
			for range 3 { // each replica polls several times within the interval
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := bi.Poll(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
		}
		wg.Wait()
		for i, fs := range servers {
			if got := fs.count(); got != round {
				t.Errorf("round %d: calendar %d fetched %d times in all, want %d", round, i, got, round)
			}
		}
		clock.add(5 * time.Minute)
	}
}

// TestImportAvailability: a slot that overlaps imported busy time is not
// offered, and only such slots go.
func TestImportAvailability(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			s := storagetest.Open(t, engine)
			fx := storagetest.Seed(t, s)
			clock := &testClock{now: pollStart}
			sched := &domain.Scheduler{Store: s, Clock: clock}
			q := domain.AvailabilityQuery{ServiceID: fx.Massage.ID, PractitionerID: fx.Therapist.ID,
				From: domain.Date{Year: 2026, Month: 1, Day: 6}, To: domain.Date{Year: 2026, Month: 2, Day: 6}}
			before, err := sched.Availability(ctx, q)
			if err != nil || len(before) == 0 {
				t.Fatalf("Availability = %d slots, %v", len(before), err)
			}
			fs := newFeedServer(t, "outlook-published.ics")
			bi := newImport(t, s, clock, busycal.Expander{})
			if _, err := bi.AddCalendar(ctx, domain.NewBusyCalendar{PractitionerID: fx.Therapist.ID, URL: fs.url(), Label: "Outlook (Brooklyn)"}); err != nil {
				t.Fatal(err)
			}
			if _, err := bi.Poll(ctx); err != nil {
				t.Fatal(err)
			}
			busy := busyTimeOff(t, s, fx.Therapist.ID, clock.Now())
			if len(busy) < 8 {
				t.Fatalf("imported busy time = %v, want the Brooklyn clinic days", busy)
			}
			after, err := sched.Availability(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			blocked := func(sl domain.Slot) bool {
				block := fx.Massage.Block(sl.Start)
				for _, b := range busy {
					if block.Overlaps(domain.Interval{Start: b.Start, End: b.End}) {
						return true
					}
				}
				return false
			}
			kept := map[time.Time]bool{}
			for _, sl := range after {
				kept[sl.Start.UTC()] = true
				if blocked(sl) {
					t.Errorf("slot %s overlaps imported busy time", sl.Start)
				}
			}
			removed := 0
			for _, sl := range before {
				if kept[sl.Start.UTC()] {
					continue
				}
				removed++
				if !blocked(sl) {
					t.Errorf("slot %s went although it overlaps no busy time", sl.Start)
				}
			}
			if removed == 0 {
				t.Error("no slot went")
			}
			for _, off := range busy {
				if off.Reason != "Outlook (Brooklyn)" {
					t.Errorf("busy time labelled %q, want the calendar's label", off.Reason)
				}
			}

			// Booking over busy time: refused for a patient, a deliberate,
			// flagged overbook for staff (the rule of time off).
			var over time.Time
			for _, sl := range before {
				if !kept[sl.Start.UTC()] {
					over = sl.Start
					break
				}
			}
			patient := domain.Patient{Name: "Ada Lovelace", Email: "ada@example.com"}
			_, err = sched.Book(ctx, domain.BookRequest{ServiceID: fx.Massage.ID, PractitionerID: fx.Therapist.ID, Start: over,
				Actor: domain.ActorPatient, Patient: patient})
			if !errors.Is(err, domain.ErrPractitionerAway) {
				t.Errorf("patient booking over busy time = %v, want ErrPractitionerAway", err)
			}
			staff := domain.Actor{UserID: domain.NewID(), Name: "Dana Desk", Role: domain.RoleFrontDesk}
			_, err = sched.Book(ctx, domain.BookRequest{ServiceID: fx.Massage.ID, PractitionerID: fx.Therapist.ID, Start: over,
				Actor: staff, Patient: patient})
			if !errors.Is(err, domain.ErrPractitionerAway) {
				t.Errorf("staff booking over busy time without overbook = %v, want ErrPractitionerAway", err)
			}
			got, err := sched.Book(ctx, domain.BookRequest{ServiceID: fx.Massage.ID, PractitionerID: fx.Therapist.ID, Start: over,
				Actor: staff, Patient: patient, Overbook: true})
			if err != nil || !got.Booking.Overbooked {
				t.Errorf("staff overbook over busy time = %+v, %v; want a booking flagged overbooked", got.Booking.Booking, err)
			}
		})
	}
}
