package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// Test-only access for benchmarks: a bulk load that bypasses CreateBooking,
// and the bare range query Schedules is measured against.

// BulkInsertBookings stores patients and bookings as they are, in batches,
// with no patient upsert, effects or per-row transaction.
func (s *Store) BulkInsertBookings(ctx context.Context, patients []domain.Patient, bookings []domain.Booking) error {
	prows := make([]patientRow, len(patients))
	for i, p := range patients {
		prows[i] = toPatientRow(p)
	}
	brows := make([]bookingRow, len(bookings))
	for i, b := range bookings {
		row, err := toBookingRow(b)
		if err != nil {
			return err
		}
		brows[i] = row
	}
	db := s.w.WithContext(ctx)
	if err := db.CreateInBatches(prows, 500).Error; err != nil {
		return fmt.Errorf("bulk insert patients: %w", err)
	}
	if err := db.CreateInBatches(brows, 500).Error; err != nil {
		return fmt.Errorf("bulk insert bookings: %w", err)
	}
	if s.dialect == DialectSQLite {
		return db.Exec("ANALYZE").Error
	}
	return db.Exec("ANALYZE bookings").Error
}

// bareBusySQL is the busy branch of scheduleSQL on its own.
const bareBusySQL = `
	SELECT practitioner_id, block_start, block_end FROM bookings
	WHERE practitioner_id IN ? AND status <> 'cancelled' AND NOT overbooked
	  AND block_start < ? AND block_start > ? AND block_end > ?
	ORDER BY practitioner_id, block_start`

// BareBusyQuery runs the busy-block range query of Schedules with
// database/sql alone and counts the rows: the floor Schedules is compared to.
func (s *Store) BareBusyQuery(ctx context.Context, ids []string, from, to time.Time) (int, error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return 0, err
	}
	marks := make([]string, len(ids))
	args := make([]any, 0, len(ids)+3)
	for i, id := range ids {
		marks[i] = s.placeholder(i + 1)
		args = append(args, id)
	}
	n := len(ids)
	query := strings.Replace(bareBusySQL, "IN ?", "IN ("+strings.Join(marks, ", ")+")", 1)
	query = strings.Replace(query, "block_start < ? AND block_start > ? AND block_end > ?",
		fmt.Sprintf("block_start < %s AND block_start > %s AND block_end > %s", s.placeholder(n+1), s.placeholder(n+2), s.placeholder(n+3)), 1)
	args = append(args, at(to), at(from.Add(-maxBlock-time.Second)), at(from))
	rows, err := sqlDB.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	count := 0
	for rows.Next() {
		var id string
		var start, end instant
		if err := rows.Scan(&id, &start, &end); err != nil {
			return 0, err
		}
		count++
	}
	return count, rows.Err()
}

func (s *Store) placeholder(i int) string {
	if s.dialect == DialectPostgres {
		return fmt.Sprintf("$%d", i)
	}
	return "?"
}

// SchedulesFromDatabase is Schedules read wholly from the database, never
// from the cached hours: what the cached answer must equal.
func (s *Store) SchedulesFromDatabase(ctx context.Context, ids []string, from, to time.Time) ([]domain.Schedule, error) {
	out := make([]domain.Schedule, len(ids))
	index := map[string]int{}
	for i, id := range ids {
		p, err := s.Practitioner(ctx, id)
		if err != nil {
			return nil, err
		}
		out[i].Practitioner, index[id] = p, i
	}
	days := overrideDates(from, to)
	err := s.scanSchedules(ctx, scheduleSQL, map[string]any{
		"ids": ids, "first": days.first, "last": days.last,
		"from": at(from), "to": at(to), "earliest": at(from.Add(-maxBlock - time.Second)),
	}, func(id string) *domain.Schedule { return &out[index[id]] })
	return out, err
}

// SetMaxInList makes IN lists at most n long until the test ends.
func SetMaxInList(t interface{ Cleanup(func()) }, n int) {
	old := maxInList
	maxInList = n
	t.Cleanup(func() { maxInList = old })
}

// Setting returns a session setting (SHOW name) of one of the store's
// PostgreSQL connections.
func (s *Store) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.WithContext(ctx).Raw("SELECT current_setting(?)", name).Scan(&v).Error
	return v, err
}

// ExecForTest runs one statement on the write pool, for benchmarks that
// fill tables in bulk.
func (s *Store) ExecForTest(ctx context.Context, sql string) error {
	return s.w.WithContext(ctx).Exec(sql).Error
}

// FailBeforeCommit makes the next Atomically fail with err after its
// writes and before its commit, as a crash there would.
func (s *Store) FailBeforeCommit(err error) { s.failCommit.Store(&err) }

// HoldBookingLocks opens a write transaction that takes the booking locks
// of the practitioner's block, as every booking write does first, and holds
// them until release is called (which rolls it back). It returns once the
// locks are held.
func (s *Store) HoldBookingLocks(ctx context.Context, practitionerID string, blockStart, blockEnd time.Time) (release func() error) {
	held, done := make(chan struct{}), make(chan struct{})
	result := make(chan error, 1)
	go func() {
		result <- s.bookingTx(ctx, practitionerID, "", blockStart, blockEnd, func(*gorm.DB) error {
			close(held)
			<-done
			return errHeld
		})
	}()
	select {
	case <-held:
	case err := <-result:
		return func() error { return err }
	}
	return func() error {
		close(done)
		if err := <-result; err != errHeld {
			return err
		}
		return nil
	}
}

var errHeld = errors.New("held locks released")

// AdvisoryLockWaiters counts this database's backends waiting on an
// advisory lock now (pg_stat_activity's wait event Lock:advisory).
func (s *Store) AdvisoryLockWaiters(ctx context.Context) (int, error) {
	var n int
	err := s.db.WithContext(ctx).Raw(`SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`).Scan(&n).Error
	return n, err
}
