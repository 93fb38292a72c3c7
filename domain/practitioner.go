package domain

import (
	"slices"
	"strings"
	"time"
)

// Practitioner is a chiropractor or massage therapist with a calendar.
type Practitioner struct {
	ID         string
	Name       string
	Title      string // "Chiropractor", "Licensed Massage Therapist"
	Email      string
	TimeZone   string // IANA zone their working hours are written in
	Bio        string
	Active     bool
	ServiceIDs []string // the services they perform
	Color      string
	// SendInvites (opt-in) sends each visit as an invite to Email, so the
	// practitioner's own calendar shows it at once.
	SendInvites bool
}

// Performs reports whether p offers the service.
func (p Practitioner) Performs(serviceID string) bool {
	return slices.Contains(p.ServiceIDs, serviceID)
}

// Location returns p's zone (UTC if unknown, which Validate prevents).
func (p Practitioner) Location() *time.Location {
	loc, err := LoadZone(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Validate checks a practitioner before it is stored.
func (p Practitioner) Validate() error {
	var v Validation
	v.Check(strings.TrimSpace(p.Name) != "" && len(p.Name) <= 120, "name", "Give a name of at most 120 characters.")
	v.Check(len(p.Title) <= 120, "title", "At most 120 characters.")
	v.Line("name", p.Name)
	v.Line("title", p.Title)
	v.Text("bio", p.Bio)
	v.Length("bio", p.Bio, 2000)
	v.Check(p.Email == "" || validEmail(p.Email), "email", "Use a valid email address.")
	v.Check(validZone(p.TimeZone), "time_zone", "Use an IANA time zone such as America/New_York.")
	v.Check(p.Color == "" || validColor(p.Color), "color", "Use #rrggbb.")
	for _, id := range p.ServiceIDs {
		if !IsID(id) {
			v.Add("service_ids", "Unknown service.")
			break
		}
	}
	return v.Err()
}

// Schedule is what the slot engine needs to know about one practitioner's
// time in a window: hours, overrides, time off and busy blocks.
type Schedule struct {
	Practitioner Practitioner
	Weekly       []WorkingHours
	Overrides    []DateOverride
	TimeOff      []TimeOff
	Busy         []Interval // blocks (buffers included) of live, non-overbooked bookings
}
