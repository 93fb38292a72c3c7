// Package problem maps errors to HTTP answers for every door that speaks
// HTTP: the status of a domain error's Kind, and the RFC 9457 problem+json
// document the JSON API answers with. Packages api and web both use it, so
// neither imports the other.
package problem

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// MaxBodyBytes bounds every request body; larger ones are answered 413.
const MaxBodyBytes = 64 << 10

// Document is an RFC 9457 problem document, the body of every 4xx and 5xx.
type Document struct {
	Type   string  `json:"type"`
	Title  string  `json:"title"`
	Status int     `json:"status"`
	Detail string  `json:"detail"`
	Errors []Field `json:"errors"` // empty, never null, when no field is at fault
	// Conflict names what is taken, on a 409 about a practitioner or room.
	Conflict *Conflict `json:"conflict,omitempty"`
	// Visits are the future visits of a room being deactivated, the
	// visits in the way of a move, or the confirmed visits time off or a
	// date override would cover (409).
	Visits []Visit `json:"visits,omitempty"`
	// Conflicts are the visits of a plan that cannot be booked (409).
	Conflicts []PlanConflict `json:"conflicts,omitempty"`
}

// PlanConflict is one visit of a plan that cannot be booked, with the
// nearest free starts.
type PlanConflict struct {
	Start        string   `json:"start"`
	Reason       string   `json:"reason"`
	Message      string   `json:"message"`
	Alternatives []string `json:"alternatives"`
}

// planConflictsOf lists what a *domain.PlanConflictError names.
func planConflictsOf(err error) []PlanConflict {
	list, ok := domain.ConflictsOf(err)
	if !ok {
		return nil
	}
	out := make([]PlanConflict, len(list))
	for i, c := range list {
		out[i] = PlanConflict{Start: c.Start.UTC().Format(time.RFC3339), Reason: c.Reason, Message: c.Message,
			Alternatives: make([]string, len(c.Alternatives))}
		for j, a := range c.Alternatives {
			out[i].Alternatives[j] = a.UTC().Format(time.RFC3339)
		}
	}
	return out
}

// Conflict names what a 409 says is taken.
type Conflict struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// Visit is a visit that still holds a room being deactivated.
type Visit struct {
	BookingID      string `json:"booking_id"`
	Start          string `json:"start"`
	End            string `json:"end"`
	PractitionerID string `json:"practitioner_id"`
	ServiceID      string `json:"service_id"`
	Patient        string `json:"patient"`
}

// conflictOf is the "conflict" member of err's problem, nil when err names nothing.
func conflictOf(err error) *Conflict {
	t, ok := domain.TakenOf(err)
	if !ok || t.ID == "" {
		return nil
	}
	return &Conflict{Kind: string(t.Kind), ID: t.ID}
}

// visitsOf lists the visits a *domain.RoomInUseError names, nil for any
// other error.
func visitsOf(err error) []Visit {
	var list []domain.BookingDetail
	var in *domain.RoomInUseError
	var clash *domain.ClashError
	var covered *domain.VisitsCoveredError
	switch {
	case errors.As(err, &in):
		list = in.Visits
	case errors.As(err, &covered):
		list = covered.Visits
	case errors.As(err, &clash):
		list = clash.Visits
	default:
		return nil
	}
	out := make([]Visit, len(list))
	for i, d := range list {
		out[i] = Visit{BookingID: d.ID, Start: d.Start.UTC().Format(time.RFC3339), End: d.End.UTC().Format(time.RFC3339),
			PractitionerID: d.PractitionerID, ServiceID: d.ServiceID, Patient: d.Patient.Name}
	}
	return out
}

// Field names one input at fault.
type Field struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// RequestError is a fault in the HTTP request itself (media type, JSON
// syntax, an unknown field) that the domain never sees.
type RequestError struct {
	Status int
	Field  string
	Detail string
}

func (e *RequestError) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Detail
	}
	return e.Detail
}

// BadRequest is a 400 naming the field at fault ("" for the whole body).
func BadRequest(field, detail string) error {
	return &RequestError{Status: http.StatusBadRequest, Field: field, Detail: detail}
}

// TooManyError is a rate-limit refusal; it tells the client when to retry.
type TooManyError struct {
	RetryAfter time.Duration
}

// TooMany refuses a request that may be retried after wait.
func TooMany(wait time.Duration) error { return &TooManyError{RetryAfter: wait} }

func (e *TooManyError) Error() string { return "too many requests" }

// Unwrap lets domain.ErrorKind see a KindTooMany error.
func (e *TooManyError) Unwrap() error {
	return &domain.Error{Kind: domain.KindTooMany, Message: "Too many requests. Please wait a moment and try again."}
}

// SetRetryAfter sets Retry-After on h when err is a TooManyError, for
// doors that answer a 429 themselves (a page re-rendered with the error).
func SetRetryAfter(h http.Header, err error) {
	var tm *TooManyError
	if errors.As(err, &tm) {
		h.Set("Retry-After", strconv.Itoa(RetrySeconds(tm.RetryAfter)))
	}
}

// RetrySeconds is the Retry-After value of a wait: whole seconds, at least 1.
func RetrySeconds(d time.Duration) int {
	n := int((d + time.Second - 1) / time.Second)
	return max(n, 1)
}

// Status returns the HTTP status an error is answered with: the domain
// Kind's status, an echo.HTTPError's code, or 500 for anything else. It is
// the one mapping of every door.
func Status(err error) int {
	var re *RequestError
	if errors.As(err, &re) {
		return re.Status
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he.Code
	}
	return kindStatus[domain.ErrorKind(err)]
}

var kindStatus = map[domain.Kind]int{
	domain.KindInternal:     http.StatusInternalServerError,
	domain.KindInvalid:      http.StatusUnprocessableEntity,
	domain.KindNotFound:     http.StatusNotFound,
	domain.KindConflict:     http.StatusConflict,
	domain.KindForbidden:    http.StatusForbidden,
	domain.KindUnauthorized: http.StatusUnauthorized,
	domain.KindUnavailable:  http.StatusServiceUnavailable,
	domain.KindTooMany:      http.StatusTooManyRequests,
}

// For builds the document for err. Internal errors get a generic detail:
// their text may hold SQL or paths.
func For(err error) Document {
	status := Status(err)
	p := Document{Type: typeOf(err, status), Title: http.StatusText(status), Status: status, Errors: []Field{}}
	var (
		re *RequestError
		he *echo.HTTPError
		de *domain.Error
	)
	switch {
	case errors.As(err, &re):
		p.Detail = re.Detail
		if re.Field != "" {
			p.Errors = []Field{{Field: re.Field, Message: re.Detail}}
		}
	case errors.As(err, &he):
		p.Detail = httpErrorDetail(he)
	case errors.As(err, &de) && de.Kind != domain.KindInternal:
		p.Detail = de.Message
		for _, f := range de.Problems() {
			p.Errors = append(p.Errors, Field{Field: f.Field, Message: f.Message})
		}
	default:
		p.Detail = "Something went wrong on our side. It has been logged; please try again."
	}
	if status == http.StatusConflict {
		p.Conflict, p.Visits, p.Conflicts = conflictOf(err), visitsOf(err), planConflictsOf(err)
	}
	return p
}

// httpErrorDetail words echo's own errors (unknown route, wrong method,
// oversized body) for a person.
func httpErrorDetail(he *echo.HTTPError) string {
	switch he.Code {
	case http.StatusNotFound:
		return "Not found."
	case http.StatusMethodNotAllowed:
		return "This method is not allowed here."
	case http.StatusRequestEntityTooLarge:
		return fmt.Sprintf("The request body is larger than %d KiB.", MaxBodyBytes/1024)
	}
	if m, ok := he.Message.(string); ok && he.Code < 500 {
		return m
	}
	return http.StatusText(he.Code)
}

// typeOf is a stable URI clients may switch on.
func typeOf(err error, status int) string {
	if errors.Is(err, domain.ErrSlotTaken) {
		return "urn:frontdesk:problem:slot-taken"
	}
	if errors.Is(err, domain.ErrRoomTaken) {
		return "urn:frontdesk:problem:room-taken"
	}
	if errors.Is(err, domain.ErrStale) {
		return "urn:frontdesk:problem:stale"
	}
	switch status {
	case http.StatusUnprocessableEntity:
		return "urn:frontdesk:problem:invalid"
	case http.StatusBadRequest:
		return "urn:frontdesk:problem:bad-request"
	}
	return "about:blank"
}

// Write answers with p as application/problem+json (headers only for HEAD).
func Write(c echo.Context, p Document) error {
	if c.Request().Method == http.MethodHead {
		return c.NoContent(p.Status)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	enc := json.NewEncoder(c.Response())
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}
