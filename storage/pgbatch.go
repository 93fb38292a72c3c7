package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/frontdesk/frontdesk/domain"
)

// On PostgreSQL a booking is written as one pgx batch: every statement goes
// to the server at once, followed by a single Sync, and PostgreSQL runs
// everything before a Sync as one implicit transaction. The statements
// therefore commit together or not at all, as in an explicit transaction,
// but in one round trip instead of one per statement plus BEGIN and COMMIT.
// A statement that fails (the exclusion constraint, a unique index) aborts
// the rest, and the batch's first error says which guarantee it broke.

// pgBatch sends b on one connection of the write pool and returns the
// batch's first error. It tries again when PostgreSQL broke a deadlock or
// serialisation conflict by aborting it.
func (s *Store) pgBatch(ctx context.Context, build func() *pgx.Batch) error {
	sqlDB, err := s.w.DB()
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			return err
		}
		err = conn.Raw(func(driverConn any) error {
			c, ok := driverConn.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("pgx batch: driver connection is %T, not pgx", driverConn)
			}
			return c.Conn().SendBatch(ctx, build()).Close()
		})
		if cerr := conn.Close(); err == nil {
			err = cerr
		}
		if attempt < maxTxAttempts && isRetryable(err) {
			continue
		}
		return err
	}
}

// pgArgs converts this package's column types to the plain values pgx
// encodes directly: instants to time.Time, optional text to string, both
// nil when empty. Given the named types, pgx takes a slow detour through
// driver.Valuer that builds and discards an error per argument.
func pgArgs(args ...any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case instant:
			if t := time.Time(v); t.IsZero() {
				args[i] = nil
			} else {
				args[i] = t
			}
		case optional:
			if v == "" {
				args[i] = nil
			} else {
				args[i] = string(v)
			}
		}
	}
	return args
}

// arg is a query parameter as this store's driver takes it best: on
// PostgreSQL converted by pgArgs, on SQLite as it is (instants as text).
func (s *Store) arg(v any) any {
	if s.dialect == DialectPostgres {
		return pgArgs(v)[0]
	}
	return v
}

// pgCreateBookingSQL are the statements of a new booking, in batch order.
const (
	pgLockSQL = `SELECT pg_advisory_xact_lock($1, hashtext($2 || '/' || q)) FROM generate_series($3::bigint, $4::bigint) AS q`

	// A key younger than domain.IdempotencyTTL makes the insert fail on
	// the primary key, which aborts the batch; an older one is replaced.
	pgForgetKeySQL = `DELETE FROM idempotency_keys WHERE key_hash = $1 AND created_at < $2`
	pgClaimKeySQL  = `
		INSERT INTO idempotency_keys (key_hash, request_hash, booking_id, sealed_token, created_at)
		VALUES ($1, $2, $3, $4, $5)`

	pgUpsertPatientSQL = `
		INSERT INTO patients (id, name, email, phone, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (email) DO UPDATE SET email = patients.email
		RETURNING id::text, name, email, phone, created_at, email_status`

	// The patient's id comes from the upsert before it, in the same
	// transaction.
	pgInsertBookingSQL = `
		INSERT INTO bookings (id, uid, service_id, practitioner_id, patient_id,
			start_at, end_at, block_start, block_end, status, overbooked, complimentary, source,
			time_zone, intake, notes, staff_notes, cancel_reason, sequence, manage_hash, created_by,
			created_at, updated_at, cancelled_at,
			channel, referrer, utm_source, utm_medium, utm_campaign, utm_content, room_id, room_overbooked,
			given_name, given_phone)
		VALUES ($1, $2, $3, $4, (SELECT id FROM patients WHERE email = $5),
			$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
			$25, $26, $27, $28, $29, $30, $31, $32, $33, $34)`

	pgCancelRemindersSQL = `
		UPDATE outbox SET status = 'cancelled', payload = (payload::jsonb - 'ManageURL')::text
		WHERE booking_id = $1 AND kind = 'reminder' AND status = 'pending'`

	pgInsertAuditSQL = `
		INSERT INTO audit_log (id, at, actor_user_id, actor_name, actor_role, actor_practitioner_id,
			action, entity_type, entity_id, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`
)

// outboxColumns is the column list of an outbox insert.
const outboxColumns = "id, message_id, booking_id, kind, recipient, status, due_at, attempts, last_error, sent_at, created_at, payload"

// pgInsertMessagesSQL is the insert of n outbox rows. There are a few
// message counts, so a few statements in each connection's cache.
func pgInsertMessagesSQL(n int) string {
	const cols = 12
	var b strings.Builder
	b.WriteString("INSERT INTO outbox (" + outboxColumns + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(i*cols + j + 1))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// pgCreateBooking stores a new booking and its effects in one round trip;
// see CreateBooking. It returns the stored patient.
func (s *Store) pgCreateBooking(ctx context.Context, b domain.Booking, p domain.Patient, fx domain.Effects) (domain.Patient, error) {
	if domain.NormalizeEmail(p.Email) == "" {
		return domain.Patient{}, domain.Invalid("patient.email", "Give a valid email address.")
	}
	if !domain.IsID(p.ID) {
		p.ID = domain.NewID()
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = b.CreatedAt
	}
	pat := toPatientRow(p)
	row, err := toBookingRow(b)
	if err != nil {
		return domain.Patient{}, err
	}
	var key *idempotencyRow
	if fx.Idempotency != nil {
		rec := *fx.Idempotency
		if rec.BookingID == "" {
			rec.BookingID = b.ID
		}
		if rec.KeyHash == "" || !domain.IsID(rec.BookingID) {
			return domain.Patient{}, domain.Invalid("Idempotency-Key", "The idempotency record is incomplete.")
		}
		r := toIdempotencyRow(rec)
		key = &r
	}
	effects, err := pgEffects(row.ID, fx)
	if err != nil {
		return domain.Patient{}, err
	}
	var stored patientRow
	err = s.pgBatch(ctx, func() *pgx.Batch {
		batch := &pgx.Batch{}
		batch.Queue(pgLockSQL, bookingLockArgs(row.PractitionerID, row.BlockStart.time(), row.BlockEnd.time())...)
		if row.RoomID != "" {
			batch.Queue(pgLockSQL, roomLockArgs(string(row.RoomID), row.BlockStart.time(), row.BlockEnd.time())...)
		}
		if key != nil {
			expired := at(key.CreatedAt.time().Add(-domain.IdempotencyTTL))
			batch.Queue(pgForgetKeySQL, pgArgs(key.KeyHash, expired)...)
			batch.Queue(pgClaimKeySQL, pgArgs(key.KeyHash, key.RequestHash, key.BookingID, key.SealedToken, key.CreatedAt)...)
		}
		// Expired holds in the way, and the one this booking ends, go
		// first, under the locks: migration 00021.
		batch.Queue(pgDeleteHoldsInWaySQL, pgHoldsInWay(fx.ConsumeHold, row.PractitionerID, string(row.RoomID),
			row.BlockStart.time(), row.BlockEnd.time(), row.CreatedAt.time())...)
		batch.Queue(pgUpsertPatientSQL, pgArgs(pat.ID, pat.Name, pat.Email, pat.Phone, pat.CreatedAt)...).
			QueryRow(func(r pgx.Row) error {
				var created time.Time
				if err := r.Scan(&stored.ID, &stored.Name, &stored.Email, &stored.Phone, &created, &stored.EmailStatus); err != nil {
					return err
				}
				stored.CreatedAt = at(created)
				return nil
			})
		batch.Queue(pgInsertBookingSQL, pgArgs(append([]any{row.ID, row.UID, row.ServiceID, row.PractitionerID, pat.Email,
			row.StartAt, row.EndAt, row.BlockStart, row.BlockEnd, row.Status, row.Overbooked, row.Complimentary,
			row.Source, row.TimeZone, row.Intake, row.Notes, row.StaffNotes, row.CancelReason, row.Sequence,
			row.ManageHash, row.CreatedBy, row.CreatedAt, row.UpdatedAt, row.CancelledAt}, append(row.Sources.args(),
			row.RoomID, row.RoomOverbooked, row.GivenName, row.GivenPhone)...)...)...)
		effects.queue(batch)
		return batch
	})
	switch {
	case err == nil:
		return stored.domain(), nil
	case isUnique(err, "idempotency_keys_pkey", ""):
		return domain.Patient{}, domain.ErrIdempotencyReplay
	}
	return domain.Patient{}, bookingWriteError(err, row)
}

// pgEffectRows are a booking change's effects, ready to queue.
type pgEffectRows struct {
	bookingID       string
	cancelReminders bool
	messages        []messageRow
	audit           *auditRow
}

// pgEffects prepares fx's rows for the booking, as applyEffects writes them.
func pgEffects(bookingID string, fx domain.Effects) (pgEffectRows, error) {
	out := pgEffectRows{bookingID: bookingID, cancelReminders: fx.CancelReminders}
	for _, m := range fx.Messages {
		row, err := toMessageRow(newMessage(m, bookingID))
		if err != nil {
			return pgEffectRows{}, err
		}
		out.messages = append(out.messages, row)
	}
	if fx.Audit != nil {
		row, err := newAuditRow(*fx.Audit)
		if err != nil {
			return pgEffectRows{}, err
		}
		out.audit = &row
	}
	return out, nil
}

// queue adds the effects' statements to a batch: reminders cancelled first,
// then the messages, then the audit entry.
func (e pgEffectRows) queue(batch *pgx.Batch) {
	if e.cancelReminders {
		batch.Queue(pgCancelRemindersSQL, e.bookingID)
	}
	if n := len(e.messages); n > 0 {
		args := make([]any, 0, n*12)
		for _, m := range e.messages {
			args = append(args, m.ID, m.MessageID, m.BookingID, m.Kind, m.Recipient, m.Status, m.DueAt,
				m.Attempts, m.LastError, m.SentAt, m.CreatedAt, m.Payload)
		}
		batch.Queue(pgInsertMessagesSQL(n), pgArgs(args...)...)
	}
	if a := e.audit; a != nil {
		batch.Queue(pgInsertAuditSQL, pgArgs(a.ID, a.At, a.ActorUserID, a.ActorName, a.ActorRole,
			a.ActorPractitionerID, a.Action, a.EntityType, a.EntityID, a.Before, a.After)...)
	}
}
