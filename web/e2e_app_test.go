package web

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/api"
	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/notifications"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// app is the whole of Frontdesk in process: real SQLite storage, the API
// with the pages on one echo, the outbox worker and an SMTP server.
type app struct {
	URL       string
	Store     domain.Store
	Scheduler *domain.Scheduler
	Clock     *domaintest.Clock
	Worker    *notifications.Worker
	Mail      *mailbox
	Review    domain.Service // the complimentary case review
	Massage   domain.Service // 60 minutes
	Chiro     domain.Practitioner
	Therapist domain.Practitioner
}

// e2eStart is "now" in the tests: Monday 1 June 2026, 08:00 in New York.
var e2eStart = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// startApp starts the app; opts set up its Site before it serves.
func startApp(t *testing.T, opts ...func(*Site)) *app {
	t.Helper()
	store := storagetest.Open(t, storagetest.SQLite)
	a := &app{Store: store, Clock: domaintest.NewClock(e2eStart), Mail: startMailbox(t)}
	a.seed(t)
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ts := httptest.NewUnstartedServer(nil)
	a.URL = "http://" + ts.Listener.Addr().String()
	a.Scheduler = &domain.Scheduler{Store: store, Clock: a.Clock, BaseURL: a.URL}
	authn := auth.New(store, a.Clock, a.URL)
	wl := &domain.Waitlist{Store: store, Scheduler: a.Scheduler, Clock: a.Clock, BaseURL: a.URL}
	a.Scheduler.OnFreed = wl.Freed
	srv := &api.Server{Store: store, Scheduler: a.Scheduler, Clock: a.Clock, Logger: log, BaseURL: a.URL, Auth: authn,
		Feeds: &domain.Feeds{Store: store, State: store, Clock: a.Clock}, RenderFeed: notifications.FeedCalendar, Waitlist: wl}
	site := &Site{Scheduler: a.Scheduler, Store: store, Auth: authn, BaseURL: a.URL, Clock: a.Clock, Logger: log, Waitlist: wl}
	for _, o := range opts {
		o(site)
	}
	srv.HTMLError = site.HTMLError
	e := srv.Echo()
	site.Register(e)
	ts.Config.Handler = e
	ts.Start()
	t.Cleanup(ts.Close)
	transport, err := notifications.NewTransport("smtp://"+a.Mail.Addr+"?tls=none", "")
	if err != nil {
		t.Fatalf("NewTransport: %v", err)
	}
	a.Worker = &notifications.Worker{Store: store, Transport: transport, Clock: a.Clock, Logger: log}
	return a
}

// seed makes a clinic in New York with a chiropractor and a massage
// therapist who both work 09:00–17:00 every day.
func (a *app) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	clinic := domain.Clinic{Name: "Riverside Chiropractic & Massage", TimeZone: "America/New_York", Phone: "+1 (555) 010-2030",
		Email: "desk@riverside.example", Address: "120 River Street, Hudson, NY", WhatToBring: "Comfortable clothing.", Policy: domain.DefaultPolicy}
	must(t, "save clinic", a.Store.SaveClinic(ctx, clinic))
	a.Review = domain.Service{Name: "Complimentary Case Review", Kind: domain.KindCaseReview, Duration: 15 * time.Minute, BufferAfter: 5 * time.Minute,
		Currency: "USD", NewPatientsOnly: true, OnlineBookable: true, Active: true, Color: "#0f766e", Description: "A free 15-minute conversation with the chiropractor."}
	a.Massage = domain.Service{Name: "Swedish Massage — 60 min", Kind: domain.KindMassage, Duration: time.Hour, BufferAfter: 10 * time.Minute,
		PriceCents: 9500, Currency: "USD", OnlineBookable: true, Active: true, Color: "#2563eb", Description: "Long, flowing strokes.", SortOrder: 10}
	must(t, "create review", a.Store.CreateService(ctx, &a.Review))
	must(t, "create massage", a.Store.CreateService(ctx, &a.Massage))
	a.Chiro = domain.Practitioner{Name: "Dr. Maya Chen", Title: "Chiropractor (DC)", TimeZone: "America/New_York", Active: true, Color: "#0f766e", ServiceIDs: []string{a.Review.ID}}
	a.Therapist = domain.Practitioner{Name: "Jordan Rivera", Title: "Licensed Massage Therapist", TimeZone: "America/New_York", Active: true, Color: "#2563eb", ServiceIDs: []string{a.Massage.ID}}
	for _, p := range []*domain.Practitioner{&a.Chiro, &a.Therapist} {
		must(t, "create practitioner", a.Store.CreatePractitioner(ctx, p))
		var hours []domain.WorkingHours
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			hours = append(hours, domain.WorkingHours{PractitionerID: p.ID, Weekday: wd, Range: domain.TimeRange{Start: domain.At(9, 0), End: domain.At(17, 0)}})
		}
		must(t, "set hours", a.Store.SetWorkingHours(ctx, p.ID, hours))
	}
	off := domain.TimeOff{PractitionerID: a.Therapist.ID, Start: time.Date(2026, 6, 1, 20, 30, 0, 0, time.UTC), End: time.Date(2026, 6, 1, 21, 0, 0, 0, time.UTC), Reason: "Training"}
	must(t, "create time off", a.Store.CreateTimeOff(ctx, &off))
}

// addStaff creates a signed-up staff user and returns the password.
func (a *app) addStaff(t *testing.T, email string, role domain.Role) string {
	t.Helper()
	const password = "correct horse battery staple"
	hash, err := auth.HashPassword(password)
	must(t, "hash password", err)
	u := domain.User{Email: email, Name: "Dana Desk", Role: role, PasswordHash: hash, Active: true, CreatedAt: a.Clock.Now()}
	must(t, "create user", a.Store.CreateUser(context.Background(), &u))
	return password
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// testWriter sends the app's warnings to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
