package domain

import (
	"strings"
	"time"
)

// ServiceKind groups services for rules and display.
type ServiceKind string

const (
	KindCaseReview   ServiceKind = "case_review" // the free first conversation with the chiropractor
	KindMassage      ServiceKind = "massage"
	KindChiropractic ServiceKind = "chiropractic"
)

// Service is something a patient can book.
type Service struct {
	ID              string
	Name            string
	Kind            ServiceKind
	Description     string
	Duration        time.Duration
	BufferBefore    time.Duration // kept free before the visit (room preparation)
	BufferAfter     time.Duration // kept free after the visit (notes, laundry)
	PriceCents      int
	Currency        string // ISO 4217, e.g. "USD"
	NewPatientsOnly bool   // only for patients with no earlier visit
	OnlineBookable  bool   // patients may book it themselves
	Active          bool
	Color           string // "#rrggbb", the calendar colour
	SortOrder       int
	RoomIDs         []string // the rooms a visit may use, in order of preference; none: it needs no room
}

// Block returns the practitioner time a visit at start holds: the visit plus
// its buffers.
func (s Service) Block(start time.Time) Interval {
	return Interval{start.Add(-s.BufferBefore), start.Add(s.Duration + s.BufferAfter)}
}

// Validate checks a service before it is stored.
func (s Service) Validate() error {
	var v Validation
	v.Check(strings.TrimSpace(s.Name) != "" && len(s.Name) <= 120, "name", "Give the service a name of at most 120 characters.")
	switch s.Kind {
	case KindCaseReview, KindMassage, KindChiropractic:
	default:
		v.Add("kind", "Use case_review, massage or chiropractic.")
	}
	v.Check(s.Duration >= 5*time.Minute && s.Duration <= 8*time.Hour && s.Duration%time.Minute == 0, "duration_minutes", "Must be whole minutes between 5 and 480.")
	v.Check(s.BufferBefore >= 0 && s.BufferBefore <= 2*time.Hour, "buffer_before_minutes", "Must be between 0 and 120.")
	v.Check(s.BufferAfter >= 0 && s.BufferAfter <= 2*time.Hour, "buffer_after_minutes", "Must be between 0 and 120.")
	v.Check(s.PriceCents >= 0, "price_cents", "Must not be negative.")
	v.Int32("price_cents", s.PriceCents)
	v.Int32("sort_order", s.SortOrder)
	v.Line("name", s.Name)
	v.Text("description", s.Description)
	v.Length("description", s.Description, 2000)
	v.Check(len(s.Currency) == 3 && strings.ToUpper(s.Currency) == s.Currency, "currency", "Use a three-letter code such as USD.")
	v.Check(s.Color == "" || validColor(s.Color), "color", "Use #rrggbb.")
	return v.Err()
}

func validColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	return strings.Trim(strings.ToLower(c[1:]), "0123456789abcdef") == ""
}
