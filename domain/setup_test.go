package domain_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
)

func newSetup(t *testing.T) (*domain.Setup, *domaintest.Store, *domaintest.Clock) {
	t.Helper()
	store := domaintest.NewStore(domain.Clinic{Name: "Clinic", TimeZone: "UTC", Policy: domain.DefaultPolicy})
	clock := domaintest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	hash := func(pw string) (string, error) { return "hashed:" + pw, nil }
	return &domain.Setup{Store: store, Clock: clock, HashPassword: hash}, store, clock
}

var setupAdmin = domain.Actor{UserID: domain.NewID(), Name: "Ada", Role: domain.RoleAdmin}

func TestCheckPasswordCountsCharacters(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{
		{"123456789", false},
		{"1234567890", true},
		{"ümlautümla", true},             // 10 characters, 14 bytes
		{"日本語のパスワ", false},               // 7 characters, 21 bytes: too short though > 10 bytes
		{strings.Repeat("é", 256), true}, // 256 characters, 512 bytes
		{strings.Repeat("a", 257), false},
	} {
		if err := domain.CheckPassword(tc.pw); (err == nil) != tc.ok {
			t.Errorf("CheckPassword(%q) = %v, want ok %v", tc.pw, err, tc.ok)
		}
	}
}

func TestCreateUserRules(t *testing.T) {
	setup, store, clock := newSetup(t)
	ctx := context.Background()
	u, err := setup.CreateUser(ctx, setupAdmin, domain.User{Email: " Fran@Clinic.Test ", Name: "Fran", Role: domain.RoleFrontDesk, Active: true}, "long enough pw")
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "fran@clinic.test" || u.PasswordHash != "hashed:long enough pw" || !u.CreatedAt.Equal(clock.Now()) {
		t.Errorf("CreateUser = %+v, want the email normalised, the password hashed, created now", u)
	}
	audit := store.Data().Audit
	if len(audit) != 1 || audit[0].Action != "user.create" || audit[0].EntityID != u.ID || audit[0].Actor != setupAdmin {
		t.Fatalf("audit = %+v, want one user.create by the admin", audit)
	}
	if after := audit[0].After.(domain.User); after.PasswordHash != "" {
		t.Errorf("the audit snapshot keeps the password hash")
	}
	_, err = setup.CreateUser(ctx, setupAdmin, domain.User{Email: "FRAN@clinic.test", Role: domain.RoleAdmin, Active: true}, "long enough pw")
	if !errors.Is(err, domain.ErrEmailTaken) {
		t.Errorf("CreateUser(taken email) = %v, want ErrEmailTaken", err)
	}
	_, err = setup.CreateUser(ctx, setupAdmin, domain.User{Email: "nope", Role: "boss"}, "short")
	e := wantErr(t, err, domain.KindInvalid, "")
	if got := fieldsOf(e); got != "email,role,password" {
		t.Errorf("invalid user names %s, want email, role and password at once", got)
	}
	if n := len(store.Data().Users); n != 1 {
		t.Errorf("%d users stored, want the one valid", n)
	}
}

func fieldsOf(e *domain.Error) string {
	var out []string
	for _, f := range e.Problems() {
		out = append(out, f.Field)
	}
	return strings.Join(out, ",")
}

func TestUpdateUserKeepsPassword(t *testing.T) {
	setup, store, _ := newSetup(t)
	ctx := context.Background()
	u, err := setup.CreateUser(ctx, setupAdmin, domain.User{Email: "fran@clinic.test", Role: domain.RoleFrontDesk, Active: true}, "long enough pw")
	if err != nil {
		t.Fatal(err)
	}
	u.Name, u.PasswordHash = "Fran D.", ""
	got, err := setup.UpdateUser(ctx, setupAdmin, u, "")
	if err != nil || got.PasswordHash != "hashed:long enough pw" || got.Name != "Fran D." {
		t.Errorf("UpdateUser without a password = %+v, %v; want the new name and the old hash", got, err)
	}
	if _, err := setup.UpdateUser(ctx, setupAdmin, u, "short"); domain.ErrorKind(err) != domain.KindInvalid {
		t.Errorf("UpdateUser(short password) = %v, want invalid", err)
	}
	if audit := store.Data().Audit; len(audit) != 2 || audit[1].Before.(domain.User).Name != "" || audit[1].After.(domain.User).Name != "Fran D." {
		t.Errorf("audit = %+v, want the create and one update with before and after", audit)
	}
}

// TestSetupCrashBeforeCommit: a failure between the change and the commit
// leaves neither the change nor its audit entry.
func TestSetupCrashBeforeCommit(t *testing.T) {
	setup, store, _ := newSetup(t)
	ctx := context.Background()
	crash := errors.New("crash")
	store.FailBeforeCommit(crash)
	svc := domain.Service{Name: "Massage", Kind: domain.KindMassage, Duration: time.Hour, Currency: "USD", Active: true}
	if _, err := setup.CreateService(ctx, setupAdmin, svc); !errors.Is(err, crash) {
		t.Fatalf("CreateService = %v, want the crash", err)
	}
	if d := store.Data(); len(d.Services) != 0 || len(d.Audit) != 0 {
		t.Errorf("after the crash: %d services, %d audit entries; want none", len(d.Services), len(d.Audit))
	}
	got, err := setup.CreateService(ctx, setupAdmin, svc)
	if err != nil {
		t.Fatal(err)
	}
	if d := store.Data(); len(d.Services) != 1 || len(d.Audit) != 1 || d.Audit[0].EntityID != got.ID {
		t.Errorf("after the retry: %d services, audit %+v; want both", len(d.Services), d.Audit)
	}
}

func TestSetWorkingHoursValidates(t *testing.T) {
	setup, store, _ := newSetup(t)
	ctx := context.Background()
	p, err := setup.CreatePractitioner(ctx, setupAdmin, domain.Practitioner{Name: "Ben", TimeZone: "UTC", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	bad := []domain.WorkingHours{{Weekday: 9, Range: domain.TimeRange{Start: domain.At(9, 0), End: domain.At(17, 0)}},
		{Weekday: time.Monday, Range: domain.TimeRange{Start: domain.At(12, 0), End: domain.At(12, 0)}}}
	_, err = setup.SetWorkingHours(ctx, setupAdmin, p.ID, bad)
	if got := fieldsOf(wantErr(t, err, domain.KindInvalid, "")); got != "hours[0].weekday,hours[1].end" {
		t.Errorf("bad hours name %s", got)
	}
	if _, err := setup.SetWorkingHours(ctx, setupAdmin, domain.NewID(), nil); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SetWorkingHours(unknown practitioner) = %v, want ErrNotFound", err)
	}
	if n := len(store.Data().Audit); n != 1 {
		t.Errorf("%d audit entries, want only the practitioner's creation", n)
	}
}

func TestParseTimeRange(t *testing.T) {
	for _, tc := range []struct {
		start, end string
		fields     string
	}{
		{"09:00", "17:30", ""},
		{"9am", "17:30", "s"},
		{"09:00", "25:00", "e"},
		{"12:00", "12:00", "e"},
		{"x", "y", "se"},
	} {
		var v domain.Validation
		_, ok := domain.ParseTimeRange(&v, "s", "e", tc.start, tc.end)
		var got string
		if err := v.Err(); err != nil {
			got = strings.ReplaceAll(fieldsOf(err.(*domain.Error)), ",", "")
		}
		if got != tc.fields || ok != (tc.fields == "") {
			t.Errorf("ParseTimeRange(%q, %q) = ok %v, fields %q; want %q", tc.start, tc.end, ok, got, tc.fields)
		}
	}
}

// FuzzParseTimeRange: any two strings either give a valid range (which
// prints back to what parses to it) or name a field; never a panic.
func FuzzParseTimeRange(f *testing.F) {
	f.Add("09:00", "17:30")
	f.Add("24:00", "00:00")
	f.Add("", "9")
	f.Fuzz(func(t *testing.T, start, end string) {
		var v domain.Validation
		r, ok := domain.ParseTimeRange(&v, "start", "end", start, end)
		if ok != (v.Err() == nil) {
			t.Fatalf("ok %v but problems %v", ok, v.Err())
		}
		if !ok {
			return
		}
		if r.Validate() != nil {
			t.Fatalf("accepted an invalid range %v", r)
		}
		var again domain.Validation
		if r2, ok := domain.ParseTimeRange(&again, "s", "e", r.Start.String(), r.End.String()); !ok || r2 != r {
			t.Fatalf("%v does not round-trip: %v %v", r, r2, again.Err())
		}
	})
}
