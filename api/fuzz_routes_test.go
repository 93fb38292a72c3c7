package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// FuzzWriteRoutes sends arbitrary JSON bodies to every API write route
// that reads one (the corpus's table: route is an index into it, in sorted
// order), through the real handlers and a real SQLite store, as the right
// role: never a panic or a 5xx, every refusal problem+json, and a refused
// request changes no row. Seeds: each route's valid body and a few bad
// ones; testdata/fuzz/FuzzWriteRoutes holds what earlier runs found.
func FuzzWriteRoutes(f *testing.F) {
	engine := storagetest.Engines()[0]
	e := newEnv(f, storagetest.Open(f, engine), 0)
	fx, start := newCorpusFixture(f, e)
	table := corpusRoutes(e, fx, start)
	var keys []string
	for k, rt := range table {
		if rt.body != nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for i, k := range keys {
		valid, _ := json.Marshal(table[k].body)
		for _, b := range [][]byte{valid, []byte(`null`), []byte(`{"name":"\u0000"}`), []byte(`{"start":"0001-01-01T00:00:00Z"}`)} {
			f.Add(uint8(i), b)
		}
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		key := keys[int(route)%len(keys)]
		method, pattern, _ := cutSpace(key)
		rt := table[key]
		before, err := e.store.RowCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(method, corpusPath(pattern, e, fx), bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if rt.role != "" {
			r.Header.Set("Authorization", "Bearer "+e.token[rt.role])
		}
		w := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			e.echo.ServeHTTP(w, r)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s %q: no answer in 10 s", key, body)
		}
		if w.Code >= 500 {
			t.Fatalf("%s %q = %d: %s", key, body, w.Code, w.Body)
		}
		if w.Code < 400 {
			return
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("%s %q = %d as %q", key, body, w.Code, ct)
		}
		after, err := e.store.RowCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for name, n := range after {
			if n != before[name] {
				t.Fatalf("%s %q = %d, but table %s went from %d to %d rows", key, body, w.Code, name, before[name], n)
			}
		}
	})
}

// cutSpace splits "METHOD /path".
func cutSpace(s string) (method, path string, ok bool) { return strings.Cut(s, " ") }
