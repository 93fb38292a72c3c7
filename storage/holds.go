package storage

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// Holds (migration 00021) are excluded against each other by constraints
// and against bookings by triggers that run under the same advisory locks a
// booking write takes (bookingTx), so a hold and a booking of overlapping
// time serialise on every replica. No constraint can say "expired", so
// every write that needs a time first deletes the expired holds in its way,
// by the use case's clock, in its own transaction: see deleteHoldsInWay.

// holdRow is a row of table holds.
type holdRow struct {
	ID              string
	TokenHash       string
	ServiceID       string
	PractitionerID  string
	RoomID          optional
	StartAt         instant
	EndAt           instant
	BlockStart      instant
	BlockEnd        instant
	ExpiresAt       instant
	ClientKey       string
	WaitlistEntryID optional
	CreatedAt       instant `gorm:"autoCreateTime:false"`
}

func (holdRow) TableName() string { return "holds" }

func toHoldRow(h domain.Hold) holdRow {
	return holdRow{
		ID: lowerID(h.ID), TokenHash: h.TokenHash, ServiceID: lowerID(h.ServiceID),
		PractitionerID: lowerID(h.PractitionerID), RoomID: optional(lowerID(h.RoomID)),
		StartAt: at(h.Start), EndAt: at(h.End), BlockStart: at(h.BlockStart), BlockEnd: at(h.BlockEnd),
		ExpiresAt: at(h.ExpiresAt), ClientKey: h.ClientKey,
		WaitlistEntryID: optional(lowerID(h.WaitlistEntryID)), CreatedAt: at(h.CreatedAt),
	}
}

func (r holdRow) domain() domain.Hold {
	return domain.Hold{
		ID: r.ID, TokenHash: r.TokenHash, ServiceID: r.ServiceID, PractitionerID: r.PractitionerID,
		RoomID: string(r.RoomID), Start: r.StartAt.time(), End: r.EndAt.time(),
		BlockStart: r.BlockStart.time(), BlockEnd: r.BlockEnd.time(), ExpiresAt: r.ExpiresAt.time(),
		ClientKey: r.ClientKey, WaitlistEntryID: string(r.WaitlistEntryID), CreatedAt: r.CreatedAt.time(),
	}
}

// deleteHoldsInWaySQL deletes the hold a write consumes (by id) and the
// holds expired at now whose block overlaps [block_start, block_end) of the
// practitioner or the room. On PostgreSQL the parameters are numbered for
// the booking batch; on SQLite GORM rewrites the same statement with ?.
const deleteHoldsInWaySQL = `DELETE FROM holds
	WHERE id = @consume
	   OR (expires_at <= @now AND block_start < @end AND block_end > @start
	       AND (practitioner_id = @practitioner OR room_id = @room))`

// pgDeleteHoldsInWaySQL is deleteHoldsInWaySQL for a pgx batch.
const pgDeleteHoldsInWaySQL = `DELETE FROM holds
	WHERE id = $1::uuid
	   OR (expires_at <= $2 AND block_start < $3 AND block_end > $4
	       AND (practitioner_id = $5::uuid OR room_id = $6::uuid))`

// holdsInWay are deleteHoldsInWaySQL's arguments.
func holdsInWay(consume, practitionerID, roomID string, blockStart, blockEnd, now time.Time) map[string]any {
	return map[string]any{"consume": optional(lowerID(consume)), "now": at(now),
		"start": at(blockStart), "end": at(blockEnd),
		"practitioner": lowerID(practitionerID), "room": optional(lowerID(roomID))}
}

// pgHoldsInWay are pgDeleteHoldsInWaySQL's arguments.
func pgHoldsInWay(consume, practitionerID, roomID string, blockStart, blockEnd, now time.Time) []any {
	return pgArgs(optional(lowerID(consume)), at(now), at(blockEnd), at(blockStart),
		lowerID(practitionerID), optional(lowerID(roomID)))
}

// deleteHoldsInWay runs deleteHoldsInWaySQL in tx. A zero now deletes only
// the consumed hold.
func deleteHoldsInWay(tx *gorm.DB, consume, practitionerID, roomID string, blockStart, blockEnd, now time.Time) error {
	if now.IsZero() && consume == "" {
		return nil
	}
	return tx.Exec(deleteHoldsInWaySQL, holdsInWay(consume, practitionerID, roomID, blockStart, blockEnd, now)).Error
}

// CreateHold stores h and its audit entry; see domain.HoldStore.
func (s *Store) CreateHold(ctx context.Context, h *domain.Hold, now time.Time, audit *domain.AuditEntry) error {
	if h.ID == "" {
		h.ID = domain.NewID()
	}
	switch {
	case !domain.IsID(h.ID):
		return domain.Invalid("id", "Not a valid id.")
	case !domain.IsID(h.ServiceID):
		return domain.Invalid("service_id", "Unknown service.")
	case !domain.IsID(h.PractitionerID):
		return domain.Invalid("practitioner_id", "Unknown practitioner.")
	case h.RoomID != "" && !domain.IsID(h.RoomID):
		return domain.Invalid("room_id", "Unknown room.")
	case h.TokenHash == "":
		return domain.Invalid("hold_token", "A hold needs a token.")
	case !h.BlockEnd.After(h.BlockStart):
		return domain.Invalid("start", "A hold needs a block that ends after it starts.")
	}
	h.CreatedAt = orNow(h.CreatedAt)
	row := toHoldRow(*h)
	var err error
	// Two requests of one client at once: the second's insert waits for the
	// first's on the client's unique index and fails when it commits; once
	// more, its delete sees (and replaces) the first's hold.
	for attempt := 1; attempt <= 2; attempt++ {
		err = s.bookingTx(ctx, row.PractitionerID, string(row.RoomID), row.BlockStart.time(), row.BlockEnd.time(), func(tx *gorm.DB) error {
			if row.ClientKey != "" {
				if err := tx.Where("client_key = ?", row.ClientKey).Delete(&holdRow{}).Error; err != nil {
					return err
				}
			}
			if err := deleteHoldsInWay(tx, "", row.PractitionerID, string(row.RoomID), row.BlockStart.time(), row.BlockEnd.time(), now); err != nil {
				return err
			}
			if err := holdWriteError(tx.Create(&row).Error, row); err != nil {
				return err
			}
			if audit != nil {
				return insertAudit(tx, *audit)
			}
			return nil
		})
		if !isUnique(err, "holds_one_per_client", "holds.client_key") {
			break
		}
	}
	if isUnique(err, "holds_one_per_client", "holds.client_key") {
		return domain.ErrHoldTaken.Naming(domain.ConflictHold, row.PractitionerID)
	}
	return dbError("store hold", err)
}

// holdWriteError names what keeps a hold's time: another hold, a booking,
// or either in its room.
func holdWriteError(err error, row holdRow) error {
	if taken := takenError(err, row.PractitionerID, string(row.RoomID)); taken != nil {
		return taken
	}
	switch {
	case err == nil:
		return nil
	case isForeignKey(err):
		return domain.Invalid("service_id", "Unknown service, practitioner or room.")
	}
	return err
}

// HoldByToken returns the hold with the token hash; domain.ErrNotFound for none.
func (s *Store) HoldByToken(ctx context.Context, tokenHash string) (domain.Hold, error) {
	if tokenHash == "" {
		return domain.Hold{}, domain.ErrNotFound
	}
	return s.oneHold(ctx, "token_hash = ?", tokenHash)
}

// HoldOfClient returns the client's hold; domain.ErrNotFound for none.
func (s *Store) HoldOfClient(ctx context.Context, clientKey string) (domain.Hold, error) {
	if clientKey == "" {
		return domain.Hold{}, domain.ErrNotFound
	}
	return s.oneHold(ctx, "client_key = ?", clientKey)
}

func (s *Store) oneHold(ctx context.Context, where string, arg any) (domain.Hold, error) {
	var row holdRow
	if err := s.db.WithContext(ctx).Where(where, arg).Take(&row).Error; err != nil {
		return domain.Hold{}, dbError("select hold", err)
	}
	return row.domain(), nil
}

// DeleteHold removes the hold and records audit in one transaction.
func (s *Store) DeleteHold(ctx context.Context, id string, audit *domain.AuditEntry) error {
	if !domain.IsID(id) {
		return domain.ErrNotFound
	}
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("id = ?", lowerID(id)).Delete(&holdRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrNotFound
		}
		if audit != nil {
			return insertAudit(tx, *audit)
		}
		return nil
	})
	return dbError("delete hold", err)
}

// LiveHolds returns the holds live at now that overlap [from, to) and keep
// one of the practitioners or rooms, by block start.
func (s *Store) LiveHolds(ctx context.Context, practitionerIDs, roomIDs []string, from, to, now time.Time) ([]domain.Hold, error) {
	ps, rs := validIDs(practitionerIDs), validIDs(roomIDs)
	if len(ps) == 0 && len(rs) == 0 {
		return nil, nil
	}
	q := s.db.WithContext(ctx).
		Where("expires_at > ? AND block_start < ? AND block_end > ?", at(now), at(to), at(from))
	switch {
	case len(ps) > 0 && len(rs) > 0:
		q = q.Where("(practitioner_id IN ? OR room_id IN ?)", ps, rs)
	case len(ps) > 0:
		q = q.Where("practitioner_id IN ?", ps)
	default:
		q = q.Where("room_id IN ?", rs)
	}
	var rows []holdRow
	if err := q.Order("block_start, id").Find(&rows).Error; err != nil {
		return nil, dbError("select holds", err)
	}
	out := make([]domain.Hold, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// DeleteExpiredHolds removes every hold expired at now.
func (s *Store) DeleteExpiredHolds(ctx context.Context, now time.Time) (int, error) {
	res := s.w.WithContext(ctx).Where("expires_at <= ?", at(now)).Delete(&holdRow{})
	if res.Error != nil {
		return 0, dbError("delete expired holds", res.Error)
	}
	return int(res.RowsAffected), nil
}

// holdConstraints are the names migration 00021 gives a hold in the way of
// a practitioner's time: another hold's, or a booking's trigger check.
var holdConstraints = []string{"holds_no_overlap", "holds_booking_overlap"}

// roomHoldConstraints are the names of a hold keeping a room.
var roomHoldConstraints = []string{"holds_room_no_overlap", "holds_room_booking_overlap"}
