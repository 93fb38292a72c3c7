package storage

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// maxBlock bounds a booking's block (a CHECK in both schemas), so a range
// read can bound block_start from below and stay an index range scan.
const maxBlock = 24 * time.Hour

// busyRow is one live, non-overbooked booking's block.
type busyRow struct {
	PractitionerID string
	BlockStart     instant
	BlockEnd       instant
}

// busySQL reads busy blocks overlapping [from, to) for a set of
// practitioners from the bookings_blocks index.
const busySQL = `
	SELECT practitioner_id, block_start, block_end FROM bookings
	WHERE practitioner_id IN ? AND status <> 'cancelled' AND NOT overbooked
	  AND block_start < ? AND block_start > ? AND block_end > ?
	ORDER BY practitioner_id, block_start`

// Schedules loads, for each known practitioner in practitionerIDs (in that
// order; unknown and malformed ids are left out), everything the slot
// engine needs in [from, to): weekly hours, the overrides of the dates the
// window touches in any zone, time off and busy blocks overlapping the
// window. It makes one query per table, however many practitioners.
func (s *Store) Schedules(ctx context.Context, practitionerIDs []string, from, to time.Time) ([]domain.Schedule, error) {
	ids := unique(validIDs(practitionerIDs))
	if len(ids) == 0 || !from.Before(to) {
		return []domain.Schedule{}, nil
	}
	db := s.db.WithContext(ctx)
	var prs []practitionerRow
	if err := db.Where("id IN ?", ids).Find(&prs).Error; err != nil {
		return nil, dbError("select schedules", err)
	}
	practitioners, err := s.withServices(db, prs)
	if err != nil {
		return nil, dbError("select schedules", err)
	}
	byID := make(map[string]*domain.Schedule, len(practitioners))
	for _, p := range practitioners {
		byID[p.ID] = &domain.Schedule{Practitioner: p}
	}
	if err := loadSchedules(db, ids, from, to, byID); err != nil {
		return nil, dbError("select schedules", err)
	}
	out := make([]domain.Schedule, 0, len(byID))
	for _, id := range ids {
		if sc, ok := byID[id]; ok {
			out = append(out, *sc)
		}
	}
	return out, nil
}

// loadSchedules fills hours, overrides, time off and busy blocks.
func loadSchedules(db *gorm.DB, ids []string, from, to time.Time, byID map[string]*domain.Schedule) error {
	var hours []workingHoursRow
	if err := db.Where("practitioner_id IN ?", ids).Order("weekday, start_minute").Find(&hours).Error; err != nil {
		return err
	}
	for _, h := range hours {
		if sc := byID[h.PractitionerID]; sc != nil {
			sc.Weekly = append(sc.Weekly, h.domain())
		}
	}
	// Local dates lie within a day of UTC dates; a range may run past
	// midnight from the day before.
	first, last := domain.DateOf(from.UTC()).AddDays(-2), domain.DateOf(to.UTC()).AddDays(1)
	var overrides []dateOverrideRow
	err := db.Where("practitioner_id IN ? AND day >= ? AND day <= ?", ids, civil(first), civil(last)).
		Order("day").Find(&overrides).Error
	if err != nil {
		return err
	}
	for _, r := range overrides {
		o, err := r.domain()
		if err != nil {
			return err
		}
		if sc := byID[r.PractitionerID]; sc != nil {
			sc.Overrides = append(sc.Overrides, o)
		}
	}
	var offs []timeOffRow
	err = db.Where("practitioner_id IN ? AND end_at > ? AND start_at < ?", ids, at(from), at(to)).
		Order("start_at").Find(&offs).Error
	if err != nil {
		return err
	}
	for _, r := range offs {
		if sc := byID[r.PractitionerID]; sc != nil {
			sc.TimeOff = append(sc.TimeOff, r.domain())
		}
	}
	return loadBusy(db, ids, from, to, byID)
}

// loadBusy scans busy blocks directly, without GORM's reflection: a month
// of a busy clinic is thousands of rows.
func loadBusy(db *gorm.DB, ids []string, from, to time.Time, byID map[string]*domain.Schedule) error {
	rows, err := db.Raw(busySQL, ids, at(to), at(from.Add(-maxBlock-time.Second)), at(from)).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r busyRow
		if err := rows.Scan(&r.PractitionerID, &r.BlockStart, &r.BlockEnd); err != nil {
			return err
		}
		if sc := byID[r.PractitionerID]; sc != nil {
			sc.Busy = append(sc.Busy, domain.Interval{Start: r.BlockStart.time(), End: r.BlockEnd.time()})
		}
	}
	return rows.Err()
}
