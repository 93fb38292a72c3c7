package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// problem is an RFC 9457 problem document, the body of every 4xx and 5xx.
type problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail"`
	Errors []fieldProblem `json:"errors"` // empty, never null, when no field is at fault
	// Conflict names what is taken, on a 409 about a practitioner or room.
	Conflict *conflictJSON `json:"conflict,omitempty"`
	// Visits are the future visits of a room being deactivated (409).
	Visits []roomVisitJSON `json:"visits,omitempty"`
}

// fieldProblem names one input at fault.
type fieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// requestError is a fault in the HTTP request itself (media type, JSON
// syntax, an unknown field) that the domain never sees.
type requestError struct {
	status int
	field  string
	detail string
}

func (e *requestError) Error() string {
	if e.field != "" {
		return e.field + ": " + e.detail
	}
	return e.detail
}

func badRequest(field, detail string) error {
	return &requestError{status: http.StatusBadRequest, field: field, detail: detail}
}

// tooManyError is a rate-limit refusal; it tells the client when to retry.
type tooManyError struct {
	retryAfter time.Duration
}

func (e *tooManyError) Error() string { return "too many requests" }

// Unwrap lets domain.ErrorKind see a KindTooMany error.
func (e *tooManyError) Unwrap() error {
	return &domain.Error{Kind: domain.KindTooMany, Message: "Too many requests. Please wait a moment and try again."}
}

// ProblemStatus returns the HTTP status an error is answered with: the
// domain Kind's status, an echo.HTTPError's code, or 500 for anything else.
func ProblemStatus(err error) int {
	var re *requestError
	if errors.As(err, &re) {
		return re.status
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

// problemFor builds the document for err. Internal errors get a generic
// detail: their text may hold SQL or paths.
func problemFor(err error) problem {
	status := ProblemStatus(err)
	p := problem{Type: problemType(err, status), Title: http.StatusText(status), Status: status, Errors: []fieldProblem{}}
	var (
		re *requestError
		he *echo.HTTPError
		de *domain.Error
	)
	switch {
	case errors.As(err, &re):
		p.Detail = re.detail
		if re.field != "" {
			p.Errors = []fieldProblem{{Field: re.field, Message: re.detail}}
		}
	case errors.As(err, &he):
		p.Detail = httpErrorDetail(he)
	case errors.As(err, &de) && de.Kind != domain.KindInternal:
		p.Detail = de.Message
		for _, f := range de.Problems() {
			p.Errors = append(p.Errors, fieldProblem{Field: f.Field, Message: f.Message})
		}
	default:
		p.Detail = "Something went wrong on our side. It has been logged; please try again."
	}
	if status == http.StatusConflict {
		p.Conflict, p.Visits = conflictOf(err), roomVisits(err)
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
		return fmt.Sprintf("The request body is larger than %d KiB.", maxBodyBytes/1024)
	}
	if m, ok := he.Message.(string); ok && he.Code < 500 {
		return m
	}
	return http.StatusText(he.Code)
}

// problemType is a stable URI clients may switch on.
func problemType(err error, status int) string {
	if errors.Is(err, domain.ErrSlotTaken) {
		return "urn:frontdesk:problem:slot-taken"
	}
	if errors.Is(err, domain.ErrRoomTaken) {
		return "urn:frontdesk:problem:room-taken"
	}
	switch status {
	case http.StatusUnprocessableEntity:
		return "urn:frontdesk:problem:invalid"
	case http.StatusBadRequest:
		return "urn:frontdesk:problem:bad-request"
	}
	return "about:blank"
}

// handleError is echo's HTTPErrorHandler: every error becomes problem+json,
// except on non-API paths when HTMLError takes it.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := ProblemStatus(err)
	if status >= 500 {
		s.Logger.Error("request failed", "request_id", requestID(c), "route", c.Path(), "status", status, "err", err)
	}
	if s.HTMLError != nil && !isAPIPath(c.Request().URL.Path) && s.HTMLError(c, err) {
		return
	}
	var tm *tooManyError
	if errors.As(err, &tm) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(retrySeconds(tm.retryAfter)))
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusMethodNotAllowed {
		if allow, ok := c.Get(echo.ContextKeyHeaderAllow).(string); ok {
			c.Response().Header().Set(echo.HeaderAllow, allow)
		}
	}
	if status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="frontdesk"`)
	}
	if werr := writeProblem(c, problemFor(err)); werr != nil {
		s.Logger.Warn("write error response", "request_id", requestID(c), "err", werr)
	}
}

func writeProblem(c echo.Context, p problem) error {
	if c.Request().Method == http.MethodHead {
		return c.NoContent(p.Status)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	return jsonEncode(c.Response(), p)
}

func retrySeconds(d time.Duration) int {
	n := int((d + time.Second - 1) / time.Second)
	return max(n, 1)
}
