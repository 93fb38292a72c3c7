package storage

import (
	"context"
	"database/sql"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// maxBlock bounds a booking's block (a CHECK in both schemas), so a range
// read can bound block_start from below and stay an index range scan.
const maxBlock = 24 * time.Hour

// scheduleSQL reads, in one statement and one round trip, everything the
// slot engine needs for a set of practitioners: weekly hours (h), date
// overrides (o), time off (t) and the blocks of live, non-overbooked
// bookings (b), as rows of one shape. The busy branch reads the
// bookings_blocks index: a block is at most maxBlock long, so block_start
// is bounded from below too.
const scheduleSQL = `
	SELECT 'h' AS kind, practitioner_id, CAST(id AS TEXT) AS id,
	       weekday AS n1, start_minute AS n2, end_minute AS n3,
	       CAST(NULL AS TEXT) AS day, CAST(NULL AS TEXT) AS txt, CAST(NULL AS TEXT) AS note,
	       CAST(NULL AS TIMESTAMPTZ) AS t1, CAST(NULL AS TIMESTAMPTZ) AS t2
	FROM working_hours WHERE practitioner_id IN @ids
	UNION ALL
	SELECT 'o', practitioner_id, CAST(id AS TEXT), 0, 0, 0, CAST(day AS TEXT), ranges, note, NULL, NULL
	FROM date_overrides WHERE practitioner_id IN @ids AND day >= @first AND day <= @last
	UNION ALL
	SELECT 't', practitioner_id, CAST(id AS TEXT), 0, 0, 0, NULL, reason, NULL, start_at, end_at
	FROM time_off WHERE practitioner_id IN @ids AND end_at > @from AND start_at < @to
	UNION ALL
	SELECT 'b', practitioner_id, '', 0, 0, 0, NULL, NULL, NULL, block_start, block_end
	FROM bookings
	WHERE practitioner_id IN @ids AND status <> 'cancelled' AND NOT overbooked
	  AND block_start < @to AND block_start > @earliest AND block_end > @from
	ORDER BY kind, practitioner_id, n1, n2, day, t1`

// Schedules loads, for each known practitioner in practitionerIDs (in that
// order; unknown and malformed ids are left out), everything the slot
// engine needs in [from, to): weekly hours, the overrides of the dates the
// window touches in any zone, time off and busy blocks overlapping the
// window. The practitioners come from the catalog; the rest is one query.
func (s *Store) Schedules(ctx context.Context, practitionerIDs []string, from, to time.Time) ([]domain.Schedule, error) {
	ids := unique(validIDs(practitionerIDs))
	if len(ids) == 0 || !from.Before(to) {
		return []domain.Schedule{}, nil
	}
	cat, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Schedule, 0, len(ids))
	index := make(map[string]int, len(ids))
	known := ids[:0:0]
	for _, id := range ids {
		if p, ok := cat.practitioner(id); ok {
			index[id] = len(out)
			out = append(out, domain.Schedule{Practitioner: clonePractitioner(p)})
			known = append(known, id)
		}
	}
	if len(known) == 0 {
		return out, nil
	}
	if err := s.loadSchedules(ctx, known, from, to, out, index); err != nil {
		return nil, dbError("select schedules", err)
	}
	return out, nil
}

// loadSchedules runs scheduleSQL and files each row under its practitioner.
func (s *Store) loadSchedules(ctx context.Context, ids []string, from, to time.Time, out []domain.Schedule, index map[string]int) error {
	// Local dates lie within a day of UTC dates; a range may run past
	// midnight from the day before.
	first, last := domain.DateOf(from.UTC()).AddDays(-2), domain.DateOf(to.UTC()).AddDays(1)
	rows, err := s.db.WithContext(ctx).Raw(scheduleSQL, map[string]any{
		"ids": ids, "first": civil(first), "last": civil(last),
		"from": at(from), "to": at(to), "earliest": at(from.Add(-maxBlock - time.Second)),
	}).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		kind, practitioner, id string
		n1, n2, n3             int
		day, text, note        sql.NullString
		t1, t2                 instant
	)
	for rows.Next() {
		if err := rows.Scan(&kind, &practitioner, &id, &n1, &n2, &n3, &day, &text, &note, &t1, &t2); err != nil {
			return err
		}
		i, ok := index[practitioner]
		if !ok {
			continue
		}
		sc := &out[i]
		switch kind {
		case "h":
			sc.Weekly = append(sc.Weekly, workingHoursRow{ID: id, PractitionerID: practitioner,
				Weekday: n1, StartMinute: n2, EndMinute: n3}.domain())
		case "o":
			var d civil
			if err := d.Scan(day.String); err != nil {
				return err
			}
			o, err := dateOverrideRow{ID: id, PractitionerID: practitioner, Day: d,
				Ranges: text.String, Note: note.String}.domain()
			if err != nil {
				return err
			}
			sc.Overrides = append(sc.Overrides, o)
		case "t":
			sc.TimeOff = append(sc.TimeOff, timeOffRow{ID: id, PractitionerID: practitioner,
				StartAt: t1, EndAt: t2, Reason: text.String}.domain())
		case "b":
			sc.Busy = append(sc.Busy, domain.Interval{Start: t1.time(), End: t2.time()})
		}
	}
	return rows.Err()
}
