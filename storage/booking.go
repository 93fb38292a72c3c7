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

// bookingRow is a row of table bookings. Intake is JSON, NULL when absent.
type bookingRow struct {
	ID             string
	UID            string
	ServiceID      string
	PractitionerID string
	PatientID      string
	StartAt        instant
	EndAt          instant
	BlockStart     instant
	BlockEnd       instant
	Status         string
	Overbooked     bool
	RoomID         optional
	RoomOverbooked bool
	Complimentary  bool
	Source         string
	TimeZone       string
	Intake         optional
	Notes          string
	GivenName      string
	GivenPhone     string
	StaffNotes     string
	CancelReason   string
	Sequence       int
	AttendeeStatus string
	ManageHash     optional
	CreatedBy      optional
	CreatedAt      instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
	UpdatedAt      instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
	CancelledAt    instant
	ChangedAt      instant // NULL: created_at (PostgreSQL's batched insert leaves it out)
	CutoffFrom     instant
	Sources        sourceColumns `gorm:"embedded"`
	PlanID         optional      // migration 00031
	ReviewOutcome  optional
}

func (bookingRow) TableName() string { return "bookings" }

// intakeJSON is the stored form of domain.Intake.
type intakeJSON struct {
	PainAreas []string `json:"pain_areas"`
	Duration  string   `json:"duration"`
	Tried     []string `json:"tried"`
	Notes     string   `json:"notes"`
}

func toBookingRow(b domain.Booking) (bookingRow, error) {
	var intake optional
	if in := b.Intake; in != nil {
		var err error
		intake, err = jsonText(intakeJSON{PainAreas: in.PainAreas, Duration: in.Duration, Tried: in.Tried, Notes: in.Notes})
		if err != nil {
			return bookingRow{}, fmt.Errorf("encode intake: %w", err)
		}
	}
	return bookingRow{
		ID: lowerID(b.ID), UID: lowerID(b.UID),
		ServiceID: lowerID(b.ServiceID), PractitionerID: lowerID(b.PractitionerID), PatientID: lowerID(b.PatientID),
		StartAt: at(b.Start), EndAt: at(b.End), BlockStart: at(b.BlockStart), BlockEnd: at(b.BlockEnd),
		Status: string(b.Status), Overbooked: b.Overbooked, Complimentary: b.Complimentary,
		RoomID: optional(lowerID(b.RoomID)), RoomOverbooked: b.RoomOverbooked,
		Source: legacySource(b.Source), TimeZone: b.TimeZone, Intake: intake,
		Notes: b.Notes, StaffNotes: b.StaffNotes, CancelReason: b.CancelReason, Sequence: b.Sequence,
		GivenName: b.GivenName, GivenPhone: b.GivenPhone,
		AttendeeStatus: attendeeStatus(b.AttendeeStatus),
		ManageHash:     optional(b.ManageHash), CreatedBy: optional(lowerID(b.CreatedBy)),
		CreatedAt: at(b.CreatedAt), UpdatedAt: at(b.UpdatedAt), CancelledAt: at(b.CancelledAt),
		ChangedAt: at(b.ChangedAt), CutoffFrom: at(b.CutoffFrom),
		Sources: toSourceColumns(b.Source, b.Attribution),
		PlanID:  optional(lowerID(b.PlanID)), ReviewOutcome: optional(b.ReviewOutcome),
	}, nil
}

func (r bookingRow) domain() (domain.Booking, error) {
	b := domain.Booking{
		ID: r.ID, UID: r.UID, ServiceID: r.ServiceID, PractitionerID: r.PractitionerID, PatientID: r.PatientID,
		Start: r.StartAt.time(), End: r.EndAt.time(), BlockStart: r.BlockStart.time(), BlockEnd: r.BlockEnd.time(),
		Status: domain.Status(r.Status), Overbooked: r.Overbooked, Complimentary: r.Complimentary,
		RoomID: string(r.RoomID), RoomOverbooked: r.RoomOverbooked,
		Source: r.source(), Attribution: r.attribution(), TimeZone: r.TimeZone,
		Notes: r.Notes, StaffNotes: r.StaffNotes, CancelReason: r.CancelReason, Sequence: r.Sequence,
		GivenName: r.GivenName, GivenPhone: r.GivenPhone,
		AttendeeStatus: domain.AttendeeStatus(attendeeStatus(domain.AttendeeStatus(r.AttendeeStatus))),
		ManageHash:     string(r.ManageHash), CreatedBy: string(r.CreatedBy),
		CreatedAt: r.CreatedAt.time(), UpdatedAt: r.UpdatedAt.time(), CancelledAt: r.CancelledAt.time(),
		ChangedAt: r.ChangedAt.time(), CutoffFrom: r.CutoffFrom.time(),
		PlanID: string(r.PlanID), ReviewOutcome: domain.ReviewOutcome(r.ReviewOutcome),
	}
	if r.Intake != "" {
		var in intakeJSON
		if err := json.Unmarshal([]byte(r.Intake), &in); err != nil {
			return domain.Booking{}, fmt.Errorf("decode intake of booking %s: %w", r.ID, err)
		}
		b.Intake = &domain.Intake{PainAreas: in.PainAreas, Duration: in.Duration, Tried: in.Tried, Notes: in.Notes}
	}
	return b, nil
}

// CreateBooking finds the patient by email (case-insensitive) or creates
// them; an existing patient's record is left as it is (p's name and phone
// are b's GivenName and GivenPhone, not the record's); it sets b.PatientID and p, and stores b with its effects in one
// transaction. It gives b an ID and UID when it has none. Errors:
// domain.ErrSlotTaken when b's block overlaps another live, non-overbooked
// booking of the practitioner, domain.ErrCaseReviewUsed when the patient
// already has a live complimentary booking, domain.ErrIdempotencyReplay
// when fx.Idempotency's key was stored meanwhile (and is younger than
// domain.IdempotencyTTL).
func (s *Store) CreateBooking(ctx context.Context, b *domain.Booking, p *domain.Patient, fx domain.Effects) error {
	if b.ID == "" {
		b.ID = domain.NewID()
	}
	if b.UID == "" {
		b.UID = domain.NewID()
	}
	if !domain.IsID(b.ID) || !domain.IsID(b.UID) {
		return domain.Invalid("id", "Not a valid id.")
	}
	if !domain.IsID(b.ServiceID) {
		return domain.Invalid("service_id", "Unknown service.")
	}
	if !domain.IsID(b.PractitionerID) {
		return domain.Invalid("practitioner_id", "Unknown practitioner.")
	}
	if b.RoomID != "" && !domain.IsID(b.RoomID) {
		return domain.Invalid("room_id", "Unknown room.")
	}
	b.CreatedAt = orNow(b.CreatedAt)
	b.UpdatedAt = orNow(b.UpdatedAt)
	if s.dialect == DialectPostgres && fx.Offer == nil {
		// An accepted waitlist offer needs a check of the offer's row the
		// one-round-trip batch cannot make: it goes the transaction's way.
		patient, err := s.pgCreateBooking(ctx, *b, *p, fx)
		if err != nil {
			return dbError("store booking", err)
		}
		*p = patient
		b.PatientID = patient.ID
		return nil
	}
	var patient domain.Patient
	err := s.bookingTx(ctx, b.PractitionerID, b.RoomID, b.BlockStart, b.BlockEnd, func(tx *gorm.DB) error {
		if fx.Idempotency != nil {
			rec := *fx.Idempotency
			if rec.BookingID == "" {
				rec.BookingID = b.ID
			}
			if err := claimIdempotencyKey(tx, rec); err != nil {
				return err
			}
		}
		var err error
		if patient, err = upsertPatient(tx, *p, b.CreatedAt); err != nil {
			return err
		}
		nb := *b
		nb.PatientID = patient.ID
		if err := deleteHoldsInWay(tx, fx.ConsumeHold, nb.PractitionerID, nb.RoomID, nb.BlockStart, nb.BlockEnd, nb.CreatedAt); err != nil {
			return err
		}
		if err := insertBooking(tx, nb); err != nil {
			return err
		}
		return applyEffects(tx, nb.ID, fx)
	})
	if err != nil {
		return dbError("store booking", err)
	}
	*p = patient
	b.PatientID = patient.ID
	return nil
}

// lockClassBookings is the first key of the advisory locks that serialise
// overlapping booking writes on PostgreSQL ("FD" and 1), and lockClassRooms
// those of one room ("FD" and 2). A write takes its practitioner's locks,
// then its room's, each class in time order, so two writers never wait for
// each other in a circle.
const (
	lockClassBookings = 0x46440001
	lockClassRooms    = 0x46440002
)

// lockBucket is the span of time one booking lock covers.
const lockBucket = 15 * time.Minute

// bookingLockArgs are pgLockSQL's arguments for a block of a practitioner:
// one lock per quarter hour the block touches, keyed by the practitioner
// and the quarter, taken in time order (generate_series ascends), so two
// writers never take two of them in opposite orders. Overlapping blocks
// always share a quarter; blocks of one practitioner that do not overlap
// share none unless one ends and the other starts inside the same quarter.
func bookingLockArgs(practitionerID string, blockStart, blockEnd time.Time) []any {
	first := blockStart.Unix() / int64(lockBucket/time.Second)
	last := (blockEnd.Unix() - 1) / int64(lockBucket/time.Second)
	return []any{lockClassBookings, lowerID(practitionerID), first, max(first, last)}
}

// roomLockArgs are pgLockSQL's arguments for a block in a room: as
// bookingLockArgs, keyed by the room.
func roomLockArgs(roomID string, blockStart, blockEnd time.Time) []any {
	args := bookingLockArgs(roomID, blockStart, blockEnd)
	args[0] = lockClassRooms
	return args
}

// maxTxAttempts bounds how often a booking transaction that lost a deadlock
// or serialisation race is tried.
const maxTxAttempts = 3

// bookingTx runs fn in a write transaction that first takes the booking
// locks of the practitioner's block on PostgreSQL. Two transactions
// inserting overlapping blocks would otherwise both enter the exclusion
// constraint's index and wait for each other until the deadlock detector
// (after deadlock_timeout, a second) kills one; with the locks the second
// waits for the first and then fails the constraint at once. The
// constraint stays the guarantee; the locks only make losing fast, and
// bookings of one practitioner at different times take different locks. A
// transaction that still loses a deadlock or serialisation race is tried
// again.
// With a room, the room's locks of the block's quarter hours are taken
// after the practitioner's (see roomLockArgs).
func (s *Store) bookingTx(ctx context.Context, practitionerID, roomID string, blockStart, blockEnd time.Time, fn func(tx *gorm.DB) error) error {
	for attempt := 1; ; attempt++ {
		err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if s.dialect == DialectPostgres {
				args := bookingLockArgs(practitionerID, blockStart, blockEnd)
				if err := tx.Exec("SELECT pg_advisory_xact_lock(?, hashtext(? || '/' || q)) FROM generate_series(?::bigint, ?::bigint) AS q", args...).Error; err != nil {
					return err
				}
				if roomID != "" {
					args := roomLockArgs(roomID, blockStart, blockEnd)
					if err := tx.Exec("SELECT pg_advisory_xact_lock(?, hashtext(? || '/' || q)) FROM generate_series(?::bigint, ?::bigint) AS q", args...).Error; err != nil {
						return err
					}
				}
			}
			return fn(tx)
		})
		if attempt < maxTxAttempts && isRetryable(err) {
			continue
		}
		return err
	}
}

func insertBooking(tx *gorm.DB, b domain.Booking) error {
	row, err := toBookingRow(b)
	if err != nil {
		return err
	}
	return bookingWriteError(tx.Create(&row).Error, row)
}

// takenError is the friendly 409 for a write that the database refused
// because its time is taken: by a hold, a booking in its room or a booking
// of its practitioner; nil for any other error.
func takenError(err error, practitionerID, roomID string) error {
	switch {
	case err == nil:
		return nil
	case isHoldTaken(err):
		return domain.ErrHoldTaken.Naming(domain.ConflictHold, practitionerID)
	case isRoomTaken(err):
		return domain.ErrRoomTaken.Naming(domain.ConflictRoom, roomID)
	case isSlotTaken(err):
		return domain.ErrSlotTaken.Naming(domain.ConflictPractitioner, practitionerID)
	}
	return nil
}

// bookingWriteError names the integrity guarantees a booking write of row
// can break, and what is taken: its practitioner or its room.
func bookingWriteError(err error, row bookingRow) error {
	if taken := takenError(err, row.PractitionerID, string(row.RoomID)); taken != nil {
		return taken
	}
	switch {
	case err == nil:
		return nil
	case isUnique(err, "bookings_one_case_review", "bookings.patient_id"):
		return domain.ErrCaseReviewUsed
	case isForeignKey(err):
		return domain.Invalid("service_id", "Unknown service or practitioner.")
	}
	return err
}

// UpdateBooking stores every mutable field of b (service, practitioner,
// times and blocks, status, overbooked, notes, reason, sequence, manage
// hash, timestamps, last change and cut-off start; not its id, UID or
// creation) and its effects in one
// transaction. A zero UpdatedAt is stored as now. Errors as CreateBooking,
// and domain.ErrNotFound when no booking has b.ID.
func (s *Store) UpdateBooking(ctx context.Context, b *domain.Booking, fx domain.Effects) error {
	if !domain.IsID(b.ID) {
		return domain.ErrNotFound
	}
	if !domain.IsID(b.ServiceID) {
		return domain.Invalid("service_id", "Unknown service.")
	}
	if !domain.IsID(b.PractitionerID) {
		return domain.Invalid("practitioner_id", "Unknown practitioner.")
	}
	if b.RoomID != "" && !domain.IsID(b.RoomID) {
		return domain.Invalid("room_id", "Unknown room.")
	}
	b.UpdatedAt = orNow(b.UpdatedAt)
	row, err := toBookingRow(*b)
	if err != nil {
		return err
	}
	// The plan is fixed at creation; the review outcome has its own write.
	fixed := append([]string{"id", "uid", "created_at", "created_by", "given_name", "given_phone", "plan_id", "review_outcome"}, sourceColumnNames...)
	if !domain.IsID(b.PatientID) {
		fixed = append(fixed, "patient_id") // keep the stored patient
	}
	err = s.bookingTx(ctx, row.PractitionerID, string(row.RoomID), row.BlockStart.time(), row.BlockEnd.time(), func(tx *gorm.DB) error {
		if b.Live() {
			// Expired holds never stand in a move's way (migration 00021).
			if err := deleteHoldsInWay(tx, fx.ConsumeHold, row.PractitionerID, string(row.RoomID), row.BlockStart.time(), row.BlockEnd.time(), b.UpdatedAt); err != nil {
				return err
			}
		}
		q := tx.Model(&bookingRow{ID: row.ID})
		if !fx.IfUpdatedAt.IsZero() {
			q = q.Where("updated_at = ?", at(fx.IfUpdatedAt))
		}
		res := q.Select("*").Omit(fixed...).Updates(&row)
		if res.Error != nil {
			return bookingWriteError(res.Error, row)
		}
		if res.RowsAffected == 0 {
			return missingOrStale(tx, row.ID, fx.IfUpdatedAt)
		}
		if fx.Idempotency != nil {
			if err := claimIdempotencyKey(tx, *fx.Idempotency); err != nil {
				return err
			}
		}
		return applyEffects(tx, row.ID, fx)
	})
	return dbError("store booking change", err)
}

// Booking returns one booking with its service, practitioner and patient;
// domain.ErrNotFound when none has the id.
func (s *Store) Booking(ctx context.Context, id string) (domain.BookingDetail, error) {
	if !domain.IsID(id) {
		return domain.BookingDetail{}, domain.ErrNotFound
	}
	return s.oneBooking(ctx, "id = ?", lowerID(id))
}

// BookingByManageHash returns the booking a manage link opens;
// domain.ErrNotFound for an unknown hash.
func (s *Store) BookingByManageHash(ctx context.Context, hash string) (domain.BookingDetail, error) {
	if hash == "" {
		return domain.BookingDetail{}, domain.ErrNotFound
	}
	return s.oneBooking(ctx, "manage_hash = ?", hash)
}

func (s *Store) oneBooking(ctx context.Context, where string, arg any) (domain.BookingDetail, error) {
	db := s.db.WithContext(ctx)
	var row bookingRow
	if err := db.Where(where, arg).Take(&row).Error; err != nil {
		return domain.BookingDetail{}, dbError("select booking", err)
	}
	out, err := s.details(db, []bookingRow{row})
	if err != nil {
		return domain.BookingDetail{}, dbError("select booking", err)
	}
	return out[0], nil
}

// Bookings returns the bookings matching f, ordered by start: those whose
// visit overlaps [f.From, f.To) (a zero end is open), of the practitioner,
// patient and statuses when given, changed at or after f.UpdatedSince, at
// most f.Limit when positive. It makes four queries however many match.
func (s *Store) Bookings(ctx context.Context, f domain.BookingFilter) ([]domain.BookingDetail, error) {
	db := s.db.WithContext(ctx)
	q := db.Order("start_at, id")
	if !f.From.IsZero() {
		q = q.Where("end_at > ?", at(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where("start_at < ?", at(f.To))
	}
	if f.PractitionerID != "" {
		if !domain.IsID(f.PractitionerID) {
			return nil, nil
		}
		q = q.Where("practitioner_id = ?", lowerID(f.PractitionerID))
	}
	if f.PatientID != "" {
		if !domain.IsID(f.PatientID) {
			return nil, nil
		}
		q = q.Where("patient_id = ?", lowerID(f.PatientID))
	}
	if f.RoomID != "" {
		if !domain.IsID(f.RoomID) {
			return nil, nil
		}
		q = q.Where("room_id = ?", lowerID(f.RoomID))
	}
	if f.PlanID != "" {
		if !domain.IsID(f.PlanID) {
			return nil, nil
		}
		q = q.Where("plan_id = ?", lowerID(f.PlanID))
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", strs(f.Statuses))
	}
	if !f.UpdatedSince.IsZero() {
		q = q.Where("updated_at >= ?", at(f.UpdatedSince))
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []bookingRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbError("select bookings", err)
	}
	out, err := s.details(db, rows)
	if err != nil {
		return nil, dbError("select bookings", err)
	}
	return out, nil
}

// details attaches services, practitioners and patients to rows: services
// and practitioners from the catalog copy (the database only for ones it
// does not know yet, made by another replica since it was read), patients
// with one query.
func (s *Store) details(db *gorm.DB, rows []bookingRow) ([]domain.BookingDetail, error) {
	if len(rows) == 0 {
		return []domain.BookingDetail{}, nil
	}
	cat, err := s.catalog(db.Statement.Context)
	if err != nil {
		return nil, err
	}
	svcByID := make(map[string]domain.Service, len(cat.services))
	for _, svc := range cat.services {
		svcByID[svc.ID] = svc
	}
	prByID := make(map[string]domain.Practitioner, len(cat.practitioners))
	for _, p := range cat.practitioners {
		prByID[p.ID] = p
	}
	var missingSvc, missingPr, patientIDs []string
	for _, r := range rows {
		if _, ok := svcByID[r.ServiceID]; !ok {
			missingSvc = append(missingSvc, r.ServiceID)
		}
		if _, ok := prByID[r.PractitionerID]; !ok {
			missingPr = append(missingPr, r.PractitionerID)
		}
		patientIDs = append(patientIDs, r.PatientID)
	}
	if len(missingSvc) > 0 {
		var services []serviceRow
		if err := db.Where("id IN ?", unique(missingSvc)).Find(&services).Error; err != nil {
			return nil, err
		}
		for _, r := range services {
			svcByID[r.ID] = r.domain()
		}
	}
	if len(missingPr) > 0 {
		var practitioners []practitionerRow
		if err := db.Where("id IN ?", unique(missingPr)).Find(&practitioners).Error; err != nil {
			return nil, err
		}
		prs, err := s.withServices(db, practitioners)
		if err != nil {
			return nil, err
		}
		for _, p := range prs {
			prByID[p.ID] = p
		}
	}
	patByID := make(map[string]domain.Patient, len(patientIDs))
	for ids := range slices.Chunk(unique(patientIDs), maxInList) {
		var patients []patientRow
		if err := db.Where("id IN ?", ids).Find(&patients).Error; err != nil {
			return nil, err
		}
		for _, r := range patients {
			patByID[r.ID] = r.domain()
		}
	}
	out := make([]domain.BookingDetail, len(rows))
	for i, r := range rows {
		b, err := r.domain()
		if err != nil {
			return nil, err
		}
		out[i] = domain.BookingDetail{Booking: b, Service: svcByID[r.ServiceID],
			Practitioner: clonePractitioner(prByID[r.PractitionerID]), Patient: patByID[r.PatientID]}
		if r.RoomID != "" {
			out[i].Room, _ = cat.room(string(r.RoomID))
		}
	}
	return out, nil
}

// maxInList bounds the ids of one IN list: PostgreSQL's protocol takes at
// most 65,535 parameters and SQLite 32,766, and a feed of a busy clinic
// can show more patients than that. A variable for the tests.
var maxInList = 10000

// unique returns ids without repeats, in first-seen order.
func unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// PatientHistory reports, for an email (any case), whether it has a live
// booking that started before now and whether it has a live complimentary
// booking.
func (s *Store) PatientHistory(ctx context.Context, email string, now time.Time) (visited, hadComplimentary bool, err error) {
	var got struct {
		Visited          int
		HadComplimentary int
	}
	err = s.db.WithContext(ctx).Raw(`
		SELECT COALESCE(MAX(CASE WHEN b.start_at < ? THEN 1 ELSE 0 END), 0) AS visited,
		       COALESCE(MAX(CASE WHEN b.complimentary THEN 1 ELSE 0 END), 0) AS had_complimentary
		FROM bookings AS b JOIN patients AS p ON p.id = b.patient_id
		WHERE p.email = ? AND b.status <> 'cancelled'`,
		at(now), domain.NormalizeEmail(email)).Scan(&got).Error
	if err != nil {
		return false, false, dbError("select patient history", err)
	}
	return got.Visited == 1, got.HadComplimentary == 1, nil
}

// attendeeStatus is s as stored: needs_action when unset.
func attendeeStatus(s domain.AttendeeStatus) string {
	if s == "" {
		return string(domain.AttendeeNeedsAction)
	}
	return string(s)
}

// missingOrStale tells why an update changed no row: the booking is gone,
// or (with a version precondition) it changed since it was read.
func missingOrStale(tx *gorm.DB, id string, version time.Time) error {
	if version.IsZero() {
		return domain.ErrNotFound
	}
	var n int64
	if err := tx.Model(&bookingRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return domain.ErrNotFound
	}
	return domain.ErrStale
}
