package web

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// patientPage is one patient's record for the front desk: contact
// details, every visit (coming first, then past, newest first), and the
// emails written to them.
type patientPage struct {
	Patient  domain.Patient
	Upcoming []domain.BookingDetail
	Past     []domain.BookingDetail
	Messages []domain.Message
	BookHref string // a new booking for them, with their last service and practitioner
	Loc      *time.Location
	Zone     string
}

// maxPatientVisits bounds the visits one record lists.
const maxPatientVisits = 500

// patientRecord handles GET /staff/patients/:id.
func (s *Site) patientRecord(c echo.Context) error {
	id := c.Param("id")
	if !domain.IsID(id) {
		return domain.ErrNotFound
	}
	ctx := c.Request().Context()
	p, err := s.Store.Patient(ctx, id)
	if err != nil {
		return err
	}
	visits, err := s.Store.Bookings(ctx, domain.BookingFilter{PatientID: id, Limit: maxPatientVisits})
	if err != nil {
		return err
	}
	msgs, err := s.Store.Messages(ctx, domain.MessageFilter{PatientID: id, Limit: 200})
	if err != nil {
		return err
	}
	loc := s.clinic(c).Location()
	d := patientPage{Patient: p, Messages: msgs, Loc: loc, Zone: zoneLabel(loc)}
	now := s.Clock.Now()
	for _, v := range visits {
		if v.End.After(now) {
			d.Upcoming = append(d.Upcoming, v)
		} else {
			d.Past = append(d.Past, v)
		}
	}
	slices.Reverse(d.Past) // the store lists oldest first; the latest visit matters most
	d.BookHref = bookAgain(p, visits)
	return s.render(c, http.StatusOK, "patient", p.Name, d)
}

// bookAgain is the new-booking link for p, with the service and
// practitioner of their latest visit that was not cancelled.
func bookAgain(p domain.Patient, visits []domain.BookingDetail) string {
	q := url.Values{"patient": {p.ID}}
	for i := len(visits) - 1; i >= 0; i-- {
		if v := visits[i]; v.Status != domain.StatusCancelled {
			q.Set("service_id", v.ServiceID)
			q.Set("practitioner_id", v.PractitionerID)
			break
		}
	}
	return "/staff/bookings/new?" + q.Encode()
}

// patientHref is a patient's record page.
func patientHref(p domain.Patient) string { return "/staff/patients/" + url.PathEscape(p.ID) }

// visitList is visits to show in the clinic's zone.
type visitList struct {
	V   []domain.BookingDetail
	Loc *time.Location
}

// UpcomingList is the coming visits, for the visits template.
func (d patientPage) UpcomingList() visitList { return visitList{d.Upcoming, d.Loc} }

// PastList is the past visits, for the visits template.
func (d patientPage) PastList() visitList { return visitList{d.Past, d.Loc} }
