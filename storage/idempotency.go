package storage

import (
	"context"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// idempotencyRow is a row of table idempotency_keys.
type idempotencyRow struct {
	KeyHash     string
	RequestHash string
	BookingID   string
	SealedToken []byte
	CreatedAt   instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

func toIdempotencyRow(r domain.IdempotencyRecord) idempotencyRow {
	return idempotencyRow{
		KeyHash: r.KeyHash, RequestHash: r.RequestHash, BookingID: lowerID(r.BookingID),
		SealedToken: r.SealedToken, CreatedAt: at(orNow(r.CreatedAt)),
	}
}

func (r idempotencyRow) domain() domain.IdempotencyRecord {
	return domain.IdempotencyRecord{
		KeyHash: r.KeyHash, RequestHash: r.RequestHash, BookingID: r.BookingID,
		SealedToken: r.SealedToken, CreatedAt: r.CreatedAt.time(),
	}
}

// claimIdempotencyKey stores rec, or replaces a record of the same key that
// is older than domain.IdempotencyTTL; domain.ErrIdempotencyReplay when a
// younger one exists. On PostgreSQL a concurrent twin waits here for the
// first transaction to end, then sees its record.
func claimIdempotencyKey(tx *gorm.DB, rec domain.IdempotencyRecord) error {
	if rec.KeyHash == "" || !domain.IsID(rec.BookingID) {
		return domain.Invalid("Idempotency-Key", "The idempotency record is incomplete.")
	}
	row := toIdempotencyRow(rec)
	expired := at(row.CreatedAt.time().Add(-domain.IdempotencyTTL))
	res := tx.Exec(`
		INSERT INTO idempotency_keys (key_hash, request_hash, booking_id, sealed_token, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (key_hash) DO UPDATE SET
			request_hash = excluded.request_hash, booking_id = excluded.booking_id,
			sealed_token = excluded.sealed_token, created_at = excluded.created_at
		WHERE idempotency_keys.created_at < ?`,
		row.KeyHash, row.RequestHash, row.BookingID, row.SealedToken, row.CreatedAt, expired)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return domain.ErrIdempotencyReplay
	}
	return nil
}

// IdempotencyRecord returns the record stored for a key hash, whatever its
// age; domain.ErrNotFound when there is none.
func (s *Store) IdempotencyRecord(ctx context.Context, keyHash string) (domain.IdempotencyRecord, error) {
	var row idempotencyRow
	if err := s.db.WithContext(ctx).Where("key_hash = ?", keyHash).Take(&row).Error; err != nil {
		return domain.IdempotencyRecord{}, dbError("select idempotency record", err)
	}
	return row.domain(), nil
}
