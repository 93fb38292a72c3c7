package web

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontdesk/frontdesk/api"
	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// replica is one Frontdesk process of several on one database: its own
// store, event hub and HTTP server.
type replica struct {
	URL  string
	addr string
	hub  *storage.EventHub
	ts   *httptest.Server
	stop func()
}

// startReplica serves the app's pages and API over store on addr
// ("127.0.0.1:0" for any port), with live events from its own hub.
func startReplica(t *testing.T, a *app, store *storage.Store, addr string) *replica {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	must(t, "listen on "+addr, err)
	r := &replica{addr: ln.Addr().String(), hub: storage.NewEventHub(store, nil)}
	r.URL = "http://" + r.addr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.hub.Run(ctx) }()
	select {
	case <-r.hub.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("event hub not ready")
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	sched := &domain.Scheduler{Store: store, Clock: a.Clock, BaseURL: r.URL}
	authn := auth.New(store, a.Clock, r.URL)
	srv := &api.Server{Store: store, Scheduler: sched, Clock: a.Clock, Logger: log, BaseURL: r.URL, Auth: authn, Events: r.hub}
	site := &Site{Scheduler: sched, Store: store, Auth: authn, BaseURL: r.URL, Clock: a.Clock, Logger: log}
	srv.HTMLError = site.HTMLError
	e := srv.Echo()
	site.Register(e)
	r.ts = httptest.NewUnstartedServer(e)
	r.ts.Listener.Close()
	r.ts.Listener = ln
	r.ts.Start()
	var once bool
	r.stop = func() {
		if once {
			return
		}
		once = true
		r.hub.Close() // open streams end, as on a real shutdown
		r.ts.CloseClientConnections()
		r.ts.Close()
		cancel()
		<-done
	}
	t.Cleanup(r.stop)
	return r
}

// signInLive signs b in at base and waits for the calendar's live stream.
func signInLive(t *testing.T, b *browser, base, password string) {
	t.Helper()
	b.do(chromedp.Navigate(base+"/staff"), chromedp.WaitVisible(chromedp.CSS("#f-email")),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "desk@riverside.example"), chromedp.SendKeys(chromedp.CSS("#f-password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/staff/login"] button`)), chromedp.WaitVisible(chromedp.CSS(".cal")))
	waitJS(t, b, `document.documentElement.dataset.live === "open"`, 10*time.Second, "the live stream to open")
}

// waitJS polls js in b until it is true, at most within.
func waitJS(t *testing.T, b *browser, js string, within time.Duration, what string) time.Duration {
	t.Helper()
	began := time.Now()
	for time.Since(began) < within {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return time.Since(began)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("waited %v for %s at %s", within, what, b.location())
	return 0
}

// bookThroughForm books a massage with the therapist at 2026-06-01 hh:mm
// for a new patient through the staff form in b.
func bookThroughForm(t *testing.T, b *browser, base string, a *app, name string, hh int) {
	t.Helper()
	b.do(chromedp.Navigate(base+"/staff/bookings/new"), chromedp.WaitVisible(chromedp.CSS(`[name="patient.name"]`)))
	js := fmt.Sprintf(`(() => {
		const f = document.querySelector('[name="patient.name"]').form, set = (n, v) => { f.querySelector('[name="' + n + '"]').value = v; };
		f.querySelector('[name=patient_id][value=""]').checked = true;
		set("patient.name", %q); set("patient.email", %q); set("service_id", %q); set("practitioner_id", %q);
		set("date", "2026-06-01"); set("time", %q);
		f.requestSubmit(); return true })()`, name, fmt.Sprintf("live%d@example.com", hh), a.Massage.ID, a.Therapist.ID, fmt.Sprintf("%02d:00", hh))
	b.eval(js, nil)
	b.waitText(".flash", "booked")
}

// TestLiveAcrossReplicas: two desks signed in to two replicas of one
// PostgreSQL database. A booking made at one desk appears on the other's
// calendar within 2 seconds, without a reload; when the second desk's
// replica restarts, its browser reconnects and catches up on the booking
// made meanwhile.
func TestLiveAcrossReplicas(t *testing.T) {
	stores := storagetest.OpenReplicas(t, storagetest.Postgres, 3)
	a := &app{Store: stores[0], Clock: domaintest.NewClock(e2eStart)}
	a.seed(t)
	password := a.addStaff(t, "desk@riverside.example", domain.RoleFrontDesk)
	one := startReplica(t, a, stores[0], "127.0.0.1:0")
	two := startReplica(t, a, stores[1], "127.0.0.1:0")

	desk1, desk2 := newBrowser(t), newBrowser(t)
	signInLive(t, desk1, one.URL, password)
	signInLive(t, desk2, two.URL, password)
	desk2.mustSee("Jordan Rivera")

	began := time.Now()
	bookThroughForm(t, desk1, one.URL, a, "Lina Live", 10)
	took := waitJS(t, desk2, `document.querySelector(".cal") && document.querySelector(".cal").textContent.includes("Lina Live")`, 2*time.Second-time.Since(began), "the booking on the other replica's calendar")
	t.Logf("the booking reached the other replica's calendar %v after the form was sent (%v of polling)", time.Since(began), took)
	var events int
	desk2.eval(`+document.documentElement.dataset.liveEvents`, &events)
	if events < 1 {
		t.Errorf("desk 2 counted %d live events, want at least 1 (it must not have reloaded)", events)
	}
	desk2.inspect("60-live-other-replica")

	// Replica two restarts (a deploy): its stream ends, the process comes
	// back on the same address over a fresh store, and the browser's
	// EventSource resumes with Last-Event-ID.
	two.stop()
	bookThroughForm(t, desk1, one.URL, a, "Rhea Restart", 12)
	startReplica(t, a, stores[2], two.addr)
	waitJS(t, desk2, `document.querySelector(".cal") && document.querySelector(".cal").textContent.includes("Rhea Restart")`, 15*time.Second, "the booking made during the restart")
	desk2.inspect("61-live-after-restart")
}
