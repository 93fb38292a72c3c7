package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// practitionersPage lists practitioners and edits one.
type practitionersPage struct {
	Practitioners []domain.Practitioner
	Services      []domain.Service
	Edit          domain.Practitioner
	Problem       formProblem
	Zones         []string
}

// practitioners handles GET /staff/setup/practitioners (?edit=id).
func (s *Site) practitioners(c echo.Context) error {
	d, err := s.loadPractitioners(c)
	if err != nil {
		return err
	}
	d.Edit = domain.Practitioner{Active: true, TimeZone: s.clinic(c).TimeZone}
	for _, p := range d.Practitioners {
		if p.ID == c.QueryParam("edit") {
			d.Edit = p
		}
	}
	return s.render(c, http.StatusOK, "practitioners", "Practitioners", d)
}

func (s *Site) loadPractitioners(c echo.Context) (practitionersPage, error) {
	ctx := c.Request().Context()
	ps, err := s.Store.Practitioners(ctx, true)
	if err != nil {
		return practitionersPage{}, err
	}
	svcs, err := s.Store.Services(ctx, true)
	if err != nil {
		return practitionersPage{}, err
	}
	return practitionersPage{Practitioners: ps, Services: svcs, Zones: commonZones}, nil
}

// savePractitioner handles POST /staff/setup/practitioners: create, or
// update when id is set.
func (s *Site) savePractitioner(c echo.Context) error {
	form, _ := c.FormParams()
	p := domain.Practitioner{
		ID: form.Get("id"), Name: trimmed(form.Get("name")), Title: trimmed(form.Get("title")), Email: trimmed(form.Get("email")),
		TimeZone: trimmed(form.Get("time_zone")), Bio: trimmed(form.Get("bio")), Color: trimmed(form.Get("color")),
		Active: form.Get("active") == "on", ServiceIDs: form["service_ids"],
		SendInvites: form.Get("send_invites") == "on",
	}
	save := s.Setup.UpdatePractitioner
	if p.ID == "" {
		save = s.Setup.CreatePractitioner
	}
	_, err := save(c.Request().Context(), staffActor(c), p)
	if err == nil {
		return seeOther(c, "/staff/setup/practitioners?done=saved")
	}
	pr, ok := problemOf(err)
	if !ok {
		return err
	}
	d, lerr := s.loadPractitioners(c)
	if lerr != nil {
		return lerr
	}
	d.Edit, d.Problem = p, pr
	return s.render(c, statusOf(err), "practitioners", "Practitioners", d)
}

// servicesPage lists services and edits one.
type servicesPage struct {
	Services []domain.Service
	Edit     domain.Service
	Price    string
	Problem  formProblem
	Kinds    []domain.ServiceKind
	Rooms    []domain.Room // every room, for the service's choice
}

var serviceKinds = []domain.ServiceKind{domain.KindCaseReview, domain.KindMassage, domain.KindChiropractic}

// services handles GET /staff/setup/services (?edit=id).
func (s *Site) services(c echo.Context) error {
	all, err := s.Store.Services(c.Request().Context(), true)
	if err != nil {
		return err
	}
	rooms, err := s.Store.Rooms(c.Request().Context(), true)
	if err != nil {
		return err
	}
	d := servicesPage{Services: all, Kinds: serviceKinds, Rooms: rooms,
		Edit: domain.Service{Kind: domain.KindMassage, Duration: time.Hour, Currency: "USD", Active: true, OnlineBookable: true}}
	for _, sv := range all {
		if sv.ID == c.QueryParam("edit") {
			d.Edit = sv
		}
	}
	d.Price = priceInput(d.Edit.PriceCents)
	return s.render(c, http.StatusOK, "services", "Services", d)
}

// saveService handles POST /staff/setup/services.
func (s *Site) saveService(c echo.Context) error {
	sv, err := readService(c)
	if err == nil {
		save := s.Setup.UpdateService
		if sv.ID == "" {
			save = s.Setup.CreateService
		}
		_, err = save(c.Request().Context(), staffActor(c), sv)
	}
	if err == nil {
		return seeOther(c, "/staff/setup/services?done=saved")
	}
	pr, ok := problemOf(err)
	if !ok {
		return err
	}
	all, lerr := s.Store.Services(c.Request().Context(), true)
	if lerr != nil {
		return lerr
	}
	rooms, lerr := s.Store.Rooms(c.Request().Context(), true)
	if lerr != nil {
		return lerr
	}
	d := servicesPage{Services: all, Edit: sv, Price: c.FormValue("price"), Problem: pr, Kinds: serviceKinds, Rooms: rooms}
	return s.render(c, statusOf(err), "services", "Services", d)
}

func readService(c echo.Context) (domain.Service, error) {
	var v domain.Validation
	minutes := func(field string) time.Duration {
		n, err := strconv.Atoi(trimmed(c.FormValue(field)))
		v.Check(err == nil, field, "Give a whole number of minutes.")
		return domain.Minutes(n)
	}
	sv := domain.Service{
		ID: c.FormValue("id"), Name: trimmed(c.FormValue("name")), Kind: domain.ServiceKind(c.FormValue("kind")),
		Description: trimmed(c.FormValue("description")), Duration: minutes("duration_minutes"),
		BufferBefore: minutes("buffer_before_minutes"), BufferAfter: minutes("buffer_after_minutes"),
		Currency: strings.ToUpper(trimmed(c.FormValue("currency"))), Color: trimmed(c.FormValue("color")),
		NewPatientsOnly: c.FormValue("new_patients_only") == "on", OnlineBookable: c.FormValue("online_bookable") == "on",
		Active: c.FormValue("active") == "on", RoomIDs: c.Request().Form["room_ids"],
	}
	cents, ok := parsePrice(c.FormValue("price"))
	v.Check(ok, "price", "Give a price such as 95 or 95.50 (0 for free).")
	sv.PriceCents = cents
	order, err := strconv.Atoi(nonEmpty(trimmed(c.FormValue("sort_order")), "0"))
	v.Check(err == nil, "sort_order", "Give a whole number.")
	sv.SortOrder = order
	return sv, v.Err()
}

// parsePrice reads "95", "95.5" or "95.50" as cents.
func parsePrice(s string) (int, bool) {
	whole, frac, _ := strings.Cut(trimmed(s), ".")
	w, err := strconv.Atoi(whole)
	if err != nil || w < 0 || len(frac) > 2 {
		return 0, false
	}
	f := 0
	if frac != "" {
		if f, err = strconv.Atoi((frac + "0")[:2]); err != nil || f < 0 {
			return 0, false
		}
	}
	return w*100 + f, true
}

func priceInput(cents int) string {
	return strconv.Itoa(cents/100) + "." + strconv.Itoa(cents%100/10) + strconv.Itoa(cents%10)
}
