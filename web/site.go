// Package web serves Frontdesk's server-rendered pages: the booking flow
// and manage link for patients, and the calendar and setup pages for
// front-desk staff. Every change goes through the same domain use cases as
// the JSON API; templates, CSS and JS are embedded in the binary.
package web

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// Site holds what the page handlers need. Set the fields, then call Register.
type Site struct {
	Scheduler *domain.Scheduler
	Setup     *domain.Setup // every setup change, with its audit entry
	Store     domain.Store
	Auth      *auth.Auth // sessions, sign-in and CSRF tokens: the API's
	BaseURL   string     // the public origin, for feed links
	Clock     domain.Clock
	Logger    *slog.Logger
	// EmbedOrigins may frame the booking pages (EMBED_ORIGINS, see
	// ParseOrigins); none = no page may be framed.
	EmbedOrigins []string
	// Busy manages practitioners' busy calendars; nil = one over Store.
	Busy *domain.BusyImport
	// Inbox answers patients' emailed replies; nil = the booking page shows
	// no mail (cmd wires in the API's).
	Inbox *domain.Inbox
	// Plans books and changes plans of care; nil = one over Store.
	Plans *domain.Plans
	// Waitlist runs the waitlist pages (join, the patient's entry, offers,
	// the staff list); nil = those pages answer 503.
	Waitlist *domain.Waitlist
}

// Register adds every page route and /static/* to e, which must run
// Auth.Authenticate and auth.CSRF (api.Server.Echo does) so sessions and
// CSRF checks apply.
func (s *Site) Register(e *echo.Echo) {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Clock == nil {
		s.Clock = domain.SystemClock
	}
	if s.Setup == nil {
		s.Setup = &domain.Setup{Store: s.Store, Clock: s.Clock, HashPassword: auth.HashPassword, Bookings: s.Scheduler}
	}
	if ps, ok := s.Store.(domain.PlanStore); ok && s.Plans == nil {
		s.Plans = &domain.Plans{Scheduler: s.Scheduler, Store: ps}
	}
	// Pages and their assets are compressed; the API and the feeds are
	// not (Outlook fails on a gzipped feed: see INTEROP.md).
	gz := compressPages()
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", staticHandler())), gz)
	e.GET("/favicon.ico", s.favicon)

	// Patients; the booking pages may be framed by EMBED_ORIGINS. HEAD
	// answers like GET.
	e.GET("/embed.js", serveEmbedJS)
	framed := s.frameable
	page := func(path string, h echo.HandlerFunc) {
		e.GET(path, h, framed, gz)
		e.HEAD(path, h, framed, gz)
	}
	page("/", s.landing)
	page("/book/:service", s.choosePractitioner)
	page("/book/:service/times", s.times)
	page("/book/:service/details", s.details)
	e.POST("/book/:service/details", s.book, framed, gz)
	page("/manage/:token", s.manage)
	e.POST("/manage/:token/reschedule", s.manageReschedule, framed, gz)
	e.POST("/manage/:token/cancel", s.manageCancel, framed, gz)
	e.POST("/manage/:token/plan/cancel", s.managePlanCancel, framed, gz)
	page("/book/:service/waitlist", s.joinForm)
	e.POST("/book/:service/waitlist", s.join, framed, gz)
	page("/manage/:token/waitlist", s.earlierForm)
	e.POST("/manage/:token/waitlist", s.joinEarlier, framed, gz)
	page("/waitlist/:token", s.entry)
	e.POST("/waitlist/:token/leave", s.leave, framed, gz)
	page("/offers/:token", s.offer)
	e.POST("/offers/:token/accept", s.acceptOffer, framed, gz)
	e.POST("/offers/:token/decline", s.declineOffer, framed, gz)

	// Staff sign-in.
	e.GET("/staff/login", s.loginForm, gz)
	e.POST("/staff/login", s.login, gz)
	e.POST("/staff/logout", s.logout)

	staff := e.Group("/staff", s.requireStaff(), gz)
	desk := requireRole(domain.RoleAdmin, domain.RoleFrontDesk)
	admin := requireRole(domain.RoleAdmin)
	staff.GET("", s.calendar)
	staff.GET("/bookings/new", s.newBookingForm, desk)
	staff.POST("/bookings/new", s.createBooking, desk)
	staff.GET("/bookings/free-times", s.freeTimesPart, desk)
	staff.GET("/daysheet", s.daySheet)
	staff.GET("/bookings/:id", s.bookingPage)
	staff.POST("/bookings/:id/notes", s.bookingNotes)
	staff.POST("/bookings/:id/status", s.bookingStatus)
	staff.POST("/bookings/:id/move", s.bookingMove)
	staff.POST("/bookings/:id/cancel", s.bookingCancel)
	staff.POST("/bookings/:id/proposals/:mid/:answer", s.bookingProposal)
	staff.POST("/bookings/:id/patient-email", s.bookingPatientEmail, desk)
	staff.POST("/bookings/:id/outcome", s.bookingOutcome, desk)
	staff.GET("/plans/new", s.newPlanForm, desk)
	staff.POST("/plans/new", s.createPlan, desk)
	staff.GET("/plans/:id", s.planPageHandler)
	staff.POST("/plans/:id/cancel", s.cancelPlan, desk)
	staff.GET("/patients", s.patients, desk)
	staff.GET("/patients/:id", s.patientRecord, desk)

	staff.GET("/setup/practitioners", s.practitioners, admin)
	staff.POST("/setup/practitioners", s.savePractitioner, admin)
	staff.GET("/setup/services", s.services, admin)
	staff.POST("/setup/services", s.saveService, admin)
	staff.GET("/setup/rooms", s.rooms, admin)
	staff.POST("/setup/rooms", s.saveRoom, admin)
	staff.POST("/setup/rooms/email", s.saveRoomEmail, admin)
	staff.GET("/setup/hours/:id", s.hours)
	staff.POST("/setup/hours/:id/weekly", s.saveWeekly)
	staff.POST("/setup/hours/:id/overrides", s.saveOverride)
	staff.POST("/setup/hours/:id/overrides/:oid/delete", s.deleteOverride)
	staff.POST("/setup/hours/:id/time-off", s.saveTimeOff)
	staff.POST("/setup/hours/:id/move-visit", s.moveCovered)
	staff.POST("/setup/hours/:id/time-off/:tid/delete", s.deleteTimeOff)
	staff.GET("/setup/embed", s.embedSetup, admin)
	staff.POST("/setup/hours/:id/busy-calendars", s.saveBusyCalendar)
	staff.POST("/setup/hours/:id/busy-calendars/:cid/delete", s.deleteBusyCalendar)
	staff.GET("/setup/users", s.users, admin)
	staff.POST("/setup/users", s.saveUser, admin)
	staff.GET("/feeds", s.feeds, desk)
	staff.POST("/feeds", s.rotateFeed, desk)
	staff.GET("/reports", s.reportsHandler, desk)
	staff.GET("/waitlist", s.staffWaitlist)
	staff.POST("/waitlist/:id/offer", s.staffOffer)
	staff.POST("/waitlist/:id/remove", s.staffRemove)
	staff.GET("/notifications", s.notifications, desk)
	staff.POST("/notifications/:id/retry", s.retryNotification, desk)
}
