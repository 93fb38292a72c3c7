package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// auditRow is a row of table audit_log; Before and After are JSON.
type auditRow struct {
	ID                  string
	At                  instant
	ActorUserID         optional
	ActorName           string
	ActorRole           string
	ActorPractitionerID optional
	Action              string
	EntityType          string
	EntityID            string
	Before              optional
	After               optional
}

func (auditRow) TableName() string { return "audit_log" }

func toAuditRow(e domain.AuditEntry) (auditRow, error) {
	before, err := jsonText(e.Before)
	if err != nil {
		return auditRow{}, fmt.Errorf("encode audit before: %w", err)
	}
	after, err := jsonText(e.After)
	if err != nil {
		return auditRow{}, fmt.Errorf("encode audit after: %w", err)
	}
	return auditRow{
		ID: lowerID(e.ID), At: at(orNow(e.At)),
		ActorUserID: optional(lowerID(e.Actor.UserID)), ActorName: e.Actor.Name, ActorRole: string(e.Actor.Role),
		ActorPractitionerID: optional(lowerID(e.Actor.PractitionerID)),
		Action:              e.Action, EntityType: e.EntityType, EntityID: e.EntityID,
		Before: before, After: after,
	}, nil
}

// domain returns the entry; Before and After come back as json.RawMessage
// (nil when absent), which encodes to the same JSON.
func (r auditRow) domain() domain.AuditEntry {
	e := domain.AuditEntry{
		ID: r.ID, At: r.At.time(),
		Actor: domain.Actor{UserID: string(r.ActorUserID), Name: r.ActorName, Role: domain.Role(r.ActorRole),
			PractitionerID: string(r.ActorPractitionerID)},
		Action: r.Action, EntityType: r.EntityType, EntityID: r.EntityID,
	}
	if r.Before != "" {
		e.Before = json.RawMessage(r.Before)
	}
	if r.After != "" {
		e.After = json.RawMessage(r.After)
	}
	return e
}

// Audit list limits.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

func insertAudit(tx *gorm.DB, e domain.AuditEntry) error {
	row, err := newAuditRow(e)
	if err != nil {
		return err
	}
	return tx.Create(&row).Error
}

// newAuditRow checks a new entry and gives it an id when it has none.
func newAuditRow(e domain.AuditEntry) (auditRow, error) {
	if e.ID == "" {
		e.ID = domain.NewID()
	}
	if !domain.IsID(e.ID) {
		return auditRow{}, domain.Invalid("id", "Not a valid id.")
	}
	if e.Action == "" {
		return auditRow{}, domain.Invalid("action", "An audit entry needs an action.")
	}
	return toAuditRow(e)
}

// RecordAudit appends e to the audit log, giving it an id and time when it
// has none. Before and After are stored as JSON.
func (s *Store) RecordAudit(ctx context.Context, e domain.AuditEntry) error {
	return dbError("insert audit entry", insertAudit(s.w.WithContext(ctx), e))
}

// Audit lists entries newest first: those about f.EntityID when given, at
// most f.Limit (100 when not positive, never more than 1000). Before and
// After are json.RawMessage.
func (s *Store) Audit(ctx context.Context, f domain.AuditFilter) ([]domain.AuditEntry, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	q := s.db.WithContext(ctx).Order("at DESC, id DESC").Limit(min(limit, maxAuditLimit))
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	var rows []auditRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbError("select audit log", err)
	}
	out := make([]domain.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}
