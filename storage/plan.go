package storage

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// planRow is a row of table plans (migration 00031).
type planRow struct {
	ID              string
	PatientID       string
	ServiceID       string
	PractitionerID  string
	SourceBookingID optional
	EveryWeeks      int
	VisitCount      int
	Status          string
	Channel         string
	CreatedBy       optional
	CreatedAt       instant `gorm:"autoCreateTime:false"`
	CancelledAt     instant
}

func (planRow) TableName() string { return "plans" }

func toPlanRow(p domain.Plan) planRow {
	return planRow{
		ID: lowerID(p.ID), PatientID: lowerID(p.PatientID), ServiceID: lowerID(p.ServiceID),
		PractitionerID: lowerID(p.PractitionerID), SourceBookingID: optional(lowerID(p.SourceBookingID)),
		EveryWeeks: p.EveryWeeks, VisitCount: p.Count, Status: string(p.Status), Channel: string(p.Source),
		CreatedBy: optional(lowerID(p.CreatedBy)), CreatedAt: at(p.CreatedAt), CancelledAt: at(p.CancelledAt),
	}
}

func (r planRow) domain() domain.Plan {
	return domain.Plan{
		ID: r.ID, PatientID: r.PatientID, ServiceID: r.ServiceID, PractitionerID: r.PractitionerID,
		SourceBookingID: string(r.SourceBookingID), EveryWeeks: r.EveryWeeks, Count: r.VisitCount,
		Status: domain.PlanStatus(r.Status), Source: domain.Source(r.Channel), CreatedBy: string(r.CreatedBy),
		CreatedAt: r.CreatedAt.time(), CancelledAt: r.CancelledAt.time(),
	}
}

// CreatePlan stores the plan, its visits, messages, audit entries and the
// case review's outcome in one transaction (BEGIN IMMEDIATE on SQLite). On
// PostgreSQL it first takes the booking locks of every visit's block (the
// practitioner's in time order, then the rooms'), as a single booking does,
// so two plans racing for one practitioner's time wait for each other and
// the loser fails the exclusion constraint at once. The constraint (the
// trigger on SQLite) decides: a visit it refuses makes the whole
// transaction roll back with *domain.VisitTakenError naming the visit.
func (s *Store) CreatePlan(ctx context.Context, w domain.PlanWrite) error {
	if len(w.Visits) == 0 {
		return domain.Invalid("count", "A plan needs at least one visit.")
	}
	for _, v := range w.Visits {
		if !domain.IsID(v.ID) || !domain.IsID(v.UID) || !domain.IsID(v.ServiceID) || !domain.IsID(v.PractitionerID) {
			return domain.Invalid("id", "Not a valid id.")
		}
	}
	var patient domain.Patient
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		if err := s.lockVisits(tx, w.Visits); err != nil {
			return err
		}
		if err := deleteHoldsInSeries(tx, w.ConsumeHold, w.Visits, w.Plan.CreatedAt); err != nil {
			return err
		}
		var err error
		if patient, err = planPatient(tx, *w.Patient, w.Plan.CreatedAt); err != nil {
			return err
		}
		plan := *w.Plan
		plan.PatientID = patient.ID
		if err := tx.Create(ptr(toPlanRow(plan))).Error; err != nil {
			return err
		}
		if err := insertVisits(tx, w.Visits, patient.ID, plan.ID); err != nil {
			return err
		}
		if w.Outcome != "" && plan.SourceBookingID != "" {
			if err := setOutcome(tx, plan.SourceBookingID, w.Outcome); err != nil {
				return err
			}
		}
		return writeEffects(tx, w.Visits[0].ID, w.Messages, w.Audit)
	})
	if err != nil {
		return dbError("store plan", err)
	}
	*w.Patient = patient
	w.Plan.PatientID = patient.ID
	return nil
}

func ptr[T any](v T) *T { return &v }

// deleteHoldsInSeries deletes the consumed hold and the holds expired at
// now over the series' span, of its practitioner and of each room it
// takes: expired holds are garbage, and one in a visit's way would make
// the insert fail.
func deleteHoldsInSeries(tx *gorm.DB, consume string, visits []domain.Booking, now time.Time) error {
	first, last := visits[0].BlockStart, visits[0].BlockEnd
	rooms := map[string]bool{}
	for _, v := range visits {
		first, last = minT(first, v.BlockStart), maxT(last, v.BlockEnd)
		if v.RoomID != "" {
			rooms[v.RoomID] = true
		}
	}
	if err := deleteHoldsInWay(tx, consume, visits[0].PractitionerID, "", first, last, now); err != nil {
		return err
	}
	for id := range rooms {
		if err := deleteHoldsInWay(tx, "", visits[0].PractitionerID, id, first, last, now); err != nil {
			return err
		}
	}
	return nil
}

func minT(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxT(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// insertVisits inserts the visits in one statement. The constraint does
// not say which visit it refused: the error is *domain.VisitTakenError
// with Index -1.
func insertVisits(tx *gorm.DB, visits []domain.Booking, patientID, planID string) error {
	rows := make([]bookingRow, len(visits))
	for i, v := range visits {
		v.PatientID, v.PlanID = patientID, planID
		row, err := toBookingRow(v)
		if err != nil {
			return err
		}
		rows[i] = row
	}
	err := bookingWriteError(tx.Create(&rows).Error, rows[0])
	if errors.Is(err, domain.ErrSlotTaken) || errors.Is(err, domain.ErrRoomTaken) || errors.Is(err, domain.ErrHoldTaken) {
		return &domain.VisitTakenError{Index: -1, Err: err}
	}
	return err
}

// planPatient is the patient by id when p has one, else found by email or
// created (as a booking's).
func planPatient(tx *gorm.DB, p domain.Patient, now time.Time) (domain.Patient, error) {
	if domain.IsID(p.ID) {
		return p, nil
	}
	return upsertPatient(tx, p, now)
}

// retryTx runs fn in a write transaction, again when PostgreSQL broke a
// deadlock or serialisation conflict by aborting it.
func (s *Store) retryTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	for attempt := 1; ; attempt++ {
		err := s.w.WithContext(ctx).Transaction(fn)
		if attempt < maxTxAttempts && isRetryable(err) {
			continue
		}
		return err
	}
}

// lockVisits takes, on PostgreSQL, the booking locks of every visit's
// block in one statement: the practitioners' first, then the rooms', each
// in time order (the order a single booking takes its own in).
func (s *Store) lockVisits(tx *gorm.DB, visits []domain.Booking) error {
	if s.dialect != DialectPostgres {
		return nil
	}
	var values []string
	var args []any
	add := func(ord int, a []any) {
		values = append(values, "(?::int, ?::int, ?::text, ?::bigint, ?::bigint)")
		args = append(args, ord, a[0], a[1], a[2], a[3])
	}
	for _, v := range visits {
		add(0, bookingLockArgs(v.PractitionerID, v.BlockStart, v.BlockEnd))
	}
	for _, v := range visits {
		if v.RoomID != "" {
			add(1, roomLockArgs(v.RoomID, v.BlockStart, v.BlockEnd))
		}
	}
	// OFFSET 0 keeps the sorted subquery from being flattened, so the
	// locks are taken in its order.
	sql := `SELECT pg_advisory_xact_lock(c, hashtext(k || '/' || q)) FROM (
		SELECT DISTINCT v.ord, v.c, v.k, q FROM (VALUES ` + strings.Join(values, ", ") + `) AS v(ord, c, k, a, z),
			generate_series(v.a, v.z) AS q ORDER BY v.ord, v.k, q OFFSET 0) AS l`
	return tx.Exec(sql, args...).Error
}

// writeEffects inserts outbox rows (each with its own booking, or
// bookingID) and audit entries.
func writeEffects(tx *gorm.DB, bookingID string, msgs []domain.Message, audit []domain.AuditEntry) error {
	if err := applyEffects(tx, bookingID, domain.Effects{Messages: msgs}); err != nil {
		return err
	}
	if len(audit) == 0 {
		return nil
	}
	rows := make([]auditRow, len(audit))
	for i, e := range audit {
		row, err := newAuditRow(e)
		if err != nil {
			return err
		}
		rows[i] = row
	}
	return tx.Create(&rows).Error
}

func setOutcome(tx *gorm.DB, bookingID string, o domain.ReviewOutcome) error {
	res := tx.Model(&bookingRow{}).Where("id = ?", lowerID(bookingID)).Update("review_outcome", optional(o))
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// SetReviewOutcome stores booking id's outcome and its audit entry in one
// transaction; domain.ErrNotFound when there is no such booking.
func (s *Store) SetReviewOutcome(ctx context.Context, id string, o domain.ReviewOutcome, audit domain.AuditEntry) error {
	if !domain.IsID(id) {
		return domain.ErrNotFound
	}
	return dbError("store review outcome", s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := setOutcome(tx, id, o); err != nil {
			return err
		}
		return insertAudit(tx, audit)
	}))
}

// CancelPlan stores the plan's status and the cancelled visits, cancels
// their pending reminders, and adds the messages and audit entries, in one
// transaction.
func (s *Store) CancelPlan(ctx context.Context, c domain.PlanCancel) error {
	if !domain.IsID(c.Plan.ID) {
		return domain.ErrNotFound
	}
	err := s.retryTx(ctx, func(tx *gorm.DB) error {
		row := toPlanRow(c.Plan)
		res := tx.Model(&planRow{ID: row.ID}).Select("status", "cancelled_at").Updates(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrNotFound
		}
		for _, v := range c.Visits {
			if err := cancelVisit(tx, v); err != nil {
				return err
			}
		}
		bookingID := ""
		if len(c.Visits) > 0 {
			bookingID = c.Visits[0].ID
		}
		return writeEffects(tx, bookingID, c.Messages, c.Audit)
	})
	return dbError("store plan cancellation", err)
}

// cancelVisit stores a visit's cancellation and cancels its pending reminders.
func cancelVisit(tx *gorm.DB, b domain.Booking) error {
	row, err := toBookingRow(b)
	if err != nil {
		return err
	}
	res := tx.Model(&bookingRow{ID: row.ID}).
		Select("status", "cancelled_at", "cancel_reason", "sequence", "updated_at", "changed_at").Updates(&row)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return domain.ErrNotFound
	}
	return applyEffects(tx, row.ID, domain.Effects{CancelReminders: true})
}

// Plan returns one plan with its names and every visit.
func (s *Store) Plan(ctx context.Context, id string) (domain.PlanDetail, error) {
	if !domain.IsID(id) {
		return domain.PlanDetail{}, domain.ErrNotFound
	}
	var row planRow
	if err := s.db.WithContext(ctx).Where("id = ?", lowerID(id)).Take(&row).Error; err != nil {
		return domain.PlanDetail{}, dbError("select plan", err)
	}
	list, err := s.planDetails(ctx, []planRow{row})
	if err != nil {
		return domain.PlanDetail{}, err
	}
	return list[0], nil
}

// Plans returns the matching plans, newest first, each with its visits.
func (s *Store) Plans(ctx context.Context, f domain.PlanFilter) ([]domain.PlanDetail, error) {
	q := s.db.WithContext(ctx).Order("created_at DESC, id")
	if f.PatientID != "" {
		if !domain.IsID(f.PatientID) {
			return []domain.PlanDetail{}, nil
		}
		q = q.Where("patient_id = ?", lowerID(f.PatientID))
	}
	if f.SourceBookingID != "" {
		if !domain.IsID(f.SourceBookingID) {
			return []domain.PlanDetail{}, nil
		}
		q = q.Where("source_booking_id = ?", lowerID(f.SourceBookingID))
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []planRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbError("select plans", err)
	}
	return s.planDetails(ctx, rows)
}

// planDetails attaches the visits (one query for all plans) and names.
func (s *Store) planDetails(ctx context.Context, rows []planRow) ([]domain.PlanDetail, error) {
	out := make([]domain.PlanDetail, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	db := s.db.WithContext(ctx)
	var brows []bookingRow
	if err := db.Where("plan_id IN ?", ids).Order("start_at, id").Find(&brows).Error; err != nil {
		return nil, dbError("select plan visits", err)
	}
	visits, err := s.details(db, brows)
	if err != nil {
		return nil, dbError("select plan visits", err)
	}
	for i, r := range rows {
		out[i] = domain.PlanDetail{Plan: r.domain(), Visits: []domain.BookingDetail{}}
		for _, v := range visits {
			if v.PlanID == r.ID {
				out[i].Visits = append(out[i].Visits, v)
			}
		}
		if err := s.planNames(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// planNames fills in the plan's patient, service and practitioner: from a
// visit when it has one, else from the database.
func (s *Store) planNames(ctx context.Context, d *domain.PlanDetail) error {
	if len(d.Visits) > 0 {
		v := d.Visits[0]
		d.Patient, d.Service, d.Practitioner = v.Patient, v.Service, v.Practitioner
		return nil
	}
	var err error
	if d.Patient, err = s.Patient(ctx, d.PatientID); err != nil {
		return err
	}
	if d.Service, err = s.Service(ctx, d.ServiceID); err != nil {
		return err
	}
	d.Practitioner, err = s.Practitioner(ctx, d.PractitionerID)
	return err
}

var _ domain.PlanStore = (*Store)(nil)
