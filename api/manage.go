package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// manageBookingJSON is the patient's own booking with what they may do.
type manageBookingJSON struct {
	publicBookingJSON
	CanCancel        bool   `json:"can_cancel"`
	CanReschedule    bool   `json:"can_reschedule"`
	CancelCutoff     string `json:"cancel_cutoff"`
	RescheduleCutoff string `json:"reschedule_cutoff"`
	ClinicPhone      string `json:"clinic_phone"`
	ServiceKind      string `json:"service_kind"`
	DurationMinutes  int    `json:"duration_minutes"`
}

// manageToken returns the token in the path; one that cannot be a token is
// a plain 404.
func manageToken(c echo.Context) (string, error) {
	t := c.Param("token")
	if t == "" || len(t) > 128 {
		return "", domain.ErrNotFound
	}
	return t, nil
}

// manageView renders d with the clinic's cut-offs.
func (s *Server) manageView(c echo.Context, d domain.BookingDetail) error {
	cl, err := s.Store.Clinic(c.Request().Context())
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	loc := bookingZone(d.Booking)
	cancelBy := d.Start.Add(-cl.Policy.CancelCutoff)
	rescheduleBy := d.Start.Add(-cl.Policy.RescheduleCutoff)
	open := d.Status == domain.StatusConfirmed
	return c.JSON(http.StatusOK, map[string]any{"booking": manageBookingJSON{
		publicBookingJSON: toPublicBooking(d),
		CanCancel:         open && now.Before(cancelBy),
		CanReschedule:     open && now.Before(rescheduleBy),
		CancelCutoff:      rfc3339(cancelBy, loc),
		RescheduleCutoff:  rfc3339(rescheduleBy, loc),
		ClinicPhone:       cl.Phone,
		ServiceKind:       string(d.Service.Kind),
		DurationMinutes:   int(d.Service.Duration.Minutes()),
	}})
}

// manageBooking handles GET /api/v1/manage/{token}.
func (s *Server) manageBooking(c echo.Context) error {
	token, err := manageToken(c)
	if err != nil {
		return err
	}
	d, err := s.Scheduler.Manage(c.Request().Context(), token)
	if err != nil {
		return err
	}
	return s.manageView(c, d)
}

type rescheduleInput struct {
	Start string `json:"start"`
}

// manageReschedule handles POST /api/v1/manage/{token}/reschedule {"start"}.
func (s *Server) manageReschedule(c echo.Context) error {
	token, err := manageToken(c)
	if err != nil {
		return err
	}
	var in rescheduleInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	start, err := parseInstant("start", in.Start)
	if err != nil {
		return err
	}
	d, err := s.Scheduler.RescheduleByToken(c.Request().Context(), token, start)
	if err != nil {
		return err
	}
	return s.manageView(c, d)
}

type cancelInput struct {
	Reason string `json:"reason"`
}

// maxReason bounds a cancellation reason.
const maxReason = 500

// manageCancel handles POST /api/v1/manage/{token}/cancel {"reason"?}; the
// body may be left out.
func (s *Server) manageCancel(c echo.Context) error {
	token, err := manageToken(c)
	if err != nil {
		return err
	}
	in, err := decodeCancel(c)
	if err != nil {
		return err
	}
	d, err := s.Scheduler.CancelByToken(c.Request().Context(), token, in.Reason)
	if err != nil {
		return err
	}
	return s.manageView(c, d)
}

// decodeCancel reads an optional {"reason"} body.
func decodeCancel(c echo.Context) (cancelInput, error) {
	var in cancelInput
	if c.Request().ContentLength == 0 {
		return in, nil // the reason is optional, and so is the body
	}
	if err := decodeStrict(c, &in); err != nil {
		return in, err
	}
	if len([]rune(in.Reason)) > maxReason {
		return in, domain.Invalid("reason", "Keep the reason under 500 characters.")
	}
	return in, nil
}
