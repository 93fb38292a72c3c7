package storage

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/frontdesk/frontdesk/domain"
)

// clinicRow is the single row of table clinic.
type clinicRow struct {
	ID                      int
	Name                    string
	TimeZone                string
	Phone                   string
	Email                   string
	SenderName              string
	Address                 string
	WhatToBring             string
	EmailShowsRoom          bool
	MinNoticeSeconds        int64
	HorizonSeconds          int64
	CancelCutoffSeconds     int64
	RescheduleCutoffSeconds int64
	SlotStepSeconds         int64
	ReminderBeforeSeconds   int64
	UpdatedAt               instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
}

func (clinicRow) TableName() string { return "clinic" }

func toClinicRow(c domain.Clinic) clinicRow {
	p := c.Policy
	return clinicRow{
		ID: 1, Name: c.Name, TimeZone: c.TimeZone, Phone: c.Phone, Email: c.Email, SenderName: c.SenderName,
		Address: c.Address, WhatToBring: c.WhatToBring, EmailShowsRoom: c.EmailShowsRoom,
		MinNoticeSeconds:        seconds(p.MinNotice),
		HorizonSeconds:          seconds(p.Horizon),
		CancelCutoffSeconds:     seconds(p.CancelCutoff),
		RescheduleCutoffSeconds: seconds(p.RescheduleCutoff),
		SlotStepSeconds:         seconds(p.SlotStep),
		ReminderBeforeSeconds:   seconds(p.ReminderBefore),
		UpdatedAt:               at(orNow(c.UpdatedAt)),
	}
}

func (r clinicRow) domain() domain.Clinic {
	return domain.Clinic{
		Name: r.Name, TimeZone: r.TimeZone, Phone: r.Phone, Email: r.Email, SenderName: r.SenderName,
		Address: r.Address, WhatToBring: r.WhatToBring, EmailShowsRoom: r.EmailShowsRoom,
		Policy: domain.Policy{
			MinNotice:        duration(r.MinNoticeSeconds),
			Horizon:          duration(r.HorizonSeconds),
			CancelCutoff:     duration(r.CancelCutoffSeconds),
			RescheduleCutoff: duration(r.RescheduleCutoffSeconds),
			SlotStep:         duration(r.SlotStepSeconds),
			ReminderBefore:   duration(r.ReminderBeforeSeconds),
		},
		UpdatedAt: r.UpdatedAt.time(),
	}
}

// SaveClinic creates or replaces the settings. A zero UpdatedAt is stored
// as now.
func (s *Store) SaveClinic(ctx context.Context, c domain.Clinic) error {
	row := toClinicRow(c)
	err := s.w.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error
	s.invalidateCatalog()
	return dbError("save clinic", err)
}
