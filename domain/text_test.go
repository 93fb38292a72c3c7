package domain_test

import (
	"math"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// TestTextChecks: the one check every free-text field goes through refuses
// NUL, control, separator and bidirectional formatting characters (the
// audit's U+202E, U+2028, ESC, VT, NEL), lets lines of text through, and a
// text of several lines keep its newlines and tabs.
func TestTextChecks(t *testing.T) {
	for _, s := range []string{"Ada Lovelace", "José Ñúñez", "李小龍", "O'Brien-Smith (Jr.)", "Zoë 😀", "עברית", ""} {
		if msg := domain.LineProblem(s); msg != "" {
			t.Errorf("LineProblem(%q) = %q, want none", s, msg)
		}
	}
	for _, s := range []string{"a\x00b", "\x1b[31mred", "a\vb", "a\u0085b", "a\u2028b", "a\u2029b", "evil\u202egnp.exe", "\u2066x\u2069", "a\u200fb", "\xff\xfe", "a\nb", "a\rb", "a\tb", "\x7f"} {
		if domain.LineProblem(s) == "" {
			t.Errorf("LineProblem(%q) = none, want a problem", s)
		}
	}
	for _, s := range []string{"first line\nsecond", "windows\r\nline", "a\tb", ""} {
		if msg := domain.TextProblem(s); msg != "" {
			t.Errorf("TextProblem(%q) = %q, want none", s, msg)
		}
	}
	for _, s := range []string{"a\x00b", "\x1b", "a\vb", "a\u0085b", "a\u2028b", "x\u202ey", "\xc3"} {
		if domain.TextProblem(s) == "" {
			t.Errorf("TextProblem(%q) = none, want a problem", s)
		}
	}
}

// TestPatientNameRefusesControls: a booking's patient name with a
// direction override or an escape is refused, naming the field.
func TestPatientNameRefusesControls(t *testing.T) {
	for _, name := range []string{"Ada \u202eecilA", "Ada\x1b[2J", "Ada\x00", "Ada\u2028Admin"} {
		err := domain.Patient{Name: name, Email: "ada@example.com"}.Validate("patient.")
		if !hasField(err, "patient.name") {
			t.Errorf("Validate(name %q) = %v, want patient.name", name, err)
		}
	}
	if err := (domain.Patient{Name: "Ada", Email: "ada\x00@example.com"}).Validate("patient."); !hasField(err, "patient.email") {
		t.Errorf("Validate(email with NUL) = %v, want patient.email", err)
	}
}

// TestYearsAndIntegers: dates outside 1970–2999 do not parse, instants
// outside them and integers past int32 are refused, and huge minutes
// saturate instead of wrapping.
func TestYearsAndIntegers(t *testing.T) {
	for _, s := range []string{"0001-01-01", "1969-12-31", "3000-01-01", "9999-12-31"} {
		if _, err := domain.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) = nil error", s)
		}
	}
	for _, s := range []string{"1970-01-01", "2999-12-31"} {
		if _, err := domain.ParseDate(s); err != nil {
			t.Errorf("ParseDate(%q) = %v", s, err)
		}
	}
	var v domain.Validation
	v.Instant("a", time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC))
	v.Instant("b", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	v.Instant("ok", time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC))
	v.Int32("c", math.MaxInt64)
	v.Int32("d", math.MinInt64)
	v.Int32("ok", math.MaxInt32)
	err := v.Err()
	for _, f := range []string{"a", "b", "c", "d"} {
		if !hasField(err, f) {
			t.Errorf("Validation = %v, want %s", err, f)
		}
	}
	if hasField(err, "ok") {
		t.Errorf("Validation = %v, want no problem with the values in range", err)
	}
	for _, n := range []int{math.MaxInt64, math.MinInt64, math.MaxInt64 / 60} {
		const century = 100 * 365 * 24 * time.Hour
		if d := domain.Minutes(n); (n > 0 && d < century) || (n < 0 && d > -century) {
			t.Errorf("Minutes(%d) = %v, wrapped", n, d)
		}
	}
	svc := domain.Service{Name: "X", Kind: domain.KindMassage, Duration: time.Hour, Currency: "USD", PriceCents: math.MaxInt64, SortOrder: math.MinInt64}
	if err := svc.Validate(); !hasField(err, "price_cents") || !hasField(err, "sort_order") {
		t.Errorf("Service.Validate() = %v, want price_cents and sort_order", err)
	}
}

func hasField(err error, field string) bool {
	e, ok := err.(*domain.Error)
	if !ok {
		return false
	}
	for _, p := range e.Problems() {
		if p.Field == field {
			return true
		}
	}
	return false
}
