package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/frontdesk/frontdesk/api"
	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/notifications"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/web"
)

// serve runs the HTTP server and the outbox worker until ctx is cancelled,
// then drains requests for up to shutdownGrace.
func serve(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "seed a demo clinic into an empty database")
	noWorker := fs.Bool("no-worker", false, "do not run the outbox worker in this process")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	began := time.Now()
	log := cfg.logger(stderr)

	// Database: opening migrates it to the newest version.
	store, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	store.SetCatalogTTL(cfg.CatalogTTL)
	if *demo {
		if err := seedDemo(ctx, store, cfg, stdout); err != nil {
			return err
		}
	}
	if err := applyMailFrom(ctx, store, cfg.MailFrom); err != nil {
		return err
	}

	// Metrics: the queue as the database holds it, the worker's counts.
	reg, workerMetrics, err := newRegistry(store, log)
	if err != nil {
		return err
	}

	// Outbox worker: mail never blocks a request.
	var wg sync.WaitGroup
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	if !*noWorker {
		w, err := newWorker(cfg, store, log, workerMetrics)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.Run(workCtx); err != nil && !errors.Is(err, context.Canceled) {
				log.Error("outbox worker stopped", "err", err)
			}
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			runBusyPoller(workCtx, newBusyImport(cfg, store), log.With("component", "busy"))
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			sched := &domain.Scheduler{Store: store, Clock: domain.SystemClock, BaseURL: cfg.BaseURL, HoldDuration: cfg.HoldFor}
			runWaitlist(workCtx, newWaitlist(cfg, store, sched, nil, log), log.With("component", "waitlist"))
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			sched := &domain.Scheduler{Store: store, Clock: domain.SystemClock, BaseURL: cfg.BaseURL, HoldDuration: cfg.HoldFor}
			runHoldSweeper(workCtx, sched, log.With("component", "holds"))
		}()
	}

	// Inbound mail: replies and bounces, stored first, then processed.
	if err := newInboundDoor(cfg, store, log).start(workCtx, cfg, &wg, log); err != nil {
		stopWork()
		wg.Wait()
		return err
	}

	// Live calendars: this replica's fan-out of the event log.
	hub := storage.NewEventHub(store, log.With("component", "events"))
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := hub.Run(workCtx); err != nil {
			log.Error("event hub stopped", "err", err)
		}
	}()

	// HTTP.
	handler, metrics := newHandler(cfg, store, log, hub, reg)
	metricsSrv, err := startMetrics(cfg.MetricsAddr, metrics, log)
	if err != nil {
		stopWork()
		wg.Wait()
		return err
	}
	defer metricsSrv.Close()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(hub.Close) // open event streams end, browsers reconnect elsewhere
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on ADDR=%s: %w", cfg.Addr, err)
	}
	log.Info("frontdesk listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL,
		"database", store.Dialect(), "startup", time.Since(began).Round(time.Millisecond))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	// Shutdown: stop taking requests, drain, then stop the worker.
	select {
	case err := <-served:
		stopWork()
		wg.Wait()
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	stopWork()
	wg.Wait()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

const shutdownGrace = 10 * time.Second

// newHandler wires the API (and the web pages) onto one echo instance; it
// also returns the metrics handler for a METRICS_ADDR listener.
// events may be nil (no live updates: /api/v1/events answers 503); reg may
// be nil (the API makes a registry of its own).
func newHandler(cfg config, store *storage.Store, log *slog.Logger, events domain.EventStream, reg *prometheus.Registry) (http.Handler, http.Handler) {
	sched := &domain.Scheduler{Store: store, Clock: domain.SystemClock, BaseURL: cfg.BaseURL, HoldDuration: cfg.HoldFor}
	busy := newBusyImport(cfg, store)
	authn := auth.New(store, domain.SystemClock, cfg.BaseURL)
	inbox := &domain.Inbox{Store: store, Scheduler: sched, Clock: domain.SystemClock}
	setup := &domain.Setup{Store: store, Clock: domain.SystemClock, HashPassword: auth.HashPassword, Bookings: sched}
	waitlist := newWaitlist(cfg, store, sched, setup, log)
	srv := &api.Server{
		Waitlist:        waitlist,
		Auth:            authn,
		Setup:           setup,
		Store:           store,
		Scheduler:       sched,
		Clock:           domain.SystemClock,
		Logger:          log,
		BaseURL:         cfg.BaseURL,
		PublicRateLimit: cfg.PublicRateLimit,
		FeedRateLimit:   cfg.feedRateLimit(),
		TrustedProxies:  cfg.TrustedProxies,
		MetricsToken:    cfg.MetricsToken,
		Feeds:           &domain.Feeds{Store: store, State: store, Versions: store, Clock: domain.SystemClock},
		RenderFeed:      notifications.FeedCalendar,
		RenderVisit:     notifications.VisitCalendar,
		Busy:            busy,
		Inbox:           inbox,
		Events:          events,
		Registry:        reg,
	}
	site := &web.Site{Scheduler: sched, Setup: setup, Store: store, Auth: authn, BaseURL: cfg.BaseURL, Clock: domain.SystemClock, Logger: log, Waitlist: waitlist,
		EmbedOrigins: cfg.EmbedOrigins, Busy: busy, Inbox: inbox}
	srv.HTMLError = site.HTMLError
	e := srv.Echo()
	site.Register(e)
	return e, srv.MetricsHandler()
}

// newRegistry is the Prometheus registry /metrics serves: the Go runtime,
// the process, the outbox queue read from the database at each scrape, and
// the counters of this process's outbox worker (returned for newWorker).
func newRegistry(store *storage.Store, log *slog.Logger) (*prometheus.Registry, *notifications.Metrics, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		notifications.NewQueueCollector(store, domain.SystemClock, log.With("component", "metrics")))
	m, err := notifications.NewMetrics(reg)
	if err != nil {
		return nil, nil, err
	}
	return reg, m, nil
}

func newWorker(cfg config, store *storage.Store, log *slog.Logger, m *notifications.Metrics) (*notifications.Worker, error) {
	transport, err := notifications.NewTransport(cfg.SMTPURL, cfg.mailDir())
	if err != nil {
		return nil, err
	}
	return &notifications.Worker{
		Store:     store,
		Transport: transport,
		Clock:     domain.SystemClock,
		Logger:    log.With("component", "outbox"),
		Metrics:   m,
	}, nil
}

// worker runs the outbox worker alone, for deployments that separate it.
func worker(ctx context.Context, cfg config, stderr io.Writer) error {
	log := cfg.logger(stderr)
	store, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	reg, workerMetrics, err := newRegistry(store, log)
	if err != nil {
		return err
	}
	metricsSrv, err := startMetrics(cfg.MetricsAddr, (&api.Server{Registry: reg, MetricsToken: cfg.MetricsToken}).MetricsHandler(), log)
	if err != nil {
		return err
	}
	defer metricsSrv.Close()
	w, err := newWorker(cfg, store, log, workerMetrics)
	if err != nil {
		return err
	}
	log.Info("outbox worker running", "database", store.Dialect())
	go runBusyPoller(ctx, newBusyImport(cfg, store), log.With("component", "busy"))
	sched := &domain.Scheduler{Store: store, Clock: domain.SystemClock, BaseURL: cfg.BaseURL}
	go runWaitlist(ctx, newWaitlist(cfg, store, sched, nil, log), log.With("component", "waitlist"))
	if err := w.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// migrate applies every pending migration and names the files it applied.
func migrate(ctx context.Context, cfg config, stdout io.Writer) error {
	applied, err := storage.Migrate(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	fmt.Fprintf(stdout, "database is at the newest version (%d applied now)\n", len(applied))
	return nil
}

// applyMailFrom makes MAIL_FROM the clinic's sender and iCal ORGANIZER: its
// address, and its display name (none: the clinic's name).
func applyMailFrom(ctx context.Context, store domain.ClinicStore, from *mail.Address) error {
	if from == nil {
		return nil
	}
	c, err := store.Clinic(ctx)
	if domain.ErrorKind(err) == domain.KindNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read clinic: %w", err)
	}
	addr := domain.NormalizeEmail(from.Address)
	if c.Email == addr && c.SenderName == from.Name {
		return nil
	}
	c.Email, c.SenderName = addr, from.Name
	return store.SaveClinic(ctx, c)
}
