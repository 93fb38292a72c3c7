package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// busyCalendarRow is a row of busy_calendars.
type busyCalendarRow struct {
	ID             string
	PractitionerID string
	Label          string
	URLSealed      []byte  `gorm:"column:url_sealed"`
	URLHash        string  `gorm:"column:url_hash"`
	URLHint        string  `gorm:"column:url_hint"`
	CreatedAt      instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
	NextFetchAt    instant
	ClaimedUntil   instant
	ETag           string `gorm:"column:etag"`
	LastModified   string
	BodyHash       string
	ExpandedUntil  instant
	LastFetchedAt  instant
	LastAttemptAt  instant
	LastError      string
	Failures       int
	Events         int
}

func (busyCalendarRow) TableName() string { return "busy_calendars" }

func toBusyCalendarRow(c domain.BusyCalendar) busyCalendarRow {
	return busyCalendarRow{
		ID: lowerID(c.ID), PractitionerID: lowerID(c.PractitionerID), Label: c.Label,
		URLSealed: c.SealedURL, URLHash: c.URLHash, URLHint: c.URLHint,
		CreatedAt: at(c.CreatedAt), NextFetchAt: at(c.NextFetchAt),
		ETag: c.ETag, LastModified: c.LastModified, BodyHash: c.BodyHash, ExpandedUntil: at(c.ExpandedUntil),
		LastFetchedAt: at(c.LastFetchedAt), LastAttemptAt: at(c.LastAttemptAt),
		LastError: c.LastError, Failures: c.Failures, Events: c.Events,
	}
}

func (r busyCalendarRow) domain() domain.BusyCalendar {
	return domain.BusyCalendar{
		ID: r.ID, PractitionerID: r.PractitionerID, Label: r.Label,
		URLHint: r.URLHint, URLHash: r.URLHash, SealedURL: r.URLSealed, CreatedAt: r.CreatedAt.time(),
		LastFetchedAt: r.LastFetchedAt.time(), LastAttemptAt: r.LastAttemptAt.time(),
		LastError: r.LastError, Failures: r.Failures, Events: r.Events,
		ETag: r.ETag, LastModified: r.LastModified, BodyHash: r.BodyHash,
		ExpandedUntil: r.ExpandedUntil.time(), NextFetchAt: r.NextFetchAt.time(),
	}
}

// busyIntervalRow is a row of busy_intervals: only a span, never a title.
type busyIntervalRow struct {
	CalendarID     string
	PractitionerID string
	StartAt        instant
	EndAt          instant
}

func (busyIntervalRow) TableName() string { return "busy_intervals" }

// CreateBusyCalendar stores c; domain.ErrNotFound for an unknown
// practitioner, domain.ErrDuplicate when they have the URL already.
func (s *Store) CreateBusyCalendar(ctx context.Context, c *domain.BusyCalendar) error {
	if !domain.IsID(c.PractitionerID) || !domain.IsID(c.ID) {
		return domain.ErrNotFound
	}
	row := toBusyCalendarRow(*c)
	err := s.w.WithContext(ctx).Create(&row).Error
	switch {
	case isForeignKey(err):
		return domain.ErrNotFound
	case isUnique(err, "busy_calendars_practitioner_id_url_hash_key", "busy_calendars.practitioner_id, busy_calendars.url_hash"):
		return domain.ErrDuplicate
	case err != nil:
		return dbError("insert busy calendar", err)
	}
	*c = row.domain()
	return nil
}

// BusyCalendars lists a practitioner's busy calendars, oldest first.
func (s *Store) BusyCalendars(ctx context.Context, practitionerID string) ([]domain.BusyCalendar, error) {
	if !domain.IsID(practitionerID) {
		return nil, nil
	}
	var rows []busyCalendarRow
	err := s.db.WithContext(ctx).Where("practitioner_id = ?", lowerID(practitionerID)).Order("created_at, id").Find(&rows).Error
	if err != nil {
		return nil, dbError("select busy calendars", err)
	}
	out := make([]domain.BusyCalendar, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// DeleteBusyCalendar removes a calendar and, by cascade, its busy time;
// domain.ErrNotFound when the practitioner has no calendar with the id.
func (s *Store) DeleteBusyCalendar(ctx context.Context, practitionerID, id string) error {
	return s.deleteOwned(ctx, "delete busy calendar", &busyCalendarRow{}, practitionerID, id)
}

// claimBusySQL leases due calendars, the longest due first; %s is FOR
// UPDATE SKIP LOCKED on PostgreSQL, so two replicas claiming at once take
// different rows. A claim that has lapsed (its poller died) is due again.
const claimBusySQL = `
	UPDATE busy_calendars SET claimed_until = ?
	WHERE id IN (
		SELECT id FROM busy_calendars
		WHERE next_fetch_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
		ORDER BY next_fetch_at, id
		LIMIT ? %s)
	RETURNING *`

// ClaimBusyCalendars takes up to limit calendars due at now and hides
// them from every other poller until now+lease.
func (s *Store) ClaimBusyCalendars(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]domain.BusyCalendar, error) {
	if limit <= 0 {
		return nil, nil
	}
	lock := ""
	if s.dialect == DialectPostgres {
		lock = "FOR UPDATE SKIP LOCKED"
	}
	var rows []busyCalendarRow
	err := s.w.WithContext(ctx).Raw(fmt.Sprintf(claimBusySQL, lock),
		s.arg(at(now.Add(lease))), s.arg(at(now)), s.arg(at(now)), limit).Scan(&rows).Error
	if err != nil {
		return nil, dbError("claim busy calendars", err)
	}
	out := make([]domain.BusyCalendar, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// SaveBusyFetch records a fetch, releases the claim and, when f.Replace,
// replaces the calendar's busy time, in one transaction. A calendar
// deleted meanwhile is no error: there is nothing left to record.
func (s *Store) SaveBusyFetch(ctx context.Context, f domain.BusyFetch) error {
	if !domain.IsID(f.CalendarID) {
		return domain.ErrNotFound
	}
	id := lowerID(f.CalendarID)
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		set := map[string]any{
			"claimed_until": nil, "next_fetch_at": at(f.Next), "last_attempt_at": at(f.At),
		}
		if f.Err != "" {
			set["last_error"] = f.Err
			set["failures"] = gorm.Expr("failures + 1")
		} else {
			set["last_error"], set["failures"], set["last_fetched_at"] = "", 0, at(f.At)
			set["etag"], set["last_modified"], set["body_hash"] = f.ETag, f.LastModified, f.BodyHash
		}
		if f.Replace {
			set["events"], set["expanded_until"] = f.Events, at(f.ExpandedUntil)
		}
		res := tx.Model(&busyCalendarRow{}).Where("id = ?", id).Updates(set)
		if res.Error != nil || res.RowsAffected == 0 || !f.Replace {
			return res.Error
		}
		return replaceBusyIntervals(tx, id, lowerID(f.PractitionerID), f.Intervals)
	})
	if err != nil {
		return dbError("save busy fetch", err)
	}
	if f.Replace {
		s.invalidateCatalog()
	}
	return nil
}

// replaceBusyIntervals swaps a calendar's busy time for ivs.
func replaceBusyIntervals(tx *gorm.DB, calendarID, practitionerID string, ivs []domain.Interval) error {
	if err := tx.Where("calendar_id = ?", calendarID).Delete(&busyIntervalRow{}).Error; err != nil {
		return err
	}
	if len(ivs) == 0 {
		return nil
	}
	rows := make([]busyIntervalRow, len(ivs))
	for i, iv := range ivs {
		rows[i] = busyIntervalRow{CalendarID: calendarID, PractitionerID: practitionerID, StartAt: at(iv.Start), EndAt: at(iv.End)}
	}
	return tx.CreateInBatches(&rows, 500).Error
}

// OwnEventUIDs returns those of uids that are Frontdesk's own: a
// booking's UID, or "timeoff-" and the id of a time off.
func (s *Store) OwnEventUIDs(ctx context.Context, uids []string) (map[string]bool, error) {
	var bookingUIDs, timeOffIDs []string
	for _, u := range uids {
		if id, ok := strings.CutPrefix(u, "timeoff-"); ok && domain.IsID(id) {
			timeOffIDs = append(timeOffIDs, lowerID(id))
		} else if domain.IsID(u) {
			bookingUIDs = append(bookingUIDs, lowerID(u))
		}
	}
	own := map[string]bool{}
	for start := 0; start < len(bookingUIDs); start += 1000 {
		var found []string
		chunk := bookingUIDs[start:min(start+1000, len(bookingUIDs))]
		if err := s.db.WithContext(ctx).Table("bookings").Where("uid IN ?", chunk).Pluck("uid", &found).Error; err != nil {
			return nil, dbError("select own booking uids", err)
		}
		for _, u := range found {
			own[u] = true
		}
	}
	for start := 0; start < len(timeOffIDs); start += 1000 {
		var found []string
		chunk := timeOffIDs[start:min(start+1000, len(timeOffIDs))]
		if err := s.db.WithContext(ctx).Table("time_off").Where("id IN ?", chunk).Pluck("id", &found).Error; err != nil {
			return nil, dbError("select own time off ids", err)
		}
		for _, id := range found {
			own["timeoff-"+id] = true
		}
	}
	// The caller's spelling is the key, whatever its case.
	out := map[string]bool{}
	for _, u := range uids {
		if own[strings.ToLower(u)] || own["timeoff-"+strings.ToLower(strings.TrimPrefix(u, "timeoff-"))] {
			out[u] = true
		}
	}
	return out, nil
}
