package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// inboundRow is a row of table inbound_messages; every read but the
// queue's claim leaves out Raw.
type inboundRow struct {
	ID            string
	ReceivedAt    instant
	Sha256        string
	Size          int
	MessageID     string
	EnvelopeFrom  string
	Status        string
	DueAt         instant
	Attempts      int
	LastError     string
	FromAddress   string
	Subject       string
	Kind          string
	State         string
	Detail        string
	BookingID     optional
	ProposedStart instant
	ProposedEnd   instant
	ProcessedAt   instant
	Raw           []byte // only the claim reads it
}

func (inboundRow) TableName() string { return "inbound_messages" }

// inboundColumns are the columns of inboundRow, in its order.
const inboundColumns = `id, received_at, sha256, size, message_id, envelope_from, status, due_at, attempts,
	last_error, from_address, subject, kind, state, detail, booking_id, proposed_start, proposed_end, processed_at`

func (r inboundRow) domain() domain.InboundMessage {
	return domain.InboundMessage{
		ID: r.ID, ReceivedAt: r.ReceivedAt.time(), SHA256: r.Sha256, Size: r.Size,
		MessageID: r.MessageID, EnvelopeFrom: r.EnvelopeFrom, Attempts: r.Attempts,
		From: r.FromAddress, Subject: r.Subject, Kind: domain.InboundKind(r.Kind),
		State: domain.InboundState(r.State), Detail: r.Detail, BookingID: string(r.BookingID),
		ProposedStart: r.ProposedStart.time(), ProposedEnd: r.ProposedEnd.time(), ProcessedAt: r.ProcessedAt.time(),
	}
}

// Limits of the inbound list.
const (
	defaultInboundLimit = 100
	maxInboundLimit     = 500
	// maxInboundText bounds what is stored of a header or detail.
	maxInboundText = 1000
)

// SaveInbound stores a received message with its raw bytes, due now; an
// identical message (same SHA-256) stored before is reported as a
// duplicate, with m.ID set to the stored one, and nothing is written.
func (s *Store) SaveInbound(ctx context.Context, m *domain.InboundMessage, raw []byte) (bool, error) {
	if m.ID == "" {
		m.ID = domain.NewID()
	}
	if !domain.IsID(m.ID) || m.SHA256 == "" {
		return false, domain.Invalid("id", "A received message needs an id and a digest.")
	}
	m.ReceivedAt = orNow(m.ReceivedAt)
	m.State, m.Kind = domain.InboundReceived, domain.InboundOther
	res := s.w.WithContext(ctx).Exec(`
		INSERT INTO inbound_messages (id, received_at, sha256, size, message_id, envelope_from, raw, status, due_at, kind, state)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, 'other', 'received')
		ON CONFLICT (sha256) DO NOTHING`,
		lowerID(m.ID), s.arg(at(m.ReceivedAt)), m.SHA256, len(raw), clipText(m.MessageID), clipText(m.EnvelopeFrom),
		raw, s.arg(at(m.ReceivedAt)))
	if res.Error != nil {
		return false, dbError("store received message", res.Error)
	}
	if res.RowsAffected == 1 {
		m.Size = len(raw)
		return false, nil
	}
	var id string
	if err := s.w.WithContext(ctx).Raw(`SELECT id FROM inbound_messages WHERE sha256 = ?`, m.SHA256).Scan(&id).Error; err != nil {
		return true, dbError("find stored message", err)
	}
	m.ID = id
	return true, nil
}

// claimInboundSQL leases due messages as claimSQL does the outbox's: %s is
// FOR UPDATE SKIP LOCKED on PostgreSQL.
const claimInboundSQL = `
	UPDATE inbound_messages SET due_at = ?, attempts = attempts + 1
	WHERE id IN (
		SELECT id FROM inbound_messages
		WHERE status = 'pending' AND due_at <= ?
		ORDER BY due_at, id
		LIMIT ? %s)
	RETURNING ` + inboundColumns + `, raw`

// ClaimInbound takes up to limit unprocessed messages due at now, oldest
// first, and hides them from other processors until now+lease. As with the
// outbox, Attempts counts the attempts before this one.
func (s *Store) ClaimInbound(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]domain.ClaimedInbound, error) {
	if limit <= 0 {
		return nil, nil
	}
	lock := ""
	if s.dialect == DialectPostgres {
		lock = "FOR UPDATE SKIP LOCKED"
	}
	var rows []inboundRow
	err := s.w.WithContext(ctx).Raw(fmt.Sprintf(claimInboundSQL, lock), s.arg(at(now.Add(lease))), s.arg(at(now)), limit).Scan(&rows).Error
	if err != nil {
		return nil, dbError("claim received messages", err)
	}
	out := make([]domain.ClaimedInbound, len(rows))
	for i, r := range rows {
		m := r.domain()
		m.Attempts--
		out[i] = domain.ClaimedInbound{Message: m, Raw: r.Raw}
	}
	// UPDATE … RETURNING gives no order on PostgreSQL: oldest first here.
	slices.SortStableFunc(out, func(a, b domain.ClaimedInbound) int {
		return a.Message.ReceivedAt.Compare(b.Message.ReceivedAt)
	})
	return out, nil
}

// RetryInbound records a failed processing attempt, due again at next.
func (s *Store) RetryInbound(ctx context.Context, id, lastErr string, next time.Time) error {
	if !domain.IsID(id) {
		return domain.ErrNotFound
	}
	res := s.w.WithContext(ctx).Exec(`UPDATE inbound_messages SET last_error = ?, due_at = ? WHERE id = ? AND status = 'pending'`,
		clipText(lastErr), s.arg(at(next)), lowerID(id))
	return rowsOrNotFound("retry received message", res)
}

// FinishInbound records m's outcome and takes it out of the queue.
func (s *Store) FinishInbound(ctx context.Context, m domain.InboundMessage) error {
	if !domain.IsID(m.ID) {
		return domain.ErrNotFound
	}
	booking := ""
	if domain.IsID(m.BookingID) {
		booking = lowerID(m.BookingID)
	}
	res := s.w.WithContext(ctx).Exec(`
		UPDATE inbound_messages SET status = 'done', from_address = ?, subject = ?, kind = ?, state = ?, detail = ?,
			booking_id = ?, proposed_start = ?, proposed_end = ?, processed_at = ?, message_id = ?
		WHERE id = ?`,
		clipText(m.From), clipText(m.Subject), string(m.Kind), string(m.State), clipText(m.Detail),
		s.arg(optional(booking)), s.arg(at(m.ProposedStart)), s.arg(at(m.ProposedEnd)), s.arg(at(orNow(m.ProcessedAt))),
		clipText(m.MessageID), lowerID(m.ID))
	return rowsOrNotFound("record received message", res)
}

// InboundMessage returns one received message, without its raw bytes.
func (s *Store) InboundMessage(ctx context.Context, id string) (domain.InboundMessage, error) {
	if !domain.IsID(id) {
		return domain.InboundMessage{}, domain.ErrNotFound
	}
	var row inboundRow
	err := s.db.WithContext(ctx).Select(inboundColumns).Where("id = ?", lowerID(id)).Take(&row).Error
	if err != nil {
		return domain.InboundMessage{}, dbError("select received message", err)
	}
	return row.domain(), nil
}

// InboundMessages lists received messages, newest first: those about the
// booking when f names one, at most f.Limit (100 when not positive, never
// more than 500).
func (s *Store) InboundMessages(ctx context.Context, f domain.InboundFilter) ([]domain.InboundMessage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultInboundLimit
	}
	q := s.db.WithContext(ctx).Select(inboundColumns).Order("received_at DESC, id").Limit(min(limit, maxInboundLimit))
	if f.BookingID != "" {
		if !domain.IsID(f.BookingID) {
			return []domain.InboundMessage{}, nil
		}
		q = q.Where("booking_id = ?", lowerID(f.BookingID))
	}
	var rows []inboundRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbError("select received messages", err)
	}
	out := make([]domain.InboundMessage, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// InboundSeen reports whether a processed message other than exceptID has
// the Message-ID.
func (s *Store) InboundSeen(ctx context.Context, messageID, exceptID string) (bool, error) {
	if !domain.IsID(exceptID) {
		exceptID = "00000000-0000-0000-0000-000000000000"
	}
	var n int64
	err := s.db.WithContext(ctx).Model(&inboundRow{}).
		Where("message_id = ? AND id <> ? AND status = 'done'", clipText(messageID), lowerID(exceptID)).
		Limit(1).Count(&n).Error
	if err != nil {
		return false, dbError("check received message", err)
	}
	return n > 0, nil
}

// BookingByUID returns the booking with the iCalendar UID; domain.ErrNotFound
// for one that is not ours (a UID is a UUID here).
func (s *Store) BookingByUID(ctx context.Context, uid string) (domain.BookingDetail, error) {
	if !domain.IsID(uid) {
		return domain.BookingDetail{}, domain.ErrNotFound
	}
	return s.oneBooking(ctx, "uid = ?", lowerID(uid))
}

// SentMessage returns the outbox row that goes out with the Message-ID
// (rows written before Message-IDs were kept: the id it was made from).
func (s *Store) SentMessage(ctx context.Context, messageID string) (domain.Message, error) {
	if messageID == "" || len(messageID) > maxInboundText {
		return domain.Message{}, domain.ErrNotFound
	}
	db := s.db.WithContext(ctx)
	var row messageRow
	err := db.Where("message_id = ?", messageID).Take(&row).Error
	if err == gorm.ErrRecordNotFound {
		if id, ok := legacyMessageID(messageID); ok {
			err = db.Where("id = ? AND message_id IS NULL", id).Take(&row).Error
		}
	}
	if err != nil {
		return domain.Message{}, dbError("select sent message", err)
	}
	return row.domain()
}

// legacyMessageID reads the row id out of a Message-ID made by
// domain.MessageIDFor (<id>@<domain>).
func legacyMessageID(messageID string) (string, bool) {
	if len(messageID) < 38 || messageID[36] != '@' || !domain.IsID(messageID[:36]) {
		return "", false
	}
	return lowerID(messageID[:36]), true
}

// MarkEmailBouncing marks the patient with the address bouncing and makes
// the pending outbox rows to it dead with reason, in one transaction;
// domain.ErrNotFound when no patient has the address.
func (s *Store) MarkEmailBouncing(ctx context.Context, email, reason string, _ time.Time) (domain.Patient, error) {
	email = domain.NormalizeEmail(email)
	var got domain.Patient
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row patientRow
		if err := tx.Where("email = ?", email).Take(&row).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE patients SET email_status = 'bouncing' WHERE id = ?`, row.ID).Error; err != nil {
			return err
		}
		err := tx.Exec(`UPDATE outbox SET status = 'dead', last_error = ? WHERE recipient = ? AND status = 'pending'`,
			clipText(reason), email).Error
		row.EmailStatus = string(domain.EmailBouncing)
		got = row.domain()
		return err
	})
	return got, dbError("mark address bouncing", err)
}

// rowsOrNotFound is the error of an update of one row by id.
func rowsOrNotFound(op string, res *gorm.DB) error {
	if res.Error != nil {
		return dbError(op, res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// clipText bounds a header or detail as stored, on a UTF-8 boundary, as
// valid UTF-8 without NUL (which PostgreSQL's text refuses).
func clipText(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= maxInboundText {
		return s
	}
	cut := maxInboundText
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut]
}

// SetPatientEmail stores the patient's address, lower-cased, and marks it
// ok; domain.ErrNotFound for an unknown patient, domain.ErrDuplicate when
// another patient has the address.
func (s *Store) SetPatientEmail(ctx context.Context, patientID, email string) (domain.Patient, error) {
	if !domain.IsID(patientID) {
		return domain.Patient{}, domain.ErrNotFound
	}
	var got domain.Patient
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE patients SET email = ?, email_status = 'ok' WHERE id = ?`, domain.NormalizeEmail(email), lowerID(patientID))
		if err := rowsOrNotFound("set patient email", res); err != nil {
			return err
		}
		var row patientRow
		if err := tx.Where("id = ?", lowerID(patientID)).Take(&row).Error; err != nil {
			return err
		}
		got = row.domain()
		return nil
	})
	if isUnique(err, "patients_email_key", "patients.email") {
		return domain.Patient{}, domain.ErrDuplicate
	}
	return got, dbError("set patient email", err)
}
