package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
)

// Fixture is what Seed stored: a clinic in America/New_York with
// domain.DefaultPolicy, two services and two practitioners who perform both,
// each working Monday to Friday 09:00–12:30 and 13:30–18:00 New York time.
type Fixture struct {
	Clinic       domain.Clinic
	CaseReview   domain.Service // 15 minutes, free, new patients only, kind case_review
	Massage      domain.Service // 60 minutes with 10 minutes' buffer after, 95 USD, kind massage
	Chiropractor domain.Practitioner
	Therapist    domain.Practitioner
}

// PractitionerIDs returns the ids of both practitioners.
func (f Fixture) PractitionerIDs() []string {
	return []string{f.Chiropractor.ID, f.Therapist.ID}
}

// SeedZone is the zone of the seeded clinic and practitioners.
const SeedZone = "America/New_York"

// Seed stores the Fixture in s and returns it with its ids.
func Seed(t testing.TB, s *storage.Store) Fixture {
	t.Helper()
	ctx := context.Background()
	f := Fixture{
		Clinic: domain.Clinic{
			Name: "Frontdesk Test Clinic", TimeZone: SeedZone, Phone: "+1 212 555 0100",
			Email: "clinic@example.com", Address: "1 Test Street, New York, NY",
			WhatToBring: "Comfortable clothes.", Policy: domain.DefaultPolicy,
			UpdatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		},
		CaseReview: domain.Service{
			Name: "Complimentary Case Review", Kind: domain.KindCaseReview,
			Description: "A free first conversation with the chiropractor.",
			Duration:    15 * time.Minute, PriceCents: 0, Currency: "USD",
			NewPatientsOnly: true, OnlineBookable: true, Active: true, Color: "#2e7d32", SortOrder: 1,
		},
		Massage: domain.Service{
			Name: "Massage 60", Kind: domain.KindMassage, Description: "A 60-minute massage.",
			Duration: 60 * time.Minute, BufferAfter: 10 * time.Minute, PriceCents: 9500, Currency: "USD",
			OnlineBookable: true, Active: true, Color: "#1565c0", SortOrder: 2,
		},
	}
	if err := s.SaveClinic(ctx, f.Clinic); err != nil {
		t.Fatalf("seed clinic: %v", err)
	}
	for _, svc := range []*domain.Service{&f.CaseReview, &f.Massage} {
		if err := s.CreateService(ctx, svc); err != nil {
			t.Fatalf("seed service %s: %v", svc.Name, err)
		}
	}
	services := []string{f.CaseReview.ID, f.Massage.ID}
	f.Chiropractor = domain.Practitioner{Name: "Dr. Avery Chen", Title: "Chiropractor", Email: "avery@example.com",
		TimeZone: SeedZone, Active: true, ServiceIDs: services, Color: "#6a1b9a"}
	f.Therapist = domain.Practitioner{Name: "Sam Rivera", Title: "Licensed Massage Therapist", Email: "sam@example.com",
		TimeZone: SeedZone, Active: true, ServiceIDs: services, Color: "#ef6c00"}
	for _, p := range []*domain.Practitioner{&f.Chiropractor, &f.Therapist} {
		if err := s.CreatePractitioner(ctx, p); err != nil {
			t.Fatalf("seed practitioner %s: %v", p.Name, err)
		}
		if err := s.SetWorkingHours(ctx, p.ID, WeekdayHours(p.ID)); err != nil {
			t.Fatalf("seed hours of %s: %v", p.Name, err)
		}
	}
	return f
}

// WeekdayHours returns Monday to Friday 09:00–12:30 and 13:30–18:00.
func WeekdayHours(practitionerID string) []domain.WorkingHours {
	var hours []domain.WorkingHours
	for day := time.Monday; day <= time.Friday; day++ {
		for _, r := range []domain.TimeRange{
			{Start: domain.At(9, 0), End: domain.At(12, 30)},
			{Start: domain.At(13, 30), End: domain.At(18, 0)},
		} {
			hours = append(hours, domain.WorkingHours{ID: domain.NewID(), PractitionerID: practitionerID, Weekday: day, Range: r})
		}
	}
	return hours
}
