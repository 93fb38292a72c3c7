package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// The reports are SQL aggregates over the bookings of a period, read with
// the indexes of migration 00030; no booking is loaded into Go. The few
// expressions that differ between the engines (durations, hours) come from
// reportSQL.

// reportSQL fills an engine's expressions into a report's query: %[1]s is
// a booking's visit in whole minutes, %[2]s the hour its start falls in
// (whole hours since the Unix epoch, so UTC hours), %[3]s the minute of
// that hour it starts at, %[4]s the seconds from its cancellation to its
// start, %[5]s the filter (or ""), and %[6]s and %[7]s its start and end
// as whole seconds since the Unix epoch.
func (s *Store) reportSQL(query, filter string) string {
	if s.dialect == DialectPostgres {
		return fmt.Sprintf(query,
			"((date_part('epoch', b.end_at) - date_part('epoch', b.start_at))::bigint / 60)",
			"(date_part('epoch', b.start_at)::bigint / 3600)",
			"((date_part('epoch', b.start_at)::bigint % 3600) / 60)",
			"(date_part('epoch', b.start_at) - date_part('epoch', b.cancelled_at))",
			filter,
			"date_part('epoch', b.start_at)::bigint",
			"date_part('epoch', b.end_at)::bigint")
	}
	return fmt.Sprintf(query,
		"((CAST(strftime('%s', b.end_at) AS INTEGER) - CAST(strftime('%s', b.start_at) AS INTEGER)) / 60)",
		"(CAST(strftime('%s', b.start_at) AS INTEGER) / 3600)",
		"((CAST(strftime('%s', b.start_at) AS INTEGER) % 3600) / 60)",
		"(CAST(strftime('%s', b.start_at) AS INTEGER) - CAST(strftime('%s', b.cancelled_at) AS INTEGER))",
		filter,
		"CAST(strftime('%s', b.start_at) AS INTEGER)",
		"CAST(strftime('%s', b.end_at) AS INTEGER)")
}

// reviewFunnelSQL groups the case reviews of a period by source and
// campaign. next_status is the status of an attended review's patient's
// first live booking of another service after it (NULL: none).
const reviewFunnelSQL = `
SELECT src, campaign, COUNT(*) AS booked,
	SUM(CASE WHEN status IN ('arrived', 'completed') THEN 1 ELSE 0 END) AS attended,
	SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END) AS no_show,
	SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,
	COUNT(next_status) AS converted,
	SUM(CASE WHEN next_status IN ('arrived', 'completed') THEN 1 ELSE 0 END) AS first_attended
FROM (
	SELECT COALESCE(b.channel, b.source) AS src, COALESCE(b.utm_campaign, '') AS campaign, b.status,
		CASE WHEN b.status IN ('arrived', 'completed') THEN (
			SELECT t.status FROM bookings AS t
			WHERE t.patient_id = b.patient_id AND NOT t.complimentary AND t.status <> 'cancelled'
				AND t.start_at > b.start_at
			ORDER BY t.start_at LIMIT 1
		) END AS next_status
	FROM bookings AS b
	WHERE b.complimentary AND b.start_at >= ? AND b.start_at < ?
) AS x
GROUP BY src, campaign`

// ReviewFunnel counts the case reviews starting in [from, to) by source
// and utm_campaign; see domain.FunnelDefinition.
func (s *Store) ReviewFunnel(ctx context.Context, from, to time.Time) ([]domain.SourceFunnel, error) {
	var rows []struct {
		Src, Campaign                                                 string
		Booked, Attended, NoShow, Cancelled, Converted, FirstAttended int
	}
	err := s.db.WithContext(ctx).Raw(reviewFunnelSQL, s.arg(at(from)), s.arg(at(to))).Scan(&rows).Error
	if err != nil {
		return nil, dbError("count case reviews", err)
	}
	out := make([]domain.SourceFunnel, len(rows))
	for i, r := range rows {
		out[i] = domain.SourceFunnel{Source: domain.Source(r.Src), UTMCampaign: r.Campaign, ReviewCounts: domain.ReviewCounts{
			Booked: r.Booked, Attended: r.Attended, NoShow: r.NoShow, Cancelled: r.Cancelled,
			Converted: r.Converted, FirstTreatmentAttended: r.FirstAttended,
		}}
	}
	return out, nil
}

const bookedMinutesSQL = `
SELECT CAST(b.practitioner_id AS TEXT) AS practitioner_id, SUM(%[1]s) AS minutes
FROM bookings AS b
WHERE b.start_at >= ? AND b.start_at < ? AND b.status <> 'cancelled'%[5]s
GROUP BY b.practitioner_id`

// BookedMinutes sums, per practitioner, the visit minutes of the bookings
// starting in [from, to) that are not cancelled (no-shows count: the time
// was booked).
func (s *Store) BookedMinutes(ctx context.Context, from, to time.Time) (map[string]int, error) {
	var rows []struct {
		PractitionerID string
		Minutes        int
	}
	err := s.db.WithContext(ctx).Raw(s.reportSQL(bookedMinutesSQL, ""), s.arg(at(from)), s.arg(at(to))).Scan(&rows).Error
	if err != nil {
		return nil, dbError("sum booked minutes", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.PractitionerID] = r.Minutes
	}
	return out, nil
}

const roomMinutesSQL = `
SELECT CAST(b.room_id AS TEXT) AS room_id, SUM(%[1]s) AS minutes
FROM bookings AS b
WHERE b.start_at >= ? AND b.start_at < ? AND b.status <> 'cancelled' AND b.room_id IS NOT NULL
GROUP BY b.room_id`

// RoomBookedMinutes sums, per room, the visit minutes of the bookings
// starting in [from, to) that hold the room and are not cancelled.
func (s *Store) RoomBookedMinutes(ctx context.Context, from, to time.Time) (map[string]int, error) {
	var rows []struct {
		RoomID  string
		Minutes int
	}
	err := s.db.WithContext(ctx).Raw(s.reportSQL(roomMinutesSQL, ""), s.arg(at(from)), s.arg(at(to))).Scan(&rows).Error
	if err != nil {
		return nil, dbError("sum room minutes", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.RoomID] = r.Minutes
	}
	return out, nil
}

// bookedHoursSQL spreads each visit over the UTC hour it starts in and the
// three after: h0 is what fits in the first hour, h1 and h2 the next
// hours, h3 the rest. The visits' instants are read once each, as whole
// seconds, in a materialised CTE: inlined, PostgreSQL evaluated the
// conversion again in every CASE that names it, three to five times slower.
const bookedHoursSQL = `
WITH v AS MATERIALIZED (
	SELECT %[6]s AS e, %[7]s AS f
	FROM bookings AS b
	WHERE b.start_at >= ? AND b.start_at < ? AND b.status <> 'cancelled'%[5]s
)
SELECT hour,
	SUM(CASE WHEN d < 60 - m THEN d ELSE 60 - m END) AS h0,
	SUM(CASE WHEN d <= 60 - m THEN 0 WHEN d >= 120 - m THEN 60 ELSE d - (60 - m) END) AS h1,
	SUM(CASE WHEN d <= 120 - m THEN 0 WHEN d >= 180 - m THEN 60 ELSE d - (120 - m) END) AS h2,
	SUM(CASE WHEN d <= 180 - m THEN 0 ELSE d - (180 - m) END) AS h3
FROM (SELECT e / 3600 AS hour, (e %% 3600) / 60 AS m, (f - e) / 60 AS d FROM v) AS x
GROUP BY hour`

// BookedHours spreads the minutes BookedMinutes counts over the UTC hours
// they fall in, for one practitioner or ("") everyone.
func (s *Store) BookedHours(ctx context.Context, from, to time.Time, practitionerID string) ([]domain.HourMinutes, error) {
	args := []any{s.arg(at(from)), s.arg(at(to))}
	filter := ""
	if practitionerID != "" {
		if !domain.IsID(practitionerID) {
			return nil, nil
		}
		filter, args = " AND b.practitioner_id = ?", append(args, lowerID(practitionerID))
	}
	var rows []struct {
		Hour           int64 // hours since the Unix epoch
		H0, H1, H2, H3 int
	}
	err := s.db.WithContext(ctx).Raw(s.reportSQL(bookedHoursSQL, filter), args...).Scan(&rows).Error
	if err != nil {
		return nil, dbError("sum booked hours", err)
	}
	out := make([]domain.HourMinutes, 0, len(rows)*2)
	for _, r := range rows {
		for k, m := range []int{r.H0, r.H1, r.H2, r.H3} {
			if m > 0 {
				out = append(out, domain.HourMinutes{Hour: time.Unix((r.Hour+int64(k))*3600, 0).UTC(), Minutes: m})
			}
		}
	}
	return out, nil
}

// attendanceSQL counts, per service and practitioner, the bookings of a
// period, their no-shows and late cancellations, and of those the ones
// whose reminder was delivered.
const attendanceSQL = `
WITH x AS MATERIALIZED (
	SELECT CAST(b.service_id AS TEXT) AS service_id, CAST(b.practitioner_id AS TEXT) AS practitioner_id, b.status,
		CASE WHEN b.status = 'cancelled' AND %[4]s < ? THEN 1 ELSE 0 END AS late,
		CASE WHEN b.status IN ('no_show', 'cancelled') AND EXISTS (
			SELECT 1 FROM outbox AS o WHERE o.booking_id = b.id AND o.kind = 'reminder' AND o.status = 'sent'
		) THEN 1 ELSE 0 END AS reminded
	FROM bookings AS b
	WHERE b.start_at >= ? AND b.start_at < ?%[5]s
)
SELECT service_id, practitioner_id, COUNT(*) AS bookings,
	SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END) AS no_shows,
	SUM(CASE WHEN status = 'no_show' THEN reminded ELSE 0 END) AS no_shows_reminded,
	SUM(late) AS late_cancels,
	SUM(late * reminded) AS late_cancels_reminded
FROM x
GROUP BY service_id, practitioner_id
ORDER BY service_id, practitioner_id`

// Attendance counts, per service and practitioner, the bookings starting
// in [from, to), the no-shows, and the cancellations made less than
// lateCancel before the start (or after it), with how many of each had
// their reminder delivered (a sent reminder in the outbox).
func (s *Store) Attendance(ctx context.Context, from, to time.Time, lateCancel time.Duration) ([]domain.AttendanceRow, error) {
	var rows []struct {
		ServiceID, PractitionerID                                            string
		Bookings, NoShows, NoShowsReminded, LateCancels, LateCancelsReminded int
	}
	err := s.db.WithContext(ctx).Raw(s.reportSQL(attendanceSQL, ""),
		int64(lateCancel/time.Second), s.arg(at(from)), s.arg(at(to))).Scan(&rows).Error
	if err != nil {
		return nil, dbError("count attendance", err)
	}
	out := make([]domain.AttendanceRow, len(rows))
	for i, r := range rows {
		out[i] = domain.AttendanceRow{ServiceID: r.ServiceID, PractitionerID: r.PractitionerID, Bookings: r.Bookings,
			NoShows: r.NoShows, NoShowsReminded: r.NoShowsReminded,
			LateCancels: r.LateCancels, LateCancelsReminded: r.LateCancelsReminded}
	}
	return out, nil
}
