package domain

import (
	"errors"
	"strings"
)

// Kind classifies an error for whoever must answer for it.
type Kind uint8

const (
	KindInternal     Kind = iota // logged, never shown
	KindInvalid                  // the input is wrong: 422
	KindNotFound                 // 404; also for anything the caller may not know exists
	KindConflict                 // the state forbids it right now: 409
	KindForbidden                // signed in, but not allowed: 403
	KindUnauthorized             // not signed in: 401
	KindUnavailable              // a dependency (the database) is down: 503
	KindTooMany                  // rate limited: 429
)

// FieldError names one bad input and what is wrong with it.
type FieldError struct {
	Field   string
	Message string
}

// Error is an error whose Message is safe to show a patient or staff member.
type Error struct {
	Kind    Kind
	Message string
	Field   string       // the input at fault, when there is one
	Fields  []FieldError // several inputs at fault (validation)
	Taken   *Taken       // for a conflict: the practitioner or room that is taken (see Naming)
	base    *Error       // the sentinel this copy was made from (see Naming)
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	if len(e.Fields) > 0 {
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = f.Field + ": " + f.Message
		}
		return e.Message + " (" + strings.Join(parts, "; ") + ")"
	}
	return e.Message
}

// Problems returns every field at fault: Fields, or Field alone.
func (e *Error) Problems() []FieldError {
	if len(e.Fields) > 0 {
		return e.Fields
	}
	if e.Field != "" {
		return []FieldError{{Field: e.Field, Message: e.Message}}
	}
	return nil
}

// ErrorKind returns the Kind of err, KindInternal for anything not an *Error.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Invalid is a validation error for one field.
func Invalid(field, message string) *Error {
	return &Error{Kind: KindInvalid, Field: field, Message: message}
}

// NotFound is a 404 with a message safe to show.
func NotFound(message string) *Error {
	return &Error{Kind: KindNotFound, Message: message}
}

// Conflict is a 409 with a message safe to show.
func Conflict(message string) *Error {
	return &Error{Kind: KindConflict, Message: message}
}

// Forbidden is a 403 with a message safe to show.
func Forbidden(message string) *Error {
	return &Error{Kind: KindForbidden, Message: message}
}

// Validation collects field errors; Err returns nil when there are none.
type Validation struct {
	fields []FieldError
}

// Add records a problem with field.
func (v *Validation) Add(field, message string) {
	v.fields = append(v.fields, FieldError{Field: field, Message: message})
}

// Check records message for field when ok is false.
func (v *Validation) Check(ok bool, field, message string) {
	if !ok {
		v.Add(field, message)
	}
}

// merge records every field problem of err, a *Error; other errors are
// recorded as nothing, so callers merge only validation results.
func (v *Validation) merge(err error) {
	var e *Error
	if errors.As(err, &e) {
		v.fields = append(v.fields, e.Problems()...)
	}
}

// Err returns a KindInvalid *Error naming every field, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Message: "Some fields need attention.", Fields: v.fields}
}

var (
	// ErrSlotTaken: the practitioner's blocked time overlaps another live booking.
	ErrSlotTaken = &Error{Kind: KindConflict, Message: "That time was just taken. Please choose another."}
	// ErrNotFound is the plain 404 for anything looked up by id or token.
	ErrNotFound = &Error{Kind: KindNotFound, Message: "Not found."}
	// ErrCaseReviewUsed: the patient already has (or had) a complimentary case review.
	ErrCaseReviewUsed = &Error{Kind: KindConflict, Field: "patient.email", Message: "The complimentary case review is for one visit per patient, and this email already has one."}
	// ErrNewPatientsOnly: the service is for new patients and the email has
	// had a visit.
	ErrNewPatientsOnly = &Error{Kind: KindConflict, Field: "patient.email",
		Message: "This service is for new patients, and we have seen you before. Please choose another service; we look forward to seeing you again."}
	// ErrUnauthorized: no valid session or token.
	ErrUnauthorized = &Error{Kind: KindUnauthorized, Message: "Sign in to continue."}
	// ErrForbidden: the signed-in user's role does not allow this.
	ErrForbidden = &Error{Kind: KindForbidden, Message: "Your role does not allow this."}
	// ErrUnavailable: the database cannot be reached.
	ErrUnavailable = &Error{Kind: KindUnavailable, Message: "The service is briefly unavailable. Please try again."}
	// ErrIdempotencyReplay (internal): storage saw the Idempotency-Key stored by a concurrent request.
	ErrIdempotencyReplay = errors.New("idempotency key already used")
	// ErrDuplicate is returned by stores when a unique value (an email) is taken.
	ErrDuplicate = &Error{Kind: KindConflict, Message: "That already exists."}
)
