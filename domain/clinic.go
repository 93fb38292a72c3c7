package domain

import (
	"net/mail"
	"strings"
	"time"
)

// Clinic is the practice's settings. There is one clinic per installation.
type Clinic struct {
	Name     string
	TimeZone string // IANA zone of the premises; the default zone shown to patients
	Phone    string // shown wherever a patient is told to call
	Email    string // the sender and iCal ORGANIZER of every email
	// SenderName is the display name in From: and the ORGANIZER's CN
	// (MAIL_FROM="Riverside Clinic <desk@clinic.example>"); empty: Name.
	SenderName  string
	Address     string
	WhatToBring string // told to patients in confirmations and reminders
	// EmailShowsRoom: the patient's emails say which room the visit is in.
	EmailShowsRoom bool
	Policy         Policy
	UpdatedAt      time.Time
}

// Policy holds the clinic's booking rules.
type Policy struct {
	MinNotice        time.Duration // patients book at least this far ahead
	Horizon          time.Duration // patients book at most this far ahead
	CancelCutoff     time.Duration // patients cancel online up to this long before the visit
	RescheduleCutoff time.Duration // patients reschedule online up to this long before the visit
	SlotStep         time.Duration // slots start on this grid within working hours
	ReminderBefore   time.Duration // a reminder email goes out this long before the visit; 0 = none
}

// DefaultPolicy is what a new clinic starts with.
var DefaultPolicy = Policy{
	MinNotice:        2 * time.Hour,
	Horizon:          60 * 24 * time.Hour,
	CancelCutoff:     24 * time.Hour,
	RescheduleCutoff: 12 * time.Hour,
	SlotStep:         15 * time.Minute,
	ReminderBefore:   24 * time.Hour,
}

// Location returns the clinic's zone (UTC if the stored name is unknown,
// which Validate prevents).
func (c Clinic) Location() *time.Location {
	loc, err := LoadZone(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Validate checks the settings a clinic cannot run without.
func (c Clinic) Validate() error {
	var v Validation
	v.Check(c.Name != "", "name", "A clinic needs a name.")
	v.Line("name", c.Name)
	v.Length("name", c.Name, 120)
	v.Length("phone", c.Phone, 40)
	v.Length("address", c.Address, 500)
	v.Length("what_to_bring", c.WhatToBring, 2000)
	v.Line("phone", c.Phone)
	v.Text("address", c.Address)
	v.Text("what_to_bring", c.WhatToBring)
	v.Check(validZone(c.TimeZone), "time_zone", "Use an IANA time zone such as Europe/London.")
	v.Check(validEmail(c.Email), "email", "Use a valid sender address.")
	v.Check(len(c.SenderName) <= 200 && !strings.ContainsAny(c.SenderName, "\r\n"), "sender_name", "Use one line of at most 200 characters.")
	p := c.Policy
	const year = 366 * 24 * time.Hour
	v.Check(p.MinNotice >= 0 && p.MinNotice <= year, "policy.min_notice_minutes", "Must be between 0 and a year.")
	v.Check(p.Horizon >= 24*time.Hour && p.Horizon <= 5*year, "policy.horizon_days", "Must be between one day and five years.")
	v.Check(p.CancelCutoff >= 0 && p.CancelCutoff <= year, "policy.cancel_cutoff_minutes", "Must be between 0 and a year.")
	v.Check(p.RescheduleCutoff >= 0 && p.RescheduleCutoff <= year, "policy.reschedule_cutoff_minutes", "Must be between 0 and a year.")
	v.Check(p.SlotStep >= 5*time.Minute && p.SlotStep <= 2*time.Hour, "policy.slot_step_minutes", "Must be between 5 and 120 minutes.")
	v.Check(p.ReminderBefore >= 0 && p.ReminderBefore <= year, "policy.reminder_before_minutes", "Must be between 0 and a year.")
	return v.Err()
}

func validZone(name string) bool {
	_, err := LoadZone(name)
	return err == nil
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254 && LineProblem(s) == ""
}

// Sender is the display name the clinic's emails and invites come from:
// SenderName, or the clinic's name when none is set.
func (c Clinic) Sender() string {
	if c.SenderName != "" {
		return c.SenderName
	}
	return c.Name
}
