package api

import "github.com/frontdesk/frontdesk/domain"

// attributionJSON is what brought a patient to book, as POST
// /api/v1/bookings takes it and staff see it; the domain bounds it.
type attributionJSON struct {
	Referrer    string `json:"referrer"`
	UTMSource   string `json:"utm_source"`
	UTMMedium   string `json:"utm_medium"`
	UTMCampaign string `json:"utm_campaign"`
	UTMContent  string `json:"utm_content"`
}

func (a *attributionJSON) domain() domain.Attribution {
	if a == nil {
		return domain.Attribution{}
	}
	return domain.Attribution{Referrer: a.Referrer, UTMSource: a.UTMSource, UTMMedium: a.UTMMedium,
		UTMCampaign: a.UTMCampaign, UTMContent: a.UTMContent}
}

// toAttributionJSON is nil (null) when nothing is known.
func toAttributionJSON(a domain.Attribution) *attributionJSON {
	if a.IsZero() {
		return nil
	}
	return &attributionJSON{Referrer: a.Referrer, UTMSource: a.UTMSource, UTMMedium: a.UTMMedium,
		UTMCampaign: a.UTMCampaign, UTMContent: a.UTMContent}
}
