package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// entryRow is a row of table waitlist_entries; Times is a comma list.
type entryRow struct {
	ID             string
	ServiceID      string
	PractitionerID optional
	PatientID      string
	BookingID      optional
	FromDate       civil
	ToDate         civil
	TimeZone       string
	Times          string
	Intake         optional
	Status         string
	ManageHash     string
	CreatedAt      instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
	UpdatedAt      instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
}

func (entryRow) TableName() string { return "waitlist_entries" }

func toEntryRow(e domain.WaitlistEntry) (entryRow, error) {
	var intake optional
	if in := e.Intake; in != nil {
		var err error
		intake, err = jsonText(intakeJSON{PainAreas: in.PainAreas, Duration: in.Duration, Tried: in.Tried, Notes: in.Notes})
		if err != nil {
			return entryRow{}, fmt.Errorf("encode intake: %w", err)
		}
	}
	times := make([]string, len(e.Times))
	for i, t := range e.Times {
		times[i] = string(t)
	}
	return entryRow{
		ID: lowerID(e.ID), ServiceID: lowerID(e.ServiceID), PractitionerID: optional(lowerID(e.PractitionerID)),
		PatientID: lowerID(e.PatientID), BookingID: optional(lowerID(e.BookingID)),
		FromDate: civil(e.From), ToDate: civil(e.To), TimeZone: e.TimeZone, Times: strings.Join(times, ","),
		Intake: intake, Status: string(e.Status), ManageHash: e.ManageHash,
		CreatedAt: at(e.CreatedAt), UpdatedAt: at(e.UpdatedAt),
	}, nil
}

func (r entryRow) domain() (domain.WaitlistEntry, error) {
	e := domain.WaitlistEntry{
		ID: r.ID, ServiceID: r.ServiceID, PractitionerID: string(r.PractitionerID), PatientID: r.PatientID,
		BookingID: string(r.BookingID), From: domain.Date(r.FromDate), To: domain.Date(r.ToDate),
		TimeZone: r.TimeZone, Status: domain.WaitlistStatus(r.Status), ManageHash: r.ManageHash,
		CreatedAt: r.CreatedAt.time(), UpdatedAt: r.UpdatedAt.time(),
	}
	if r.Times != "" {
		for _, t := range strings.Split(r.Times, ",") {
			e.Times = append(e.Times, domain.DayPart(t))
		}
	}
	if r.Intake != "" {
		var in intakeJSON
		if err := json.Unmarshal([]byte(r.Intake), &in); err != nil {
			return domain.WaitlistEntry{}, fmt.Errorf("decode intake of waitlist entry %s: %w", r.ID, err)
		}
		e.Intake = &domain.Intake{PainAreas: in.PainAreas, Duration: in.Duration, Tried: in.Tried, Notes: in.Notes}
	}
	return e, nil
}

// offerRow is a row of table waitlist_offers.
type offerRow struct {
	ID             string
	EntryID        string
	PatientID      string
	PractitionerID string
	StartAt        instant
	EndAt          instant
	TokenHash      string
	Status         string
	ExpiresAt      instant
	BookingID      optional
	HoldID         optional
	OfferedBy      optional
	CreatedAt      instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
	ClosedAt       instant
}

func (offerRow) TableName() string { return "waitlist_offers" }

func toOfferRow(o domain.Offer) offerRow {
	return offerRow{
		ID: lowerID(o.ID), EntryID: lowerID(o.EntryID), PatientID: lowerID(o.PatientID),
		PractitionerID: lowerID(o.PractitionerID), StartAt: at(o.Start), EndAt: at(o.End),
		TokenHash: o.TokenHash, Status: string(o.Status), ExpiresAt: at(o.ExpiresAt),
		BookingID: optional(lowerID(o.BookingID)), HoldID: optional(lowerID(o.HoldID)), OfferedBy: optional(lowerID(o.OfferedBy)),
		CreatedAt: at(o.CreatedAt), ClosedAt: at(o.ClosedAt),
	}
}

func (r offerRow) domain() domain.Offer {
	return domain.Offer{
		ID: r.ID, EntryID: r.EntryID, PatientID: r.PatientID, PractitionerID: r.PractitionerID,
		Start: r.StartAt.time(), End: r.EndAt.time(), TokenHash: r.TokenHash, Status: domain.OfferStatus(r.Status),
		ExpiresAt: r.ExpiresAt.time(), BookingID: string(r.BookingID), HoldID: string(r.HoldID), OfferedBy: string(r.OfferedBy),
		CreatedAt: r.CreatedAt.time(), ClosedAt: r.ClosedAt.time(),
	}
}

// WaitlistEntries returns the entries f selects in line order (created,
// then id), each with its patient and open offer.
func (s *Store) WaitlistEntries(ctx context.Context, f domain.WaitlistFilter) ([]domain.WaitlistEntry, error) {
	q := s.db.WithContext(ctx).Model(&entryRow{})
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", statusStrings(f.Statuses))
	}
	if f.ServiceID != "" {
		q = q.Where("service_id = ?", lowerID(f.ServiceID))
	}
	if f.PractitionerID != "" {
		q = q.Where("(practitioner_id = ? OR practitioner_id IS NULL)", lowerID(f.PractitionerID))
	}
	if f.PatientID != "" {
		q = q.Where("patient_id = ?", lowerID(f.PatientID))
	}
	if !f.FromDay.IsZero() {
		q = q.Where("to_date >= ?", civil(f.FromDay.AddDays(-1)))
	}
	if !f.ToDay.IsZero() {
		q = q.Where("from_date <= ?", civil(f.ToDay.AddDays(1)))
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var rows []entryRow
	if err := q.Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, dbError("select waitlist entries", err)
	}
	return s.entries(ctx, rows)
}

func statusStrings[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// entries converts rows and attaches patients and open offers.
func (s *Store) entries(ctx context.Context, rows []entryRow) ([]domain.WaitlistEntry, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]domain.WaitlistEntry, len(rows))
	var patientIDs, offered []string
	for i, r := range rows {
		e, err := r.domain()
		if err != nil {
			return nil, err
		}
		out[i] = e
		patientIDs = append(patientIDs, r.PatientID)
		if r.Status == string(domain.WaitlistOffered) {
			offered = append(offered, r.ID)
		}
	}
	patients := make(map[string]domain.Patient)
	for ids := range slices.Chunk(unique(patientIDs), maxInList) {
		var ps []patientRow
		if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&ps).Error; err != nil {
			return nil, dbError("select waitlist patients", err)
		}
		for _, p := range ps {
			patients[p.ID] = p.domain()
		}
	}
	offers := make(map[string]domain.Offer)
	for ids := range slices.Chunk(offered, maxInList) {
		var os []offerRow
		if err := s.db.WithContext(ctx).Where("entry_id IN ? AND status = ?", ids, string(domain.OfferOpen)).Find(&os).Error; err != nil {
			return nil, dbError("select open offers", err)
		}
		for _, o := range os {
			offers[o.EntryID] = o.domain()
		}
	}
	for i := range out {
		out[i].Patient = patients[out[i].PatientID]
		if o, ok := offers[out[i].ID]; ok {
			o.TokenHash = ""
			out[i].Offer = &o
		}
	}
	return out, nil
}

// WaitlistEntry returns one entry with its patient and open offer;
// domain.ErrNotFound when none has the id.
func (s *Store) WaitlistEntry(ctx context.Context, id string) (domain.WaitlistEntry, error) {
	if !domain.IsID(id) {
		return domain.WaitlistEntry{}, domain.ErrNotFound
	}
	return s.oneEntry(ctx, "id = ?", lowerID(id))
}

// WaitlistEntryByHash returns the entry a patient's link opens.
func (s *Store) WaitlistEntryByHash(ctx context.Context, hash string) (domain.WaitlistEntry, error) {
	return s.oneEntry(ctx, "manage_hash = ?", hash)
}

func (s *Store) oneEntry(ctx context.Context, where string, arg any) (domain.WaitlistEntry, error) {
	var row entryRow
	if err := s.db.WithContext(ctx).Where(where, arg).Take(&row).Error; err != nil {
		return domain.WaitlistEntry{}, dbError("select waitlist entry", err)
	}
	list, err := s.entries(ctx, []entryRow{row})
	if err != nil {
		return domain.WaitlistEntry{}, err
	}
	return list[0], nil
}

// OfferByHash returns the offer a link opens; domain.ErrNotFound when none.
func (s *Store) OfferByHash(ctx context.Context, hash string) (domain.Offer, error) {
	var row offerRow
	if err := s.db.WithContext(ctx).Where("token_hash = ?", hash).Take(&row).Error; err != nil {
		return domain.Offer{}, dbError("select offer", err)
	}
	return row.domain(), nil
}

// Offers returns the offers f selects, by start.
func (s *Store) Offers(ctx context.Context, f domain.OfferFilter) ([]domain.Offer, error) {
	var out []domain.Offer
	scan := func(ids []string) error {
		q := s.db.WithContext(ctx).Model(&offerRow{})
		if len(f.Statuses) > 0 {
			q = q.Where("status IN ?", statusStrings(f.Statuses))
		}
		if ids != nil {
			q = q.Where("entry_id IN ?", ids)
		}
		if !f.ExpiresBy.IsZero() {
			q = q.Where("expires_at <= ?", s.arg(at(f.ExpiresBy)))
		}
		if f.PractitionerID != "" {
			q = q.Where("practitioner_id = ?", lowerID(f.PractitionerID))
		}
		var rows []offerRow
		if err := q.Order("start_at, id").Find(&rows).Error; err != nil {
			return dbError("select offers", err)
		}
		for _, r := range rows {
			out = append(out, r.domain())
		}
		return nil
	}
	if f.EntryIDs == nil {
		return out, scan(nil)
	}
	for ids := range slices.Chunk(lowerIDs(f.EntryIDs), maxInList) {
		if err := scan(ids); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CreateWaitlistEntry finds the patient by email or creates them (as
// CreateBooking does), sets e.PatientID and e.Patient, and stores e.
func (s *Store) CreateWaitlistEntry(ctx context.Context, e *domain.WaitlistEntry) error {
	if !domain.IsID(e.ServiceID) {
		return domain.Invalid("service_id", "Unknown service.")
	}
	if e.PractitionerID != "" && !domain.IsID(e.PractitionerID) {
		return domain.Invalid("practitioner_id", "Unknown practitioner.")
	}
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		p, err := upsertPatient(tx, e.Patient, e.CreatedAt)
		if err != nil {
			return err
		}
		e.PatientID, e.Patient = p.ID, p
		row, err := toEntryRow(*e)
		if err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			if isForeignKey(err) {
				return domain.Invalid("service_id", "Unknown service or practitioner.")
			}
			return err
		}
		return nil
	})
	return dbError("store waitlist entry", err)
}

// SetWaitlistStatus changes an entry's status; domain.ErrNotFound when none.
func (s *Store) SetWaitlistStatus(ctx context.Context, id string, st domain.WaitlistStatus, when time.Time) error {
	return dbError("update waitlist entry", setEntryStatus(s.w.WithContext(ctx), id, st, when))
}

func setEntryStatus(tx *gorm.DB, id string, st domain.WaitlistStatus, when time.Time) error {
	res := tx.Model(&entryRow{}).Where("id = ?", lowerID(id)).
		Updates(map[string]any{"status": string(st), "updated_at": at(when)})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// CreateOffer stores an open offer; domain.ErrOfferTaken when an open
// offer holds its entry, patient or practitioner's start already.
func (s *Store) CreateOffer(ctx context.Context, o *domain.Offer) error {
	row := toOfferRow(*o)
	err := s.w.WithContext(ctx).Create(&row).Error
	if isOpenOfferTaken(err) {
		return domain.ErrOfferTaken
	}
	return dbError("store offer", err)
}

func isOpenOfferTaken(err error) bool {
	return isUnique(err, "waitlist_offers_open_entry", "waitlist_offers.entry_id") ||
		isUnique(err, "waitlist_offers_open_patient", "waitlist_offers.patient_id") ||
		isUnique(err, "waitlist_offers_open_time", "waitlist_offers.practitioner_id")
}

// CloseOffer moves an open offer to st; domain.ErrOfferGone when it is
// not open.
func (s *Store) CloseOffer(ctx context.Context, id string, st domain.OfferStatus, when time.Time) error {
	res := s.w.WithContext(ctx).Model(&offerRow{}).Where("id = ? AND status = ?", lowerID(id), string(domain.OfferOpen)).
		Updates(map[string]any{"status": string(st), "closed_at": at(when)})
	if res.Error != nil {
		return dbError("close offer", res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.ErrOfferGone
	}
	return nil
}

// AddMessages queues emails in the outbox (given an id, a creation time
// and status pending when they lack them).
func (s *Store) AddMessages(ctx context.Context, msgs []domain.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	rows := make([]messageRow, len(msgs))
	for i, m := range msgs {
		row, err := toMessageRow(newMessage(m, m.BookingID))
		if err != nil {
			return err
		}
		rows[i] = row
	}
	return dbError("queue messages", s.w.WithContext(ctx).Create(&rows).Error)
}

// claimOffer accepts a waitlist offer in a booking change's transaction:
// the offer must be open and unexpired at c.At, or the change fails with
// domain.ErrOfferGone.
func claimOffer(tx *gorm.DB, bookingID string, c domain.OfferClaim) error {
	res := tx.Model(&offerRow{}).
		Where("id = ? AND status = ? AND expires_at > ?", lowerID(c.OfferID), string(domain.OfferOpen), at(c.At)).
		Updates(map[string]any{"status": string(domain.OfferAccepted), "closed_at": at(c.At), "booking_id": lowerID(bookingID)})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return domain.ErrOfferGone
	}
	if err := setEntryStatus(tx, c.EntryID, domain.WaitlistBooked, c.At); err != nil {
		return err
	}
	a := c.Audit
	if a.ID == "" {
		a.ID = domain.NewID()
	}
	return insertAudit(tx, a)
}
