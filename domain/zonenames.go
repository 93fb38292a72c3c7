package domain

import "strings"

// zoneNames are the names people know zones by, for the zones the picker
// offers and a few more: "Eastern Time (New York)", not America/New_York.
// A zone missing here is named by its city.
var zoneNames = map[string]string{
	"Pacific/Honolulu":    "Hawaii Time (Honolulu)",
	"America/Anchorage":   "Alaska Time (Anchorage)",
	"America/Los_Angeles": "Pacific Time (Los Angeles)",
	"America/Vancouver":   "Pacific Time (Vancouver)",
	"America/Phoenix":     "Arizona Time (Phoenix)",
	"America/Denver":      "Mountain Time (Denver)",
	"America/Edmonton":    "Mountain Time (Edmonton)",
	"America/Chicago":     "Central Time (Chicago)",
	"America/Mexico_City": "Central Time (Mexico City)",
	"America/New_York":    "Eastern Time (New York)",
	"America/Toronto":     "Eastern Time (Toronto)",
	"America/Detroit":     "Eastern Time (Detroit)",
	"America/Halifax":     "Atlantic Time (Halifax)",
	"America/St_Johns":    "Newfoundland Time (St. John’s)",
	"America/Sao_Paulo":   "Brasília Time (São Paulo)",
	"Atlantic/Reykjavik":  "Iceland Time (Reykjavík)",
	"Europe/London":       "UK Time (London)",
	"Europe/Dublin":       "Irish Time (Dublin)",
	"Europe/Lisbon":       "Western European Time (Lisbon)",
	"Europe/Paris":        "Central European Time (Paris)",
	"Europe/Berlin":       "Central European Time (Berlin)",
	"Europe/Madrid":       "Central European Time (Madrid)",
	"Europe/Rome":         "Central European Time (Rome)",
	"Europe/Amsterdam":    "Central European Time (Amsterdam)",
	"Europe/Zurich":       "Central European Time (Zurich)",
	"Europe/Athens":       "Eastern European Time (Athens)",
	"Europe/Helsinki":     "Eastern European Time (Helsinki)",
	"Europe/Istanbul":     "Turkey Time (Istanbul)",
	"Europe/Moscow":       "Moscow Time",
	"Africa/Johannesburg": "South Africa Time (Johannesburg)",
	"Africa/Lagos":        "West Africa Time (Lagos)",
	"Africa/Nairobi":      "East Africa Time (Nairobi)",
	"Asia/Dubai":          "Gulf Time (Dubai)",
	"Asia/Kolkata":        "India Time (Kolkata)",
	"Asia/Bangkok":        "Indochina Time (Bangkok)",
	"Asia/Singapore":      "Singapore Time",
	"Asia/Hong_Kong":      "Hong Kong Time",
	"Asia/Shanghai":       "China Time (Shanghai)",
	"Asia/Tokyo":          "Japan Time (Tokyo)",
	"Asia/Seoul":          "Korea Time (Seoul)",
	"Australia/Perth":     "Western Australia Time (Perth)",
	"Australia/Adelaide":  "Central Australia Time (Adelaide)",
	"Australia/Brisbane":  "Eastern Australia Time (Brisbane)",
	"Australia/Sydney":    "Eastern Australia Time (Sydney)",
	"Australia/Melbourne": "Eastern Australia Time (Melbourne)",
	"Pacific/Auckland":    "New Zealand Time (Auckland)",
	"UTC":                 "UTC",
}

// ZoneName names an IANA zone for people: "Eastern Time (New York)", or
// the city for a zone without a common name ("Buenos Aires" for
// America/Argentina/Buenos_Aires). It leaves out the abbreviation, which
// changes with the season of the date shown.
func ZoneName(iana string) string {
	if n, ok := zoneNames[iana]; ok {
		return n
	}
	city := iana[strings.LastIndexByte(iana, '/')+1:]
	return strings.ReplaceAll(city, "_", " ")
}
