package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// staffBookingJSON is a booking as the front desk sees it.
type staffBookingJSON struct {
	publicBookingJSON
	Patient        patientJSON      `json:"patient"`
	Notes          string           `json:"notes"`
	StaffNotes     string           `json:"staff_notes"`
	Overbooked     bool             `json:"overbooked"`
	Room           *nameRef         `json:"room"`            // null when the visit holds no room
	RoomOverbooked bool             `json:"room_overbooked"` // staff double-booked the room
	Complimentary  bool             `json:"complimentary"`
	Source         string           `json:"source"`
	Attribution    *attributionJSON `json:"attribution"`
	Intake         *intakeJSON      `json:"intake"`
	Sequence       int              `json:"sequence"`
	CancelReason   string           `json:"cancel_reason"`
	Given          givenJSON        `json:"given"`
	CreatedAt      string           `json:"created_at"`
	UpdatedAt      string           `json:"updated_at"`
	// Version is sent back with a reschedule or status change: 409 when
	// the booking changed since.
	Version     string `json:"version"`
	CancelledAt string `json:"cancelled_at,omitempty"`
	// ReviewOutcome is what came of a case review: plan_started, declined
	// or follow_up; null while undecided and for every other service.
	ReviewOutcome *string `json:"review_outcome"`
}

// givenJSON is what the booker typed for the patient, which a booking
// never writes onto an existing patient's record.
type givenJSON struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Differs bool   `json:"differs"` // not what the patient's record says
}

// patientJSON is a patient's contact details.
type patientJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	// EmailStatus is "bouncing" once mail to Email failed for good.
	EmailStatus string `json:"email_status"`
}

func toPatientJSON(p domain.Patient) patientJSON {
	return patientJSON{ID: p.ID, Name: p.Name, Email: p.Email, Phone: p.Phone,
		EmailStatus: string(orDefault(p.EmailStatus, domain.EmailOK))}
}

// orDefault is v, or def when v is empty.
func orDefault[T ~string](v, def T) T {
	if v == "" {
		return def
	}
	return v
}

func toStaffBooking(d domain.BookingDetail) staffBookingJSON {
	return staffBookingJSON{
		publicBookingJSON: toPublicBooking(d),
		Patient:           toPatientJSON(d.Patient),
		Notes:             d.Notes, StaffNotes: d.StaffNotes, Overbooked: d.Overbooked,
		Room: roomRef(d), RoomOverbooked: d.RoomOverbooked,
		Complimentary: d.Complimentary, Source: string(d.Source), Attribution: toAttributionJSON(d.Attribution),
		Intake:   toIntakeJSON(d.Intake),
		Sequence: d.Sequence, CancelReason: d.CancelReason,
		Given:     givenJSON{Name: d.GivenName, Phone: d.GivenPhone, Differs: d.GivenDiffers(d.Patient)},
		CreatedAt: rfc3339(d.CreatedAt, time.UTC), UpdatedAt: rfc3339(d.UpdatedAt, time.UTC), Version: d.Version(),
		CancelledAt:   rfc3339(d.CancelledAt, time.UTC),
		ReviewOutcome: optionalID(string(d.ReviewOutcome)),
	}
}

// roomRef is the visit's room by id and name, nil when it holds none.
func roomRef(d domain.BookingDetail) *nameRef {
	if d.RoomID == "" {
		return nil
	}
	return &nameRef{ID: d.RoomID, Name: d.Room.Name}
}

func toStaffBookings(list []domain.BookingDetail) []staffBookingJSON {
	out := make([]staffBookingJSON, 0, len(list))
	for _, d := range list {
		out = append(out, toStaffBooking(d))
	}
	return out
}

// maxListedBookings bounds one list of bookings.
const maxListedBookings = 2000

// listBookings handles GET /api/v1/bookings?from=&to=&practitioner_id=&status=&patient_id=.
// from and to are RFC 3339 instants or YYYY-MM-DD days in the clinic's zone
// (to inclusive); the default is the coming week. A practitioner sees only
// their own calendar.
func (s *Server) listBookings(c echo.Context) error {
	f, err := s.bookingFilter(c)
	if err != nil {
		return err
	}
	list, err := s.Store.Bookings(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"bookings": toStaffBookings(list)})
}

func (s *Server) bookingFilter(c echo.Context) (domain.BookingFilter, error) {
	f := domain.BookingFilter{Limit: maxListedBookings, PractitionerID: c.QueryParam("practitioner_id"), PatientID: c.QueryParam("patient_id")}
	var err error
	if f.PractitionerID, err = auth.Actor(c).Scope(f.PractitionerID); err != nil {
		return f, err
	}
	var v domain.Validation
	v.Check(f.PractitionerID == "" || domain.IsID(f.PractitionerID), "practitioner_id", "Unknown practitioner.")
	v.Check(f.PatientID == "" || domain.IsID(f.PatientID), "patient_id", "Unknown patient.")
	for _, st := range strings.Split(c.QueryParam("status"), ",") {
		if st = strings.TrimSpace(st); st == "" {
			continue
		}
		v.Check(domain.Status(st).Valid(), "status", "Use confirmed, arrived, completed, no_show or cancelled.")
		f.Statuses = append(f.Statuses, domain.Status(st))
	}
	if err := v.Err(); err != nil {
		return f, err
	}
	cl, err := s.Store.Clinic(c.Request().Context())
	if err != nil {
		return f, err
	}
	loc := cl.Location()
	if f.From, err = dayOrInstant(c, "from", loc, false); err != nil {
		return f, err
	}
	if f.From.IsZero() && f.PatientID == "" {
		f.From = domain.WallClock(domain.DateOf(s.Clock.Now().In(loc)), 0, loc)
	}
	if f.To, err = dayOrInstant(c, "to", loc, true); err != nil {
		return f, err
	}
	if f.To.IsZero() && f.PatientID == "" {
		f.To = f.From.AddDate(0, 0, 7)
	}
	if !f.To.IsZero() && !f.From.IsZero() && !f.From.Before(f.To) {
		return f, domain.Invalid("to", "Must be after from.")
	}
	return f, nil
}

// dayOrInstant reads a query parameter given as RFC 3339 or as a day in
// loc: the day's start, or for an inclusive end the next day's start.
func dayOrInstant(c echo.Context, name string, loc *time.Location, end bool) (time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := domain.ParseDate(v); err == nil {
		if end {
			d = d.AddDays(1)
		}
		return domain.WallClock(d, 0, loc), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, domain.Invalid(name, "Use YYYY-MM-DD or an RFC 3339 time.")
	}
	return t, inYears(name, t)
}

// staffBooking loads the booking in the path, answering 403 when it is on
// another practitioner's calendar than a practitioner's own.
func (s *Server) staffBooking(c echo.Context) (domain.BookingDetail, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return domain.BookingDetail{}, err
	}
	d, err := s.Store.Booking(c.Request().Context(), id)
	if err != nil {
		return domain.BookingDetail{}, err
	}
	if err := mayActFor(c, d.PractitionerID); err != nil {
		return domain.BookingDetail{}, err
	}
	return d, nil
}

// getBooking handles GET /api/v1/bookings/{id}.
func (s *Server) getBooking(c echo.Context) error {
	d, err := s.staffBooking(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"booking": toStaffBooking(d)})
}

type staffRescheduleInput struct {
	Start          string `json:"start"`
	PractitionerID string `json:"practitioner_id"`
	Overbook       bool   `json:"overbook"`
	RoomID         string `json:"room_id"`       // "" = keep the room, or any suitable free one
	OverbookRoom   bool   `json:"overbook_room"` // double-book the room too
	Version        string `json:"version"`       // the booking's version as read; "" = not checked
}

// rescheduleBooking handles POST /api/v1/bookings/{id}/reschedule
// {"start","practitioner_id"?,"overbook"?}.
func (s *Server) rescheduleBooking(c echo.Context) error {
	d, err := s.staffBooking(c)
	if err != nil {
		return err
	}
	var in staffRescheduleInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	start, err := parseInstant("start", in.Start)
	if err != nil {
		return err
	}
	if in.PractitionerID != "" && !domain.IsID(in.PractitionerID) {
		return domain.Invalid("practitioner_id", "Unknown practitioner.")
	}
	if in.PractitionerID != "" {
		if err := mayActFor(c, in.PractitionerID); err != nil {
			return err
		}
	}
	version, err := domain.ParseVersion("version", in.Version)
	if err != nil {
		return err
	}
	got, err := s.Scheduler.Move(c.Request().Context(), domain.MoveRequest{Actor: auth.Actor(c), ID: d.ID, Start: start,
		PractitionerID: in.PractitionerID, RoomID: in.RoomID, Overbook: in.Overbook, OverbookRoom: in.OverbookRoom, Version: version})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"booking": toStaffBooking(got)})
}

// cancelBooking handles POST /api/v1/bookings/{id}/cancel {"reason"}.
func (s *Server) cancelBooking(c echo.Context) error {
	d, err := s.staffBooking(c)
	if err != nil {
		return err
	}
	in, err := decodeCancel(c)
	if err != nil {
		return err
	}
	got, err := s.Scheduler.Cancel(c.Request().Context(), auth.Actor(c), d.ID, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"booking": toStaffBooking(got)})
}

type statusInput struct {
	Status  string `json:"status"`
	Version string `json:"version"` // the booking's version as read; "" = not checked
}

// setBookingStatus handles POST /api/v1/bookings/{id}/status {"status"}:
// arrived, completed, no_show, or back to confirmed.
func (s *Server) setBookingStatus(c echo.Context) error {
	d, err := s.staffBooking(c)
	if err != nil {
		return err
	}
	var in statusInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	st := domain.Status(in.Status)
	switch st {
	case domain.StatusArrived, domain.StatusCompleted, domain.StatusNoShow, domain.StatusConfirmed:
	default:
		return domain.Invalid("status", "Use arrived, completed, no_show or confirmed; cancel with the cancel action.")
	}
	version, err := domain.ParseVersion("version", in.Version)
	if err != nil {
		return err
	}
	got, err := s.Scheduler.ChangeStatus(c.Request().Context(), domain.StatusRequest{Actor: auth.Actor(c), ID: d.ID, Status: st, Version: version})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"booking": toStaffBooking(got)})
}

type notesInput struct {
	StaffNotes *string `json:"staff_notes"` // required: "" clears them, absent or null is a mistake
}

// setStaffNotes handles PUT /api/v1/bookings/{id}/notes {"staff_notes"}.
func (s *Server) setStaffNotes(c echo.Context) error {
	d, err := s.staffBooking(c)
	if err != nil {
		return err
	}
	var in notesInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	if in.StaffNotes == nil {
		return domain.Invalid("staff_notes", "Send the notes; an empty string clears them.")
	}
	got, err := s.Scheduler.SetStaffNotes(c.Request().Context(), auth.Actor(c), d.ID, *in.StaffNotes)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"booking": toStaffBooking(got)})
}
