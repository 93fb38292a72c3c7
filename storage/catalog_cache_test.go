package storage_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// TestCatalogCache checks the promise of DefaultCatalogTTL with two stores
// on one database, as two replicas share one: a store's own writes show at
// once, another's show when its copy expires, and callers cannot change the
// cached copy through what they are given.
func TestCatalogCache(t *testing.T) {
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := filepath.Join(t.TempDir(), "frontdesk.db")
			if e == storagetest.Postgres {
				dsn = storagetest.PostgresDSN(t)
			}
			a, b := openStore(t, dsn), openStore(t, dsn)
			fx := storagetest.Seed(t, a)
			b.SetCatalogTTL(time.Hour)
			if got, err := b.Practitioner(ctx, fx.Therapist.ID); err != nil || !got.Active {
				t.Fatalf("replica b: Practitioner = %+v, %v", got, err)
			}

			// A writes: a sees it at once, b only once its copy is gone.
			off := fx.Therapist
			off.Active = false
			if err := a.UpdatePractitioner(ctx, &off); err != nil {
				t.Fatalf("UpdatePractitioner: %v", err)
			}
			if got, _ := a.Practitioners(ctx, false); len(got) != 1 {
				t.Errorf("writer's own list after deactivating = %d practitioners, want 1", len(got))
			}
			if got, _ := b.Practitioner(ctx, fx.Therapist.ID); !got.Active {
				t.Errorf("replica b saw the change before its copy expired: the cache is not in use")
			}
			b.SetCatalogTTL(50 * time.Millisecond)
			if _, err := b.Clinic(ctx); err != nil {
				t.Fatalf("replica b: Clinic = %v", err)
			}
			time.Sleep(60 * time.Millisecond)
			if got, _ := b.Practitioner(ctx, fx.Therapist.ID); got.Active {
				t.Errorf("replica b still sees the practitioner active after its TTL")
			}

			// Services and the clinic clear the copy too.
			svc := fx.Massage
			svc.Name = "Massage 60 (renamed)"
			if err := a.UpdateService(ctx, &svc); err != nil {
				t.Fatalf("UpdateService: %v", err)
			}
			if got, _ := a.Service(ctx, svc.ID); got.Name != svc.Name {
				t.Errorf("Service after rename = %q, want %q", got.Name, svc.Name)
			}
			clinic := fx.Clinic
			clinic.Phone = "+1 212 555 0199"
			if err := a.SaveClinic(ctx, clinic); err != nil {
				t.Fatalf("SaveClinic: %v", err)
			}
			if got, _ := a.Clinic(ctx); got.Phone != clinic.Phone {
				t.Errorf("Clinic after save: phone %q, want %q", got.Phone, clinic.Phone)
			}

			// What another replica has just created is found at once,
			// with its hours, however long the copy is kept; an id
			// nobody has is still unknown.
			b.SetCatalogTTL(time.Hour)
			if _, err := b.Clinic(ctx); err != nil {
				t.Fatalf("replica b: Clinic = %v", err)
			}
			svc2 := domain.Service{Name: "Massage 30", Kind: domain.KindMassage, Duration: 30 * time.Minute,
				Currency: "USD", OnlineBookable: true, Active: true, Color: "#1565c0", SortOrder: 3}
			if err := a.CreateService(ctx, &svc2); err != nil {
				t.Fatalf("CreateService: %v", err)
			}
			newcomer := domain.Practitioner{Name: "Jo Park", Title: "Licensed Massage Therapist", Email: "jo@example.com",
				TimeZone: storagetest.SeedZone, Active: true, ServiceIDs: []string{svc2.ID}, Color: "#00838f"}
			if err := a.CreatePractitioner(ctx, &newcomer); err != nil {
				t.Fatalf("CreatePractitioner: %v", err)
			}
			if err := a.SetWorkingHours(ctx, newcomer.ID, storagetest.WeekdayHours(newcomer.ID)); err != nil {
				t.Fatalf("SetWorkingHours: %v", err)
			}
			if got, err := b.Service(ctx, svc2.ID); err != nil || got.Name != svc2.Name {
				t.Errorf("replica b: Service(just created) = %+v, %v; want it found", got, err)
			}
			if got, err := b.Practitioner(ctx, newcomer.ID); err != nil || got.Name != newcomer.Name {
				t.Errorf("replica b: Practitioner(just created) = %+v, %v; want it found", got, err)
			}
			monday := time.Date(2030, 3, 4, 0, 0, 0, 0, time.UTC)
			scheds, err := b.WorkingSchedules(ctx, []string{newcomer.ID}, monday, monday.Add(24*time.Hour))
			if err != nil || len(scheds) != 1 || len(scheds[0].Weekly) == 0 {
				t.Errorf("replica b: WorkingSchedules(just created) = %+v, %v; want the weekday hours", scheds, err)
			}
			if _, err := b.Service(ctx, domain.NewID()); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("replica b: Service(unknown id) = %v, want ErrNotFound", err)
			}

			// What callers get is theirs to change.
			p, _ := a.Practitioner(ctx, fx.Chiropractor.ID)
			p.ServiceIDs[0] = domain.NewID()
			list, _ := a.Practitioners(ctx, true)
			list[0].ServiceIDs[0] = domain.NewID()
			if again, _ := a.Practitioner(ctx, fx.Chiropractor.ID); again.ServiceIDs[0] != fx.Chiropractor.ServiceIDs[0] {
				t.Errorf("changing a returned practitioner changed the cached one: %v", again.ServiceIDs)
			}
		})
	}
}

func openStore(t *testing.T, dsn string) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("storage.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
