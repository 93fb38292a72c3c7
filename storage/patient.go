package storage

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// patientRow is a row of table patients; Email is lower-cased.
type patientRow struct {
	ID        string
	Name      string
	Email     string
	Phone     string
	CreatedAt instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
	// EmailStatus has the column's default ('ok') on insert; see
	// MarkEmailBouncing. gorm:"->" reads it only: UpdatePatient sets it.
	EmailStatus string `gorm:"->"`
}

func (patientRow) TableName() string { return "patients" }

func toPatientRow(p domain.Patient) patientRow {
	return patientRow{
		ID: lowerID(p.ID), Name: strings.TrimSpace(p.Name), Email: domain.NormalizeEmail(p.Email),
		Phone: strings.TrimSpace(p.Phone), CreatedAt: at(p.CreatedAt),
	}
}

func (r patientRow) domain() domain.Patient {
	return domain.Patient{ID: r.ID, Name: r.Name, Email: r.Email, Phone: r.Phone, CreatedAt: r.CreatedAt.time(),
		EmailStatus: domain.EmailStatus(r.EmailStatus)}
}

// Patient search limits.
const (
	defaultPatientLimit = 50
	maxPatientLimit     = 200
)

// upsertPatient stores p under its lower-cased email, or returns the
// patient who has it unchanged: a booking never rewrites a record (anyone
// may type anyone's email; what they typed stays on the booking). The
// no-op update is there for RETURNING.
func upsertPatient(tx *gorm.DB, p domain.Patient, now time.Time) (domain.Patient, error) {
	if domain.NormalizeEmail(p.Email) == "" {
		return domain.Patient{}, domain.Invalid("patient.email", "Give a valid email address.")
	}
	if !domain.IsID(p.ID) {
		p.ID = domain.NewID()
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	row := toPatientRow(p)
	var got patientRow
	err := tx.Raw(`
		INSERT INTO patients (id, name, email, phone, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (email) DO UPDATE SET email = patients.email
		RETURNING id, name, email, phone, created_at, email_status`,
		row.ID, row.Name, row.Email, row.Phone, row.CreatedAt).Scan(&got).Error
	if err != nil {
		return domain.Patient{}, err
	}
	return got.domain(), nil
}

// Patient returns one patient; domain.ErrNotFound when none has the id.
func (s *Store) Patient(ctx context.Context, id string) (domain.Patient, error) {
	if !domain.IsID(id) {
		return domain.Patient{}, domain.ErrNotFound
	}
	var row patientRow
	if err := s.db.WithContext(ctx).Where("id = ?", lowerID(id)).Take(&row).Error; err != nil {
		return domain.Patient{}, dbError("select patient", err)
	}
	return row.domain(), nil
}

// Patients returns the patients whose name, email or phone contains
// f.Query, ignoring case, by name: at most f.Limit (50 when not positive,
// never more than 200).
func (s *Store) Patients(ctx context.Context, f domain.PatientFilter) ([]domain.Patient, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPatientLimit
	}
	limit = min(limit, maxPatientLimit)
	q := s.db.WithContext(ctx).Order("name, email").Limit(limit)
	if query := strings.TrimSpace(f.Query); query != "" {
		like := "%" + escapeLike(strings.ToLower(query)) + "%"
		q = q.Where(`lower(name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\' OR lower(phone) LIKE ? ESCAPE '\'`, like, like, like)
	}
	var rows []patientRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbError("select patients", err)
	}
	out := make([]domain.Patient, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// UpdatePatient stores p's name, email (lower-cased) and phone;
// domain.ErrNotFound when no patient has its id, domain.ErrDuplicate when
// another patient has the email.
func (s *Store) UpdatePatient(ctx context.Context, p *domain.Patient) error {
	if !domain.IsID(p.ID) {
		return domain.ErrNotFound
	}
	row := toPatientRow(*p)
	res := s.w.WithContext(ctx).Model(&patientRow{ID: row.ID}).Select("name", "email", "phone").Updates(&row)
	if isUnique(res.Error, "patients_email_key", "patients.email") {
		return domain.ErrDuplicate
	}
	if res.Error != nil {
		return dbError("update patient", res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.ErrNotFound
	}
	p.Name, p.Email, p.Phone = row.Name, row.Email, row.Phone
	return nil
}
