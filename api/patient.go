package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// maxListedPatients bounds one search.
const maxListedPatients = 100

type patientDetailJSON struct {
	patientJSON
	CreatedAt string `json:"created_at"`
}

// listPatients handles GET /api/v1/patients?q=: a search by name, email or
// phone.
func (s *Server) listPatients(c echo.Context) error {
	q := c.QueryParam("q")
	if msg := domain.SearchProblem(q); msg != "" {
		return domain.Invalid("q", msg)
	}
	list, err := s.Store.Patients(c.Request().Context(), domain.PatientFilter{Query: q, Limit: maxListedPatients})
	if err != nil {
		return err
	}
	out := make([]patientDetailJSON, 0, len(list))
	for _, p := range list {
		out = append(out, patientDetailJSON{toPatientJSON(p), rfc3339(p.CreatedAt, time.UTC)})
	}
	return c.JSON(http.StatusOK, map[string]any{"patients": out})
}

// getPatient handles GET /api/v1/patients/{id}: the patient, their
// bookings oldest first, and the emails written to them, newest first.
func (s *Server) getPatient(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	p, err := s.Store.Patient(ctx, id)
	if err != nil {
		return err
	}
	list, err := s.Store.Bookings(ctx, domain.BookingFilter{PatientID: id, Limit: maxListedBookings})
	if err != nil {
		return err
	}
	msgs, err := s.Store.Messages(ctx, domain.MessageFilter{PatientID: id, Limit: maxListedMessages})
	if err != nil {
		return err
	}
	sent := make([]notificationJSON, 0, len(msgs))
	for _, m := range msgs {
		sent = append(sent, toNotificationJSON(m))
	}
	return c.JSON(http.StatusOK, map[string]any{
		"patient":  patientDetailJSON{toPatientJSON(p), rfc3339(p.CreatedAt, time.UTC)},
		"bookings": toStaffBookings(list),
		"messages": sent,
	})
}
