package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// TestEveryDoorSameAudit adds the same staff user through each door that
// can (the JSON API, the setup page's form and `frontdesk user add`) and
// checks that each wrote the same audit entry, on both databases.
func TestEveryDoorSameAudit(t *testing.T) {
	for _, e := range storagetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			dsn := filepath.Join(t.TempDir(), "frontdesk.db")
			if e == storagetest.Postgres {
				dsn = storagetest.PostgresDSN(t)
			}
			ctx := context.Background()
			store, err := storage.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { store.Close() })
			admin := doorAdmin(t, store)
			handler, _ := newHandler(config{DatabaseURL: dsn, BaseURL: "http://127.0.0.1"}, store, slog.New(slog.DiscardHandler), nil, nil)
			ts := httptest.NewServer(handler)
			t.Cleanup(ts.Close)

			viaAPI(t, ts.URL, admin, "api@clinic.example")
			viaForm(t, ts.URL, admin, "web@clinic.example")
			var out bytes.Buffer
			err = userCommand(ctx, config{DatabaseURL: dsn}, []string{"add", "--email", "cli@clinic.example", "--role", "frontdesk", "--name", "Door Test"},
				strings.NewReader(doorPassword+"\n"), &out)
			if err != nil {
				t.Fatalf("user add: %v", err)
			}

			entries := userCreations(t, store)
			if len(entries) != 3 {
				t.Fatalf("%d user.create entries, want one per door: %+v", len(entries), entries)
			}
			want := entries["api@clinic.example"]
			for email, got := range entries {
				if got.snapshot == nil || !maps.Equal(got.snapshot, want.snapshot) || got.before != want.before {
					t.Errorf("%s: audit after = %v (before %q), want the API's %v (before %q)", email, got.snapshot, got.before, want.snapshot, want.before)
				}
			}
			if entries["web@clinic.example"].actor != want.actor || want.actor.UserID != admin.ID {
				t.Errorf("web actor %+v, API actor %+v; want the signed-in admin on both", entries["web@clinic.example"].actor, want.actor)
			}
			if cli := entries["cli@clinic.example"].actor; cli != domain.ActorCLI {
				t.Errorf("CLI actor = %+v, want %+v", cli, domain.ActorCLI)
			}

			// Busy calendars: added and removed through the API and the
			// hours page, each change with the same audit entry.
			pr := doorPractitioner(t, store, admin)
			apiCal := busyViaAPI(t, ts.URL, admin, pr.ID, "https://calendar.example/api/basic.ics")
			webCal := busyViaForm(t, ts.URL, admin, pr.ID, "https://calendar.example/web/basic.ics")
			busy := busyEntries(t, store)
			for _, action := range []string{"busy_calendar.create", "busy_calendar.delete"} {
				a, w := busy[action+" "+apiCal], busy[action+" "+webCal]
				if a.snapshot == nil || w.snapshot == nil {
					t.Fatalf("%s: API entry %+v, web entry %+v; want one from each door", action, a, w)
				}
				if !maps.Equal(a.snapshot, w.snapshot) || a.actor != w.actor || a.actor.UserID != admin.ID {
					t.Errorf("%s: web %v by %+v, API %v by %+v; want the same entry by the admin", action, w.snapshot, w.actor, a.snapshot, a.actor)
				}
			}
		})
	}
}

// doorPractitioner adds a practitioner for the busy-calendar doors.
func doorPractitioner(t *testing.T, store *storage.Store, admin domain.User) domain.Practitioner {
	t.Helper()
	setup := &domain.Setup{Store: store, Clock: domain.SystemClock, HashPassword: auth.HashPassword}
	p, err := setup.CreatePractitioner(context.Background(), domain.ActorOf(admin), domain.Practitioner{
		Name: "Door Practitioner", TimeZone: "America/New_York", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// busyViaAPI adds a busy calendar and removes it through the JSON API; it
// returns the calendar's id.
func busyViaAPI(t *testing.T, base string, admin domain.User, practitionerID, calURL string) string {
	t.Helper()
	var tok struct{ Token string }
	postJSON(t, base+"/api/v1/auth/tokens", "", map[string]any{"email": admin.Email, "password": doorPassword}, http.StatusCreated, &tok)
	var out struct{ Calendar struct{ ID string } }
	path := base + "/api/v1/practitioners/" + practitionerID + "/busy-calendars"
	postJSON(t, path, tok.Token, map[string]any{"url": calURL, "label": "Door calendar"}, http.StatusCreated, &out)
	req, _ := http.NewRequest(http.MethodDelete, path+"/"+out.Calendar.ID, nil)
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE busy calendar = %d, want 204", res.StatusCode)
	}
	return out.Calendar.ID
}

// busyViaForm adds a busy calendar and removes it through the hours page's
// forms; it returns the calendar's id.
func busyViaForm(t *testing.T, base string, admin domain.User, practitionerID, calURL string) string {
	t.Helper()
	client, csrf := staffSession(t, base, admin, "/staff/setup/hours/"+practitionerID)
	page := base + "/staff/setup/hours/" + practitionerID
	form(t, client, page+"/busy-calendars", url.Values{"csrf_token": {csrf}, "url": {calURL}, "label": {"Door calendar"}})
	res, err := client.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`/busy-calendars/([0-9a-f-]{36})/delete`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("the hours page has no delete form for the new calendar")
	}
	form(t, client, page+"/busy-calendars/"+string(m[1])+"/delete", url.Values{"csrf_token": {csrf}})
	return string(m[1])
}

// staffSession signs in through the login form and returns the client and
// the CSRF token of page.
func staffSession(t *testing.T, base string, admin domain.User, page string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	form(t, client, base+"/staff/login", url.Values{"email": {admin.Email}, "password": {doorPassword}})
	res, err := client.Get(base + page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(body)
	if m == nil {
		t.Fatalf("%s (%d) has no CSRF token", page, res.StatusCode)
	}
	return client, string(m[1])
}

// busyEntries returns the busy-calendar audit entries by "action calendar-id",
// their snapshots without what differs by design (id, URL hint's path).
func busyEntries(t *testing.T, store *storage.Store) map[string]doorEntry {
	t.Helper()
	list, err := store.Audit(context.Background(), domain.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]doorEntry{}
	for _, e := range list {
		if e.EntityType != "busy_calendar" {
			continue
		}
		raw, _ := e.After.(json.RawMessage)
		if e.Action == "busy_calendar.delete" {
			raw, _ = e.Before.(json.RawMessage)
		}
		var snap map[string]any
		if err := json.Unmarshal(raw, &snap); err != nil {
			t.Fatalf("audit %s %s: %v", e.Action, raw, err)
		}
		if snap["ID"] != e.EntityID || strings.Contains(string(raw), "basic.ics") {
			t.Errorf("%s: entity %s, snapshot %s; want the calendar's own, without its URL", e.Action, e.EntityID, raw)
		}
		s := map[string]string{}
		for k, v := range snap {
			if k != "ID" {
				b, _ := json.Marshal(v)
				s[k] = string(b)
			}
		}
		out[e.Action+" "+e.EntityID] = doorEntry{actor: e.Actor, snapshot: s}
	}
	return out
}

const doorPassword = "correct horse battery"

func doorAdmin(t *testing.T, store *storage.Store) domain.User {
	t.Helper()
	setup := &domain.Setup{Store: store, Clock: domain.SystemClock, HashPassword: auth.HashPassword}
	u, err := setup.CreateUser(context.Background(), domain.ActorCLI,
		domain.User{Email: "admin@clinic.example", Name: "Ada Admin", Role: domain.RoleAdmin, Active: true}, doorPassword)
	if err != nil {
		t.Fatalf("create admin: %v", err)
	}
	return u
}

func viaAPI(t *testing.T, base string, admin domain.User, email string) {
	t.Helper()
	var tok struct{ Token string }
	postJSON(t, base+"/api/v1/auth/tokens", "", map[string]any{"email": admin.Email, "password": doorPassword}, http.StatusCreated, &tok)
	postJSON(t, base+"/api/v1/users", tok.Token, map[string]any{"email": email, "name": "Door Test", "role": "frontdesk", "password": doorPassword}, http.StatusCreated, nil)
}

func postJSON(t *testing.T, url, bearer string, body any, want int, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("POST %s = %d %s, want %d", url, res.StatusCode, got, want)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			t.Fatal(err)
		}
	}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func viaForm(t *testing.T, base string, admin domain.User, email string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	form(t, client, base+"/staff/login", url.Values{"email": {admin.Email}, "password": {doorPassword}})
	res, err := client.Get(base + "/staff/setup/users")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		t.Fatalf("the users page (%d) has no CSRF token", res.StatusCode)
	}
	form(t, client, base+"/staff/setup/users", url.Values{"csrf_token": {string(m[1])}, "email": {email}, "name": {"Door Test"},
		"role": {"frontdesk"}, "password": {doorPassword}, "active": {"on"}})
}

// form posts values and wants the 303 of a saved form.
func form(t *testing.T, client *http.Client, url string, values url.Values) {
	t.Helper()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.PostForm(url, values)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("POST %s = %d, want 303: %s", url, res.StatusCode, body)
	}
}

type doorEntry struct {
	actor    domain.Actor
	before   string
	snapshot map[string]string // the after snapshot without what differs by design (id, email, time)
}

// userCreations returns the user.create entries of the three door users,
// by email.
func userCreations(t *testing.T, store *storage.Store) map[string]doorEntry {
	t.Helper()
	list, err := store.Audit(context.Background(), domain.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]doorEntry{}
	for _, e := range list {
		if e.Action != "user.create" || e.EntityType != "user" {
			continue
		}
		var after map[string]any
		raw, _ := e.After.(json.RawMessage)
		if err := json.Unmarshal(raw, &after); err != nil {
			t.Fatalf("audit after %s: %v", raw, err)
		}
		email, _ := after["Email"].(string)
		if email == "admin@clinic.example" {
			continue
		}
		if after["ID"] != e.EntityID {
			t.Errorf("%s: entity %s, snapshot of %v", email, e.EntityID, after["ID"])
		}
		snap := map[string]string{}
		for k, v := range after {
			if k != "ID" && k != "Email" && k != "CreatedAt" {
				b, _ := json.Marshal(v)
				snap[k] = string(b)
			}
		}
		before, _ := e.Before.(json.RawMessage)
		out[email] = doorEntry{actor: e.Actor, before: string(before), snapshot: snap}
	}
	return out
}
