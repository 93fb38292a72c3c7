package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/problem"
	"github.com/frontdesk/frontdesk/domain"
)

func TestDecodeJSON(t *testing.T) {
	type inner struct {
		Email string `json:"email"`
	}
	type body struct {
		Name    string `json:"name"`
		Patient inner  `json:"patient"`
		N       int    `json:"n"`
	}
	tests := []struct {
		name, in  string
		wantField string // "" = no field named
		wantErr   bool
	}{
		{"ok", `{"name":"a","patient":{"email":"x@y.z"},"n":1}`, "", false},
		{"empty", ``, "", true},
		{"blank", "  \n", "", true},
		{"malformed", `{"name":`, "", true},
		{"syntax", `{"name" "a"}`, "", true},
		{"trailing", `{"name":"a"} {"x":1}`, "", true},
		{"trailing garbage", `{"name":"a"}x`, "", true},
		{"unknown", `{"nope":1}`, "nope", true},
		{"wrong type nested", `{"patient":{"email":1}}`, "patient.email", true},
		{"wrong type", `{"n":"1"}`, "n", true},
		{"array", `[1,2]`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b body
			err := decodeJSON([]byte(tt.in), &b)
			if (err != nil) != tt.wantErr {
				t.Fatalf("decodeJSON(%q) = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err == nil {
				return
			}
			if got := problem.Status(err); got != http.StatusBadRequest {
				t.Errorf("decodeJSON(%q) status = %d, want 400", tt.in, got)
			}
			p := problem.For(err)
			field := ""
			if len(p.Errors) > 0 {
				field = p.Errors[0].Field
			}
			if field != tt.wantField {
				t.Errorf("decodeJSON(%q) field = %q, want %q (%v)", tt.in, field, tt.wantField, err)
			}
		})
	}
}

func TestRequireJSON(t *testing.T) {
	for ct, ok := range map[string]bool{
		"application/json":                  true,
		"application/json; charset=utf-8":   true,
		"application/merge-patch+json":      true,
		"text/plain":                        false,
		"":                                  false,
		"application/x-www-form-urlencoded": false,
	} {
		err := requireJSON(ct)
		if (err == nil) != ok {
			t.Errorf("requireJSON(%q) = %v, want ok %v", ct, err, ok)
		}
		if err != nil && problem.Status(err) != http.StatusUnsupportedMediaType {
			t.Errorf("requireJSON(%q) status = %d, want 415", ct, problem.Status(err))
		}
	}
}

func TestProblemStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{domain.Invalid("start", "bad"), 422},
		{domain.ErrNotFound, 404},
		{domain.ErrSlotTaken, 409},
		{fmt.Errorf("create booking: %w", domain.ErrSlotTaken), 409},
		{domain.ErrForbidden, 403},
		{domain.ErrUnauthorized, 401},
		{domain.ErrUnavailable, 503},
		{problem.TooMany(time.Second), 429},
		{errors.New("pq: secret table"), 500},
		{echo.ErrNotFound, 404},
		{echo.ErrMethodNotAllowed, 405},
		{echo.ErrStatusRequestEntityTooLarge, 413},
		{badRequest("x", "y"), 400},
	}
	for _, tt := range tests {
		if got := problem.Status(tt.err); got != tt.want {
			t.Errorf("problem.Status(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestProblemHidesInternalErrors(t *testing.T) {
	p := problem.For(fmt.Errorf("insert booking: %w", errors.New(`pq: relation "bookings" does not exist`)))
	if p.Status != 500 || strings.Contains(p.Detail, "bookings") {
		t.Errorf("For(internal) = %+v, want a 500 with a generic detail", p)
	}
	p = problem.For(domain.ErrSlotTaken)
	if !strings.Contains(p.Detail, "just taken") {
		t.Errorf("For(ErrSlotTaken).Detail = %q, want it to say the time was just taken", p.Detail)
	}
	v := domain.Validation{}
	v.Add("patient.email", "Give a valid email address.")
	v.Add("start", "Choose a time.")
	p = problem.For(v.Err())
	if len(p.Errors) != 2 || p.Errors[0].Field != "patient.email" || p.Errors[1].Field != "start" {
		t.Errorf("For(validation).Errors = %+v, want patient.email and start", p.Errors)
	}
}

func TestMaskPath(t *testing.T) {
	tests := map[string]string{
		"/api/v1/manage/abcdefghijklmnop/cancel": "/api/v1/manage/abcdef…/cancel",
		"/manage/abcdefghijkl":                   "/manage/abcdef…",
		"/feeds/abcdefghijklmnop.ics":            "/feeds/abcdef…",
		"/api/v1/bookings":                       "/api/v1/bookings",
	}
	for in, want := range tests {
		if got := maskPath(in); got != want {
			t.Errorf("maskPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWebcal(t *testing.T) {
	if got := webcal("https://clinic.example/feeds/x.ics"); got != "webcal://clinic.example/feeds/x.ics" {
		t.Errorf("webcal = %q", got)
	}
}
