package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// serviceJSON is a service as the API shows it.
type serviceJSON struct {
	ID                  string   `json:"id"`
	Name                string   `json:"name"`
	Kind                string   `json:"kind"`
	DurationMinutes     int      `json:"duration_minutes"`
	PriceCents          int      `json:"price_cents"`
	Currency            string   `json:"currency"`
	NewPatientsOnly     bool     `json:"new_patients_only"`
	Description         string   `json:"description"`
	BufferBeforeMinutes int      `json:"buffer_before_minutes"`
	BufferAfterMinutes  int      `json:"buffer_after_minutes"`
	OnlineBookable      bool     `json:"online_bookable"`
	Active              bool     `json:"active"`
	Color               string   `json:"color"`
	SortOrder           int      `json:"sort_order"`
	RoomIDs             []string `json:"room_ids"`
}

func toServiceJSON(v domain.Service) serviceJSON {
	return serviceJSON{
		ID: v.ID, Name: v.Name, Kind: string(v.Kind), DurationMinutes: int(v.Duration / time.Minute),
		PriceCents: v.PriceCents, Currency: v.Currency, NewPatientsOnly: v.NewPatientsOnly,
		Description: v.Description, BufferBeforeMinutes: int(v.BufferBefore / time.Minute),
		BufferAfterMinutes: int(v.BufferAfter / time.Minute), OnlineBookable: v.OnlineBookable,
		Active: v.Active, Color: v.Color, SortOrder: v.SortOrder, RoomIDs: nonNil(v.RoomIDs),
	}
}

// serviceInput is the body of POST and PUT /services.
type serviceInput struct {
	Name                string   `json:"name"`
	Kind                string   `json:"kind"`
	DurationMinutes     int      `json:"duration_minutes"`
	PriceCents          int      `json:"price_cents"`
	Currency            string   `json:"currency"`
	NewPatientsOnly     bool     `json:"new_patients_only"`
	Description         string   `json:"description"`
	BufferBeforeMinutes int      `json:"buffer_before_minutes"`
	BufferAfterMinutes  int      `json:"buffer_after_minutes"`
	OnlineBookable      *bool    `json:"online_bookable"`
	Active              *bool    `json:"active"`
	Color               string   `json:"color"`
	SortOrder           int      `json:"sort_order"`
	RoomIDs             []string `json:"room_ids"` // empty or absent: the service needs no room
}

func (in serviceInput) domain(id string) domain.Service {
	cur := in.Currency
	if cur == "" {
		cur = "USD"
	}
	return domain.Service{
		ID: id, Name: in.Name, Kind: domain.ServiceKind(in.Kind), Description: in.Description,
		Duration: minutes(in.DurationMinutes), BufferBefore: minutes(in.BufferBeforeMinutes),
		BufferAfter: minutes(in.BufferAfterMinutes), PriceCents: in.PriceCents, Currency: cur,
		NewPatientsOnly: in.NewPatientsOnly, OnlineBookable: orTrue(in.OnlineBookable),
		Active: orTrue(in.Active), Color: in.Color, SortOrder: in.SortOrder, RoomIDs: in.RoomIDs,
	}
}

func orTrue(b *bool) bool { return b == nil || *b }

// listServices handles GET /api/v1/services: active, online-bookable
// services; staff may ask for all=true.
func (s *Server) listServices(c echo.Context) error {
	all, err := boolParam(c, "all")
	if err != nil {
		return err
	}
	if all && !isStaff(c) {
		return domain.ErrUnauthorized
	}
	list, err := s.Store.Services(c.Request().Context(), all)
	if err != nil {
		return err
	}
	out := make([]serviceJSON, 0, len(list))
	for _, v := range list {
		if all || (v.Active && v.OnlineBookable) {
			out = append(out, toServiceJSON(v))
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"services": out})
}

// createService handles POST /api/v1/services.
func (s *Server) createService(c echo.Context) error {
	var in serviceInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	v, err := s.Setup.CreateService(c.Request().Context(), auth.Actor(c), in.domain(""))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"service": toServiceJSON(v)})
}

// updateService handles PUT /api/v1/services/{id}: a full replacement.
func (s *Server) updateService(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in serviceInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	v, err := s.Setup.UpdateService(c.Request().Context(), auth.Actor(c), in.domain(id))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"service": toServiceJSON(v)})
}

// practitionerJSON is a practitioner as the API shows it; Email, Active
// and Color only to staff.
type practitionerJSON struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Title      string   `json:"title"`
	TimeZone   string   `json:"time_zone"`
	ServiceIDs []string `json:"service_ids"`
	Bio        string   `json:"bio"`
	Email      string   `json:"email,omitempty"`
	Active     *bool    `json:"active,omitempty"`
	Color      string   `json:"color,omitempty"`
	// SendInvites: each visit also goes to Email as a calendar invite.
	SendInvites bool `json:"send_invites"`
}

func toPractitionerJSON(p domain.Practitioner, staff bool) practitionerJSON {
	ids := p.ServiceIDs
	if ids == nil {
		ids = []string{}
	}
	out := practitionerJSON{ID: p.ID, Name: p.Name, Title: p.Title, TimeZone: p.TimeZone, ServiceIDs: ids, Bio: p.Bio,
		SendInvites: p.SendInvites}
	if staff {
		active := p.Active
		out.Email, out.Active, out.Color = p.Email, &active, p.Color
	}
	return out
}

// practitionerInput is the body of POST and PUT /practitioners.
type practitionerInput struct {
	Name        string   `json:"name"`
	Title       string   `json:"title"`
	Email       string   `json:"email"`
	TimeZone    string   `json:"time_zone"`
	Bio         string   `json:"bio"`
	Active      *bool    `json:"active"`
	ServiceIDs  []string `json:"service_ids"`
	Color       string   `json:"color"`
	SendInvites bool     `json:"send_invites"`
}

func (in practitionerInput) domain(id string) domain.Practitioner {
	return domain.Practitioner{
		ID: id, Name: in.Name, Title: in.Title, Email: domain.NormalizeEmail(in.Email), TimeZone: in.TimeZone,
		Bio: in.Bio, Active: orTrue(in.Active), ServiceIDs: in.ServiceIDs, Color: in.Color,
		SendInvites: in.SendInvites,
	}
}

// listPractitioners handles GET /api/v1/practitioners: active ones; staff
// may ask for all=true.
func (s *Server) listPractitioners(c echo.Context) error {
	all, err := boolParam(c, "all")
	if err != nil {
		return err
	}
	staff := isStaff(c)
	if all && !staff {
		return domain.ErrUnauthorized
	}
	list, err := s.Store.Practitioners(c.Request().Context(), all)
	if err != nil {
		return err
	}
	out := make([]practitionerJSON, 0, len(list))
	for _, p := range list {
		if all || p.Active {
			out = append(out, toPractitionerJSON(p, staff))
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"practitioners": out})
}

// createPractitioner handles POST /api/v1/practitioners.
func (s *Server) createPractitioner(c echo.Context) error {
	var in practitionerInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	p, err := s.Setup.CreatePractitioner(c.Request().Context(), auth.Actor(c), in.domain(""))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"practitioner": toPractitionerJSON(p, true)})
}

// updatePractitioner handles PUT /api/v1/practitioners/{id}: a full
// replacement.
func (s *Server) updatePractitioner(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in practitionerInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	p, err := s.Setup.UpdatePractitioner(c.Request().Context(), auth.Actor(c), in.domain(id))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"practitioner": toPractitionerJSON(p, true)})
}

// boolParam reads an optional true/false query parameter.
func boolParam(c echo.Context, name string) (bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, domain.Invalid(name, "Use true or false.")
	}
	return b, nil
}

func isStaff(c echo.Context) bool {
	_, ok := auth.UserFrom(c)
	return ok
}
