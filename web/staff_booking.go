package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/api/problem"
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
	Undo          domain.Status           // after a status change: the status it had, to go back to
}

// moveForm is the date, time and practitioner a visit moves to.
type moveForm struct {
	Date, Time, PractitionerID string
	RoomID                     string // "" keeps the room when free, else any suitable one
	Overbook                   bool
	OverbookRoom               bool
}

var staffStatuses = []domain.Status{domain.StatusConfirmed, domain.StatusArrived, domain.StatusCompleted, domain.StatusNoShow}

// bookingPage handles GET /staff/bookings/:id.
func (s *Site) bookingPage(c echo.Context) error {
	d, err := s.loadBookingPage(c)
	if err != nil {
		return err
	}
	if was := domain.Status(c.QueryParam("was")); c.QueryParam("done") == "status" && was.Valid() && was != d.B.Status && was != domain.StatusCancelled {
		d.Undo = was
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

// bookingStatus handles POST /staff/bookings/:id/status: status, and the
// version the page showed. The calendar's script asks for JSON (Accept:
// application/json) and gets the booking or a problem document.
func (s *Site) bookingStatus(c echo.Context) error {
	st := domain.Status(c.FormValue("status"))
	var got domain.BookingDetail
	var was domain.Status
	version, err := domain.ParseVersion("version", c.FormValue("version"))
	if err == nil && !st.Valid() {
		err = domain.Invalid("status", "Choose confirmed, arrived, completed or no-show.")
	}
	if err == nil {
		was, err = s.statusBefore(c)
	}
	if err == nil {
		got, err = s.Scheduler.ChangeStatus(c.Request().Context(), domain.StatusRequest{Actor: staffActor(c), ID: c.Param("id"), Status: st, Version: version})
	}
	if wantsJSON(c) {
		return answerJSON(c, got, was, err)
	}
	if err == nil {
		return seeOther(c, "/staff/bookings/"+c.Param("id")+"?done=status&was="+string(was))
	}
	return s.afterBookingAction(c, err, "status", "status", nil)
}

// statusBefore is the booking's status before the change, for the undo.
func (s *Site) statusBefore(c echo.Context) (domain.Status, error) {
	if !domain.IsID(c.Param("id")) {
		return "", domain.ErrNotFound
	}
	b, err := s.Store.Booking(c.Request().Context(), c.Param("id"))
	return b.Status, err
}

// bookingMove handles POST /staff/bookings/:id/move (JSON like bookingStatus).
func (s *Site) bookingMove(c echo.Context) error {
	m := moveForm{Date: c.FormValue("date"), Time: c.FormValue("time"), PractitionerID: c.FormValue("practitioner_id"),
		RoomID: c.FormValue("room_id"), Overbook: c.FormValue("overbook") == "on", OverbookRoom: c.FormValue("overbook_room") == "on"}
	var got domain.BookingDetail
	start, err := localInstant(m.Date, m.Time, s.clinic(c).Location())
	version, verr := domain.ParseVersion("version", c.FormValue("version"))
	if err == nil {
		err = verr
	}
	if err == nil {
		got, err = s.Scheduler.Move(c.Request().Context(), domain.MoveRequest{Actor: staffActor(c), ID: c.Param("id"), Start: start,
			PractitionerID: m.PractitionerID, RoomID: m.RoomID, Overbook: m.Overbook, OverbookRoom: m.OverbookRoom, Version: version})
	}
	if wantsJSON(c) {
		return answerJSON(c, got, "", err)
	}
	return s.afterBookingAction(c, err, "move", "moved", func(d *bookingPage) { d.Move = m })
}

// wantsJSON reports whether the calendar's script sent the request.
func wantsJSON(c echo.Context) bool {
	return strings.Contains(c.Request().Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON)
}

// visitJSON is what the calendar's script needs back about a visit.
type visitJSON struct {
	ID             string `json:"id"`
	Status         string `json:"status"`
	Previous       string `json:"previous_status,omitempty"`
	Version        string `json:"version"`
	Patient        string `json:"patient"`
	PractitionerID string `json:"practitioner_id"`
	Start          string `json:"start"`
	End            string `json:"end"`
}

// answerJSON answers the script: the visit, or problem+json (409 naming
// the visits in the way, or stale).
func answerJSON(c echo.Context, got domain.BookingDetail, was domain.Status, err error) error {
	if err != nil {
		if problem.Status(err) >= 500 {
			return err
		}
		return problem.Write(c, problem.For(err))
	}
	return c.JSON(http.StatusOK, map[string]visitJSON{"booking": {ID: got.ID, Status: string(got.Status), Previous: string(was),
		Version: got.Version(), Patient: got.Patient.Name, PractitionerID: got.PractitionerID,
		Start: got.Start.UTC().Format(time.RFC3339), End: got.End.UTC().Format(time.RFC3339)}})
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
