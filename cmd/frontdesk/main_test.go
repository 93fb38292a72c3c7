package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/domain/domaintest"
	"github.com/frontdesk/frontdesk/storage"
)

// TestServeDemoBinary builds the real binary, starts it on a fresh data dir
// with --demo, waits for /readyz, reads the services and stops it with
// SIGTERM: what a new user does first.
func TestServeDemoBinary(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	cmd := exec.Command(bin, "serve", "--demo")
	cmd.Env = append(os.Environ(), "DATA_DIR="+dir, "ADDR="+addr, "DATABASE_URL=", "SMTP_URL=", "METRICS_ADDR="+metricsAddr, "METRICS_TOKEN=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	cmd.Stderr = &logs
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.Contains(line, "Staff sign-in: admin@") {
		t.Fatalf("first line = %q (%v), want the admin's sign-in", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	base := "http://" + addr
	waitReady(t, base+"/readyz", 20*time.Second)
	t.Logf("ready after %v", time.Since(began).Round(time.Millisecond))

	res, err := http.Get(base + "/api/v1/services")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Services []struct {
			Name string `json:"name"`
			Kind string `json:"kind"`
		} `json:"services"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /api/v1/services = %d, %v", res.StatusCode, err)
	}
	if len(body.Services) < 6 || body.Services[0].Kind != "case_review" {
		t.Fatalf("services = %+v, want the case review first and the massage menu", body.Services)
	}

	// /metrics is on METRICS_ADDR only, not on the public listener.
	if code := getStatus(t, base+"/metrics"); code != 404 {
		t.Errorf("GET /metrics on ADDR = %d, want 404", code)
	}
	if code := getStatus(t, "http://"+metricsAddr+"/metrics"); code != 200 {
		t.Errorf("GET /metrics on METRICS_ADDR = %d, want 200", code)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("no exit 15s after SIGTERM\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "stopped") {
		t.Errorf("logs do not say it stopped cleanly:\n%s", logs.String())
	}
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestConfigNamesBadValues: a bad value stops start-up naming the variable.
func TestConfigNamesBadValues(t *testing.T) {
	for _, tc := range []struct{ key, value string }{
		{"ADDR", "nonsense"},
		{"BASE_URL", "ftp://x"},
		{"SMTP_URL", "http://mail"},
		{"MAIL_FROM", "Clinic <not an address>"},
		{"MAIL_FROM", "Clinic\r\nBcc: x <a@b.c>"},
		{"PUBLIC_RATE_LIMIT", "-1"},
		{"FEED_RATE_LIMIT", "lots"},
		{"CATALOG_CACHE_TTL", "1 second"},
		{"CATALOG_CACHE_TTL", "-1s"},
		{"LOG_LEVEL", "loud"},
		{"TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"},
		{"METRICS_ADDR", "9090"},
		{"METRICS_TOKEN", "short"},
	} {
		env := map[string]string{tc.key: tc.value}
		_, err := loadConfig(func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("loadConfig(%s=%q) = %v, want an error naming %s", tc.key, tc.value, err, tc.key)
		}
	}
}

// TestConfigTuning: the tuning variables take their documented forms.
func TestConfigTuning(t *testing.T) {
	env := map[string]string{"FEED_RATE_LIMIT": "0", "CATALOG_CACHE_TTL": "0"}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil || cfg.feedRateLimit() >= 0 || cfg.CatalogTTL != 0 {
		t.Errorf("FEED_RATE_LIMIT=0, CATALOG_CACHE_TTL=0: feed limit %d, TTL %v, %v; want off and 0", cfg.feedRateLimit(), cfg.CatalogTTL, err)
	}
	env = map[string]string{"FEED_RATE_LIMIT": "600", "CATALOG_CACHE_TTL": "250ms"}
	cfg, err = loadConfig(func(k string) string { return env[k] })
	if err != nil || cfg.feedRateLimit() != 600 || cfg.CatalogTTL != 250*time.Millisecond {
		t.Errorf("FEED_RATE_LIMIT=600, CATALOG_CACHE_TTL=250ms: %d, %v, %v", cfg.feedRateLimit(), cfg.CatalogTTL, err)
	}
	cfg, _ = loadConfig(func(string) string { return "" })
	if cfg.feedRateLimit() != 60 || cfg.CatalogTTL != time.Second {
		t.Errorf("defaults: feed limit %d, TTL %v; want 60 and 1s", cfg.feedRateLimit(), cfg.CatalogTTL)
	}
}

func TestUserAddReadsPasswordFromStdin(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"DATA_DIR": dir}
	getenv := func(k string) string { return env[k] }
	var out strings.Builder
	err := run(context.Background(), []string{"user", "add", "--email", "Owner@Clinic.example", "--role", "admin"}, getenv,
		strings.NewReader("correct horse battery\n"), &out, io.Discard)
	if err != nil || !strings.Contains(out.String(), "created admin owner@clinic.example") {
		t.Fatalf("user add = %v, %q", err, out.String())
	}
	err = run(context.Background(), []string{"user", "add", "--email", "x@clinic.example", "--role", "admin"}, getenv,
		strings.NewReader("short\n"), &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("user add with a short password = %v, want an error about the password", err)
	}
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "frontdesk")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(t *testing.T, url string, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for ctx.Err() == nil {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal(fmt.Errorf("%s not ready within %v", url, within))
}

// TestMailFromDisplayName: MAIL_FROM may carry a display name; start-up
// stores it as the clinic's sender name beside the address, a booking's
// outbox rows carry it (the worker puts it in From and the ORGANIZER's CN),
// and a bare MAIL_FROM later gives the clinic's own name back.
func TestMailFromDisplayName(t *testing.T) {
	ctx := context.Background()
	env := map[string]string{"MAIL_FROM": "Riverside Clinic <Desk@Clinic.example>"}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("loadConfig(MAIL_FROM=%q) = %v", env["MAIL_FROM"], err)
	}
	store, err := storage.Open(ctx, filepath.Join(t.TempDir(), "frontdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := seedDemo(ctx, store, cfg, io.Discard); err != nil {
		t.Fatal(err)
	}
	c, err := store.Clinic(ctx)
	if err != nil || c.Email != "desk@clinic.example" || c.SenderName != "Riverside Clinic" {
		t.Fatalf("clinic sender = %q <%s> (%v), want Riverside Clinic <desk@clinic.example>", c.SenderName, c.Email, err)
	}

	bookDemoVisit(t, store)
	msgs, err := store.Messages(ctx, domain.MessageFilter{})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("outbox = %d messages, %v", len(msgs), err)
	}
	for _, m := range msgs {
		if m.Notice.Sender() != "Riverside Clinic" || m.Notice.ClinicEmail != "desk@clinic.example" {
			t.Errorf("%s message from %q <%s>, want Riverside Clinic <desk@clinic.example>", m.Kind, m.Notice.Sender(), m.Notice.ClinicEmail)
		}
	}

	bare, _ := loadConfig(func(k string) string { return map[string]string{"MAIL_FROM": "desk@clinic.example"}[k] })
	if err := applyMailFrom(ctx, store, bare.MailFrom); err != nil {
		t.Fatal(err)
	}
	if c, _ := store.Clinic(ctx); c.SenderName != "" || c.Sender() != c.Name {
		t.Errorf("after a bare MAIL_FROM the sender is %q, want the clinic's name %q", c.Sender(), c.Name)
	}
}

// bookDemoVisit books the first open massage of the demo clinic for a new
// patient, through the scheduler, as the public API would.
func bookDemoVisit(t *testing.T, store *storage.Store) domain.Booked {
	t.Helper()
	ctx := context.Background()
	c, err := store.Clinic(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clock := domaintest.NewClock(time.Now())
	sched := &domain.Scheduler{Store: store, Clock: clock, BaseURL: "http://127.0.0.1"}
	services, _ := store.Services(ctx, false)
	var svc domain.Service
	for _, s := range services {
		if s.Kind == domain.KindMassage && s.OnlineBookable {
			svc = s
		}
	}
	today := clock.Now().In(c.Location())
	slots, err := sched.Availability(ctx, domain.AvailabilityQuery{
		ServiceID: svc.ID, From: domain.DateOf(today.AddDate(0, 0, 1)), To: domain.DateOf(today.AddDate(0, 0, 14)),
	})
	if err != nil || len(slots) == 0 {
		t.Fatalf("availability = %d slots, %v", len(slots), err)
	}
	booked, err := sched.Book(ctx, domain.BookRequest{
		ServiceID: svc.ID, PractitionerID: slots[0].PractitionerID, Start: slots[0].Start,
		Patient: domain.Patient{Name: "Jo Sender", Email: "jo@example.com"}, Actor: domain.ActorPatient,
	})
	if err != nil {
		t.Fatalf("Book = %v", err)
	}
	return booked
}
