package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// clinicJSON is the clinic's settings, durations in whole minutes or days.
type clinicJSON struct {
	Name        string     `json:"name"`
	TimeZone    string     `json:"time_zone"`
	Phone       string     `json:"phone"`
	Email       string     `json:"email"`
	SenderName  string     `json:"sender_name"`
	Address     string     `json:"address"`
	WhatToBring string     `json:"what_to_bring"`
	Policy      policyJSON `json:"policy"`
	UpdatedAt   string     `json:"updated_at,omitempty"`
	// EmailShowsRoom: the patient's emails say which room the visit is in.
	EmailShowsRoom bool `json:"email_shows_room"`
}

type policyJSON struct {
	MinNoticeMinutes        int `json:"min_notice_minutes"`
	HorizonDays             int `json:"horizon_days"`
	CancelCutoffMinutes     int `json:"cancel_cutoff_minutes"`
	RescheduleCutoffMinutes int `json:"reschedule_cutoff_minutes"`
	SlotStepMinutes         int `json:"slot_step_minutes"`
	ReminderBeforeMinutes   int `json:"reminder_before_minutes"`
}

const day = 24 * time.Hour

func toClinicJSON(c domain.Clinic) clinicJSON {
	p := c.Policy
	return clinicJSON{
		Name: c.Name, TimeZone: c.TimeZone, Phone: c.Phone, Email: c.Email, SenderName: c.SenderName, Address: c.Address,
		WhatToBring: c.WhatToBring, UpdatedAt: rfc3339(c.UpdatedAt, time.UTC), EmailShowsRoom: c.EmailShowsRoom,
		Policy: policyJSON{
			MinNoticeMinutes: int(p.MinNotice / time.Minute), HorizonDays: int(p.Horizon / day),
			CancelCutoffMinutes: int(p.CancelCutoff / time.Minute), RescheduleCutoffMinutes: int(p.RescheduleCutoff / time.Minute),
			SlotStepMinutes: int(p.SlotStep / time.Minute), ReminderBeforeMinutes: int(p.ReminderBefore / time.Minute),
		},
	}
}

// clinicInput is the body of PUT /clinic: a full replacement.
type clinicInput struct {
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
	Phone    string `json:"phone"`
	Email    string `json:"email"`
	// SenderName is optional: absent is the clinic's name.
	SenderName  string     `json:"sender_name"`
	Address     string     `json:"address"`
	WhatToBring string     `json:"what_to_bring"`
	Policy      policyJSON `json:"policy"`
	// EmailShowsRoom is optional: absent is false.
	EmailShowsRoom bool `json:"email_shows_room"`
}

func (in clinicInput) domain(now time.Time) domain.Clinic {
	p := in.Policy
	return domain.Clinic{
		Name: in.Name, TimeZone: in.TimeZone, Phone: in.Phone, Email: domain.NormalizeEmail(in.Email),
		SenderName: strings.TrimSpace(in.SenderName), Address: in.Address, WhatToBring: in.WhatToBring, UpdatedAt: now, EmailShowsRoom: in.EmailShowsRoom,
		Policy: domain.Policy{
			MinNotice: minutes(p.MinNoticeMinutes), Horizon: domain.Days(p.HorizonDays),
			CancelCutoff: minutes(p.CancelCutoffMinutes), RescheduleCutoff: minutes(p.RescheduleCutoffMinutes),
			SlotStep: minutes(p.SlotStepMinutes), ReminderBefore: minutes(p.ReminderBeforeMinutes),
		},
	}
}

// getClinic handles GET /api/v1/clinic.
func (s *Server) getClinic(c echo.Context) error {
	cl, err := s.Store.Clinic(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"clinic": toClinicJSON(cl)})
}

// putClinic handles PUT /api/v1/clinic.
func (s *Server) putClinic(c echo.Context) error {
	var in clinicInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	cl, err := s.Setup.SaveClinic(c.Request().Context(), auth.Actor(c), in.domain(s.Clock.Now()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"clinic": toClinicJSON(cl)})
}
