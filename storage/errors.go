package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// Driver and GORM errors become domain errors here and nowhere else.

// SQLite result codes (primary codes are the low byte of extended ones).
const (
	sqliteBusy       = 5
	sqliteLocked     = 6
	sqliteCantOpen   = 14
	sqliteConstraint = 19
)

// dbError translates err from the operation op: domain errors pass through,
// a missing row is domain.ErrNotFound, an overlap is domain.ErrSlotTaken, a
// database that cannot be reached is domain.ErrUnavailable (with the cause
// kept for errors.As), and anything else is wrapped once with op.
func dbError(op string, err error) error {
	var de *domain.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &de), errors.Is(err, domain.ErrIdempotencyReplay):
		return err
	case errors.Is(err, gorm.ErrRecordNotFound):
		return domain.ErrNotFound
	case isHoldTaken(err):
		return domain.ErrHoldTaken
	case isRoomTaken(err):
		return domain.ErrRoomTaken
	case isSlotTaken(err):
		return domain.ErrSlotTaken
	case isUnavailable(err):
		return unavailable(op, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// unavailable wraps err so that errors.Is finds domain.ErrUnavailable and
// errors.As still finds the driver's error.
func unavailable(op string, err error) error {
	return fmt.Errorf("%s: %w: %w", op, domain.ErrUnavailable, err)
}

// roomConstraint is the room's exclusion constraint (migration 00015).
const roomConstraint = "bookings_room_no_overlap"

// isSlotTaken reports a violation of the practitioner's no-overlap
// guarantee: the PostgreSQL exclusion constraint or the SQLite trigger.
func isSlotTaken(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23P01" && pg.ConstraintName != roomConstraint &&
			!slices.Contains(holdConstraints, pg.ConstraintName) && !slices.Contains(roomHoldConstraints, pg.ConstraintName)
	}
	var lite *gosqlite.Error
	if errors.As(err, &lite) {
		return lite.Code()&0xff == sqliteConstraint && strings.Contains(lite.Error(), "slot_taken")
	}
	return false
}

// isRoomTaken reports a violation of the room's no-overlap guarantee.
func isRoomTaken(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23P01" && (pg.ConstraintName == roomConstraint || slices.Contains(roomHoldConstraints, pg.ConstraintName))
	}
	var lite *gosqlite.Error
	if errors.As(err, &lite) {
		return lite.Code()&0xff == sqliteConstraint &&
			(strings.Contains(lite.Error(), "room_taken") || strings.Contains(lite.Error(), "room_held"))
	}
	return false
}

// isHoldTaken reports a live hold in the way of a practitioner's time
// (migration 00021): a hold's exclusion constraint, or the trigger that
// checks a booking against holds.
func isHoldTaken(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23P01" && slices.Contains(holdConstraints, pg.ConstraintName)
	}
	var lite *gosqlite.Error
	if errors.As(err, &lite) {
		return lite.Code()&0xff == sqliteConstraint && strings.Contains(lite.Error(), "hold_taken")
	}
	return false
}

// isUnique reports a unique violation of the PostgreSQL constraint or index
// pgName, or on SQLite of the index over sqliteColumns ("table.column",
// as SQLite names it in the message).
func isUnique(err error, pgName, sqliteColumns string) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505" && pg.ConstraintName == pgName
	}
	var lite *gosqlite.Error
	if errors.As(err, &lite) {
		return lite.Code()&0xff == sqliteConstraint &&
			strings.Contains(lite.Error(), "UNIQUE constraint failed: "+sqliteColumns)
	}
	return false
}

// isForeignKey reports a foreign key violation.
func isForeignKey(err error) bool {
	var pg *pgconn.PgError
	if errors.Is(err, gorm.ErrForeignKeyViolated) || errors.As(err, &pg) && pg.Code == "23503" {
		return true
	}
	var lite *gosqlite.Error
	if errors.As(err, &lite) {
		return lite.Code()&0xff == sqliteConstraint && strings.Contains(lite.Error(), "FOREIGN KEY constraint failed")
	}
	return false
}

// isRetryable reports a transaction PostgreSQL aborted to break a deadlock
// or a serialisation conflict: running it again is safe.
func isRetryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

// isUnavailable reports an error that says the database cannot be reached
// (or is going away), as opposed to one about the statement.
func isUnavailable(err error) bool {
	var (
		pg      *pgconn.PgError
		connErr *pgconn.ConnectError
		netErr  net.Error
		lite    *gosqlite.Error
	)
	switch {
	case errors.As(err, &pg):
		// Class 08 connection exception; 57P01–57P03 shutting down or
		// starting up; 53300 too many connections.
		return strings.HasPrefix(pg.Code, "08") || strings.HasPrefix(pg.Code, "57P") || pg.Code == "53300"
	case errors.As(err, &connErr), errors.As(err, &netErr):
		return true
	case errors.As(err, &lite):
		switch lite.Code() & 0xff {
		case sqliteBusy, sqliteLocked, sqliteCantOpen:
			return true
		}
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) ||
		strings.Contains(err.Error(), "sql: database is closed") ||
		strings.Contains(err.Error(), "conn closed")
}
