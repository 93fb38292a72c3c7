package main

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{
		{0.50, 50 * time.Millisecond},
		{0.95, 95 * time.Millisecond},
		{0.99, 99 * time.Millisecond},
		{1.00, 100 * time.Millisecond},
		{0.001, 1 * time.Millisecond},
	} {
		if got := percentile(ds, tc.p); got != tc.want {
			t.Errorf("percentile(1..100ms, %v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile(nil) = %v, want 0", got)
	}
	if got := percentile([]time.Duration{7}, 0.99); got != 7 {
		t.Errorf("percentile([7], 0.99) = %v, want 7", got)
	}
}

func TestRecorderSummarize(t *testing.T) {
	a, b := newRecorder(), newRecorder()
	for i := 1; i <= 10; i++ {
		a.add("book", 201, nil, time.Duration(i)*time.Millisecond, true)
	}
	b.add("book", 500, []byte(`{"title":"boom"}`), 100*time.Millisecond, false)
	b.add("book", statusTransport, nil, 2*time.Millisecond, false)
	b.skip("cancel")
	a.merge(b)
	got := a.summarize(2 * time.Second)
	if len(got) != 2 || got[0].Route != "book" || got[1].Route != "cancel" {
		t.Fatalf("summarize routes = %+v, want book and cancel", got)
	}
	bk := got[0]
	if bk.Count != 12 || bk.RPS != 6 || bk.Unexpected != 2 || bk.Max != 100 || bk.P50 != 5 {
		t.Errorf("book = %+v, want count 12, 6 req/s, 2 unexpected, max 100, p50 5 (1,2,2,3,4,5,…)", bk)
	}
	if bk.Statuses["201"] != 10 || bk.Statuses["500"] != 1 || bk.Statuses["transport"] != 1 {
		t.Errorf("book statuses = %v", bk.Statuses)
	}
	if got[1].Skipped != 1 || got[1].Count != 0 {
		t.Errorf("cancel = %+v, want 1 skipped, no requests", got[1])
	}
	want := []Sample{{"book", 500, `{"title":"boom"}`}, {"book", statusTransport, ""}}
	if !slices.Equal(a.samples, want) {
		t.Errorf("samples = %+v, want %+v", a.samples, want)
	}
}

func TestParseMix(t *testing.T) {
	m, err := parseMix(defaultMix)
	if err != nil {
		t.Fatalf("parseMix(default) = %v", err)
	}
	if len(m.ops) != len(allOps) || m.total != 100 {
		t.Errorf("default mix = %v (total %d), want all %d ops summing to 100", m, m.total, len(allOps))
	}
	if m, err = parseMix("book=1, availability=0"); err != nil || m.String() != "book=1" || m.has(opAvailability) {
		t.Errorf(`parseMix("book=1, availability=0") = %v, %v; want book=1 only`, m, err)
	}
	for _, bad := range []string{"", "book", "bok=1", "book=-1", "book=x", "book=0", "book=1,book=2"} {
		if _, err := parseMix(bad); err == nil || !strings.Contains(err.Error(), "-mix") {
			t.Errorf("parseMix(%q) = %v, want an error naming -mix", bad, err)
		}
	}
}

func TestMixPickFollowsWeights(t *testing.T) {
	m, _ := parseMix("book=1,feed=3")
	r := rand.New(rand.NewPCG(1, 2))
	n := map[string]int{}
	for range 40000 {
		n[m.pick(r)]++
	}
	if share := float64(n[opFeed]) / 40000; share < 0.73 || share > 0.77 {
		t.Errorf("feed share = %.3f, want about 0.75 (%v)", share, n)
	}
}

func TestParseRunValidates(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-base", "http://10.1.2.3:8080"}, "loopback"},
		{[]string{"-base", "ftp://127.0.0.1"}, "not an http URL"},
		{[]string{"-clients", "0"}, "-clients"},
		{[]string{"-clients", "5000"}, "-clients"},
		{[]string{"-duration", "3h"}, "-duration"},
		{[]string{"-avail-days", "90"}, "-avail-days"},
		{[]string{"-tz", "Mars/Base"}, "-tz"},
		{[]string{"-feed", "all"}, "-feed"},
		{[]string{"-sink", "http://127.0.0.1:2526"}, "-sink needs -check-dsn"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		c, err := parseRun(tc.args)
		if err == nil {
			_, err = newTargets(c.bases, c.clients)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseRun(%q) = %v, want an error mentioning %q", tc.args, err, tc.want)
		}
	}
	c, err := parseRun([]string{"-base", "http://127.0.0.1:8081,http://localhost:8082/", "-base", "http://[::1]:8083"})
	if err != nil {
		t.Fatalf("parseRun(three loopback bases) = %v", err)
	}
	tg, err := newTargets(c.bases, c.clients)
	if err != nil || len(tg.bases) != 3 || tg.bases[1] != "http://localhost:8082" {
		t.Errorf("bases = %v, %v; want three, trailing slash trimmed", c.bases, err)
	}
}

func TestTargetsSkipDownReplica(t *testing.T) {
	tg, err := newTargets([]string{"http://127.0.0.1:1", "http://127.0.0.1:2"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := tg.pick(0, 0), tg.pick(0, 1); a == b {
		t.Errorf("pick alternates: got %d then %d", a, b)
	}
	tg.markDown(0)
	for n := range 4 {
		if got := tg.pick(0, n); got != 1 {
			t.Errorf("pick(0, %d) with replica 0 down = %d, want 1", n, got)
		}
	}
	tg.markDown(1) // both down: round robin rather than nothing
	if a, b := tg.pick(0, 0), tg.pick(0, 1); a == b {
		t.Errorf("pick with all down = %d, %d; want both tried", a, b)
	}
}
