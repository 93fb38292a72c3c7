package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// messageRow is a row of table outbox; Payload is the domain.Notice as JSON.
type messageRow struct {
	ID        string
	MessageID optional
	BookingID optional
	Kind      string
	Recipient string
	Status    string
	DueAt     instant
	Attempts  int
	LastError string
	SentAt    instant
	CreatedAt instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
	Payload   string
}

func (messageRow) TableName() string { return "outbox" }

func toMessageRow(m domain.Message) (messageRow, error) {
	payload, err := json.Marshal(m.Notice)
	if err != nil {
		return messageRow{}, fmt.Errorf("encode notice: %w", err)
	}
	return messageRow{
		ID: lowerID(m.ID), MessageID: optional(m.MessageID), BookingID: optional(lowerID(m.BookingID)), Kind: string(m.Kind), Recipient: m.To,
		Status: string(m.Status), DueAt: at(m.DueAt), Attempts: m.Attempts, LastError: m.LastError,
		SentAt: at(m.SentAt), CreatedAt: at(m.CreatedAt), Payload: string(payload),
	}, nil
}

func (r messageRow) domain() (domain.Message, error) {
	m := domain.Message{
		ID: r.ID, MessageID: string(r.MessageID), BookingID: string(r.BookingID), Kind: domain.MessageKind(r.Kind), To: r.Recipient,
		Status: domain.MessageStatus(r.Status), DueAt: r.DueAt.time(), Attempts: r.Attempts, LastError: r.LastError,
		SentAt: r.SentAt.time(), CreatedAt: r.CreatedAt.time(),
	}
	if err := json.Unmarshal([]byte(r.Payload), &m.Notice); err != nil {
		return domain.Message{}, fmt.Errorf("decode notice of message %s: %w", r.ID, err)
	}
	return m, nil
}

func messagesOf(rows []messageRow) ([]domain.Message, error) {
	out := make([]domain.Message, len(rows))
	for i, r := range rows {
		m, err := r.domain()
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// Message list limits.
const (
	defaultMessageLimit = 200
	maxMessageLimit     = 1000
)

// applyEffects writes a booking change's effects, except the idempotency
// record, in the change's transaction: an accepted waitlist offer first
// (claimOffer, which fails the change once the offer lapsed), then
// reminders cancelled, then the new messages (given the booking's id, an id, a creation time and status
// pending when they lack them; due at creation when DueAt is zero), then
// the audit entry.
func applyEffects(tx *gorm.DB, bookingID string, fx domain.Effects) error {
	if fx.Offer != nil {
		if err := claimOffer(tx, bookingID, *fx.Offer); err != nil {
			return err
		}
	}
	if fx.CancelReminders {
		// A cancelled reminder is never sent: its copy of the patient's
		// secret link goes with it (issue 16, finding 12).
		err := tx.Model(&messageRow{}).
			Where("booking_id = ? AND kind = ? AND status = ?", bookingID, string(domain.MessageReminder), string(domain.MessagePending)).
			Updates(map[string]any{"status": string(domain.MessageCancelled), "payload": gorm.Expr(eraseManageURL(tx))}).Error
		if err != nil {
			return err
		}
	}
	if len(fx.Messages) > 0 {
		rows := make([]messageRow, len(fx.Messages))
		for i, m := range fx.Messages {
			row, err := toMessageRow(newMessage(m, bookingID))
			if err != nil {
				return err
			}
			rows[i] = row
		}
		if err := tx.Create(&rows).Error; err != nil {
			return err
		}
	}
	if fx.Audit != nil {
		return insertAudit(tx, *fx.Audit)
	}
	return nil
}

func newMessage(m domain.Message, bookingID string) domain.Message {
	if m.BookingID == "" {
		m.BookingID = bookingID
	}
	if m.ID == "" {
		m.ID = domain.NewID()
	}
	if m.MessageID == "" {
		m.MessageID = domain.MessageIDFor(m.ID, m.Notice.ClinicEmail)
	}
	if m.Status == "" {
		m.Status = domain.MessagePending
	}
	m.CreatedAt = orNow(m.CreatedAt)
	if m.DueAt.IsZero() {
		m.DueAt = m.CreatedAt
	}
	return m
}

// claimSQL takes due messages, oldest first, and leases them: the new due_at
// hides them from every other worker until the lease passes, and a worker
// that dies holding them only delays them. %s is FOR UPDATE SKIP LOCKED on
// PostgreSQL, so concurrent workers skip each other's rows instead of waiting.
const claimSQL = `
	UPDATE outbox SET due_at = ?, attempts = attempts + 1
	WHERE id IN (
		SELECT id FROM outbox
		WHERE status = 'pending' AND due_at <= ?
		ORDER BY due_at, id
		LIMIT ? %s)
	RETURNING id, message_id, booking_id, kind, recipient, status, due_at, attempts, last_error, sent_at, created_at, payload`

// ClaimMessages takes up to limit pending messages due at now, oldest
// first, and hides them from other workers until now+lease. The claim
// counts as an attempt in the stored row (so a message that keeps crashing
// its worker still runs out of attempts); Attempts in the result counts the
// attempts before this one, as a worker expects.
func (s *Store) ClaimMessages(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]domain.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	lock := ""
	if s.dialect == DialectPostgres {
		lock = "FOR UPDATE SKIP LOCKED"
	}
	// One statement, so one implicit transaction: no BEGIN and COMMIT.
	var rows []messageRow
	err := s.w.WithContext(ctx).Raw(fmt.Sprintf(claimSQL, lock), s.arg(at(now.Add(lease))), s.arg(at(now)), limit).Scan(&rows).Error
	if err != nil {
		return nil, dbError("claim messages", err)
	}
	out, err := messagesOf(rows)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Attempts--
	}
	slices.SortFunc(out, func(a, b domain.Message) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// eraseManageURL is the SQL of an outbox payload without the patient's
// secret link (Notice.ManageURL), in db's dialect.
func eraseManageURL(db *gorm.DB) string {
	if db.Dialector.Name() == "postgres" {
		return `(payload::jsonb - 'ManageURL')::text`
	}
	return `json_remove(payload, '$.ManageURL')`
}

// MarkSent records delivery at sentAt and erases the patient's secret link
// (Notice.ManageURL) from the stored message, in one statement;
// domain.ErrNotFound for an unknown id.
func (s *Store) MarkSent(ctx context.Context, id string, sentAt time.Time) error {
	if !domain.IsID(id) {
		return domain.ErrNotFound
	}
	erase := eraseManageURL(s.w)
	res := s.w.WithContext(ctx).Exec(`UPDATE outbox SET status = 'sent', sent_at = ?, payload = `+erase+` WHERE id = ?`,
		s.arg(at(sentAt)), lowerID(id))
	if res.Error != nil {
		return dbError("mark message sent", res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// MarkFailed records a failed attempt (already counted by the claim): the
// error, and a retry at next, or status dead; domain.ErrNotFound for an
// unknown id.
func (s *Store) MarkFailed(ctx context.Context, id string, lastErr string, next time.Time, dead bool) error {
	return s.updateMessage(ctx, "mark message failed", id, func(m *domain.Message) {
		m.LastError, m.DueAt = lastErr, next
		if dead {
			m.Status = domain.MessageDead
		}
	})
}

// RetryMessage puts a dead (or still pending) message back in the queue,
// due now; domain.ErrNotFound for an unknown id, KindConflict for one that
// was sent or cancelled.
func (s *Store) RetryMessage(ctx context.Context, id string, now time.Time) error {
	var conflict bool
	err := s.updateMessage(ctx, "retry message", id, func(m *domain.Message) {
		if m.Status != domain.MessageDead && m.Status != domain.MessagePending {
			conflict = true
			return
		}
		m.Status, m.DueAt = domain.MessagePending, now
	})
	if err == nil && conflict {
		return domain.Conflict("Only a message that was not delivered can be retried.")
	}
	return err
}

// updateMessage changes one stored message in a write transaction.
func (s *Store) updateMessage(ctx context.Context, op, id string, change func(*domain.Message)) error {
	if !domain.IsID(id) {
		return domain.ErrNotFound
	}
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row messageRow
		if err := tx.Where("id = ?", lowerID(id)).Take(&row).Error; err != nil {
			return err
		}
		m, err := row.domain()
		if err != nil {
			return err
		}
		change(&m)
		if row, err = toMessageRow(m); err != nil {
			return err
		}
		return tx.Model(&messageRow{ID: row.ID}).Select("status", "due_at", "last_error", "sent_at", "payload").Updates(&row).Error
	})
	return dbError(op, err)
}

// Messages lists outbox rows, newest first: those of the booking and
// statuses when given, at most f.Limit (200 when not positive, never more
// than 1000).
func (s *Store) Messages(ctx context.Context, f domain.MessageFilter) ([]domain.Message, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultMessageLimit
	}
	q := s.db.WithContext(ctx).Order("created_at DESC, id").Limit(min(limit, maxMessageLimit))
	if f.BookingID != "" {
		if !domain.IsID(f.BookingID) {
			return nil, nil
		}
		q = q.Where("booking_id = ?", lowerID(f.BookingID))
	}
	if f.PatientID != "" {
		if !domain.IsID(f.PatientID) {
			return nil, nil
		}
		q = q.Where("booking_id IN (SELECT id FROM bookings WHERE patient_id = ?) AND kind IN ?", lowerID(f.PatientID), strs(domain.PatientMessageKinds))
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", strs(f.Statuses))
	}
	var rows []messageRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbError("select messages", err)
	}
	return messagesOf(rows)
}
