package domain

import (
	"sync"
	"time"
)

// zones caches loaded time zones by name. time.LoadLocation reads and parses
// the zone file on every call, and every slot, booking and email asks for a
// zone; the valid names are a few hundred, so the cache stays small.
var zones sync.Map // string -> *time.Location

// LoadZone is time.LoadLocation with a cache of the zones that loaded.
// "" and "Local" are refused: a stored zone must name a real place.
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	if name == "" || name == "Local" {
		return nil, errUnnamedZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

var errUnnamedZone = &Error{Kind: KindInvalid, Field: "time_zone", Message: "Use an IANA time zone such as Europe/London."}
