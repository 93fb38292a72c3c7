package web

import (
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// zoneName names an IANA zone for people, as emails do: see domain.ZoneName.
func zoneName(iana string) string { return domain.ZoneName(iana) }

// zoneLabel is zoneName for a loaded zone.
func zoneLabel(loc *time.Location) string { return zoneName(loc.String()) }
