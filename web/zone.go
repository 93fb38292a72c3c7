package web

import (
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// commonZones are offered in the time zone select; the visitor's own zone
// is added when it is not among them.
var commonZones = []string{
	"Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Phoenix",
	"America/Denver", "America/Chicago", "America/New_York", "America/Halifax",
	"America/St_Johns", "America/Sao_Paulo", "Atlantic/Reykjavik", "Europe/London",
	"Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Athens",
	"Europe/Helsinki", "Europe/Istanbul", "Europe/Moscow", "Africa/Johannesburg",
	"Africa/Lagos", "Asia/Dubai", "Asia/Kolkata", "Asia/Bangkok", "Asia/Singapore",
	"Asia/Shanghai", "Asia/Tokyo", "Australia/Perth", "Australia/Sydney",
	"Pacific/Auckland", "UTC",
}

// zone is the visitor's time zone as a page shows it.
type zone struct {
	Loc     *time.Location
	Name    string   // IANA name, the value of the tz parameter
	Label   string   // "America/New York, EST"
	Options []string // for the select
	Unknown string   // a tz parameter that was not a known zone
}

// visitorZone reads ?tz= (or the tz form field), falling back to def (the
// booking's or the clinic's zone) and saying so when the name is unknown.
func visitorZone(c echo.Context, def string) zone {
	name := c.QueryParam("tz")
	if name == "" && c.Request().Method == "POST" {
		name = c.FormValue("tz")
	}
	z := zone{}
	if name != "" {
		if loc, err := domain.LoadZone(name); err == nil {
			z.Loc, z.Name = loc, name
		} else {
			z.Unknown = name
		}
	}
	if z.Loc == nil {
		z.Loc, z.Name = loadZone(def), def
		if z.Loc == time.UTC {
			z.Name = "UTC"
		}
	}
	z.Label = zoneLabel(z.Loc)
	z.Options = commonZones
	if !slices.Contains(commonZones, z.Name) {
		z.Options = append([]string{z.Name}, commonZones...)
	}
	return z
}

// loadZone loads an IANA zone, UTC when the name is unknown.
func loadZone(name string) *time.Location {
	loc, err := domain.LoadZone(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// today is the civil date now in loc.
func (s *Site) today(loc *time.Location) domain.Date {
	return domain.DateOf(s.Clock.Now().In(loc))
}
