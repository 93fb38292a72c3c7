package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// workingHoursRow is a row of table working_hours: local minutes after
// midnight in the practitioner's zone.
type workingHoursRow struct {
	ID             string
	PractitionerID string
	Weekday        int
	StartMinute    int
	EndMinute      int
}

func (workingHoursRow) TableName() string { return "working_hours" }

func toWorkingHoursRow(h domain.WorkingHours) workingHoursRow {
	return workingHoursRow{
		ID: lowerID(h.ID), PractitionerID: lowerID(h.PractitionerID), Weekday: int(h.Weekday),
		StartMinute: int(h.Range.Start), EndMinute: int(h.Range.End),
	}
}

func (r workingHoursRow) domain() domain.WorkingHours {
	return domain.WorkingHours{
		ID: r.ID, PractitionerID: r.PractitionerID, Weekday: time.Weekday(r.Weekday),
		Range: domain.TimeRange{Start: domain.TimeOfDay(r.StartMinute), End: domain.TimeOfDay(r.EndMinute)},
	}
}

// dateOverrideRow is a row of table date_overrides; Ranges is JSON.
type dateOverrideRow struct {
	ID             string
	PractitionerID string
	Day            civil
	Ranges         string
	Note           string
}

func (dateOverrideRow) TableName() string { return "date_overrides" }

func toDateOverrideRow(o domain.DateOverride) (dateOverrideRow, error) {
	pairs := make([][2]int, len(o.Ranges))
	for i, r := range o.Ranges {
		pairs[i] = [2]int{int(r.Start), int(r.End)}
	}
	b, err := json.Marshal(pairs)
	if err != nil {
		return dateOverrideRow{}, fmt.Errorf("encode override ranges: %w", err)
	}
	return dateOverrideRow{
		ID: lowerID(o.ID), PractitionerID: lowerID(o.PractitionerID), Day: civil(o.Date),
		Ranges: string(b), Note: o.Note,
	}, nil
}

func (r dateOverrideRow) domain() (domain.DateOverride, error) {
	var pairs [][2]int
	if err := json.Unmarshal([]byte(r.Ranges), &pairs); err != nil {
		return domain.DateOverride{}, fmt.Errorf("decode override %s ranges: %w", r.ID, err)
	}
	o := domain.DateOverride{ID: r.ID, PractitionerID: r.PractitionerID, Date: domain.Date(r.Day), Note: r.Note}
	for _, p := range pairs {
		o.Ranges = append(o.Ranges, domain.TimeRange{Start: domain.TimeOfDay(p[0]), End: domain.TimeOfDay(p[1])})
	}
	return o, nil
}

// timeOffRow is a row of table time_off.
type timeOffRow struct {
	ID             string
	PractitionerID string
	StartAt        instant
	EndAt          instant
	Reason         string
	Sequence       int
	UpdatedAt      instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
}

func (timeOffRow) TableName() string { return "time_off" }

func toTimeOffRow(t domain.TimeOff) timeOffRow {
	return timeOffRow{
		ID: lowerID(t.ID), PractitionerID: lowerID(t.PractitionerID),
		StartAt: at(t.Start), EndAt: at(t.End), Reason: t.Reason,
		Sequence: t.Sequence, UpdatedAt: at(t.UpdatedAt),
	}
}

func (r timeOffRow) domain() domain.TimeOff {
	return domain.TimeOff{
		ID: r.ID, PractitionerID: r.PractitionerID,
		Start: r.StartAt.time(), End: r.EndAt.time(), Reason: r.Reason,
		Sequence: r.Sequence, UpdatedAt: r.UpdatedAt.time(),
	}
}

// WorkingHours returns a practitioner's weekly hours by weekday and start.
func (s *Store) WorkingHours(ctx context.Context, practitionerID string) ([]domain.WorkingHours, error) {
	if !domain.IsID(practitionerID) {
		return nil, nil
	}
	var rows []workingHoursRow
	err := s.db.WithContext(ctx).Where("practitioner_id = ?", lowerID(practitionerID)).
		Order("weekday, start_minute").Find(&rows).Error
	if err != nil {
		return nil, dbError("select working hours", err)
	}
	out := make([]domain.WorkingHours, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// SetWorkingHours replaces all of a practitioner's weekly hours at once,
// giving each interval a new id; domain.ErrNotFound for an unknown
// practitioner.
func (s *Store) SetWorkingHours(ctx context.Context, practitionerID string, hours []domain.WorkingHours) error {
	if !domain.IsID(practitionerID) {
		return domain.ErrNotFound
	}
	pid := lowerID(practitionerID)
	rows := make([]workingHoursRow, len(hours))
	for i, h := range hours {
		h.ID, h.PractitionerID = domain.NewID(), pid
		rows[i] = toWorkingHoursRow(h)
	}
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&practitionerRow{}).Where("id = ?", pid).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return domain.ErrNotFound
		}
		if err := tx.Where("practitioner_id = ?", pid).Delete(&workingHoursRow{}).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		return tx.Create(&rows).Error
	})
	s.invalidateCatalog()
	return dbError("set working hours", err)
}

// DateOverrides returns a practitioner's overrides on the dates from to to,
// both included, by date.
func (s *Store) DateOverrides(ctx context.Context, practitionerID string, from, to domain.Date) ([]domain.DateOverride, error) {
	if !domain.IsID(practitionerID) {
		return nil, nil
	}
	var rows []dateOverrideRow
	err := s.db.WithContext(ctx).
		Where("practitioner_id = ? AND day >= ? AND day <= ?", lowerID(practitionerID), civil(from), civil(to)).
		Order("day").Find(&rows).Error
	if err != nil {
		return nil, dbError("select date overrides", err)
	}
	return overridesOf(rows)
}

func overridesOf(rows []dateOverrideRow) ([]domain.DateOverride, error) {
	out := make([]domain.DateOverride, len(rows))
	for i, r := range rows {
		o, err := r.domain()
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

// SaveDateOverride creates or replaces the override for o.Date (and the one
// with o.ID, when its date moved), giving o an id when it has none;
// domain.ErrNotFound for an unknown practitioner.
func (s *Store) SaveDateOverride(ctx context.Context, o *domain.DateOverride) error {
	if !domain.IsID(o.PractitionerID) {
		return domain.ErrNotFound
	}
	if o.ID == "" {
		o.ID = domain.NewID()
	}
	if !domain.IsID(o.ID) {
		return domain.Invalid("id", "Not a valid id.")
	}
	row, err := toDateOverrideRow(*o)
	if err != nil {
		return err
	}
	err = s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Where("id = ? OR (practitioner_id = ? AND day = ?)", row.ID, row.PractitionerID, row.Day).
			Delete(&dateOverrideRow{}).Error
		if err != nil {
			return err
		}
		err = tx.Create(&row).Error
		if isForeignKey(err) {
			return domain.ErrNotFound
		}
		return err
	})
	s.invalidateCatalog()
	if err != nil {
		return dbError("save date override", err)
	}
	o.ID, o.PractitionerID = row.ID, row.PractitionerID
	return nil
}

// DeleteDateOverride removes one of a practitioner's overrides;
// domain.ErrNotFound when they have none with the id.
func (s *Store) DeleteDateOverride(ctx context.Context, practitionerID, id string) error {
	return s.deleteOwned(ctx, "delete date override", &dateOverrideRow{}, practitionerID, id)
}

// TimeOffs returns a practitioner's time off overlapping [from, to), by
// start; a zero from or to leaves that end open.
func (s *Store) TimeOffs(ctx context.Context, practitionerID string, from, to time.Time) ([]domain.TimeOff, error) {
	if !domain.IsID(practitionerID) {
		return nil, nil
	}
	q := s.db.WithContext(ctx).Where("practitioner_id = ?", lowerID(practitionerID))
	if !from.IsZero() {
		q = q.Where("end_at > ?", at(from))
	}
	if !to.IsZero() {
		q = q.Where("start_at < ?", at(to))
	}
	var rows []timeOffRow
	if err := q.Order("start_at").Find(&rows).Error; err != nil {
		return nil, dbError("select time off", err)
	}
	out := make([]domain.TimeOff, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// CreateTimeOff stores t, giving it an id when it has none and stamping a
// zero UpdatedAt with now; domain.ErrNotFound for an unknown practitioner,
// KindInvalid on "end" when it does not end after it starts.
func (s *Store) CreateTimeOff(ctx context.Context, t *domain.TimeOff) error {
	if !domain.IsID(t.PractitionerID) {
		return domain.ErrNotFound
	}
	if !t.End.After(t.Start) {
		return domain.Invalid("end", "Must be after the start.")
	}
	if t.ID == "" {
		t.ID = domain.NewID()
	}
	if !domain.IsID(t.ID) {
		return domain.Invalid("id", "Not a valid id.")
	}
	t.UpdatedAt = orNow(t.UpdatedAt).UTC().Truncate(time.Microsecond)
	row := toTimeOffRow(*t)
	err := s.w.WithContext(ctx).Create(&row).Error
	if isForeignKey(err) {
		return domain.ErrNotFound
	}
	s.invalidateCatalog()
	if err != nil {
		return dbError("insert time off", err)
	}
	*t = row.domain()
	return nil
}

// UpdateTimeOff stores t's start, end, reason and UpdatedAt (a zero one
// is now) and raises its sequence, in one statement; t gets the stored
// sequence. domain.ErrNotFound when t.PractitionerID has no time off
// t.ID, KindInvalid on "end" when it does not end after it starts.
func (s *Store) UpdateTimeOff(ctx context.Context, t *domain.TimeOff) error {
	if !domain.IsID(t.ID) || !domain.IsID(t.PractitionerID) {
		return domain.ErrNotFound
	}
	if !t.End.After(t.Start) {
		return domain.Invalid("end", "Must be after the start.")
	}
	t.UpdatedAt = orNow(t.UpdatedAt).UTC().Truncate(time.Microsecond)
	var seq []int
	err := s.w.WithContext(ctx).Raw(`UPDATE time_off SET start_at = ?, end_at = ?, reason = ?, updated_at = ?, sequence = sequence + 1
		WHERE id = ? AND practitioner_id = ? RETURNING sequence`,
		at(t.Start), at(t.End), t.Reason, at(t.UpdatedAt), lowerID(t.ID), lowerID(t.PractitionerID)).Scan(&seq).Error
	s.invalidateCatalog()
	if err != nil {
		return dbError("update time off", err)
	}
	if len(seq) == 0 {
		return domain.ErrNotFound
	}
	t.Sequence = seq[0]
	return nil
}

// DeleteTimeOff removes a practitioner's time off; domain.ErrNotFound when
// they have none with the id.
func (s *Store) DeleteTimeOff(ctx context.Context, practitionerID, id string) error {
	return s.deleteOwned(ctx, "delete time off", &timeOffRow{}, practitionerID, id)
}

// deleteOwned deletes the row of model with the id and practitioner.
func (s *Store) deleteOwned(ctx context.Context, op string, model any, practitionerID, id string) error {
	defer s.invalidateCatalog()
	if !domain.IsID(practitionerID) || !domain.IsID(id) {
		return domain.ErrNotFound
	}
	res := s.w.WithContext(ctx).Where("id = ? AND practitioner_id = ?", lowerID(id), lowerID(practitionerID)).Delete(model)
	if res.Error != nil {
		return dbError(op, res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.ErrNotFound
	}
	return nil
}
