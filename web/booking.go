package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// bookable returns the service a patient may book online, ErrNotFound otherwise.
func (s *Site) bookable(c echo.Context) (domain.Service, error) {
	id := c.Param("service")
	if !domain.IsID(id) {
		return domain.Service{}, domain.ErrNotFound
	}
	sv, err := s.Store.Service(c.Request().Context(), id)
	if err != nil {
		return domain.Service{}, err
	}
	if !sv.Active || !sv.OnlineBookable {
		return domain.Service{}, domain.ErrNotFound
	}
	return sv, nil
}

// chosenPractitioner reads ?practitioner=: nil means "first available".
func (s *Site) chosenPractitioner(c echo.Context, id string, sv domain.Service) (*domain.Practitioner, error) {
	if id == "" {
		return nil, nil
	}
	if !domain.IsID(id) {
		return nil, domain.Invalid("practitioner", "Choose a practitioner from the list.")
	}
	p, err := s.Store.Practitioner(c.Request().Context(), id)
	if domain.ErrorKind(err) == domain.KindNotFound || (err == nil && (!p.Active || !p.Performs(sv.ID))) {
		return nil, domain.Invalid("practitioner", "That practitioner does not offer this service; choose another.")
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// practitionerPage lets the visitor pick who they see.
type practitionerPage struct {
	Service       domain.Service
	Practitioners []domain.Practitioner
	TZ            string
}

// choosePractitioner handles GET /book/:service.
func (s *Site) choosePractitioner(c echo.Context) error {
	sv, err := s.bookable(c)
	if err != nil {
		return err
	}
	all, err := s.Store.Practitioners(c.Request().Context(), false)
	if err != nil {
		return err
	}
	d := practitionerPage{Service: sv, TZ: c.QueryParam("tz")}
	for _, p := range all {
		if p.Active && p.Performs(sv.ID) {
			d.Practitioners = append(d.Practitioners, p)
		}
	}
	return s.render(c, http.StatusOK, "practitioner", sv.Name, d)
}

// timesPage is the week of open times.
type timesPage struct {
	Service      domain.Service
	Practitioner *domain.Practitioner
	Week         weekView
	Arrival      arrival
}

// times handles GET /book/:service/times.
func (s *Site) times(c echo.Context) error {
	sv, err := s.bookable(c)
	if err != nil {
		return err
	}
	p, err := s.chosenPractitioner(c, c.QueryParam("practitioner"), sv)
	if err != nil {
		return err
	}
	z := visitorZone(c, s.clinic(c).TimeZone)
	from, err := s.weekStart(c.QueryParam("week"), z.Loc)
	if err != nil {
		return err
	}
	pid := practitionerID(p)
	slots, err := s.openSlots(c.Request().Context(), sv.ID, pid, from, 7, z.Loc)
	if err != nil {
		return err
	}
	arr := s.arrivalOf(c)
	base := withArrival(url.Values{"practitioner": {pid}}, arr)
	week := buildWeek(slots, from, s.today(z.Loc), z, base, func(t time.Time) string {
		return detailsURL(sv.ID, pid, t.In(z.Loc), z.Name, arr)
	})
	return s.render(c, http.StatusOK, "times", sv.Name, timesPage{Service: sv, Practitioner: p, Week: week, Arrival: arr})
}

func practitionerID(p *domain.Practitioner) string {
	if p == nil {
		return ""
	}
	return p.ID
}

func detailsURL(serviceID, practitionerID string, start time.Time, tz string, a arrival) string {
	q := withArrival(url.Values{"start": {start.Format(time.RFC3339)}, "practitioner": {practitionerID}, "tz": {tz}}, a)
	return "/book/" + serviceID + "/details?" + q.Encode()
}

// bookingForm is what the visitor typed, kept across a failed submit.
type bookingForm struct {
	Name, Email, Phone, Notes string
	PainAreas, Tried          []string
	Duration, IntakeNotes     string
	// RepeatCount ("1" or "": just this visit) and RepeatEvery book the
	// visit as the first of a series.
	RepeatCount, RepeatEvery string
}

// detailsPage is the form of contact details (and intake).
type detailsPage struct {
	Service      domain.Service
	Practitioner *domain.Practitioner
	Start        time.Time
	Zone         zone
	Form         bookingForm
	Key          string // the idempotency key of this submit
	Problem      formProblem
	Taken        bool   // the slot was just taken by someone else
	Stale        string // why the slot can no longer be booked (it passed, …); "" when it can
	Alternatives []slotView
	TimesHref    string
	Intake       intakeChoices
	Arrival      arrival
	// CancelWarning says, for a visit inside the cancel cut-off, that it
	// cannot be cancelled online once booked; "" otherwise.
	CancelWarning string
	ClinicLoc     *time.Location // the clinic's zone, shown beside the patient's when they differ
	EmailHint     string         // the address the patient probably meant, "" when it looks right
	EmailTypos    string         // the typo tables, for site.js
	// Hold keeps the time for the visitor while they type (nil when it
	// could not be held, or on a page sent back after a submit).
	Hold *holdView
	// HoldToken is the token of the visitor's hold, sent with the form.
	HoldToken string
	// Conflicts are the visits of a series that could not be booked.
	Conflicts []domain.PlanConflict
}

// Seriesable reports whether the page offers booking a series: a
// treatment that is not only for new patients.
func (d detailsPage) Seriesable() bool {
	return d.Service.Kind != domain.KindCaseReview && !d.Service.NewPatientsOnly
}

// RepeatCounts and RepeatEvery are the choices of the series fields.
func (d detailsPage) RepeatCounts() []int { return seq(2, domain.MaxSeriesVisits) }
func (d detailsPage) RepeatEvery() []int  { return seq(1, domain.MaxSeriesEveryWeeks) }

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// gone reports whether the chosen time can no longer be booked, so the
// page offers the nearest open times instead.
func (d detailsPage) gone() bool { return d.Taken || d.Stale != "" }

// intakeChoices are the allowed answers of the case review's intake.
type intakeChoices struct {
	PainAreas, Durations, Tried []string
}

var intake = intakeChoices{domain.PainAreas, domain.PainDurations, domain.TriedTreatment}

// details handles GET /book/:service/details. A time that has passed (an
// old tab, a link kept too long) is said so at once, with the nearest
// open times.
func (s *Site) details(c echo.Context) error {
	d, err := s.detailsFor(c)
	if err != nil {
		return err
	}
	if !d.Start.After(s.Clock.Now()) {
		d.Stale = "That time has passed."
		if d.Alternatives, err = s.alternatives(c, d); err != nil {
			return err
		}
	} else if err := s.placeHold(c, &d); err != nil {
		return err
	}
	if d.Hold != nil {
		d.HoldToken = d.Hold.Token
	}
	return s.render(c, http.StatusOK, "details", "Your details", d)
}

// detailsFor reads the service, practitioner, start and zone of the form.
func (s *Site) detailsFor(c echo.Context) (detailsPage, error) {
	sv, err := s.bookable(c)
	if err != nil {
		return detailsPage{}, err
	}
	p, err := s.chosenPractitioner(c, formOrQuery(c, "practitioner"), sv)
	if err != nil {
		return detailsPage{}, err
	}
	start, err := time.Parse(time.RFC3339, formOrQuery(c, "start"))
	if err != nil {
		return detailsPage{}, domain.Invalid("start", "Choose a time from the list of open times.")
	}
	clinic := s.clinic(c)
	z := visitorZone(c, clinic.TimeZone)
	arr := s.arrivalOf(c)
	q := withArrival(url.Values{"practitioner": {practitionerID(p)}, "tz": {z.Name}, "week": {domain.DateOf(start.In(z.Loc)).String()}}, arr)
	return detailsPage{
		Service: sv, Practitioner: p, Start: start.In(z.Loc), Zone: z, Key: newKey(),
		TimesHref: "/book/" + sv.ID + "/times?" + q.Encode(), Intake: intake, Arrival: arr,
		CancelWarning: cancelWarning(clinic, start, s.Clock.Now()),
		ClinicLoc:     clinic.Location(), EmailTypos: emailTyposJSON,
	}, nil
}

// cancelWarning tells a patient about to book a visit inside the cancel
// cut-off that it cannot be cancelled online once booked ("" when it can).
func cancelWarning(c domain.Clinic, start, now time.Time) string {
	p := c.Policy
	if p.CancelCutoff <= 0 || !start.Before(now.Add(p.CancelCutoff)) || !start.After(now) {
		return ""
	}
	msg := "This visit is less than " + domain.HumanDuration(p.CancelCutoff) +
		" away, so once booked it cannot be cancelled online"
	if start.After(now.Add(p.RescheduleCutoff)) {
		msg += " (you can still reschedule it online up to " + domain.HumanDuration(p.RescheduleCutoff) + " before)"
	}
	msg += ". To cancel, please call the clinic"
	if c.Phone != "" {
		msg += " at " + c.Phone
	}
	return msg + "."
}

func formOrQuery(c echo.Context, name string) string {
	if v := c.FormValue(name); v != "" {
		return v
	}
	return c.QueryParam(name)
}

// book handles POST /book/:service/details: a double submit books once (the
// idempotency key), a taken slot re-renders the form with the nearest open
// times and everything typed.
func (s *Site) book(c echo.Context) error {
	d, err := s.detailsFor(c)
	if err != nil {
		return err
	}
	form, _ := c.FormParams()
	d.Form = readBookingForm(form)
	d.EmailHint = emailSuggestion(d.Form.Email)
	req := d.request(form.Get("idempotency_key"))
	// An expired hold books as without one: a time still free is booked,
	// a taken one falls back to the nearest times below.
	req.HoldToken = form.Get("hold_token")
	if ck, err := c.Cookie(holdCookie); err == nil && req.HoldToken == "" {
		req.HoldClient = holdClientKey(ck.Value)
	}
	if count, _ := strconv.Atoi(d.Form.RepeatCount); count > 1 && d.Seriesable() {
		return s.bookSeries(c, d, req, count)
	}
	booked, err := s.Scheduler.Book(c.Request().Context(), req)
	if err == nil {
		q := url.Values{"booked": {"1"}, "tz": {d.Zone.Name}}
		if d.Arrival.Embed {
			q = withArrival(q, arrival{Embed: true, Origin: d.Arrival.Origin})
		}
		return seeOther(c, "/manage/"+url.PathEscape(booked.ManageToken)+"?"+q.Encode())
	}
	p, ok := problemOf(err)
	if !ok {
		return err
	}
	d.Problem = p
	switch {
	case errors.Is(err, domain.ErrSlotTaken), errors.Is(err, domain.ErrHoldTaken), errors.Is(err, domain.ErrRoomTaken):
		d.Taken = true
	case p.Fields["start"] != "":
		// The time passed, moved inside the minimum notice or left the
		// practitioner's hours since the page was opened: the start is no
		// field the patient typed, so the page offers other times instead
		// and lists the rest of what needs attention.
		d.Stale = p.Fields["start"]
		if rest, left := p.without("start"); left {
			d.Problem = rest
		} else {
			d.Problem = formProblem{}
		}
	}
	if d.gone() {
		if d.Alternatives, err = s.alternatives(c, d); err != nil {
			return err
		}
	} else {
		d.HoldToken = req.HoldToken // a form sent back for a typo keeps its hold
		d.Hold = s.liveHold(c, req.HoldToken)
	}
	return s.render(c, statusOf(err), "details", "Your details", d)
}

// Description is the service's own description, for search results.
func (p practitionerPage) Description() string { return p.Service.Description }

// Description is the service's own description, for search results.
func (p timesPage) Description() string { return p.Service.Description }
