package web

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/domain"
)

// TestPagesRender executes every page template with empty and with full
// data, as a patient and as signed-in staff, and checks what every page
// must have.
func TestPagesRender(t *testing.T) {
	full, empty := fullPages(), emptyPages()
	var names []string
	for name := range pages {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, tc := range []struct {
			label string
			data  any
			user  *domain.User
		}{
			{"empty", empty[name], nil},
			{"full", full[name], nil},
			{"full staff", full[name], &fixUser},
		} {
			t.Run(name+"/"+tc.label, func(t *testing.T) {
				if tc.data == nil {
					t.Fatalf("no %s fixture for page %q", tc.label, name)
				}
				html := mustRender(t, name, layout{Title: "T", Clinic: fixClinic, User: tc.user, CSRF: "csrf-123"}, tc.data)
				checkPage(t, html, tc.user != nil)
			})
		}
	}
}

func mustRender(t *testing.T, name string, l layout, d any) string {
	t.Helper()
	b, err := renderPage(name, view{L: l, D: d})
	if err != nil {
		t.Fatalf("renderPage(%s) = %v", name, err)
	}
	return string(b)
}

var (
	inputRe  = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	idRe     = regexp.MustCompile(`\bid="([^"]+)"`)
	typeRe   = regexp.MustCompile(`\btype="([^"]+)"`)
	formRe   = regexp.MustCompile(`(?s)<form method="post"(.*?)</form>`)
	describe = regexp.MustCompile(`aria-describedby="([^"]+)"`)
)

// checkPage asserts the rules every page keeps: lang, landmarks, no
// template escaping failure, a label for every input, the CSRF token in
// every staff POST form, and every aria-describedby pointing at an element.
func checkPage(t *testing.T, html string, staff bool) {
	t.Helper()
	for _, want := range []string{`<html lang="en">`, `<main id="main"`, `<header`, `<footer`, "Riverside Chiropractic"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(html, "ZgotmplZ") {
		t.Errorf("page holds ZgotmplZ: a value was rejected by html/template:\n%s", excerpt(html, "ZgotmplZ"))
	}
	for _, tag := range inputRe.FindAllString(html, -1) {
		if typ := typeRe.FindStringSubmatch(tag); typ != nil && (typ[1] == "hidden" || typ[1] == "checkbox" || typ[1] == "radio") {
			continue // hidden fields need none; checkboxes and radios sit inside their <label>
		}
		if strings.Contains(tag, "aria-label=") {
			continue
		}
		id := idRe.FindStringSubmatch(tag)
		if id == nil || !strings.Contains(html, `for="`+id[1]+`"`) {
			t.Errorf("input without a label: %s", tag)
		}
	}
	if staff {
		for _, f := range formRe.FindAllString(html, -1) {
			if !strings.Contains(f, `name="csrf_token" value="csrf-123"`) {
				t.Errorf("staff form without the CSRF token: %.200s", f)
			}
		}
	}
	for _, m := range describe.FindAllStringSubmatch(html, -1) {
		for _, id := range strings.Fields(m[1]) {
			if !strings.Contains(html, `id="`+id+`"`) {
				t.Errorf("aria-describedby=%q names no element", id)
			}
		}
	}
}

func excerpt(s, near string) string {
	i := strings.Index(s, near)
	return s[max(0, i-200):min(len(s), i+100)]
}

// TestPageContent checks what each full page tells its reader.
func TestPageContent(t *testing.T) {
	full := fullPages()
	tests := []struct {
		page string
		want []string
	}{
		{"landing", []string{"Complimentary Case Review", "Free · 15 minutes", "Swedish Massage", "60 min", "$95.00", "90 min", "$135.00", "Other services"}},
		{"practitioner", []string{"First available", "Dr. Maya Chen", "tz=Europe%2fBerlin"}},
		{"times", []string{"Europe/Berlin", "Tuesday 10 March", "3:00 PM", "No open times", "Later →", `name="tz"`}},
		{"details", []string{"was just taken", `value="Ada Lovelace"`, `value="ada@"`, "Nearest open times", `value="key-1"`, "Give a valid email address.", `aria-describedby="err-patient-email"`, `value="neck" checked`, `value="weeks" checked`}},
		{"manage", []string{"You are booked", "email with a calendar invitation is on its way", "Europe/Berlin", "calendar.google.com/calendar/render?action=TEMPLATE", "dates=20260310T140000Z%2F20260310T141500Z", "outlook.live.com/calendar/0/deeplink/compose?", "/api/v1/manage/tok/calendar.ics", "up to 24 hours before", "Cancel my visit", "120 River Street"}},
		{"calendar", []string{"Dr. Maya Chen", "Ada Lovelace", "status-cancelled", "Lunch course", `class="now"`, "Overbooked", `href="/staff/bookings/66666666-6666-4666-8666-666666666666"`, "closed"}},
		{"booking", []string{"Neck, Back", "Months", "Prefers mornings.", "No-show", "Move visit", "Cancel visit", "Taken.", "Name given", "Ada Impostor", "555 666 0000"}},
		{"newbooking", []string{"Ada Lovelace", "First available", "Overbook", "Where does it hurt?"}},
		{"feeds", []string{"webcal://clinic.example/feeds/abc.ics", "https://clinic.example/feeds/abc.ics", "Rotate"}},
		{"notifications", []string{"dial tcp: connection refused", "Retry", "Dead"}},
		{"hours", []string{"09:00", "13:30", "Christmas Eve", "Conference", "The end must be after the start.", "Home (Google)", "42 busy times", "https://outlook.office365.com/…", "Failing 3 times in a row"}},
	}
	for _, tc := range tests {
		html := mustRender(t, tc.page, layout{Title: "T", Clinic: fixClinic, User: &fixUser, CSRF: "c"}, full[tc.page])
		for _, w := range tc.want {
			if !strings.Contains(html, w) {
				t.Errorf("page %s lacks %q", tc.page, w)
			}
		}
	}
}

// TestEveryPageHasFixtures keeps the fixtures in step with the templates.
func TestEveryPageHasFixtures(t *testing.T) {
	full, empty := fullPages(), emptyPages()
	for name := range pages {
		if full[name] == nil || empty[name] == nil {
			t.Errorf("page %q has no fixture in fullPages or emptyPages", name)
		}
	}
	if len(full) != len(pages) || len(empty) != len(pages) {
		t.Errorf("fixtures for %d/%d pages, templates for %d", len(full), len(empty), len(pages))
	}
}
