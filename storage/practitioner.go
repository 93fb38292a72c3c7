package storage

import (
	"context"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// practitionerRow is a row of table practitioners.
type practitionerRow struct {
	ID       string
	Name     string
	Title    string
	Email    string
	TimeZone string
	Bio      string
	Active   bool
	Color    string
	// SendInvites: see domain.Practitioner.
	SendInvites bool
}

func (practitionerRow) TableName() string { return "practitioners" }

// practitionerServiceRow links a practitioner to a service they perform.
type practitionerServiceRow struct {
	PractitionerID string
	ServiceID      string
	Position       int
}

func (practitionerServiceRow) TableName() string { return "practitioner_services" }

func toPractitionerRow(p domain.Practitioner) practitionerRow {
	return practitionerRow{
		ID: lowerID(p.ID), Name: p.Name, Title: p.Title, Email: p.Email, TimeZone: p.TimeZone,
		Bio: p.Bio, Active: p.Active, Color: p.Color, SendInvites: p.SendInvites,
	}
}

func (r practitionerRow) domain(serviceIDs []string) domain.Practitioner {
	return domain.Practitioner{
		ID: r.ID, Name: r.Name, Title: r.Title, Email: r.Email, TimeZone: r.TimeZone,
		Bio: r.Bio, Active: r.Active, Color: r.Color, ServiceIDs: serviceIDs, SendInvites: r.SendInvites,
	}
}

// withServices converts rows, loading every row's service ids in one query.
func (s *Store) withServices(db *gorm.DB, rows []practitionerRow) ([]domain.Practitioner, error) {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	services := map[string][]string{}
	if len(ids) > 0 {
		var links []practitionerServiceRow
		if err := db.Where("practitioner_id IN ?", ids).Order("position, service_id").Find(&links).Error; err != nil {
			return nil, err
		}
		for _, l := range links {
			services[l.PractitionerID] = append(services[l.PractitionerID], l.ServiceID)
		}
	}
	out := make([]domain.Practitioner, len(rows))
	for i, r := range rows {
		out[i] = r.domain(services[r.ID])
	}
	return out, nil
}

// CreatePractitioner stores a new practitioner and the services they
// perform, giving them an id when they have none. An unknown service id is
// a KindInvalid error on "service_ids".
func (s *Store) CreatePractitioner(ctx context.Context, p *domain.Practitioner) error {
	if p.ID == "" {
		p.ID = domain.NewID()
	}
	if !domain.IsID(p.ID) {
		return domain.Invalid("id", "Not a valid id.")
	}
	row := toPractitionerRow(*p)
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return setServices(tx, row.ID, p.ServiceIDs)
	})
	s.invalidateCatalog()
	if err != nil {
		return dbError("create practitioner", err)
	}
	p.ID = row.ID
	return nil
}

// UpdatePractitioner stores every field of p and replaces the services they
// perform; domain.ErrNotFound when no practitioner has its id.
func (s *Store) UpdatePractitioner(ctx context.Context, p *domain.Practitioner) error {
	if !domain.IsID(p.ID) {
		return domain.ErrNotFound
	}
	row := toPractitionerRow(*p)
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&practitionerRow{ID: row.ID}).Select("*").Omit("id").Updates(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrNotFound
		}
		if err := tx.Where("practitioner_id = ?", row.ID).Delete(&practitionerServiceRow{}).Error; err != nil {
			return err
		}
		return setServices(tx, row.ID, p.ServiceIDs)
	})
	s.invalidateCatalog()
	return dbError("update practitioner", err)
}

// setServices links a practitioner to services, keeping their order.
func setServices(tx *gorm.DB, practitionerID string, serviceIDs []string) error {
	if len(serviceIDs) == 0 {
		return nil
	}
	links := make([]practitionerServiceRow, 0, len(serviceIDs))
	seen := map[string]bool{}
	for i, id := range serviceIDs {
		if !domain.IsID(id) {
			return domain.Invalid("service_ids", "Unknown service.")
		}
		if id = lowerID(id); !seen[id] {
			seen[id] = true
			links = append(links, practitionerServiceRow{PractitionerID: practitionerID, ServiceID: id, Position: i})
		}
	}
	err := tx.Create(&links).Error
	if isForeignKey(err) {
		return domain.Invalid("service_ids", "Unknown service.")
	}
	return err
}
