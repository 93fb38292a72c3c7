// Package api is Frontdesk's HTTP layer: the echo server, its middleware,
// staff authentication, the JSON routes of /api/v1 and their problem+json
// errors. Handlers parse, call the domain, and render; the rules live in
// package domain.
package api

import (
	"errors"
	"log/slog"
	"net/netip"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/api/ratelimit"
	"github.com/frontdesk/frontdesk/domain"
)

// Server holds what the handlers need. Set the fields, then call Echo once.
type Server struct {
	Store     domain.Store
	Scheduler *domain.Scheduler
	// Setup makes every setup change with its audit entry; nil = one over
	// Store.
	Setup  *domain.Setup
	Clock  domain.Clock
	Logger *slog.Logger
	// BaseURL is the public origin, e.g. https://clinic.example; cookies
	// are Secure when it is https.
	BaseURL string
	// PublicRateLimit is public write requests per minute per client
	// address; 0 = off.
	PublicRateLimit int
	// Registry receives the HTTP metrics and is served at /metrics; nil = a
	// new one with the Go and process collectors.
	Registry *prometheus.Registry
	// MetricsToken, when set, is the bearer token /metrics wants
	// (METRICS_TOKEN); unset, /metrics is not served on this listener.
	MetricsToken string
	// Auth signs staff in and resolves their credentials; nil = one over
	// Store. Share one with package web so both doors see the same sessions.
	Auth *auth.Auth
	// HTMLError, when set, answers errors for non-API paths (the web pages);
	// it returns false to fall back to problem+json.
	HTMLError func(c echo.Context, err error) bool
	// Feeds builds the subscribable calendars served at /feeds/{token}.ics,
	// and RenderFeed writes one as iCalendar (cmd wires in
	// notifications.FeedCalendar); both nil = the route answers 500.
	Feeds      *domain.Feeds
	RenderFeed func(domain.Feed) ([]byte, error)
	// RenderVisit writes the patient's own visit as an iCalendar download
	// (cmd wires in notifications.VisitCalendar).
	RenderVisit func(domain.Notice) ([]byte, error)
	// Reports answers /api/v1/reports/*; nil = built on Store when it
	// implements domain.ReportStore (package storage's does).
	Reports *domain.Reports
	// FeedRateLimit is feed requests per minute per feed token; 0 = 60,
	// negative = off.
	FeedRateLimit int
	// Busy manages practitioners' busy calendars; nil = one over Store
	// (adding and listing work; cmd wires in the fetcher and the key).
	Busy *domain.BusyImport
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// Forwarded headers are believed (TRUSTED_PROXIES); none = the peer
	// address is the client, whatever it sends.
	TrustedProxies []netip.Prefix
	// Inbox lists received mail and answers patients' proposals (cmd wires
	// one over the same store); nil = those routes answer 503.
	Inbox *domain.Inbox
	// Events streams booking changes at /api/v1/events (cmd wires in a
	// storage.EventHub); nil = the route answers 503.
	Events domain.EventStream
	// Waitlist runs the waitlist and its offers; nil = one over Store when
	// it implements domain.WaitlistStore (package storage's does), which
	// then also hears of the time Scheduler and Setup free, unless they
	// already tell someone.
	Waitlist *domain.Waitlist
	// WaitlistOfferFor is how long an offer holds its time
	// (WAITLIST_OFFER_MINUTES); 0 = domain.DefaultOfferFor. Used when
	// Waitlist is built here.
	WaitlistOfferFor time.Duration

	// Plans books and changes plans of care; nil = one over Store when it
	// implements domain.PlanStore (package storage's does).
	Plans *domain.Plans

	feedLimits *ratelimit.Set // nil = feeds not limited
	feedCache  *renderCache   // rendered feeds by ETag
}

// Echo returns an echo instance with all middleware and every API route
// registered; package web adds its routes to it.
func (s *Server) Echo() *echo.Echo {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Clock == nil {
		s.Clock = domain.SystemClock
	}
	if s.Registry == nil {
		s.Registry = prometheus.NewRegistry()
		s.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if s.Setup == nil {
		s.Setup = &domain.Setup{Store: s.Store, Clock: s.Clock, HashPassword: auth.HashPassword, Bookings: s.Scheduler}
	}
	if s.Auth == nil {
		s.Auth = auth.New(s.Store, s.Clock, s.BaseURL)
	}
	s.feedLimits = newFeedLimits(s.FeedRateLimit)
	s.feedCache = newRenderCache(feedCacheBytes)
	s.wireWaitlist()
	s.wirePlans()
	if rs, ok := s.Store.(domain.ReportStore); ok && s.Reports == nil {
		s.Reports = &domain.Reports{Store: rs}
	}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	// Rate limits key on the client address: the peer's, or what a trusted
	// proxy says it is.
	e.IPExtractor = clientIPExtractor(s.TrustedProxies)
	e.HTTPErrorHandler = s.handleError
	e.Use(requestIDMiddleware, s.observe(s.durationHistogram(), &metricLabels{e: e}), s.recoverMiddleware,
		headersFor(s.BaseURL), bodyLimit, s.Auth.Authenticate(), auth.CSRF, publicWriteLimit(s.PublicRateLimit))
	s.routes(e)
	return e
}

// durationHistogram registers the latency histogram, reusing one already in
// the registry (Echo called twice on one registry).
func (s *Server) durationHistogram() *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "frontdesk_http_request_duration_seconds",
		Help:    "Latency of HTTP requests by route template, method and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route", "method", "status"})
	if err := s.Registry.Register(h); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			return are.ExistingCollector.(*prometheus.HistogramVec)
		}
		panic(err)
	}
	return h
}

// routes is the route table of the API.
func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics)
	e.GET("/api/openapi.yaml", serveOpenAPI)
	e.GET("/robots.txt", robots)
	e.GET("/feeds/:file", s.feed)
	e.HEAD("/feeds/:file", s.feed)

	v1 := e.Group("/api/v1")
	staff := auth.RequireRole(domain.RoleAdmin, domain.RoleFrontDesk, domain.RolePractitioner)
	desk := auth.RequireRole(domain.RoleAdmin, domain.RoleFrontDesk)
	admin := auth.RequireRole(domain.RoleAdmin)

	// Public.
	v1.GET("/services", s.listServices)
	v1.GET("/practitioners", s.listPractitioners)
	v1.GET("/availability", s.availability)
	v1.POST("/bookings", s.createBooking)
	v1.POST("/holds", s.createHold)
	v1.DELETE("/holds/:hold_token", s.deleteHold)
	v1.GET("/manage/:token", s.manageBooking)
	v1.POST("/manage/:token/reschedule", s.manageReschedule)
	v1.POST("/manage/:token/cancel", s.manageCancel)
	v1.GET("/manage/:token/calendar.ics", s.manageCalendar)
	v1.POST("/manage/:token/waitlist", s.joinEarlier)
	v1.GET("/manage/:token/plan", s.managePlan)
	v1.POST("/manage/:token/plan/cancel", s.manageCancelPlan)
	v1.POST("/waitlist", s.joinWaitlist)
	v1.GET("/waitlist/entry/:token", s.showEntry)
	v1.POST("/waitlist/entry/:token/leave", s.leaveEntry)
	v1.GET("/offers/:token", s.showOffer)
	v1.POST("/offers/:token/accept", s.acceptOffer)
	v1.POST("/offers/:token/decline", s.declineOffer)

	// Sign-in.
	v1.POST("/auth/tokens", s.createToken)
	v1.DELETE("/auth/tokens/current", s.deleteCurrentToken, staff)

	// Setup.
	v1.GET("/clinic", s.getClinic, staff)
	v1.PUT("/clinic", s.putClinic, admin)
	v1.POST("/services", s.createService, admin)
	v1.PUT("/services/:id", s.updateService, admin)
	v1.POST("/practitioners", s.createPractitioner, admin)
	v1.PUT("/practitioners/:id", s.updatePractitioner, admin)
	v1.GET("/practitioners/:id/hours", s.getHours, staff)
	v1.PUT("/practitioners/:id/hours", s.putHours, staff)
	v1.GET("/practitioners/:id/overrides", s.listOverrides, staff)
	v1.POST("/practitioners/:id/overrides", s.createOverride, staff)
	v1.DELETE("/practitioners/:id/overrides/:oid", s.deleteOverride, staff)
	v1.GET("/practitioners/:id/time-off", s.listTimeOff, staff)
	v1.POST("/practitioners/:id/time-off", s.createTimeOff, staff)
	v1.PUT("/practitioners/:id/time-off/:tid", s.updateTimeOff, staff)
	v1.DELETE("/practitioners/:id/time-off/:tid", s.deleteTimeOff, staff)
	v1.GET("/practitioners/:id/busy-calendars", s.listBusyCalendars, staff)
	v1.POST("/practitioners/:id/busy-calendars", s.createBusyCalendar, staff)
	v1.DELETE("/practitioners/:id/busy-calendars/:cid", s.deleteBusyCalendar, staff)
	v1.GET("/rooms", s.listRooms, staff)
	v1.POST("/rooms", s.createRoom, admin)
	v1.PUT("/rooms/:id", s.updateRoom, admin)

	// Front desk.
	v1.GET("/bookings", s.listBookings, staff)
	v1.GET("/bookings/:id", s.getBooking, staff)
	v1.POST("/bookings/:id/reschedule", s.rescheduleBooking, staff)
	v1.POST("/bookings/:id/cancel", s.cancelBooking, staff)
	v1.POST("/bookings/:id/status", s.setBookingStatus, staff)
	v1.PUT("/bookings/:id/notes", s.setStaffNotes, staff)
	v1.PUT("/bookings/:id/review-outcome", s.setReviewOutcome, staff)
	v1.POST("/plans", s.createPlan, staff)
	v1.GET("/plans", s.listPlans, staff)
	v1.GET("/plans/:id", s.getPlan, staff)
	v1.POST("/plans/:id/cancel", s.cancelPlan, staff)
	v1.GET("/events", s.events, staff)
	v1.GET("/waitlist", s.listWaitlist, staff)
	v1.POST("/waitlist/:id/offer", s.offerEntry, staff)
	v1.DELETE("/waitlist/:id", s.removeEntry, staff)
	v1.GET("/patients", s.listPatients, desk)
	v1.GET("/patients/:id", s.getPatient, desk)
	v1.PUT("/patients/:id/email", s.setPatientEmail, desk)
	v1.GET("/notifications", s.listNotifications, desk)
	v1.POST("/notifications/:id/retry", s.retryNotification, desk)
	v1.GET("/inbound", s.listInbound, desk)
	v1.POST("/inbound/:id/accept", s.acceptProposal, staff)
	v1.POST("/inbound/:id/decline", s.declineProposal, staff)
	v1.GET("/feed-tokens", s.listFeedTokens, staff)
	v1.POST("/feed-tokens", s.createFeedToken, staff)
	v1.DELETE("/feed-tokens/:id", s.deleteFeedToken, staff)

	// Admin.
	v1.GET("/users", s.listUsers, admin)
	v1.POST("/users", s.createUser, admin)
	v1.PUT("/users/:id", s.updateUser, admin)
	v1.GET("/audit", s.listAudit, admin)

	// Reports.
	v1.GET("/reports/funnel", s.reportFunnel, desk)
	v1.GET("/reports/utilisation", s.reportUtilisation, desk)
	v1.GET("/reports/heatmap", s.reportHeatmap, desk)
	v1.GET("/reports/no-shows", s.reportNoShows, desk)
}
