package web

import (
	"net/url"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// calendarLinks add a visit to the patient's own calendar.
type calendarLinks struct {
	ICS, Google string
	// Outlook is Outlook.com (personal accounts) and Outlook365 Outlook on
	// the web for Microsoft 365 (work and school accounts): two sites,
	// and a link to the wrong one opens an empty sign-in.
	Outlook, Outlook365 string
}

// linksFor builds the .ics, Google Calendar and both Outlook links of a visit.
func linksFor(b domain.BookingDetail, clinic domain.Clinic, token string) calendarLinks {
	text := b.Service.Name + " at " + clinic.Name
	details := "With " + b.Practitioner.Name + ". To change or cancel, use the link in your confirmation email or call " + clinic.Phone + "."
	const gcal = "20060102T150405Z"
	g := url.Values{
		"action": {"TEMPLATE"}, "text": {text},
		"dates":   {b.Start.UTC().Format(gcal) + "/" + b.End.UTC().Format(gcal)},
		"details": {details}, "location": {clinic.Address},
	}
	o := url.Values{
		"path": {"/calendar/action/compose"}, "rru": {"addevent"}, "subject": {text},
		"startdt": {b.Start.UTC().Format(time.RFC3339)}, "enddt": {b.End.UTC().Format(time.RFC3339)},
		"body": {details}, "location": {clinic.Address},
	}
	return calendarLinks{
		ICS:        "/api/v1/manage/" + url.PathEscape(token) + "/calendar.ics",
		Google:     "https://calendar.google.com/calendar/render?" + g.Encode(),
		Outlook:    "https://outlook.live.com/calendar/0/deeplink/compose?" + o.Encode(),
		Outlook365: "https://outlook.office.com/calendar/0/deeplink/compose?" + o.Encode(),
	}
}
