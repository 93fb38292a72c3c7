package web

import (
	"errors"
	"maps"
	"slices"
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
	// Order is the fields in the order the domain named them, which is
	// the order of the forms; fields missing from it come after, by name.
	Order []string
}

// List is the field messages the summary links to, in form order, leaving
// out one that only repeats the summary.
func (p formProblem) List() []domain.FieldError {
	names := slices.Clone(p.Order)
	rest := slices.Sorted(maps.Keys(p.Fields))
	for _, f := range rest {
		if !slices.Contains(names, f) {
			names = append(names, f)
		}
	}
	var out []domain.FieldError
	for _, f := range names {
		if m, ok := p.Fields[f]; ok && m != p.Message {
			out = append(out, domain.FieldError{Field: f, Message: m})
		}
	}
	return out
}

// without returns p with field left out, and whether anything is left.
func (p formProblem) without(field string) (formProblem, bool) {
	out := formProblem{Message: p.Message, Fields: fieldErrors{}}
	for f, m := range p.Fields {
		if f != field {
			out.Fields[f] = m
		}
	}
	for _, f := range p.Order {
		if f != field {
			out.Order = append(out.Order, f)
		}
	}
	return out, len(out.Fields) > 0
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
		if _, seen := p.Fields[f.Field]; !seen {
			p.Order = append(p.Order, f.Field)
			p.Fields[f.Field] = f.Message // the first message of a field comes first in the form too
		}
	}
	return p, true
}

// trimmed returns the form value with surrounding space removed.
func trimmed(s string) string { return strings.TrimSpace(s) }
