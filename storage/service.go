package storage

import (
	"context"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// serviceRow is a row of table services.
type serviceRow struct {
	ID                  string
	Name                string
	Kind                string
	Description         string
	DurationSeconds     int64
	BufferBeforeSeconds int64
	BufferAfterSeconds  int64
	PriceCents          int
	Currency            string
	NewPatientsOnly     bool
	OnlineBookable      bool
	Active              bool
	Color               string
	SortOrder           int
}

func (serviceRow) TableName() string { return "services" }

func toServiceRow(s domain.Service) serviceRow {
	return serviceRow{
		ID: lowerID(s.ID), Name: s.Name, Kind: string(s.Kind), Description: s.Description,
		DurationSeconds:     seconds(s.Duration),
		BufferBeforeSeconds: seconds(s.BufferBefore),
		BufferAfterSeconds:  seconds(s.BufferAfter),
		PriceCents:          s.PriceCents, Currency: s.Currency,
		NewPatientsOnly: s.NewPatientsOnly, OnlineBookable: s.OnlineBookable, Active: s.Active,
		Color: s.Color, SortOrder: s.SortOrder,
	}
}

func (r serviceRow) domain() domain.Service {
	return domain.Service{
		ID: r.ID, Name: r.Name, Kind: domain.ServiceKind(r.Kind), Description: r.Description,
		Duration:     duration(r.DurationSeconds),
		BufferBefore: duration(r.BufferBeforeSeconds),
		BufferAfter:  duration(r.BufferAfterSeconds),
		PriceCents:   r.PriceCents, Currency: r.Currency,
		NewPatientsOnly: r.NewPatientsOnly, OnlineBookable: r.OnlineBookable, Active: r.Active,
		Color: r.Color, SortOrder: r.SortOrder,
	}
}

// CreateService stores a new service, giving it an id when it has none.
func (s *Store) CreateService(ctx context.Context, svc *domain.Service) error {
	if svc.ID == "" {
		svc.ID = domain.NewID()
	}
	if !domain.IsID(svc.ID) {
		return domain.Invalid("id", "Not a valid id.")
	}
	row := toServiceRow(*svc)
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return setServiceRooms(tx, row.ID, svc.RoomIDs)
	})
	s.invalidateCatalog()
	if err != nil {
		return dbError("insert service", err)
	}
	rooms := svc.RoomIDs
	*svc = row.domain()
	svc.RoomIDs = lowerIDs(rooms)
	return nil
}

// UpdateService stores every field of svc; domain.ErrNotFound when no
// service has its id.
func (s *Store) UpdateService(ctx context.Context, svc *domain.Service) error {
	if !domain.IsID(svc.ID) {
		return domain.ErrNotFound
	}
	row := toServiceRow(*svc)
	err := s.w.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&serviceRow{ID: row.ID}).Select("*").Omit("id").Updates(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return domain.ErrNotFound
		}
		return setServiceRooms(tx, row.ID, svc.RoomIDs)
	})
	s.invalidateCatalog()
	if err != nil {
		return dbError("update service", err)
	}
	rooms := svc.RoomIDs
	*svc = row.domain()
	svc.RoomIDs = lowerIDs(rooms)
	return nil
}
