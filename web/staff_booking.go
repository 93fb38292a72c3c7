package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// bookingPage is one visit for staff, with every action's form.
type bookingPage struct {
	B             domain.BookingDetail
	Zone          string
	Loc           *time.Location
	Practitioners []domain.Practitioner // who may take the visit when moved
	Rooms         []domain.Room         // the rooms it may move into: the service's active ones
	Move          moveForm
	Notes         string
	Reason        string
	Form          string // the form the problem belongs to
	Problem       formProblem
	Statuses      []domain.Status
	Mail          []domain.InboundMessage // replies and bounces about the visit, newest first
}

// moveForm is the date, time and practitioner a visit moves to.
type moveForm struct {
	Date, Time, PractitionerID string
	RoomID                     string // "" keeps the room when free, else any suitable one
	Overbook                   bool
	OverbookRoom               bool
}

var staffStatuses = []domain.Status{domain.StatusArrived, domain.StatusCompleted, domain.StatusNoShow}

// bookingPage handles GET /staff/bookings/:id.
func (s *Site) bookingPage(c echo.Context) error {
	d, err := s.loadBookingPage(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "booking", "Visit", d)
}

// loadBookingPage reads the booking; a practitioner sees only their own.
func (s *Site) loadBookingPage(c echo.Context) (bookingPage, error) {
	id := c.Param("id")
	if !domain.IsID(id) {
		return bookingPage{}, domain.ErrNotFound
	}
	ctx := c.Request().Context()
	b, err := s.Store.Booking(ctx, id)
	if err != nil {
		return bookingPage{}, err
	}
	if u, _ := auth.UserFrom(c); !u.Can(b.PractitionerID) {
		return bookingPage{}, domain.ErrNotFound
	}
	all, err := s.Store.Practitioners(ctx, false)
	if err != nil {
		return bookingPage{}, err
	}
	loc := s.clinic(c).Location()
	d := bookingPage{B: b, Loc: loc, Zone: zoneLabel(loc), Notes: b.StaffNotes, Statuses: staffStatuses,
		Move: moveForm{Date: b.Start.In(loc).Format(time.DateOnly), Time: b.Start.In(loc).Format("15:04"), PractitionerID: b.PractitionerID}}
	for _, p := range all {
		if p.Performs(b.ServiceID) {
			d.Practitioners = append(d.Practitioners, p)
		}
	}
	if s.Inbox != nil {
		if d.Mail, err = s.Inbox.Store.InboundMessages(ctx, domain.InboundFilter{BookingID: b.ID, Limit: 20}); err != nil {
			return bookingPage{}, err
		}
	}
	rooms, err := s.Store.Rooms(ctx, false)
	if err != nil {
		return bookingPage{}, err
	}
	for _, r := range rooms {
		if len(b.Service.RoomIDs) == 0 || slices.Contains(b.Service.RoomIDs, r.ID) {
			d.Rooms = append(d.Rooms, r)
		}
	}
	return d, nil
}

// afterBookingAction redirects back to the visit, or shows the page again
// with the problem next to the form that caused it.
func (s *Site) afterBookingAction(c echo.Context, err error, form, done string, keep func(*bookingPage)) error {
	if err == nil {
		return seeOther(c, "/staff/bookings/"+c.Param("id")+"?done="+done)
	}
	p, ok := problemOf(err)
	if !ok {
		return err
	}
	d, lerr := s.loadBookingPage(c)
	if lerr != nil {
		return lerr
	}
	d.Form, d.Problem = form, p
	if keep != nil {
		keep(&d)
	}
	return s.render(c, statusOf(err), "booking", "Visit", d)
}

// bookingNotes handles POST /staff/bookings/:id/notes.
func (s *Site) bookingNotes(c echo.Context) error {
	notes := c.FormValue("staff_notes")
	_, err := s.Scheduler.SetStaffNotes(c.Request().Context(), staffActor(c), c.Param("id"), notes)
	return s.afterBookingAction(c, err, "notes", "notes", func(d *bookingPage) { d.Notes = notes })
}

// bookingStatus handles POST /staff/bookings/:id/status.
func (s *Site) bookingStatus(c echo.Context) error {
	st := domain.Status(c.FormValue("status"))
	var err error
	if st.Valid() {
		_, err = s.Scheduler.SetStatus(c.Request().Context(), staffActor(c), c.Param("id"), st)
	} else {
		err = domain.Invalid("status", "Choose arrived, completed or no-show.")
	}
	return s.afterBookingAction(c, err, "status", "status", nil)
}

// bookingMove handles POST /staff/bookings/:id/move.
func (s *Site) bookingMove(c echo.Context) error {
	m := moveForm{Date: c.FormValue("date"), Time: c.FormValue("time"), PractitionerID: c.FormValue("practitioner_id"),
		RoomID: c.FormValue("room_id"), Overbook: c.FormValue("overbook") == "on", OverbookRoom: c.FormValue("overbook_room") == "on"}
	start, err := localInstant(m.Date, m.Time, s.clinic(c).Location())
	if err == nil {
		_, err = s.Scheduler.Move(c.Request().Context(), domain.MoveRequest{Actor: staffActor(c), ID: c.Param("id"), Start: start,
			PractitionerID: m.PractitionerID, RoomID: m.RoomID, Overbook: m.Overbook, OverbookRoom: m.OverbookRoom})
	}
	return s.afterBookingAction(c, err, "move", "moved", func(d *bookingPage) { d.Move = m })
}

// bookingCancel handles POST /staff/bookings/:id/cancel.
func (s *Site) bookingCancel(c echo.Context) error {
	reason := trimmed(c.FormValue("reason"))
	_, err := s.Scheduler.Cancel(c.Request().Context(), staffActor(c), c.Param("id"), reason)
	return s.afterBookingAction(c, err, "cancel", "cancelled", func(d *bookingPage) { d.Reason = reason })
}

// localInstant reads a date and a time of day in loc, naming the field at fault.
func localInstant(date, clock string, loc *time.Location) (time.Time, error) {
	d, err := domain.ParseDate(date)
	if err != nil {
		return time.Time{}, domain.Invalid("date", "Give the date as YYYY-MM-DD.")
	}
	tod, err := domain.ParseTimeOfDay(clock)
	if err != nil || tod >= 24*60 {
		return time.Time{}, domain.Invalid("time", "Give the time as HH:MM, for example 14:30.")
	}
	return domain.WallClock(d, tod, loc), nil
}

// bookingProposal handles POST /staff/bookings/:id/proposals/:mid/accept
// and …/decline: the front desk answers a time the patient proposed by
// email. Accepting moves the visit as a staff reschedule.
func (s *Site) bookingProposal(c echo.Context) error {
	if s.Inbox == nil {
		return domain.ErrNotFound
	}
	ctx, actor, mid := c.Request().Context(), staffActor(c), c.Param("mid")
	var err error
	done := "proposal-declined"
	if c.Param("answer") == "accept" {
		done = "proposal-accepted"
		_, _, err = s.Inbox.AcceptProposal(ctx, actor, mid)
	} else {
		_, err = s.Inbox.DeclineProposal(ctx, actor, mid)
	}
	return s.afterBookingAction(c, err, "proposal", done, nil)
}

// bookingPatientEmail handles POST /staff/bookings/:id/patient-email: the
// front desk fixes the patient's bouncing address.
func (s *Site) bookingPatientEmail(c echo.Context) error {
	if s.Inbox == nil {
		return domain.ErrNotFound
	}
	d, err := s.loadBookingPage(c)
	if err != nil {
		return err
	}
	_, err = s.Inbox.FixEmail(c.Request().Context(), staffActor(c), d.B.PatientID, c.FormValue("email"))
	return s.afterBookingAction(c, err, "email", "email-fixed", nil)
}
