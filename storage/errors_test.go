package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

func TestDBError(t *testing.T) {
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"no row", gorm.ErrRecordNotFound, domain.ErrNotFound},
		{"exclusion", &pgconn.PgError{Code: "23P01", ConstraintName: "bookings_no_overlap"}, domain.ErrSlotTaken},
		{"shutting down", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, domain.ErrUnavailable},
		{"starting up", &pgconn.PgError{Code: "57P03", Message: "the database system is shutting down"}, domain.ErrUnavailable},
		{"connection failure", &pgconn.PgError{Code: "08006"}, domain.ErrUnavailable},
		{"too many connections", &pgconn.PgError{Code: "53300"}, domain.ErrUnavailable},
		{"dial refused", fmt.Errorf("failed to connect: %w", dialErr), domain.ErrUnavailable},
		{"refused", syscall.ECONNREFUSED, domain.ErrUnavailable},
		{"closed pool", sql.ErrConnDone, domain.ErrUnavailable},
		{"deadline", context.DeadlineExceeded, domain.ErrUnavailable},
		{"domain error", domain.ErrCaseReviewUsed, domain.ErrCaseReviewUsed},
		{"replay", domain.ErrIdempotencyReplay, domain.ErrIdempotencyReplay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := dbError("test op", tt.err)
			if !errors.Is(got, tt.want) {
				t.Errorf("dbError(%v) = %v, want %v", tt.err, got, tt.want)
			}
			if tt.want == domain.ErrUnavailable && !errors.Is(got, tt.err) {
				t.Errorf("dbError(%v) = %v lost the cause", tt.err, got)
			}
		})
	}
	plain := errors.New("syntax error")
	if got := dbError("select x", plain); !errors.Is(got, plain) || got.Error() != "select x: syntax error" || domain.ErrorKind(got) != domain.KindInternal {
		t.Errorf("dbError(plain) = %v, want it wrapped once with the operation", got)
	}
}
