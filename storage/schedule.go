package storage

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// maxBlock bounds a booking's block (a CHECK in both schemas), so a range
// read can bound block_start from below and stay an index range scan.
const maxBlock = 24 * time.Hour

// The schedule reads return rows of one shape, whatever their table:
// weekly hours (h), date overrides (o), time off (t), busy time from the
// practitioners' own calendars (c) and the blocks of live, non-overbooked
// bookings (b).
const (
	hoursBranch = `
	SELECT 'h' AS kind, practitioner_id, CAST(id AS TEXT) AS id,
	       weekday AS n1, start_minute AS n2, end_minute AS n3,
	       CAST(NULL AS TEXT) AS day, CAST(NULL AS TEXT) AS txt, CAST(NULL AS TEXT) AS note,
	       CAST(NULL AS TIMESTAMPTZ) AS t1, CAST(NULL AS TIMESTAMPTZ) AS t2
	FROM working_hours`
	overridesBranch = `
	SELECT 'o', practitioner_id, CAST(id AS TEXT), 0, 0, 0, CAST(day AS TEXT), ranges, note, NULL, NULL
	FROM date_overrides`
	timeOffBranch = `
	SELECT 't', practitioner_id, CAST(id AS TEXT), 0, 0, 0, NULL, reason, NULL, start_at, end_at
	FROM time_off`
	// Busy time from the practitioners' own calendars (c) is time off
	// with the calendar's id and label (see storage/busy.go).
	calendarBranch = `
	SELECT 'c', i.practitioner_id, CAST(i.calendar_id AS TEXT), 0, 0, 0, NULL, c.label, NULL, i.start_at, i.end_at
	FROM busy_intervals i JOIN busy_calendars c ON c.id = i.calendar_id`
	// The busy branch reads the bookings_blocks index: a block is at most
	// maxBlock long, so block_start is bounded from below too.
	busyBranch = `
	SELECT 'b', practitioner_id, '', 0, 0, 0, NULL, NULL, NULL, block_start, block_end` + busyFrom
	busyFrom = `
	FROM bookings
	WHERE practitioner_id IN @ids AND status <> 'cancelled' AND NOT overbooked
	  AND block_start < @to AND block_start > @earliest AND block_end > @from`
	scheduleOrder = `
	ORDER BY kind, practitioner_id, n1, n2, day, t1`
)

// scheduleSQL reads a window of the practitioners' schedules in one
// statement: what Schedules needs when the window lies before the cached
// hours (see hoursSnapshot).
const scheduleSQL = hoursBranch + ` WHERE practitioner_id IN @ids
	UNION ALL` + overridesBranch + ` WHERE practitioner_id IN @ids AND day >= @first AND day <= @last
	UNION ALL` + timeOffBranch + ` WHERE practitioner_id IN @ids AND end_at > @from AND start_at < @to
	UNION ALL` + calendarBranch + ` WHERE i.practitioner_id IN @ids AND i.end_at > @from AND i.start_at < @to
	UNION ALL` + busyBranch + scheduleOrder

// workingSQL is scheduleSQL without the busy blocks.
const workingSQL = hoursBranch + ` WHERE practitioner_id IN @ids
	UNION ALL` + overridesBranch + ` WHERE practitioner_id IN @ids AND day >= @first AND day <= @last
	UNION ALL` + timeOffBranch + ` WHERE practitioner_id IN @ids AND end_at > @from AND start_at < @to
	UNION ALL` + calendarBranch + ` WHERE i.practitioner_id IN @ids AND i.end_at > @from AND i.start_at < @to` + scheduleOrder

// busySQL reads only the busy blocks, for a window the cached hours cover:
// the availability of every request past the last three days. It selects
// the three columns it needs, not the shared shape of the other reads,
// since a month of a busy clinic is thousands of rows.
const busySQL = `
	SELECT practitioner_id, block_start, block_end` + busyFrom + `
	ORDER BY practitioner_id, block_start`

// hoursSQL reads every practitioner's hours with the overrides and time off
// that can still matter: those from @first and @from on.
const hoursSQL = hoursBranch + `
	UNION ALL` + overridesBranch + ` WHERE day >= @first
	UNION ALL` + timeOffBranch + ` WHERE end_at > @from
	UNION ALL` + calendarBranch + ` WHERE i.end_at > @from` + scheduleOrder

// hoursSnapshot is every practitioner's weekly hours, with their overrides
// and time off from since on, kept with the catalog: bookings and
// availability read them on every request and they change rarely. Windows
// that start before since are read from the database.
type hoursSnapshot struct {
	since time.Time
	by    map[string]*domain.Schedule // by practitioner id; Busy is empty
}

// hoursHistory is how far back a snapshot keeps overrides and time off.
// Nobody books in the past, so older ones only matter to reports.
const hoursHistory = 72 * time.Hour

// loadHours reads a snapshot as of now.
func (s *Store) loadHours(ctx context.Context, now time.Time) (hoursSnapshot, error) {
	since := now.Add(-hoursHistory).UTC()
	h := hoursSnapshot{since: since, by: map[string]*domain.Schedule{}}
	err := s.scanSchedules(ctx, hoursSQL, map[string]any{
		"first": overrideDates(since, since).first, "from": at(since),
	}, func(id string) *domain.Schedule {
		sc := h.by[id]
		if sc == nil {
			sc = &domain.Schedule{}
			h.by[id] = sc
		}
		return sc
	})
	return h, err
}

// window returns the practitioner's hours with the overrides and time off
// of [from, to), as the database would answer; ok is false when the
// snapshot does not reach back to from.
func (h hoursSnapshot) window(id string, from, to time.Time) (sc domain.Schedule, ok bool) {
	if from.Before(h.since) {
		return domain.Schedule{}, false
	}
	cached := h.by[id]
	if cached == nil {
		return domain.Schedule{}, true
	}
	days := overrideDates(from, to)
	sc.Weekly = slices.Clone(cached.Weekly)
	for _, o := range cached.Overrides {
		if !o.Date.Before(days.first) && !days.last.Before(o.Date) {
			sc.Overrides = append(sc.Overrides, o)
		}
	}
	for _, t := range cached.TimeOff {
		if t.End.After(from) && t.Start.Before(to) {
			sc.TimeOff = append(sc.TimeOff, t)
		}
	}
	return sc, true
}

// dateSpan is an inclusive range of dates.
type dateSpan struct{ first, last domain.Date }

// overrideDates are the dates whose overrides a window needs: local dates
// lie within a day of UTC dates, and the engine looks at the local day
// before and after the window.
func overrideDates(from, to time.Time) dateSpan {
	return dateSpan{domain.DateOf(from.UTC()).AddDays(-2), domain.DateOf(to.UTC()).AddDays(2)}
}

// Schedules loads, for each known practitioner in practitionerIDs (in that
// order; unknown and malformed ids are left out), everything the slot
// engine needs in [from, to): weekly hours, the overrides of the dates the
// window touches in any zone and a day either side, time off and busy
// blocks overlapping the window. Practitioners and hours come from the
// catalog copy; busy blocks are always read, in one query.
func (s *Store) Schedules(ctx context.Context, practitionerIDs []string, from, to time.Time) ([]domain.Schedule, error) {
	return s.schedules(ctx, practitionerIDs, from, to, true)
}

// WorkingSchedules is Schedules without busy blocks; within the cached
// window it reads nothing from the database.
func (s *Store) WorkingSchedules(ctx context.Context, practitionerIDs []string, from, to time.Time) ([]domain.Schedule, error) {
	return s.schedules(ctx, practitionerIDs, from, to, false)
}

func (s *Store) schedules(ctx context.Context, practitionerIDs []string, from, to time.Time, busy bool) ([]domain.Schedule, error) {
	ids := unique(validIDs(practitionerIDs))
	if len(ids) == 0 || !from.Before(to) {
		return []domain.Schedule{}, nil
	}
	cat, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, ok := cat.practitioner(id); !ok { // perhaps created on another replica a moment ago
			has := func(c *catalog) bool { _, ok := c.practitioner(id); return ok }
			if cat, err = s.catalogHaving(ctx, "practitioners", id, has); err != nil {
				return nil, err
			}
			break
		}
	}
	out := make([]domain.Schedule, 0, len(ids))
	index := make(map[string]int, len(ids))
	known := ids[:0:0]
	cached := true
	for _, id := range ids {
		p, ok := cat.practitioner(id)
		if !ok {
			continue
		}
		sc, inWindow := cat.hours.window(id, from, to)
		cached = cached && inWindow
		sc.Practitioner = clonePractitioner(p)
		index[id] = len(out)
		out = append(out, sc)
		known = append(known, id)
	}
	into := func(id string) *domain.Schedule {
		if i, ok := index[id]; ok {
			return &out[i]
		}
		return nil
	}
	var query string
	switch {
	case len(known) == 0, cached && !busy:
		return out, nil
	case cached:
		err := s.scanBusy(ctx, map[string]any{
			"ids": known, "from": at(from), "to": at(to), "earliest": at(from.Add(-maxBlock - time.Second)),
		}, into)
		if err != nil {
			return nil, err
		}
		return out, nil
	default:
		for i := range out {
			out[i] = domain.Schedule{Practitioner: out[i].Practitioner}
		}
		query = workingSQL
		if busy {
			query = scheduleSQL
		}
	}
	days := overrideDates(from, to)
	err = s.scanSchedules(ctx, query, map[string]any{
		"ids": known, "first": days.first, "last": days.last,
		"from": at(from), "to": at(to), "earliest": at(from.Add(-maxBlock - time.Second)),
	}, into)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scanBusy runs busySQL and adds each block to the schedule into returns
// for its practitioner (none: the row is skipped).
func (s *Store) scanBusy(ctx context.Context, params map[string]any, into func(practitionerID string) *domain.Schedule) error {
	rows, err := s.db.WithContext(ctx).Raw(busySQL, s.scheduleArgs(params)).Rows()
	if err != nil {
		return dbError("select busy blocks", err)
	}
	defer rows.Close()
	var (
		practitioner, last string
		start, end         instant
		sc                 *domain.Schedule
	)
	for rows.Next() {
		if err := rows.Scan(&practitioner, &start, &end); err != nil {
			return dbError("select busy blocks", err)
		}
		if practitioner != last || sc == nil {
			sc, last = into(practitioner), practitioner
		}
		if sc != nil {
			sc.Busy = append(sc.Busy, domain.Interval{Start: start.time(), End: end.time()})
		}
	}
	if err := rows.Err(); err != nil {
		return dbError("select busy blocks", err)
	}
	return nil
}

// scheduleArgs converts the named parameters of a schedule read in place:
// dates to their text, and on PostgreSQL the rest as pgArgs does.
func (s *Store) scheduleArgs(params map[string]any) map[string]any {
	for k, v := range params {
		if d, ok := v.(domain.Date); ok {
			params[k] = d.String()
		} else if s.dialect == DialectPostgres {
			params[k] = pgArgs(v)[0]
		}
	}
	return params
}

// scanSchedules runs a schedule query and files each row in the schedule
// of its practitioner that into returns (nil skips the row). Dates are
// passed as domain.Date, instants with at.
func (s *Store) scanSchedules(ctx context.Context, query string, params map[string]any, into func(practitionerID string) *domain.Schedule) error {
	rows, err := s.db.WithContext(ctx).Raw(query, s.scheduleArgs(params)).Rows()
	if err != nil {
		return dbError("select schedules", err)
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
			return dbError("select schedules", err)
		}
		sc := into(practitioner)
		if sc == nil {
			continue
		}
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
		case "c":
			sc.TimeOff = append(sc.TimeOff, domain.TimeOff{PractitionerID: practitioner,
				Start: t1.time(), End: t2.time(), Reason: text.String, Calendar: id})
		case "b":
			sc.Busy = append(sc.Busy, domain.Interval{Start: t1.time(), End: t2.time()})
		}
	}
	if err := rows.Err(); err != nil {
		return dbError("select schedules", err)
	}
	return nil
}
