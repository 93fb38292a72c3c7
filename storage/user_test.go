package storage_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

func TestUsersAndCredentials(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		u := domain.User{Email: "Desk@Clinic.example", Name: "Dee Desk", Role: domain.RolePractitioner,
			PasswordHash: "$argon2id$...", PractitionerID: fx.Therapist.ID, Active: true, CreatedAt: monday}
		if err := s.CreateUser(ctx, &u); err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		if u.Email != "desk@clinic.example" {
			t.Errorf("CreateUser stored email %q, want it lower-cased", u.Email)
		}
		if got, err := s.UserByEmail(ctx, "DESK@clinic.example"); err != nil || !reflect.DeepEqual(got, u) {
			t.Errorf("UserByEmail = %+v, %v\nwant %+v", got, err, u)
		}
		dup := domain.User{Email: "desk@CLINIC.example", Role: domain.RoleAdmin, Active: true}
		if err := s.CreateUser(ctx, &dup); !errors.Is(err, domain.ErrDuplicate) {
			t.Errorf("CreateUser(taken email) = %v, want ErrDuplicate", err)
		}
		u.Role, u.PractitionerID, u.Name = domain.RoleFrontDesk, "", "Dee"
		if err := s.UpdateUser(ctx, &u); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if got, err := s.User(ctx, u.ID); err != nil || !reflect.DeepEqual(got, u) {
			t.Errorf("User(updated) = %+v, %v\nwant %+v", got, err, u)
		}
		if all, err := s.Users(ctx); err != nil || len(all) != 1 {
			t.Errorf("Users = %d, %v; want 1", len(all), err)
		}

		_, hash := domain.NewToken()
		c := domain.Credential{UserID: u.ID, Hash: hash, Kind: domain.CredentialSession, CSRF: "csrf-secret",
			CreatedAt: monday, ExpiresAt: monday.Add(time.Hour)}
		if err := s.CreateCredential(ctx, &c); err != nil {
			t.Fatalf("CreateCredential: %v", err)
		}
		tests := []struct {
			name string
			now  time.Time
			ok   bool
		}{
			{"live", monday.Add(59 * time.Minute), true},
			{"at expiry", monday.Add(time.Hour), false},
			{"expired", monday.Add(2 * time.Hour), false},
		}
		for _, tt := range tests {
			gotC, gotU, err := s.Credential(ctx, hash, tt.now)
			if tt.ok && (err != nil || !reflect.DeepEqual(gotC, c) || gotU.ID != u.ID) {
				t.Errorf("Credential(%s) = %+v, %s, %v; want %+v", tt.name, gotC, gotU.ID, err, c)
			}
			if !tt.ok && !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("Credential(%s) = %v, want ErrNotFound", tt.name, err)
			}
		}
		if err := s.RevokeCredential(ctx, c.ID, monday.Add(time.Minute)); err != nil {
			t.Fatalf("RevokeCredential: %v", err)
		}
		if _, _, err := s.Credential(ctx, hash, monday.Add(2*time.Minute)); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Credential(revoked) = %v, want ErrNotFound", err)
		}
		live := domain.Credential{UserID: u.ID, Hash: domain.HashToken("other"), Kind: domain.CredentialToken, ExpiresAt: monday.Add(time.Hour)}
		if err := s.CreateCredential(ctx, &live); err != nil {
			t.Fatal(err)
		}
		u.Active = false
		if err := s.UpdateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Credential(ctx, live.Hash, monday); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("Credential(of a deactivated user) = %v, want ErrNotFound", err)
		}
		orphan := domain.Credential{UserID: domain.NewID(), Hash: "x", Kind: domain.CredentialToken, ExpiresAt: monday}
		if err := s.CreateCredential(ctx, &orphan); domain.ErrorKind(err) != domain.KindInvalid {
			t.Errorf("CreateCredential(unknown user) = %v, want KindInvalid", err)
		}
	})
}

func TestFeedTokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		fx := storagetest.Seed(t, s)
		clinic := domain.FeedToken{Hash: domain.HashToken("clinic"), Privacy: domain.PrivacyBusy, CreatedAt: monday}
		own := domain.FeedToken{PractitionerID: fx.Therapist.ID, Hash: domain.HashToken("own"), Privacy: domain.PrivacyInitials,
			CreatedBy: domain.NewID(), CreatedAt: monday.Add(time.Minute)}
		for _, ft := range []*domain.FeedToken{&clinic, &own} {
			if err := s.CreateFeedToken(ctx, ft); err != nil {
				t.Fatalf("CreateFeedToken: %v", err)
			}
		}
		if got, err := s.FeedToken(ctx, own.Hash); err != nil || !reflect.DeepEqual(got, own) {
			t.Errorf("FeedToken = %+v, %v\nwant %+v", got, err, own)
		}
		if err := s.RevokeFeedToken(ctx, own.ID, monday.Add(time.Hour)); err != nil {
			t.Fatalf("RevokeFeedToken: %v", err)
		}
		if _, err := s.FeedToken(ctx, own.Hash); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("FeedToken(revoked) = %v, want ErrNotFound", err)
		}
		if err := s.RevokeFeedToken(ctx, own.ID, monday.Add(2*time.Hour)); err != nil {
			t.Errorf("RevokeFeedToken(again) = %v", err)
		}
		all, err := s.FeedTokens(ctx)
		if err != nil || len(all) != 2 || all[0].ID != own.ID || !all[0].RevokedAt.Equal(monday.Add(time.Hour)) || all[1].PractitionerID != "" {
			t.Errorf("FeedTokens = %+v, %v; want both, newest first, first revocation kept", all, err)
		}
	})
}

func TestAudit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		actor := domain.Actor{UserID: domain.NewID(), Name: "Dee", Role: domain.RoleFrontDesk}
		type snapshot struct {
			Name  string `json:"name"`
			Price int    `json:"price"`
		}
		for i := range 3 {
			e := domain.AuditEntry{At: monday.Add(time.Duration(i) * time.Minute), Actor: actor, Action: "service.update",
				EntityType: "service", EntityID: "svc-1", Before: snapshot{"Massage", 90 + i}, After: snapshot{"Massage", 91 + i}}
			if err := s.RecordAudit(ctx, e); err != nil {
				t.Fatalf("RecordAudit: %v", err)
			}
		}
		if err := s.RecordAudit(ctx, domain.AuditEntry{Actor: domain.ActorSystem, Action: "clinic.create", EntityID: "clinic"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Audit(ctx, domain.AuditFilter{EntityID: "svc-1", Limit: 2})
		if err != nil || len(got) != 2 {
			t.Fatalf("Audit = %d, %v; want 2", len(got), err)
		}
		if !got[0].At.Equal(monday.Add(2*time.Minute)) || got[0].Actor != actor || !jsonEqual(got[0].Before, `{"name":"Massage","price":92}`) {
			t.Errorf("Audit()[0] = %+v; want the newest, with its actor and snapshot", got[0])
		}
		created, _ := s.Audit(ctx, domain.AuditFilter{EntityID: "clinic"})
		if len(created) != 1 || created[0].Before != nil || created[0].After != nil || created[0].Actor.Name != "system" {
			t.Errorf("Audit(clinic) = %+v; want one entry with no snapshots", created)
		}
	})
}

func TestNotFound(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		storagetest.Seed(t, s)
		for _, id := range []string{domain.NewID(), "", "not-an-id", "'; DROP TABLE bookings; --", "00000000-0000-0000-0000-00000000000g"} {
			lookups := map[string]func() error{
				"Service":          func() error { _, err := s.Service(ctx, id); return err },
				"Practitioner":     func() error { _, err := s.Practitioner(ctx, id); return err },
				"Booking":          func() error { _, err := s.Booking(ctx, id); return err },
				"ByManageHash":     func() error { _, err := s.BookingByManageHash(ctx, id); return err },
				"Patient":          func() error { _, err := s.Patient(ctx, id); return err },
				"User":             func() error { _, err := s.User(ctx, id); return err },
				"UserByEmail":      func() error { _, err := s.UserByEmail(ctx, id); return err },
				"Credential":       func() error { _, _, err := s.Credential(ctx, id, monday); return err },
				"FeedToken":        func() error { _, err := s.FeedToken(ctx, id); return err },
				"Idempotency":      func() error { _, err := s.IdempotencyRecord(ctx, id); return err },
				"RevokeCredential": func() error { return s.RevokeCredential(ctx, id, monday) },
				"RevokeFeedToken":  func() error { return s.RevokeFeedToken(ctx, id, monday) },
				"RetryMessage":     func() error { return s.RetryMessage(ctx, id, monday) },
				"MarkFailed":       func() error { return s.MarkFailed(ctx, id, "x", monday, false) },
				"DeleteTimeOff":    func() error { return s.DeleteTimeOff(ctx, id, id) },
				"DeleteOverride":   func() error { return s.DeleteDateOverride(ctx, id, id) },
				"SetWorkingHours":  func() error { return s.SetWorkingHours(ctx, id, nil) },
				"UpdatePatient":    func() error { return s.UpdatePatient(ctx, &domain.Patient{ID: id, Name: "x", Email: "x@example.com"}) },
				"UpdateUser": func() error {
					return s.UpdateUser(ctx, &domain.User{ID: id, Email: "x@example.com", Role: domain.RoleAdmin})
				},
			}
			for name, lookup := range lookups {
				if err := lookup(); !errors.Is(err, domain.ErrNotFound) {
					t.Errorf("%s(%q) = %v, want ErrNotFound", name, id, err)
				}
			}
		}
		if got, err := s.Schedules(ctx, []string{"bad", domain.NewID()}, monday, monday.Add(time.Hour)); err != nil || len(got) != 0 {
			t.Errorf("Schedules(unknown ids) = %v, %v; want none", got, err)
		}
	})
}
