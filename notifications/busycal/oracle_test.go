package busycal

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// fixtures are calendars as Google, Outlook (Exchange) and Apple (iCloud)
// publish them, each read for a practitioner in its own zone.
var fixtures = []struct {
	file, zone string
}{
	{"google-basic.ics", "Europe/London"},
	{"outlook-published.ics", "America/New_York"},
	{"apple-icloud.ics", "Europe/Berlin"},
}

// yearWindow is the year the expansions are compared over.
var yearWindow = domain.Interval{
	Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	End:   time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
}

// oracle runs the independent expansion (python3-icalendar with
// recurring-ical-events, see testdata/expand.py) over the fixture.
func oracle(t *testing.T, file, zone string, w domain.Interval) [][2]int64 {
	t.Helper()
	cmd := exec.Command("/usr/bin/python3", filepath.Join("testdata", "expand.py"), filepath.Join("testdata", file), zone,
		strconv.FormatInt(w.Start.Unix(), 10), strconv.FormatInt(w.End.Unix(), 10))
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("expand.py %s: %v\n%s(run scripts/test-deps.sh: it installs python3-recurring-ical-events)", file, err, stderr)
	}
	var got [][2]int64
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("expand.py %s output: %v", file, err)
	}
	return got
}

func mustExpand(t *testing.T, file, zone string, w domain.Interval) domain.Expansion {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := Expander{}.Expand(body, domain.ExpandRequest{Zone: loc, Window: w})
	if err != nil {
		t.Fatalf("Expand(%s) = %v", file, err)
	}
	return exp
}

// TestExpandMatchesIndependentExpansion compares a year of each fixture's
// busy instances with python's recurring-ical-events.
func TestExpandMatchesIndependentExpansion(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.file, func(t *testing.T) {
			exp := mustExpand(t, f.file, f.zone, yearWindow)
			if exp.Warning != "" {
				t.Errorf("Warning = %q, want none", exp.Warning)
			}
			got := map[[2]int64]bool{}
			for _, e := range exp.Events {
				got[[2]int64{e.Start.Unix(), e.End.Unix()}] = true
			}
			want := oracle(t, f.file, f.zone, yearWindow)
			if len(want) < 50 {
				t.Fatalf("the oracle found %d instances; the fixture should make many more", len(want))
			}
			wantSet := map[[2]int64]bool{}
			for _, iv := range want {
				wantSet[iv] = true
				if !got[iv] {
					t.Errorf("missing %s", show(iv, f.zone))
				}
			}
			for iv := range got {
				if !wantSet[iv] {
					t.Errorf("extra %s", show(iv, f.zone))
				}
			}
			if len(exp.Events) != len(got) {
				t.Errorf("%d events for %d distinct intervals: duplicates", len(exp.Events), len(got))
			}
		})
	}
}

func show(iv [2]int64, zone string) string {
	loc, _ := time.LoadLocation(zone)
	return fmt.Sprintf("%s – %s", time.Unix(iv[0], 0).In(loc).Format("Mon 2006-01-02 15:04 MST"), time.Unix(iv[1], 0).In(loc).Format("15:04 MST"))
}
