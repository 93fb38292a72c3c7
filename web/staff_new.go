package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// newBookingPage books a visit for a caller: an existing patient from the
// search, or a new one.
type newBookingPage struct {
	Query         string
	Patients      []domain.Patient
	Services      []domain.Service
	Practitioners []domain.Practitioner
	Rooms         []domain.Room // active rooms staff may choose
	Form          newBookingForm
	Key           string
	Zone          string
	Problem       formProblem
	Intake        intakeChoices
	Free          freeTimes // the chosen practitioner's open times that day
}

// freeTimes lists open starts for the new-booking form.
type freeTimes struct {
	Asked                 bool
	Practitioner, Service string
	Day                   string
	Slots                 []freeSlot
}

// freeSlot is one open start: a link that fills the time (the script
// fills the field without leaving the page).
type freeSlot struct {
	Label, Value, Href string
}

// newBookingForm is what the front desk typed.
type newBookingForm struct {
	PatientID                 string
	ServiceID, PractitionerID string
	Date, Time                string
	Name, Email, Phone, Notes string
	Overbook                  bool
	RoomID                    string // "" = any suitable room
	OverbookRoom              bool
	PainAreas, Tried          []string
	Duration, IntakeNotes     string
}

// newBookingForm handles GET /staff/bookings/new (?q= searches patients,
// ?patient= picks one).
// The calendar's free times link here with practitioner_id, date and time
// (and service_id) filled; its panel asks with HX-Request for the form alone.
func (s *Site) newBookingForm(c echo.Context) error {
	q := c.QueryParams()
	f := newBookingForm{PatientID: c.QueryParam("patient"), Date: s.today(s.clinic(c).Location()).String(),
		PractitionerID: q.Get("practitioner_id"), ServiceID: q.Get("service_id"), Time: q.Get("time")}
	if _, err := domain.ParseDate(q.Get("date")); err == nil {
		f.Date = q.Get("date")
	}
	d, err := s.loadNewBooking(c, f)
	if err != nil {
		return err
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		return s.renderPart(c, http.StatusOK, "newbooking", "bookform", s.partView(c, d))
	}
	return s.render(c, http.StatusOK, "newbooking", "New booking", d)
}

// freeTimesPart handles GET /staff/bookings/free-times?service_id=&practitioner_id=&date=:
// the list of open times the form shows, for the panel to swap in.
func (s *Site) freeTimesPart(c echo.Context) error {
	f := newBookingForm{ServiceID: c.QueryParam("service_id"), PractitionerID: c.QueryParam("practitioner_id"), Date: c.QueryParam("date")}
	d, err := s.loadNewBooking(c, f)
	if err != nil {
		return err
	}
	return s.renderPart(c, http.StatusOK, "newbooking", "freetimes", d.Free)
}

// freeTimes finds the practitioner's open starts for the service on the
// form's day, without the online notice and horizon (staff book by phone).
func (s *Site) freeTimes(c echo.Context, d newBookingPage) (freeTimes, error) {
	f := d.Form
	day, err := domain.ParseDate(f.Date)
	if err != nil || !domain.IsID(f.ServiceID) || !domain.IsID(f.PractitionerID) {
		return freeTimes{}, nil
	}
	loc := s.clinic(c).Location()
	ft := freeTimes{Asked: true, Day: dayLabel(day)}
	for _, sv := range d.Services {
		if sv.ID == f.ServiceID {
			ft.Service = sv.Name
		}
	}
	for _, p := range d.Practitioners {
		if p.ID == f.PractitionerID {
			ft.Practitioner = p.Name
		}
	}
	slots, err := s.Scheduler.Availability(c.Request().Context(), domain.AvailabilityQuery{ServiceID: f.ServiceID, PractitionerID: f.PractitionerID,
		From: day, To: day, Location: loc, IgnorePolicy: true})
	if domain.ErrorKind(err) == domain.KindInvalid || domain.ErrorKind(err) == domain.KindNotFound {
		return ft, nil // the practitioner does not perform the service: no times
	}
	if err != nil {
		return freeTimes{}, err
	}
	q := url.Values{"service_id": {f.ServiceID}, "practitioner_id": {f.PractitionerID}, "date": {f.Date}}
	if f.PatientID != "" {
		q.Set("patient", f.PatientID)
	}
	for _, sl := range slots {
		t := sl.Start.In(loc)
		q.Set("time", t.Format("15:04"))
		ft.Slots = append(ft.Slots, freeSlot{Label: t.Format("3:04 PM"), Value: t.Format("15:04"), Href: "/staff/bookings/new?" + q.Encode()})
	}
	return ft, nil
}

func (s *Site) loadNewBooking(c echo.Context, f newBookingForm) (newBookingPage, error) {
	ctx := c.Request().Context()
	d := newBookingPage{Query: trimmed(c.QueryParam("q")), Form: f, Key: newKey(), Zone: zoneLabel(s.clinic(c).Location()), Intake: intake}
	var err error
	if d.Services, err = s.Store.Services(ctx, false); err != nil {
		return d, err
	}
	if d.Practitioners, err = s.Store.Practitioners(ctx, false); err != nil {
		return d, err
	}
	if d.Rooms, err = s.Store.Rooms(ctx, false); err != nil {
		return d, err
	}
	if msg := domain.SearchProblem(d.Query); msg != "" {
		return d, domain.Invalid("q", msg)
	}
	if d.Query != "" {
		if d.Patients, err = s.Store.Patients(ctx, domain.PatientFilter{Query: d.Query, Limit: 20}); err != nil {
			return d, err
		}
	}
	if domain.IsID(f.PatientID) {
		p, err := s.Store.Patient(ctx, f.PatientID)
		if err != nil {
			return d, err
		}
		d.Patients = append([]domain.Patient{p}, d.Patients...)
	}
	if d.Form.ServiceID == "" && d.Form.PractitionerID != "" {
		d.Form.ServiceID = firstService(d.Services, d.Practitioners, d.Form.PractitionerID)
	}
	d.Free, err = s.freeTimes(c, d)
	return d, err
}

// createBooking handles POST /staff/bookings/new. Staff may book outside
// notice and horizon and may overbook deliberately.
func (s *Site) createBooking(c echo.Context) error {
	form, _ := c.FormParams()
	f := newBookingForm{
		PatientID: form.Get("patient_id"), ServiceID: form.Get("service_id"), PractitionerID: form.Get("practitioner_id"),
		Date: form.Get("date"), Time: form.Get("time"), Name: trimmed(form.Get("patient.name")),
		Email: trimmed(form.Get("patient.email")), Phone: trimmed(form.Get("patient.phone")), Notes: trimmed(form.Get("notes")),
		Overbook: form.Get("overbook") == "on", RoomID: form.Get("room_id"), OverbookRoom: form.Get("overbook_room") == "on",
		PainAreas: form["intake.pain_areas"], Tried: form["intake.tried"],
		Duration: form.Get("intake.duration"), IntakeNotes: trimmed(form.Get("intake.notes")),
	}
	booked, err := s.bookForCaller(c, f, form.Get("idempotency_key"))
	panel := c.Request().Header.Get("HX-Request") == "true"
	if err == nil && panel {
		// The calendar's panel: it closes, says so and refreshes.
		c.Response().Header().Set("HX-Trigger", `{"frontdesk:booked":{"id":"`+booked.Booking.ID+`"}}`)
		return c.HTML(http.StatusOK, `<div id="bookform"><p class="flash" role="status">The visit was booked.</p></div>`)
	}
	if err == nil {
		return seeOther(c, "/staff/bookings/"+booked.Booking.ID+"?done=booked")
	}
	p, ok := problemOf(err)
	if !ok {
		return err
	}
	d, lerr := s.loadNewBooking(c, f)
	if lerr != nil {
		return lerr
	}
	d.Problem = p
	if panel {
		return s.renderPart(c, statusOf(err), "newbooking", "bookform", s.partView(c, d))
	}
	return s.render(c, statusOf(err), "newbooking", "New booking", d)
}

func (s *Site) bookForCaller(c echo.Context, f newBookingForm, key string) (domain.Booked, error) {
	ctx := c.Request().Context()
	start, err := localInstant(f.Date, f.Time, s.clinic(c).Location())
	if err != nil {
		return domain.Booked{}, err
	}
	if !domain.IsID(f.ServiceID) {
		return domain.Booked{}, domain.Invalid("service_id", "Choose a service.")
	}
	sv, err := s.Store.Service(ctx, f.ServiceID)
	if domain.ErrorKind(err) == domain.KindNotFound {
		return domain.Booked{}, domain.Invalid("service_id", "Choose a service from the list.")
	} else if err != nil {
		return domain.Booked{}, err
	}
	patient := domain.Patient{Name: f.Name, Email: f.Email, Phone: f.Phone}
	if f.PatientID != "" {
		if patient, err = s.Store.Patient(ctx, f.PatientID); err != nil {
			return domain.Booked{}, domain.Invalid("patient_id", "Choose the patient again; that one was not found.")
		}
	}
	req := domain.BookRequest{
		ServiceID: sv.ID, PractitionerID: f.PractitionerID, Start: start, TimeZone: s.clinic(c).TimeZone,
		Patient: patient, Notes: f.Notes, Actor: staffActor(c), Overbook: f.Overbook, IdempotencyKey: key,
		RoomID: f.RoomID, OverbookRoom: f.OverbookRoom,
	}
	if sv.Kind == domain.KindCaseReview {
		req.Intake = &domain.Intake{PainAreas: f.PainAreas, Duration: f.Duration, Tried: f.Tried, Notes: f.IntakeNotes}
	}
	if key != "" {
		req.RequestHash = requestHash(req)
	}
	return s.Scheduler.Book(ctx, req)
}

// patientsPage lists patients matching a search.
type patientsPage struct {
	Query    string
	Patients []domain.Patient
}

// patients handles GET /staff/patients?q=.
func (s *Site) patients(c echo.Context) error {
	d := patientsPage{Query: trimmed(c.QueryParam("q"))}
	if msg := domain.SearchProblem(d.Query); msg != "" {
		return domain.Invalid("q", msg)
	}
	var err error
	d.Patients, err = s.Store.Patients(c.Request().Context(), domain.PatientFilter{Query: d.Query, Limit: 50})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "patients", "Patients", d)
}

// bookFor is the new-booking link for a patient.
func bookFor(p domain.Patient) string {
	return "/staff/bookings/new?patient=" + url.QueryEscape(p.ID)
}

// firstService is the first active service the practitioner performs.
func firstService(svcs []domain.Service, ps []domain.Practitioner, practitionerID string) string {
	for _, p := range ps {
		if p.ID != practitionerID {
			continue
		}
		for _, sv := range svcs {
			if p.Performs(sv.ID) {
				return sv.ID
			}
		}
	}
	return ""
}
