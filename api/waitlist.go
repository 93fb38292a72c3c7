package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// joinRequest is POST /api/v1/waitlist.
type joinRequest struct {
	ServiceID      string      `json:"service_id"`
	PractitionerID string      `json:"practitioner_id"`
	Patient        patientIn   `json:"patient"`
	From           string      `json:"from"`
	To             string      `json:"to"`
	TimeZone       string      `json:"time_zone"`
	Times          []string    `json:"times"`
	Intake         *intakeJSON `json:"intake"`
}

// earlierRequest is POST /api/v1/manage/{token}/waitlist: the booking's
// patient asks to hear of an earlier time.
type earlierRequest struct {
	From     string   `json:"from"`
	To       string   `json:"to"`
	TimeZone string   `json:"time_zone"`
	Times    []string `json:"times"`
}

type offerJSON struct {
	Start          string `json:"start"`
	End            string `json:"end"`
	PractitionerID string `json:"practitioner_id"`
	ExpiresAt      string `json:"expires_at"`
	Status         string `json:"status,omitempty"`
}

type entryJSON struct {
	ID             string     `json:"id"`
	Status         string     `json:"status"`
	ServiceID      string     `json:"service_id"`
	PractitionerID *string    `json:"practitioner_id"`
	Patient        patientIn  `json:"patient"`
	From           string     `json:"from"`
	To             string     `json:"to"`
	TimeZone       string     `json:"time_zone"`
	Times          []string   `json:"times"`
	BookingID      *string    `json:"booking_id"`
	CreatedAt      string     `json:"created_at"`
	Offer          *offerJSON `json:"offer,omitempty"`
}

func entryZone(e domain.WaitlistEntry) *time.Location {
	if loc, err := domain.LoadZone(e.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toEntryJSON(e domain.WaitlistEntry) entryJSON {
	loc := entryZone(e)
	times := make([]string, len(e.Times))
	for i, t := range e.Times {
		times[i] = string(t)
	}
	out := entryJSON{
		ID: e.ID, Status: string(e.Status), ServiceID: e.ServiceID, PractitionerID: nullable(e.PractitionerID),
		Patient: patientIn{Name: e.Patient.Name, Email: e.Patient.Email, Phone: e.Patient.Phone},
		From:    e.From.String(), To: e.To.String(), TimeZone: e.TimeZone, Times: times,
		BookingID: nullable(e.BookingID), CreatedAt: rfc3339(e.CreatedAt, time.UTC),
	}
	if o := e.Offer; o != nil {
		out.Offer = toOfferJSON(*o, loc, false)
	}
	return out
}

func toOfferJSON(o domain.Offer, loc *time.Location, withStatus bool) *offerJSON {
	j := &offerJSON{Start: rfc3339(o.Start, loc), End: rfc3339(o.End, loc), PractitionerID: o.PractitionerID,
		ExpiresAt: rfc3339(o.ExpiresAt, loc)}
	if withStatus {
		j.Status = string(o.Status)
	}
	return j
}

// waitlist is the server's waitlist, or a 503 when none is wired.
func (s *Server) waitlist() (*domain.Waitlist, error) {
	if s.Waitlist == nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "The waitlist is not available.")
	}
	return s.Waitlist, nil
}

// joinWaitlist handles POST /api/v1/waitlist.
func (s *Server) joinWaitlist(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	var in joinRequest
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	got, err := w.Join(c.Request().Context(), domain.JoinRequest{
		ServiceID: in.ServiceID, PractitionerID: in.PractitionerID,
		Patient: domain.Patient{Name: in.Patient.Name, Email: in.Patient.Email, Phone: in.Patient.Phone},
		From:    in.From, To: in.To, TimeZone: in.TimeZone, Times: in.Times, Intake: in.Intake.domain(), Actor: actor(c),
	})
	return joined(c, got, err)
}

// joinEarlier handles POST /api/v1/manage/{token}/waitlist.
func (s *Server) joinEarlier(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	token, err := manageToken(c)
	if err != nil {
		return err
	}
	var in earlierRequest
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	got, err := w.Join(c.Request().Context(), domain.JoinRequest{BookingToken: token,
		From: in.From, To: in.To, TimeZone: in.TimeZone, Times: in.Times, Actor: domain.ActorPatient})
	return joined(c, got, err)
}

func joined(c echo.Context, got domain.Joined, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"entry": toEntryJSON(got.Entry),
		"manage_token": got.ManageToken, "manage_url": got.ManageURL})
}

// listWaitlist handles GET /api/v1/waitlist?service_id=&practitioner_id=&status= for staff.
func (s *Server) listWaitlist(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	f := domain.WaitlistFilter{ServiceID: c.QueryParam("service_id"), PractitionerID: c.QueryParam("practitioner_id")}
	for _, id := range []struct{ field, v string }{{"service_id", f.ServiceID}, {"practitioner_id", f.PractitionerID}} {
		if id.v != "" && !domain.IsID(id.v) {
			return domain.Invalid(id.field, "Not a valid id.")
		}
	}
	if st := c.QueryParam("status"); st != "" {
		switch domain.WaitlistStatus(st) {
		case domain.WaitlistWaiting, domain.WaitlistOffered, domain.WaitlistBooked, domain.WaitlistExpired, domain.WaitlistRemoved:
			f.Statuses = []domain.WaitlistStatus{domain.WaitlistStatus(st)}
		default:
			return domain.Invalid("status", "Use waiting, offered, booked, expired or removed.")
		}
	}
	list, err := w.Entries(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	out := make([]entryJSON, len(list))
	for i, e := range list {
		out[i] = toEntryJSON(e)
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": out})
}

type staffOfferRequest struct {
	PractitionerID string `json:"practitioner_id"`
	Start          string `json:"start"`
}

// offerEntry handles POST /api/v1/waitlist/{id}/offer {"practitioner_id"?,"start"}:
// staff offer a chosen time to a chosen patient.
func (s *Server) offerEntry(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	var in staffOfferRequest
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
	o, err := w.OfferTo(c.Request().Context(), actor(c), c.Param("id"), in.PractitionerID, start)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"offer": toOfferJSON(o, start.Location(), true)})
}

// removeEntry handles DELETE /api/v1/waitlist/{id} for staff.
func (s *Server) removeEntry(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	e, err := w.Remove(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entry": toEntryJSON(e)})
}

// showEntry handles GET /api/v1/waitlist/entry/{token}: the patient's own entry.
func (s *Server) showEntry(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	e, err := w.EntryByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entry": toEntryJSON(e)})
}

// leaveEntry handles POST /api/v1/waitlist/entry/{token}/leave.
func (s *Server) leaveEntry(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	e, err := w.Leave(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entry": toEntryJSON(e)})
}

type offerViewJSON struct {
	offerJSON
	Service      nameRef `json:"service"`
	Practitioner nameRef `json:"practitioner"`
	TimeZone     string  `json:"time_zone"`
	// MovesBookingID is the booking accepting moves to this time; null
	// when accepting makes a new one.
	MovesBookingID *string `json:"moves_booking_id"`
}

// showOffer handles GET /api/v1/offers/{token}.
func (s *Server) showOffer(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	v, err := w.OfferByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	loc := entryZone(v.Entry)
	out := offerViewJSON{offerJSON: *toOfferJSON(v.Offer, loc, true),
		Service:      nameRef{ID: v.Service.ID, Name: v.Service.Name},
		Practitioner: nameRef{ID: v.Practitioner.ID, Name: v.Practitioner.Name}, TimeZone: loc.String()}
	if v.Moves != nil {
		out.MovesBookingID = &v.Moves.ID
	}
	return c.JSON(http.StatusOK, map[string]any{"offer": out})
}

// acceptOffer handles POST /api/v1/offers/{token}/accept → 201 with the
// booking and its manage link; 409 problem+json once the offer is gone.
func (s *Server) acceptOffer(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	got, err := w.Accept(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, bookedJSON{
		Booking: toPublicBooking(got.Booking), ManageToken: got.ManageToken, ManageURL: got.ManageURL,
	})
}

// declineOffer handles POST /api/v1/offers/{token}/decline → 200.
func (s *Server) declineOffer(c echo.Context) error {
	w, err := s.waitlist()
	if err != nil {
		return err
	}
	v, err := w.Decline(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"offer": toOfferJSON(v.Offer, entryZone(v.Entry), true),
		"entry": map[string]string{"id": v.Entry.ID, "status": string(v.Entry.Status)}})
}

// wireWaitlist builds the waitlist over the store when none is set, and
// lets it hear of freed time.
func (s *Server) wireWaitlist() {
	ws, ok := s.Store.(domain.WaitlistStore)
	if s.Waitlist == nil && ok && s.Scheduler != nil {
		s.Waitlist = &domain.Waitlist{Store: ws, Scheduler: s.Scheduler, Clock: s.Clock, BaseURL: s.BaseURL,
			OfferFor: s.WaitlistOfferFor,
			OnError:  func(err error) { s.Logger.Error("waitlist matching failed", "err", err) }}
	}
	if s.Waitlist == nil {
		return
	}
	if s.Scheduler != nil && s.Scheduler.OnFreed == nil {
		s.Scheduler.OnFreed = s.Waitlist.Freed
	}
	if s.Setup != nil && s.Setup.OnFreed == nil {
		s.Setup.OnFreed = s.Waitlist.Freed
	}
}
