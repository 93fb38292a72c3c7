package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// bookingRequest is the body of POST /api/v1/bookings.
type bookingRequest struct {
	ServiceID      string      `json:"service_id"`
	PractitionerID string      `json:"practitioner_id"`
	Start          string      `json:"start"`
	TimeZone       string      `json:"time_zone"`
	Patient        patientIn   `json:"patient"`
	Intake         *intakeJSON `json:"intake"`
	Notes          string      `json:"notes"`
	Overbook       bool        `json:"overbook"`
	// Source and Attribution: see api/attribution.go.
	Source       string           `json:"source"`
	Attribution  *attributionJSON `json:"attribution"`
	RoomID       string           `json:"room_id"`       // staff only
	OverbookRoom bool             `json:"overbook_room"` // staff only: double-book the room too
	// Repeat books the visit as the first of a series (patients; staff
	// book plans at /api/v1/plans).
	Repeat *repeatJSON `json:"repeat"`
	// HoldToken books the time held with POST /api/v1/holds.
	HoldToken string `json:"hold_token"`
}

type patientIn struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// intakeJSON is the case review's questionnaire.
type intakeJSON struct {
	PainAreas []string `json:"pain_areas"`
	Duration  string   `json:"duration"`
	Tried     []string `json:"tried"`
	Notes     string   `json:"notes"`
}

func (in *intakeJSON) domain() *domain.Intake {
	if in == nil {
		return nil
	}
	return &domain.Intake{PainAreas: in.PainAreas, Duration: in.Duration, Tried: in.Tried, Notes: in.Notes}
}

func toIntakeJSON(in *domain.Intake) *intakeJSON {
	if in == nil {
		return nil
	}
	return &intakeJSON{PainAreas: nonNil(in.PainAreas), Duration: in.Duration, Tried: nonNil(in.Tried), Notes: in.Notes}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// decodeBookingRequest turns a request body into the domain's request; the
// Scheduler validates the rest. An empty start is left zero for the domain
// to name along with every other missing field.
func decodeBookingRequest(body []byte, a domain.Actor) (domain.BookRequest, error) {
	got, _, err := decodeBooking(body, a)
	return got, err
}

// decodeBooking is decodeBookingRequest with the request's "repeat".
func decodeBooking(body []byte, a domain.Actor) (domain.BookRequest, *repeatJSON, error) {
	var req bookingRequest
	if err := decodeJSON(body, &req); err != nil {
		return domain.BookRequest{}, nil, err
	}
	var start time.Time
	if req.Start != "" {
		var err error
		if start, err = parseInstant("start", req.Start); err != nil {
			return domain.BookRequest{}, nil, err
		}
	}
	sum := sha256.Sum256(body)
	return domain.BookRequest{
		ServiceID: req.ServiceID, PractitionerID: req.PractitionerID, Start: start, TimeZone: req.TimeZone,
		Patient: domain.Patient{Name: req.Patient.Name, Email: req.Patient.Email, Phone: req.Patient.Phone},
		Intake:  req.Intake.domain(), Notes: req.Notes, Actor: a, Overbook: req.Overbook,
		RoomID: req.RoomID, OverbookRoom: req.OverbookRoom,
		RequestHash: hex.EncodeToString(sum[:]),
		Source:      domain.Source(req.Source), Attribution: req.Attribution.domain(),
		HoldToken: req.HoldToken,
	}, req.Repeat, nil
}

// createBooking handles POST /api/v1/bookings: 201 with the booking and its
// manage link. A retry with the same Idempotency-Key answers what the first
// request answered, 201 and the same body, with Idempotent-Replayed: true
// (as Stripe does), so a client that lost the first answer reads the retry
// exactly as it would have read the first.
func (s *Server) createBooking(c echo.Context) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	req, repeat, err := decodeBooking(body, auth.Actor(c))
	if err != nil {
		return err
	}
	if repeat != nil {
		if isStaff(c) {
			return domain.Invalid("repeat", "Staff book a series as a plan: POST /api/v1/plans.")
		}
		return s.bookSeries(c, req, *repeat)
	}
	if (req.Overbook || req.OverbookRoom) && !isStaff(c) {
		return domain.Forbidden("Only staff may overbook.")
	}
	if req.RoomID != "" && !isStaff(c) {
		return domain.Forbidden("Only staff may choose the room.")
	}
	req.IdempotencyKey = c.Request().Header.Get("Idempotency-Key")
	got, err := s.Scheduler.Book(c.Request().Context(), req)
	if err != nil {
		return err
	}
	if got.Replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
	}
	return c.JSON(http.StatusCreated, bookedJSON{
		Booking: toPublicBooking(got.Booking), ManageToken: got.ManageToken, ManageURL: got.ManageURL,
	})
}

type bookedJSON struct {
	Booking     publicBookingJSON `json:"booking"`
	ManageToken string            `json:"manage_token"`
	ManageURL   string            `json:"manage_url"`
}

// publicBookingJSON is what a patient sees of a booking.
type publicBookingJSON struct {
	ID             string  `json:"id"`
	Status         string  `json:"status"`
	Start          string  `json:"start"`
	End            string  `json:"end"`
	ServiceID      string  `json:"service_id"`
	PractitionerID string  `json:"practitioner_id"`
	RoomID         *string `json:"room_id"` // null when the visit holds no room
	TimeZone       string  `json:"time_zone"`
	Service        nameRef `json:"service"`
	Practitioner   nameRef `json:"practitioner"`
	// AttendeeStatus is the patient's answer to the invite.
	AttendeeStatus string `json:"attendee_status"`
	// PlanID is the plan of care the visit belongs to (null when none).
	PlanID *string `json:"plan_id"`
}

type nameRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// bookingZone is the zone a booking's times are shown in: the patient's.
func bookingZone(b domain.Booking) *time.Location {
	if loc, err := domain.LoadZone(b.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

func toPublicBooking(d domain.BookingDetail) publicBookingJSON {
	loc := bookingZone(d.Booking)
	return publicBookingJSON{
		ID: d.ID, Status: string(d.Status), Start: rfc3339(d.Start, loc), End: rfc3339(d.End, loc),
		ServiceID: d.ServiceID, PractitionerID: d.PractitionerID, RoomID: roomIDOf(d.Booking), TimeZone: loc.String(),
		Service:        nameRef{ID: d.ServiceID, Name: d.Service.Name},
		Practitioner:   nameRef{ID: d.PractitionerID, Name: d.Practitioner.Name},
		AttendeeStatus: string(orDefault(d.AttendeeStatus, domain.AttendeeNeedsAction)),
		PlanID:         optionalID(d.PlanID),
	}
}
