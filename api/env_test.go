package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/api/problem"
	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// fixedNow is the tests' "now": Monday 3 March 2031, 08:00 in New York.
var fixedNow = time.Date(2031, 3, 3, 13, 0, 0, 0, time.UTC)

// env is a Server over a real, seeded store behind a real HTTP listener.
type env struct {
	t      testing.TB
	store  *storage.Store
	srv    *Server
	echo   *echo.Echo
	ts     *httptest.Server
	spec   *specChecker
	client *http.Client
	ids    seedIDs
	token  map[domain.Role]string // bearer tokens of one user per role
	user   map[domain.Role]domain.User
	logs   *lockedBuffer
}

// seedIDs are the seeded rows the tests use.
type seedIDs struct {
	caseReview, massage string // services
	chiro, therapist    string // practitioners; chiro performs the case review, therapist the massage
}

// forEachEngine runs f against a fresh seeded store of every engine.
func forEachEngine(t *testing.T, f func(t *testing.T, e *env)) {
	forEachEngineLimit(t, 0, f)
}

// forEachEngineLimit is forEachEngine with a public rate limit.
func forEachEngineLimit(t *testing.T, publicRateLimit int, f func(t *testing.T, e *env)) {
	for _, engine := range storagetest.Engines() {
		t.Run(fmt.Sprint(engine), func(t *testing.T) {
			f(t, newEnv(t, storagetest.Open(t, engine), publicRateLimit))
		})
	}
}

// newEnv builds an env; configure may set more Server fields before Echo.
func newEnv(t testing.TB, store *storage.Store, publicRateLimit int, configure ...func(*Server)) *env {
	t.Helper()
	fx := storagetest.Seed(t, store)
	logs := &lockedBuffer{}
	clock := domain.ClockFunc(func() time.Time { return fixedNow })
	srv := &Server{
		Store:           store,
		Scheduler:       &domain.Scheduler{Store: store, Clock: clock, BaseURL: "https://clinic.example"},
		Clock:           clock,
		Logger:          slog.New(slog.NewJSONHandler(logs, nil)),
		BaseURL:         "https://clinic.example",
		PublicRateLimit: publicRateLimit,
	}
	for _, f := range configure {
		f(srv)
	}
	srv.Inbox = &domain.Inbox{Store: store, Scheduler: srv.Scheduler, Clock: clock}
	e := srv.Echo()
	addTestRoutes(srv, e)
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	spec := newSpecChecker(t, ts.URL)
	spec.next = ts.Client().Transport
	en := &env{
		t: t, store: store, srv: srv, echo: e, ts: ts, spec: spec, logs: logs,
		client: &http.Client{Transport: spec, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		ids:    fixtureIDs(fx),
		token:  map[domain.Role]string{},
		user:   map[domain.Role]domain.User{},
	}
	en.addUsers()
	t.Cleanup(func() {
		if t.Failed() {
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, `"level":"ERROR"`) {
					t.Log(line)
				}
			}
		}
	})
	return en
}

// addUsers creates one user per role, with bearer tokens made directly in
// the store (hashing a password per test would only slow them down).
func (e *env) addUsers() {
	e.t.Helper()
	ctx := context.Background()
	for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleFrontDesk, domain.RolePractitioner} {
		u := domain.User{ID: domain.NewID(), Email: string(role) + "@clinic.example", Name: "Test " + string(role),
			Role: role, Active: true, CreatedAt: fixedNow, PasswordHash: testPasswordHash}
		if role == domain.RolePractitioner {
			u.PractitionerID = e.ids.therapist
		}
		if err := e.store.CreateUser(ctx, &u); err != nil {
			e.t.Fatalf("CreateUser(%s): %v", role, err)
		}
		raw, hash := domain.NewToken()
		cred := domain.Credential{ID: domain.NewID(), UserID: u.ID, Hash: hash, Kind: domain.CredentialToken,
			Name: "test", CreatedAt: fixedNow, ExpiresAt: fixedNow.Add(time.Hour)}
		if err := e.store.CreateCredential(ctx, &cred); err != nil {
			e.t.Fatalf("CreateCredential(%s): %v", role, err)
		}
		e.token[role], e.user[role] = raw, u
	}
}

const testPassword = "correct horse battery"

var testPasswordHash = func() string {
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
}()

// addTestRoutes adds what package web will do with the auth pieces: a
// cookie sign-in, a page showing the CSRF token, and a sign-out.
func addTestRoutes(s *Server, e *echo.Echo) {
	e.POST("/test/login", func(c echo.Context) error {
		u, err := s.Auth.SignIn(c.Request().Context(), c.FormValue("email"), c.FormValue("password"), c.RealIP())
		if err != nil {
			return err
		}
		if err := s.Auth.StartSession(c, u); err != nil {
			return err
		}
		return c.String(http.StatusOK, auth.CSRFToken(c))
	})
	e.GET("/test/csrf", func(c echo.Context) error { return c.String(http.StatusOK, auth.CSRFToken(c)) })
	e.POST("/test/logout", func(c echo.Context) error {
		if err := s.Auth.EndSession(c); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/test/panic", func(c echo.Context) error { panic("boom") })
}

// response is a finished request.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic value.
func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response %d is not a JSON object: %v: %s", r.status, err, r.body)
	}
	return m
}

// fields returns the field names of a problem's errors.
func (r response) fields(t testing.TB) []string {
	t.Helper()
	var p problem.Document
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem %d: %v: %s", r.status, err, r.body)
	}
	var out []string
	for _, f := range p.Errors {
		out = append(out, f.Field)
	}
	return out
}

// hasField reports whether the problem names field.
func (r response) hasField(t testing.TB, field string) bool {
	for _, f := range r.fields(t) {
		if f == field {
			return true
		}
	}
	return false
}

// req is one request to send.
type req struct {
	method, path string
	body         any         // marshalled as JSON unless a string or []byte
	role         domain.Role // "" = anonymous
	header       map[string]string
}

// do sends r and returns the response; the spec checker has seen it.
func (e *env) do(r req) response {
	e.t.Helper()
	return doWith(e.t, e.client, e.ts.URL, e.token[r.role], r)
}

func doWith(t testing.TB, client *http.Client, base, token string, r req) response {
	t.Helper()
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	hr, err := http.NewRequest(r.method, base+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range r.header {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	resp, err := client.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

// want fails the test unless r has the status.
func (r response) want(t testing.TB, status int, what string) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s = %d, want %d: %s", what, r.status, status, r.body)
	}
	return r
}

// slots asks the availability endpoint for a practitioner's slots of a
// service in the days after fixedNow.
func (e *env) slots(serviceID, practitionerID string) []slotJSON {
	e.t.Helper()
	q := url.Values{"service_id": {serviceID}, "from": {"2031-03-04"}, "to": {"2031-03-14"}}
	if practitionerID != "" {
		q.Set("practitioner_id", practitionerID)
	}
	r := e.do(req{method: "GET", path: "/api/v1/availability?" + q.Encode()}).want(e.t, 200, "availability")
	var out struct {
		Slots []slotJSON `json:"slots"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		e.t.Fatal(err)
	}
	if len(out.Slots) == 0 {
		e.t.Fatalf("no slots for service %s, practitioner %s", serviceID, practitionerID)
	}
	return out.Slots
}

// massageBooking is a valid body for the massage at start.
func (e *env) massageBooking(start, email string) map[string]any {
	return map[string]any{
		"service_id": e.ids.massage, "practitioner_id": e.ids.therapist, "start": start,
		"time_zone": "Europe/London",
		"patient":   map[string]any{"name": "Pat Example", "email": email, "phone": "+1 555 010 0200"},
	}
}

// mustBook books a massage at the first open slot offset by n slots and
// returns the response body.
func (e *env) mustBook(n int, email string) bookedJSON {
	e.t.Helper()
	s := e.slots(e.ids.massage, e.ids.therapist)
	r := e.do(req{method: "POST", path: "/api/v1/bookings", body: e.massageBooking(s[n].Start, email)}).want(e.t, 201, "book")
	var b bookedJSON
	if err := json.Unmarshal(r.body, &b); err != nil {
		e.t.Fatal(err)
	}
	return b
}

// counts returns how many bookings and patients the store holds.
func (e *env) counts() (bookings, patients int) {
	e.t.Helper()
	ctx := context.Background()
	bs, err := e.store.Bookings(ctx, domain.BookingFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	ps, err := e.store.Patients(ctx, domain.PatientFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(bs), len(ps)
}

// lockedBuffer is a log buffer shared by request goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
