// Package icalcheck runs Mozilla's ical.js (the parser Thunderbird uses) on a
// calendar from Go tests, through check.js beside this file. check.js also
// rejects bare CR or LF, lines over 75 octets and invalid UTF-8, which
// ical.js itself tolerates.
package icalcheck

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Run parses ics with ical.js and decodes check.js's JSON report into
// report. It fails the test when ical.js rejects the calendar, and when
// node or the pinned ical.js is missing (it never skips).
func Run(t testing.TB, ics []byte, report any) {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Dir(self)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "ical.js")); err != nil {
		t.Fatalf("ical.js is not installed: run `npm ci --prefix tools/icalcheck` in the module root (%v)", err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is not installed: run `apt-get install -y nodejs npm` (%v)", err)
	}
	file := filepath.Join(t.TempDir(), "in.ics")
	if err := os.WriteFile(file, ics, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("node", filepath.Join(dir, "check.js"), file)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ical.js rejects the calendar: %v: %s\n%s", err, stderr.String(), ics)
	}
	if err := json.Unmarshal(stdout.Bytes(), report); err != nil {
		t.Fatalf("read check.js output %q: %v", stdout.String(), err)
	}
}

// RunPython parses ics with python-icalendar (/usr/bin/python3, Debian's
// python3-icalendar) through check.py beside this file and decodes its JSON
// report into report. It fails the test when the library rejects the
// calendar or is missing (it never skips).
func RunPython(t testing.TB, ics []byte, report any) {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	file := filepath.Join(t.TempDir(), "in.ics")
	if err := os.WriteFile(file, ics, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("/usr/bin/python3", filepath.Join(filepath.Dir(self), "check.py"), file)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python-icalendar rejects the calendar (apt-get install -y python3-icalendar): %v: %s\n%s", err, stderr.String(), ics)
	}
	if err := json.Unmarshal(stdout.Bytes(), report); err != nil {
		t.Fatalf("read check.py output %q: %v", stdout.String(), err)
	}
}
