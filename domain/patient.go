package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Patient is a person who books. Email is unique, compared without case.
type Patient struct {
	ID    string
	Name  string
	Email string // stored lower-cased
	Phone string
	// EmailStatus is EmailBouncing once mail to Email failed for good;
	// "" reads as ok.
	EmailStatus EmailStatus
	CreatedAt   time.Time
}

// NormalizeEmail is the form emails are stored and compared in.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks a patient's contact details, naming fields under prefix
// ("patient." in a booking request).
func (p Patient) Validate(prefix string) error {
	var v Validation
	if msg := nameProblem(p.Name); msg != "" {
		v.Add(prefix+"name", msg)
	}
	v.Check(validEmail(p.Email), prefix+"email", "Give a valid email address.")
	v.Check(validPhone(p.Phone), prefix+"phone", "Give a phone number of 7 to 20 digits, or leave it empty.")
	return v.Err()
}

// nameProblem says what is wrong with a patient's name, "" for nothing.
func nameProblem(name string) string {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "Give your name."
	case LineProblem(name) == msgOneLine:
		return "Give the name on one line."
	case LineProblem(name) != "":
		return LineProblem(name)
	case utf8.RuneCountInString(name) > 120:
		return "Keep the name to 120 characters or fewer."
	}
	return ""
}

func validPhone(s string) bool {
	if s == "" {
		return true
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-(). ", r):
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 20 && len(s) <= 32
}

// PatientFilter selects patients for staff search.
type PatientFilter struct {
	Query string // matches name, email or phone, case-insensitively
	Limit int
}
