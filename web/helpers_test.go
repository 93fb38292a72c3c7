package web

import (
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

func TestParsePrice(t *testing.T) {
	tests := []struct {
		in    string
		cents int
		ok    bool
	}{
		{"95", 9500, true}, {"95.5", 9550, true}, {"95.05", 9505, true}, {"0", 0, true},
		{"", 0, false}, {"-1", 0, false}, {"9.999", 0, false}, {"abc", 0, false},
	}
	for _, tc := range tests {
		cents, ok := parsePrice(tc.in)
		if cents != tc.cents || ok != tc.ok {
			t.Errorf("parsePrice(%q) = %d, %v, want %d, %v", tc.in, cents, ok, tc.cents, tc.ok)
		}
	}
}

func TestSafeNext(t *testing.T) {
	tests := map[string]string{
		"/staff/bookings/1": "/staff/bookings/1", "": "/staff", "https://evil.example": "/staff",
		"//evil.example/staff": "/staff", "/staff\\..": "/staff", "/manage/x": "/staff",
	}
	for in, want := range tests {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNavOf(t *testing.T) {
	tests := map[string]string{
		"/staff": "calendar", "/staff/bookings/:id": "bookings", "/staff/setup/hours/:id": "hours",
		"/staff/feeds": "feeds", "/staff/setup/users": "users",
	}
	for in, want := range tests {
		if got := navOf(in); got != want {
			t.Errorf("navOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNearest(t *testing.T) {
	base := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
	var slots []domain.Slot
	for _, h := range []int{-30, -2, -1, 1, 2, 3, 48} {
		slots = append(slots, domain.Slot{Start: base.Add(time.Duration(h) * time.Hour)})
	}
	got := nearest(slots, base, 4)
	want := []int{-2, -1, 1, 2}
	if len(got) != len(want) {
		t.Fatalf("nearest = %d slots, want %d", len(got), len(want))
	}
	for i, h := range want {
		if w := base.Add(time.Duration(h) * time.Hour); !got[i].Start.Equal(w) {
			t.Errorf("nearest[%d] = %v, want %v", i, got[i].Start, w)
		}
	}
}

func TestRequestHash(t *testing.T) {
	a := domain.BookRequest{ServiceID: "s", Start: time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC), Patient: domain.Patient{Name: "Ada", Email: "Ada@Example.com"}}
	b := a
	b.Patient.Email = "ada@example.com"
	if requestHash(a) != requestHash(b) {
		t.Errorf("requestHash differs for emails differing only in case")
	}
	b.Start = b.Start.Add(15 * time.Minute)
	if requestHash(a) == requestHash(b) {
		t.Errorf("requestHash equal for different starts")
	}
}

func TestProblemOf(t *testing.T) {
	if _, ok := problemOf(errors.New("db down")); ok {
		t.Errorf("problemOf(internal) ok, want the error page")
	}
	p, ok := problemOf(domain.Invalid("patient.email", "Give a valid email address."))
	if !ok || p.Fields["patient.email"] != "Give a valid email address." {
		t.Errorf("problemOf(invalid) = %+v, %v", p, ok)
	}
}

func TestFeedLinks(t *testing.T) {
	got := feedLinks("https://clinic.example/", "abc")
	if got.HTTPS != "https://clinic.example/feeds/abc.ics" || got.Webcal != "webcal://clinic.example/feeds/abc.ics" {
		t.Errorf("feedLinks = %+v", got)
	}
}

func TestLocalInstantAcrossDST(t *testing.T) {
	// 2026-03-08 is the US spring-forward day; 09:00 stays 09:00 local.
	got, err := localInstant("2026-03-08", "09:00", nyc)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 8, 13, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("localInstant = %v, want %v", got.UTC(), want)
	}
	if _, err := localInstant("2026-03-08", "9am", nyc); domain.ErrorKind(err) != domain.KindInvalid {
		t.Errorf("localInstant(bad time) = %v, want KindInvalid", err)
	}
}
