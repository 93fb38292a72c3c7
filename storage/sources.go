package storage

import "github.com/frontdesk/frontdesk/domain"

// sourceColumns are the columns of bookings that say where a booking came
// from (migration 00030). They are written when the booking is made and
// never changed.
type sourceColumns struct {
	Channel     optional
	Referrer    optional
	UTMSource   optional `gorm:"column:utm_source"`
	UTMMedium   optional `gorm:"column:utm_medium"`
	UTMCampaign optional `gorm:"column:utm_campaign"`
	UTMContent  optional `gorm:"column:utm_content"`
}

// sourceColumnNames are the columns of sourceColumns, which an update of a
// booking leaves alone.
var sourceColumnNames = []string{"channel", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_content"}

func toSourceColumns(s domain.Source, a domain.Attribution) sourceColumns {
	return sourceColumns{
		Channel: optional(s), Referrer: optional(a.Referrer),
		UTMSource: optional(a.UTMSource), UTMMedium: optional(a.UTMMedium),
		UTMCampaign: optional(a.UTMCampaign), UTMContent: optional(a.UTMContent),
	}
}

// args are the columns as query parameters, in sourceColumnNames order.
func (c sourceColumns) args() []any {
	return []any{c.Channel, c.Referrer, c.UTMSource, c.UTMMedium, c.UTMCampaign, c.UTMContent}
}

// legacySource is the value of the first source column, whose CHECK knows
// only the patient ("online") and the front desk ("staff").
func legacySource(s domain.Source) string {
	if s == domain.SourceStaff {
		return string(domain.SourceStaff)
	}
	return string(domain.SourceOnline)
}

// source is the booking's full source: channel, or the first source
// column for rows written before channel existed.
func (r bookingRow) source() domain.Source {
	if r.Sources.Channel != "" {
		return domain.Source(r.Sources.Channel)
	}
	return domain.Source(r.Source)
}

func (r bookingRow) attribution() domain.Attribution {
	return domain.Attribution{
		Referrer: string(r.Sources.Referrer), UTMSource: string(r.Sources.UTMSource), UTMMedium: string(r.Sources.UTMMedium),
		UTMCampaign: string(r.Sources.UTMCampaign), UTMContent: string(r.Sources.UTMContent),
	}
}
