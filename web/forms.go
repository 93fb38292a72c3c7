package web

import (
	"errors"
	"strings"

	"github.com/frontdesk/frontdesk/domain"
)

// fieldErrors maps a form field's name to what is wrong with it.
type fieldErrors map[string]string

// formProblem is an error the page shows next to the form instead of an
// error page: the summary and the fields at fault.
type formProblem struct {
	Message string
	Fields  fieldErrors
}

// List is the field messages the summary links to, leaving out one that
// only repeats the summary.
func (p formProblem) List() fieldErrors {
	out := fieldErrors{}
	for f, m := range p.Fields {
		if m != p.Message {
			out[f] = m
		}
	}
	return out
}

// problemOf turns a domain error a person can fix into a formProblem; ok
// is false for anything else (internal errors, unavailability), which the
// handler returns for the error page.
func problemOf(err error) (formProblem, bool) {
	var de *domain.Error
	if !errors.As(err, &de) {
		return formProblem{}, false
	}
	switch de.Kind {
	case domain.KindInvalid, domain.KindConflict, domain.KindForbidden, domain.KindTooMany, domain.KindUnauthorized:
	default:
		return formProblem{}, false
	}
	p := formProblem{Message: de.Message, Fields: fieldErrors{}}
	for _, f := range de.Problems() {
		p.Fields[f.Field] = f.Message
	}
	return p, true
}

// trimmed returns the form value with surrounding space removed.
func trimmed(s string) string { return strings.TrimSpace(s) }
