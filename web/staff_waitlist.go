package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// staffWaitlistPage is the waitlist per service and practitioner, in line
// order, with the free times staff may offer each waiting patient.
type staffWaitlistPage struct {
	Services      []domain.Service
	Practitioners []domain.Practitioner
	ServiceID     string
	Practitioner  string
	Rows          []waitlistRow
	Loc           *time.Location
	Problem       formProblem
	Done          string
}

type waitlistRow struct {
	Entry        domain.WaitlistEntry
	Service      string
	Practitioner string // "" = anyone
	Free         []domain.Slot
}

// maxOfferChoices bounds the free times listed per entry.
const maxOfferChoices = 8

// staffWaitlist handles GET /staff/waitlist?service=&practitioner=.
func (s *Site) staffWaitlist(c echo.Context) error {
	d, err := s.staffWaitlistPage(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_waitlist", "Waitlist", d)
}

func (s *Site) staffWaitlistPage(c echo.Context) (staffWaitlistPage, error) {
	w, err := s.waitlist()
	if err != nil {
		return staffWaitlistPage{}, err
	}
	ctx := c.Request().Context()
	d := staffWaitlistPage{ServiceID: c.QueryParam("service"), Practitioner: c.QueryParam("practitioner"),
		Loc: s.clinic(c).Location(), Done: c.QueryParam("done")}
	if d.Services, err = s.Store.Services(ctx, false); err != nil {
		return d, err
	}
	if d.Practitioners, err = s.Store.Practitioners(ctx, false); err != nil {
		return d, err
	}
	f := domain.WaitlistFilter{}
	if domain.IsID(d.ServiceID) {
		f.ServiceID = d.ServiceID
	}
	if domain.IsID(d.Practitioner) {
		f.PractitionerID = d.Practitioner
	}
	entries, err := w.Entries(ctx, staffActor(c), f)
	if err != nil {
		return d, err
	}
	names := map[string]string{}
	for _, sv := range d.Services {
		names[sv.ID] = sv.Name
	}
	for _, p := range d.Practitioners {
		names[p.ID] = p.Name
	}
	today := s.today(d.Loc)
	for _, e := range entries {
		row := waitlistRow{Entry: e, Service: names[e.ServiceID], Practitioner: names[e.PractitionerID]}
		if e.Status == domain.WaitlistWaiting {
			from := e.From
			if from.Before(today) {
				from = today
			}
			to := e.To
			if from.AddDays(13).Before(to) {
				to = from.AddDays(13)
			}
			slots, err := s.Scheduler.Availability(ctx, domain.AvailabilityQuery{ServiceID: e.ServiceID,
				PractitionerID: e.PractitionerID, From: from, To: to, Location: d.Loc})
			if err == nil && len(slots) > maxOfferChoices {
				slots = slots[:maxOfferChoices]
			}
			row.Free = slots
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// PractitionerName names a practitioner for the page.
func (d staffWaitlistPage) PractitionerName(id string) string {
	for _, p := range d.Practitioners {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

// staffOffer handles POST /staff/waitlist/:id/offer (slot = "practitioner|RFC 3339 start").
func (s *Site) staffOffer(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	pid, startText, _ := cutSlot(c.FormValue("slot"))
	start, perr := time.Parse(time.RFC3339, startText)
	if perr != nil {
		return s.staffWaitlistProblem(c, domain.Invalid("slot", "Choose one of the free times."))
	}
	if _, err := w.OfferTo(c.Request().Context(), staffActor(c), c.Param("id"), pid, start); err != nil {
		return s.staffWaitlistProblem(c, err)
	}
	return seeOther(c, "/staff/waitlist?"+keepFilter(c, "offered"))
}

// staffRemove handles POST /staff/waitlist/:id/remove.
func (s *Site) staffRemove(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	if _, err := w.Remove(c.Request().Context(), staffActor(c), c.Param("id")); err != nil {
		return s.staffWaitlistProblem(c, err)
	}
	return seeOther(c, "/staff/waitlist?"+keepFilter(c, "removed"))
}

func cutSlot(v string) (practitionerID, start string, ok bool) {
	for i := 0; i < len(v); i++ {
		if v[i] == '|' {
			return v[:i], v[i+1:], true
		}
	}
	return "", v, false
}

func keepFilter(c echo.Context, done string) string {
	q := url.Values{"done": {done}}
	if v := c.FormValue("service"); v != "" {
		q.Set("service", v)
	}
	if v := c.FormValue("practitioner"); v != "" {
		q.Set("practitioner", v)
	}
	return q.Encode()
}

func (s *Site) staffWaitlistProblem(c echo.Context, err error) error {
	p, ok := problemOf(err)
	if !ok {
		return err
	}
	d, lerr := s.staffWaitlistPage(c)
	if lerr != nil {
		return lerr
	}
	d.Problem = p
	return s.render(c, statusOf(err), "staff_waitlist", "Waitlist", d)
}
