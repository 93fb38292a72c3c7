package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/storage"
)

// TestHealthcheck: the compose healthcheck passes against a live server's
// /readyz and fails against a dead port, a server that is not ready and a
// URL that is not one.
func TestHealthcheck(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "frontdesk.db")
	store, err := storage.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	handler, _ := newHandler(config{DatabaseURL: dsn, BaseURL: "http://127.0.0.1"}, store, slog.New(slog.DiscardHandler), nil, nil)
	ts := httptest.NewServer(handler)
	t.Cleanup(ts.Close)
	probe := func(args ...string) error {
		var out bytes.Buffer
		return run(ctx, append([]string{"healthcheck"}, args...), func(string) string { return "" }, strings.NewReader(""), &out, io.Discard)
	}

	if err := probe("--url", ts.URL+"/readyz"); err != nil {
		t.Errorf("healthcheck of a live server = %v, want nil", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/readyz"
	ln.Close()
	if err := probe("--url", dead); err == nil {
		t.Errorf("healthcheck of a dead port = nil, want an error")
	}
	store.Close() // the database is gone: /readyz answers 503
	if err := probe("--url", ts.URL+"/readyz"); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("healthcheck of a server without its database = %v, want a 503 error", err)
	}
	if err := probe("--url", "::not a url"); err == nil {
		t.Errorf("healthcheck of a bad URL = nil, want an error")
	}
	if err := probe("extra"); !errors.Is(err, errUsage) {
		t.Errorf("healthcheck extra = %v, want the usage", err)
	}
}

// TestHealthcheckDefaultURL: without --url the probe goes to ADDR on this machine.
func TestHealthcheckDefaultURL(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{":8080", "http://127.0.0.1:8080/readyz"},
		{"0.0.0.0:9000", "http://127.0.0.1:9000/readyz"},
		{"[::]:8080", "http://127.0.0.1:8080/readyz"},
		{"10.1.2.3:8080", "http://10.1.2.3:8080/readyz"},
		{"[::1]:8080", "http://[::1]:8080/readyz"},
	} {
		if got := readyzURL(tc.addr); got != tc.want {
			t.Errorf("readyzURL(%q) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

// TestUsageListsEveryCommand: the usage text names every subcommand run
// dispatches, and nothing it does not; and every variable the
// configuration reads.
func TestUsageListsEveryCommand(t *testing.T) {
	listed := map[string]bool{}
	inCommands := false
	for _, line := range strings.Split(usage, "\n") {
		switch {
		case line == "commands:":
			inCommands = true
		case line == "":
			inCommands = false
		case inCommands:
			if m := regexp.MustCompile(`^  ([a-z]+)\b`).FindStringSubmatch(line); m != nil {
				listed[m[1]] = true
			}
		}
	}
	for name := range commands {
		if !listed[name] {
			t.Errorf("usage does not list the command %q", name)
		}
	}
	for name := range listed {
		if _, ok := commands[name]; !ok {
			t.Errorf("usage lists %q, which is no command", name)
		}
	}

	env := usage[strings.Index(usage, "environment:"):]
	read := map[string]bool{}
	_, _ = loadConfig(func(k string) string { read[k] = true; return "" })
	tuneGC(func(k string) string { read[k] = true; return "set" })
	for k := range read {
		if !regexp.MustCompile(`\b` + k + `\b`).MatchString(env) {
			t.Errorf("the configuration reads %s, which the usage does not name", k)
		}
	}
}
