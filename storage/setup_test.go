package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

var errCrash = errors.New("injected: crashed before commit")

// TestSetupChangeAndAuditCommitTogether: a setup change and its audit entry
// are one transaction. A failure injected after both were written and
// before the commit leaves neither; without it both are there.
func TestSetupChangeAndAuditCommitTogether(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		fx := storagetest.Seed(t, s)
		ctx := context.Background()
		setup := &domain.Setup{Store: s, Clock: domain.SystemClock, HashPassword: func(pw string) (string, error) { return "hash:" + pw, nil }}
		by := domain.Actor{Name: "Test Admin", Role: domain.RoleAdmin}
		svc := domain.Service{ID: domain.NewID(), Name: "Hot stones", Kind: domain.KindMassage, Duration: time.Hour, Currency: "USD", Active: true}
		newHours := storagetest.WeekdayHours(fx.Therapist.ID)[:1]
		for _, c := range []struct {
			name     string
			entityID string
			change   func() error
			changed  func() bool
		}{
			{"service", svc.ID, func() error { _, err := setup.CreateService(ctx, by, svc); return err },
				func() bool { _, err := s.Service(ctx, svc.ID); return err == nil }},
			{"hours", fx.Therapist.ID, func() error { _, err := setup.SetWorkingHours(ctx, by, fx.Therapist.ID, newHours); return err },
				func() bool { h, _ := s.WorkingHours(ctx, fx.Therapist.ID); return len(h) == 1 }},
			{"practitioner", fx.Chiropractor.ID, func() error {
				p := fx.Chiropractor
				p.Name = "Renamed"
				_, err := setup.UpdatePractitioner(ctx, by, p)
				return err
			}, func() bool { p, _ := s.Practitioner(ctx, fx.Chiropractor.ID); return p.Name == "Renamed" }},
		} {
			s.FailBeforeCommit(errCrash)
			if err := c.change(); !errors.Is(err, errCrash) {
				t.Fatalf("%s with a crash before commit = %v, want the crash", c.name, err)
			}
			if c.changed() || len(auditOf(t, s, c.entityID)) != 0 {
				t.Errorf("%s: after a crash before commit, changed %v and %d audit entries; want neither", c.name, c.changed(), len(auditOf(t, s, c.entityID)))
			}
			if err := c.change(); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if !c.changed() || len(auditOf(t, s, c.entityID)) != 1 {
				t.Errorf("%s committed: changed %v, %d audit entries; want the change and one entry", c.name, c.changed(), len(auditOf(t, s, c.entityID)))
			}
		}
	})
}

func auditOf(t *testing.T, s *storage.Store, entityID string) []domain.AuditEntry {
	t.Helper()
	list, err := s.Audit(context.Background(), domain.AuditFilter{EntityID: entityID})
	if err != nil {
		t.Fatal(err)
	}
	return list
}
