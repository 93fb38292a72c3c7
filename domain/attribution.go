package domain

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// The sources a booking can come from, besides SourceOnline and SourceStaff.
const (
	SourceEmbed    Source = "embed"    // the patient, in the widget on the clinic's own site
	SourceWaitlist Source = "waitlist" // an accepted waitlist offer
	SourcePlan     Source = "plan"     // a visit of a plan of care
	SourceEmail    Source = "email"    // made from an email (a reply or invitation)
)

// Sources lists every source, in the order reports show them.
var Sources = []Source{SourceOnline, SourceEmbed, SourceStaff, SourceWaitlist, SourcePlan, SourceEmail}

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	for _, x := range Sources {
		if s == x {
			return true
		}
	}
	return false
}

// Attribution is what brought a patient to book: the page they came from
// and the campaign parameters (utm_*) of the link. Every field is optional;
// the zero value means nothing is known.
type Attribution struct {
	Referrer    string // an absolute http(s) URL, at most MaxReferrer bytes
	UTMSource   string // each utm_* at most MaxUTM characters
	UTMMedium   string
	UTMCampaign string
	UTMContent  string
}

// The bounds of an attribution's fields.
const (
	MaxReferrer = 2048
	MaxUTM      = 200
)

// IsZero reports whether nothing is known about where the booking came from.
func (a Attribution) IsZero() bool { return a == Attribution{} }

// Clean trims every field's surrounding space.
func (a Attribution) Clean() Attribution {
	return Attribution{
		Referrer: strings.TrimSpace(a.Referrer), UTMSource: strings.TrimSpace(a.UTMSource),
		UTMMedium: strings.TrimSpace(a.UTMMedium), UTMCampaign: strings.TrimSpace(a.UTMCampaign),
		UTMContent: strings.TrimSpace(a.UTMContent),
	}
}

// Validate checks the bounds; fields are named under "attribution.".
func (a Attribution) Validate() error {
	var v Validation
	v.Check(validReferrer(a.Referrer), "attribution.referrer", "Give the referring page as an http or https URL of at most 2048 characters.")
	for _, f := range []struct{ name, value string }{
		{"utm_source", a.UTMSource}, {"utm_medium", a.UTMMedium},
		{"utm_campaign", a.UTMCampaign}, {"utm_content", a.UTMContent},
	} {
		v.Check(plainText(f.value, MaxUTM), "attribution."+f.name, "Keep it under 200 characters, without control characters.")
	}
	return v.Err()
}

// validReferrer accepts "" or an absolute http(s) URL without control
// characters or user information.
func validReferrer(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > MaxReferrer || !plainText(s, MaxReferrer) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

// plainText reports whether s is valid UTF-8 of at most max characters
// with no control characters.
func plainText(s string, max int) bool {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return false
	}
	return LineProblem(s) == ""
}

// PatientSource is the source a patient's own request may claim: the
// widget or plain online booking. Anything else is KindInvalid on "source".
func PatientSource(s Source) (Source, error) {
	switch s {
	case "", SourceOnline:
		return SourceOnline, nil
	case SourceEmbed:
		return SourceEmbed, nil
	}
	return "", Invalid("source", "Use online or embed.")
}

// checkAttribution records in v what is wrong with a request's source and
// attribution.
func checkAttribution(v *Validation, req BookRequest) {
	if !req.Actor.Staff() {
		if _, err := PatientSource(req.Source); err != nil {
			mergeInto(v, err)
		}
	}
	mergeInto(v, req.Attribution.Clean().Validate())
}

// sourceOf is the source a validated request's booking records.
func sourceOf(req BookRequest) Source {
	if req.offer != nil {
		return SourceWaitlist
	}
	if req.Actor.Staff() {
		return SourceStaff
	}
	s, _ := PatientSource(req.Source)
	return s
}
