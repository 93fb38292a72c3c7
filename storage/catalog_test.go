package storage_test

import (
	"cmp"
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

func TestClinicRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		if _, err := s.Clinic(ctx); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("Clinic() before setup = %v, want ErrNotFound", err)
		}
		want := domain.Clinic{Name: "Back & Neck", TimeZone: "Europe/Berlin", Phone: "+49 30 1234", Email: "desk@example.com",
			Address: "Hauptstr. 1", WhatToBring: "Towel", Policy: domain.DefaultPolicy,
			UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)}
		want.Policy.ReminderBefore = 0
		for range 2 { // the second save replaces the single row
			if err := s.SaveClinic(ctx, want); err != nil {
				t.Fatalf("SaveClinic: %v", err)
			}
			want.Name += " Clinic"
		}
		want.Name = "Back & Neck Clinic"
		got, err := s.Clinic(ctx)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Clinic() = %+v, %v\nwant %+v", got, err, want)
		}
	})
}

func TestServiceRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		a := domain.Service{Name: "Deep tissue", Kind: domain.KindMassage, Description: "Firm", Duration: 90 * time.Minute,
			BufferBefore: 5 * time.Minute, BufferAfter: 15 * time.Minute, PriceCents: 12000, Currency: "EUR",
			OnlineBookable: true, Active: true, Color: "#abcdef", SortOrder: 2}
		b := domain.Service{Name: "Adjustment", Kind: domain.KindChiropractic, Duration: 30 * time.Minute, Currency: "EUR", SortOrder: 1}
		for _, svc := range []*domain.Service{&a, &b} {
			if err := s.CreateService(ctx, svc); err != nil || !domain.IsID(svc.ID) {
				t.Fatalf("CreateService(%s) = %v, id %q", svc.Name, err, svc.ID)
			}
		}
		if got, err := s.Service(ctx, a.ID); err != nil || !reflect.DeepEqual(got, a) {
			t.Errorf("Service(a) = %+v, %v\nwant %+v", got, err, a)
		}
		active, err := s.Services(ctx, false)
		if err != nil || len(active) != 1 || active[0].ID != a.ID {
			t.Errorf("Services(active) = %v, %v; want only %s", active, err, a.Name)
		}
		b.Active, b.Name = true, "Adjustment 30"
		if err := s.UpdateService(ctx, &b); err != nil {
			t.Fatalf("UpdateService: %v", err)
		}
		all, err := s.Services(ctx, false)
		if err != nil || len(all) != 2 || all[0].ID != b.ID || all[1].ID != a.ID {
			t.Errorf("Services(after update) = %v, %v; want b then a by sort order", all, err)
		}
		ghost := domain.Service{ID: domain.NewID(), Name: "Ghost", Kind: domain.KindMassage, Duration: time.Hour, Currency: "EUR"}
		if err := s.UpdateService(ctx, &ghost); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("UpdateService(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestPractitionerRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		got, err := s.Practitioner(ctx, fx.Therapist.ID)
		if err != nil || !reflect.DeepEqual(got, fx.Therapist) {
			t.Errorf("Practitioner() = %+v, %v\nwant %+v", got, err, fx.Therapist)
		}
		p := fx.Therapist
		p.Active, p.Bio, p.ServiceIDs = false, "Sports massage", []string{fx.Massage.ID}
		if err := s.UpdatePractitioner(ctx, &p); err != nil {
			t.Fatalf("UpdatePractitioner: %v", err)
		}
		if got, err := s.Practitioner(ctx, p.ID); err != nil || !reflect.DeepEqual(got, p) {
			t.Errorf("Practitioner(updated) = %+v, %v\nwant %+v", got, err, p)
		}
		active, err := s.Practitioners(ctx, false)
		if err != nil || len(active) != 1 || active[0].ID != fx.Chiropractor.ID || len(active[0].ServiceIDs) != 2 {
			t.Errorf("Practitioners(active) = %+v, %v; want the chiropractor with two services", active, err)
		}
		all, err := s.Practitioners(ctx, true)
		if err != nil || len(all) != 2 {
			t.Errorf("Practitioners(all) = %d, %v; want 2", len(all), err)
		}

		bad := domain.Practitioner{Name: "Nobody", TimeZone: "UTC", ServiceIDs: []string{domain.NewID()}}
		err = s.CreatePractitioner(ctx, &bad)
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Field != "service_ids" {
			t.Errorf("CreatePractitioner(unknown service) = %v, want KindInvalid on service_ids", err)
		}
		if _, err := s.Practitioner(ctx, bad.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("the practitioner with an unknown service was stored: %v", err)
		}
	})
}

func TestHoursRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		pid := fx.Chiropractor.ID
		hours, err := s.WorkingHours(ctx, pid)
		sorted := slices.IsSortedFunc(hours, func(a, b domain.WorkingHours) int {
			return cmp.Or(cmp.Compare(a.Weekday, b.Weekday), cmp.Compare(a.Range.Start, b.Range.Start))
		})
		if err != nil || !sorted || len(hours) != 10 {
			t.Fatalf("WorkingHours = %d rows, %v; want 10 by weekday and start", len(hours), err)
		}
		night := []domain.WorkingHours{{ID: domain.NewID(), PractitionerID: pid, Weekday: time.Saturday,
			Range: domain.TimeRange{Start: domain.At(22, 0), End: domain.At(2, 0)}}}
		if err := s.SetWorkingHours(ctx, pid, night); err != nil {
			t.Fatalf("SetWorkingHours: %v", err)
		}
		got, err := s.WorkingHours(ctx, pid)
		if err != nil || len(got) != 1 || got[0].Weekday != time.Saturday || got[0].Range != night[0].Range || got[0].PractitionerID != pid {
			t.Errorf("WorkingHours(replaced) = %+v, %v; want %+v", got, err, night)
		}
		if err := s.SetWorkingHours(ctx, domain.NewID(), night); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("SetWorkingHours(unknown practitioner) = %v, want ErrNotFound", err)
		}

		day := domain.Date{Year: 2026, Month: 3, Day: 4}
		o := domain.DateOverride{PractitionerID: pid, Date: day, Note: "Short day",
			Ranges: []domain.TimeRange{{Start: domain.At(10, 0), End: domain.At(12, 0)}}}
		if err := s.SaveDateOverride(ctx, &o); err != nil {
			t.Fatalf("SaveDateOverride: %v", err)
		}
		off := domain.DateOverride{PractitionerID: pid, Date: day, Note: "Closed"} // replaces the short day
		if err := s.SaveDateOverride(ctx, &off); err != nil {
			t.Fatalf("SaveDateOverride(same date): %v", err)
		}
		overrides, err := s.DateOverrides(ctx, pid, day.AddDays(-1), day)
		if err != nil || len(overrides) != 1 || !reflect.DeepEqual(overrides[0], off) {
			t.Errorf("DateOverrides = %+v, %v; want only %+v", overrides, err, off)
		}
		if got, _ := s.DateOverrides(ctx, pid, day.AddDays(1), day.AddDays(9)); len(got) != 0 {
			t.Errorf("DateOverrides(later dates) = %+v, want none", got)
		}
		if err := s.DeleteDateOverride(ctx, pid, off.ID); err != nil {
			t.Errorf("DeleteDateOverride: %v", err)
		}
		if err := s.DeleteDateOverride(ctx, pid, off.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("DeleteDateOverride(again) = %v, want ErrNotFound", err)
		}

		to := domain.TimeOff{PractitionerID: pid, Start: monday, End: monday.Add(48 * time.Hour), Reason: "Course"}
		if err := s.CreateTimeOff(ctx, &to); err != nil {
			t.Fatalf("CreateTimeOff: %v", err)
		}
		tests := []struct {
			from, to time.Time
			want     int
		}{
			{monday.Add(-time.Hour), monday, 0}, // ends where the time off starts
			{monday.Add(-time.Hour), monday.Add(time.Minute), 1},
			{monday.Add(47 * time.Hour), monday.Add(50 * time.Hour), 1},
			{monday.Add(48 * time.Hour), monday.Add(50 * time.Hour), 0},
			{time.Time{}, time.Time{}, 1},
		}
		for _, tt := range tests {
			got, err := s.TimeOffs(ctx, pid, tt.from, tt.to)
			if err != nil || len(got) != tt.want || tt.want == 1 && !reflect.DeepEqual(got[0], to) {
				t.Errorf("TimeOffs(%s, %s) = %+v, %v; want %d", tt.from, tt.to, got, err, tt.want)
			}
		}
		bad := domain.TimeOff{PractitionerID: pid, Start: monday, End: monday}
		if err := s.CreateTimeOff(ctx, &bad); domain.ErrorKind(err) != domain.KindInvalid {
			t.Errorf("CreateTimeOff(empty) = %v, want KindInvalid", err)
		}
		if err := s.DeleteTimeOff(ctx, fx.Therapist.ID, to.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("DeleteTimeOff(another practitioner's) = %v, want ErrNotFound", err)
		}
		if err := s.DeleteTimeOff(ctx, pid, to.ID); err != nil {
			t.Errorf("DeleteTimeOff: %v", err)
		}
	})
}
