package web

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// funcs are the helpers templates may call.
var funcs = template.FuncMap{
	"money":       money,
	"minutes":     func(d time.Duration) int { return int(d / time.Minute) },
	"day":         func(t time.Time, loc *time.Location) string { return t.In(loc).Format("Monday 2 January") },
	"fullDay":     func(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 2 January 2006") },
	"clock":       func(t time.Time, loc *time.Location) string { return t.In(loc).Format("3:04 PM") },
	"when":        when,
	"rfc":         func(t time.Time) string { return t.Format(time.RFC3339) },
	"isoDate":     func(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) },
	"hhmm":        func(t time.Time, loc *time.Location) string { return t.In(loc).Format("15:04") },
	"has":         slices.Contains[[]string],
	"field":       newField,
	"inc":         func(i int) int { return i + 1 },
	"errID":       func(name string) string { return "err-" + idPart(name) },
	"fieldID":     func(name string) string { return "f-" + idPart(name) },
	"title":       title,
	"dict":        func() fieldErrors { return fieldErrors{} },
	"bookFor":     bookFor,
	"patientHref": patientHref,
	// Status marks, the same on the calendar, the visit and the day sheet.
	"statusText": func(st domain.Status) string { return statusText[st] },
	"statusIcon": func(st domain.Status) string { return statusIcon[st] },
	// Inbound mail (inbound.go).
	"attendee":     attendeeLabel,
	"inboundState": inboundStateLabel,
	"add": func(n ...int) int {
		sum := 0
		for _, x := range n {
			sum += x
		}
		return sum
	},
	"sub":       func(a, b int) int { return a - b },
	"mul":       func(a, b int) int { return a * b },
	"zoneName":  zoneName,
	"bothTimes": bothTimes,
}

// bothTimes is "4:00 PM your time · 10:00 AM at the clinic" for a patient
// whose zone shows t differently from the clinic's, with the clinic's day
// when that differs too; "" when both clocks agree (nil clinic: "").
func bothTimes(t time.Time, visitor, clinic *time.Location) string {
	if clinic == nil || visitor == nil {
		return ""
	}
	mine, theirs := t.In(visitor), t.In(clinic)
	if mine.Format("2006-01-02 15:04") == theirs.Format("2006-01-02 15:04") {
		return ""
	}
	s := mine.Format("3:04 PM") + " your time · " + theirs.Format("3:04 PM")
	if mine.YearDay() != theirs.YearDay() {
		s += " on " + theirs.Format("Monday 2 January")
	}
	return s + " at the clinic"
}

// when is a full local date and time with the zone named.
func when(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Monday 2 January 2006, 3:04 PM") + ", " + zoneLabel(loc)
}

// money formats a price; 0 is "Free".
func money(cents int, currency string) string {
	if cents == 0 {
		return "Free"
	}
	amount := fmt.Sprintf("%d.%02d", cents/100, cents%100)
	switch currency {
	case "USD", "CAD", "AUD", "NZD":
		return "$" + amount
	case "EUR":
		return "€" + amount
	case "GBP":
		return "£" + amount
	}
	return amount + " " + currency
}

// title upper-cases the first letter and spells snake_case as words.
func title(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// idPart turns a form field name into an HTML id part.
func idPart(name string) string {
	return strings.NewReplacer(".", "-", "[", "-", "]", "", " ", "-").Replace(name)
}

// formField is one labelled input with its error, for the "input" partial.
type formField struct {
	Name, Label, Type, Value, Err, Hint, Autocomplete string
	Required                                          bool
}

// newField builds a formField; opts are "required", "hint=…" and
// "autocomplete=…".
func newField(name, label, typ, value string, errs fieldErrors, opts ...string) formField {
	f := formField{Name: name, Label: label, Type: typ, Value: value, Err: errs[name]}
	for _, o := range opts {
		switch k, v, _ := strings.Cut(o, "="); k {
		case "required":
			f.Required = true
		case "hint":
			f.Hint = v
		case "autocomplete":
			f.Autocomplete = v
		}
	}
	return f
}
