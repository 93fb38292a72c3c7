package api

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// TestMetricsBoundedUnderInventedMethods: 1,000 requests with random method
// names (and random unmatched paths) leave /metrics and the heap within a
// fixed bound, because every label folds into a bounded set.
func TestMetricsBoundedUnderInventedMethods(t *testing.T) {
	const token = "metrics-test-token-0123"
	e := newEnv(t, storagetest.Open(t, storagetest.SQLite), 0, func(s *Server) { s.MetricsToken = token })
	auth := map[string]string{"Authorization": "Bearer " + token}
	scrape := func() string {
		return string(e.do(req{method: "GET", path: "/metrics", header: auth}).want(t, 200, "metrics").body)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	// Warm every label the flood will use, so the bound is on growth alone.
	for _, m := range []string{"GET", "BREW", "DELETE"} {
		send(t, e, m, "/api/v1/services")
		send(t, e, m, "/nowhere")
	}
	before, heapBefore := len(scrape()), heap()

	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 1000 {
		method := randomMethod(rng)
		path := "/api/v1/services"
		if i%2 == 1 {
			path = fmt.Sprintf("/x%d/%d", rng.Int(), i)
		}
		send(t, e, method, path)
	}
	m := scrape()
	after, heapAfter := len(m), heap()
	if after > before+8<<10 {
		t.Errorf("/metrics grew from %d to %d bytes after 1,000 invented methods, want at most 8 KiB more", before, after)
	}
	if heapAfter > heapBefore+8<<20 {
		t.Errorf("heap grew from %d to %d bytes, want at most 8 MiB more", heapBefore, heapAfter)
	}
	for _, want := range []string{`method="other"`, `route="unmatched"`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(m, "/x") || strings.Contains(m, `method="BREW"`) {
		t.Error("/metrics holds a raw path or method")
	}
	t.Logf("/metrics %d -> %d bytes, heap %d -> %d KiB", before, after, heapBefore>>10, heapAfter>>10)
}

func send(t *testing.T, e *env, method, path string) {
	t.Helper()
	hr, err := http.NewRequest(method, e.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.ts.Client().Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	res.Body.Close()
	if res.StatusCode >= 500 {
		t.Fatalf("%s %s = %d", method, path, res.StatusCode)
	}
}

func randomMethod(rng *rand.Rand) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, 4+rng.IntN(12))
	for i := range b {
		b[i] = letters[rng.IntN(len(letters))]
	}
	return string(b)
}
