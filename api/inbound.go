package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// maxListedInbound bounds one list of received mail.
const maxListedInbound = 200

// inboundJSON is a received message as staff see it: who sent it, what it
// was and what came of it; never its body.
type inboundJSON struct {
	ID            string `json:"id"`
	ReceivedAt    string `json:"received_at"`
	From          string `json:"from"`
	Subject       string `json:"subject"`
	Kind          string `json:"kind"`
	State         string `json:"state"`
	Detail        string `json:"detail"`
	BookingID     string `json:"booking_id,omitempty"`
	ProposedStart string `json:"proposed_start,omitempty"`
	ProposedEnd   string `json:"proposed_end,omitempty"`
	ProcessedAt   string `json:"processed_at,omitempty"`
}

func toInboundJSON(m domain.InboundMessage) inboundJSON {
	from := m.From
	if from == "" {
		from = m.EnvelopeFrom
	}
	return inboundJSON{
		ID: m.ID, ReceivedAt: rfc3339(m.ReceivedAt, time.UTC), From: from, Subject: m.Subject,
		Kind: string(m.Kind), State: string(m.State), Detail: m.Detail, BookingID: m.BookingID,
		ProposedStart: rfc3339(m.ProposedStart, time.UTC), ProposedEnd: rfc3339(m.ProposedEnd, time.UTC),
		ProcessedAt: rfc3339(m.ProcessedAt, time.UTC),
	}
}

// listInbound handles GET /api/v1/inbound?booking_id=: received mail,
// newest first.
func (s *Server) listInbound(c echo.Context) error {
	f := domain.InboundFilter{BookingID: c.QueryParam("booking_id"), Limit: maxListedInbound}
	if f.BookingID != "" && !domain.IsID(f.BookingID) {
		return domain.Invalid("booking_id", "Not a booking id.")
	}
	if s.Inbox == nil {
		return errNoInbox
	}
	list, err := s.Inbox.Store.InboundMessages(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]inboundJSON, 0, len(list))
	for _, m := range list {
		out = append(out, toInboundJSON(m))
	}
	return c.JSON(http.StatusOK, map[string]any{"messages": out})
}

// acceptProposal handles POST /api/v1/inbound/{id}/accept: the visit
// moves to the time the patient's COUNTER proposed (a staff reschedule,
// with its email), and the proposal is answered.
func (s *Server) acceptProposal(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if s.Inbox == nil {
		return errNoInbox
	}
	m, d, err := s.Inbox.AcceptProposal(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"message": toInboundJSON(m), "booking": toStaffBooking(d)})
}

// declineProposal handles POST /api/v1/inbound/{id}/decline: the visit
// keeps its time.
func (s *Server) declineProposal(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if s.Inbox == nil {
		return errNoInbox
	}
	m, err := s.Inbox.DeclineProposal(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"message": toInboundJSON(m)})
}

// errNoInbox answers the inbound routes of a server wired without an Inbox.
var errNoInbox = &domain.Error{Kind: domain.KindUnavailable, Message: "Inbound mail is not set up on this server."}

type patientEmailInput struct {
	Email string `json:"email"`
}

// setPatientEmail handles PUT /api/v1/patients/{id}/email {"email"}: the
// front desk fixes a bouncing address (or confirms it), and mail goes to
// it again.
func (s *Server) setPatientEmail(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in patientEmailInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	if s.Inbox == nil {
		return errNoInbox
	}
	p, err := s.Inbox.FixEmail(c.Request().Context(), actor(c), id, in.Email)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"patient": patientDetailJSON{toPatientJSON(p), rfc3339(p.CreatedAt, time.UTC)}})
}
