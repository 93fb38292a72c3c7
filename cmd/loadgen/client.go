package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// requestTimeout bounds every request, so a hung server cannot hold a
// client past the end of the run for long.
const requestTimeout = 10 * time.Second

// downFor is how long a replica that refused a connection is left alone
// before clients try it again, as a load balancer's health check would.
const downFor = 500 * time.Millisecond

// targets is the set of replicas the load is split across. A replica that
// gives no answer is skipped for downFor, so the load moves to the others
// while it restarts.
type targets struct {
	bases []string
	down  []atomic.Int64 // unix nanoseconds until which a base is skipped
	hc    *http.Client
	token string // staff bearer token, for the staff calls of setup
}

// newTargets checks every base is an http URL on a loopback address: the
// generator never loads a machine other than this one.
func newTargets(bases []string, clients int) (*targets, error) {
	if len(bases) == 0 {
		return nil, errors.New("-base: give at least one URL, such as http://127.0.0.1:8080")
	}
	for i, b := range bases {
		b = strings.TrimRight(strings.TrimSpace(b), "/")
		if err := checkLoopbackURL(b); err != nil {
			return nil, fmt.Errorf("-base: %w", err)
		}
		bases[i] = b
	}
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        clients * 2 * len(bases),
		MaxIdleConnsPerHost: clients * 2,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	}
	return &targets{bases: bases, down: make([]atomic.Int64, len(bases)), hc: &http.Client{Transport: tr, Timeout: requestTimeout}}, nil
}

// checkLoopbackURL accepts http(s) URLs whose host is localhost or a
// loopback IP.
func checkLoopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http URL such as http://127.0.0.1:8080", raw)
	}
	if !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("%q is not on this machine: only loopback targets (127.0.0.1, ::1, localhost) are allowed", raw)
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// pick returns the base to use for a client's n-th request: round robin
// from the client's own offset, skipping replicas marked down while any
// other is up.
func (t *targets) pick(client, n int) int {
	now := time.Now().UnixNano()
	for k := range t.bases {
		i := (client + n + k) % len(t.bases)
		if t.down[i].Load() <= now {
			return i
		}
	}
	return (client + n) % len(t.bases)
}

// markDown tells other clients to avoid base i for a moment.
func (t *targets) markDown(i int) { t.down[i].Store(time.Now().Add(downFor).UnixNano()) }

// response is what a request gave: a status (statusTransport for none),
// the body, and how long it took from sending to the last byte.
type response struct {
	status  int
	body    []byte
	header  http.Header
	elapsed time.Duration
	err     error
}

// do sends one request to base i and reads the whole answer.
func (t *targets) do(ctx context.Context, i int, method, path string, body any, header map[string]string) response {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return response{err: fmt.Errorf("encode %s %s: %w", method, path, err)}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.bases[i]+path, rd)
	if err != nil {
		return response{err: fmt.Errorf("new request %s %s: %w", method, path, err)}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if t.token != "" {
		req.Header.Set("Authorization", "Bearer "+t.token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := t.hc.Do(req)
	if err != nil {
		t.markDown(i)
		return response{elapsed: time.Since(start), err: fmt.Errorf("%s %s: %w", method, path, err)}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, body: b, header: resp.Header, elapsed: time.Since(start)}
	if err != nil {
		r.status, r.err = statusTransport, fmt.Errorf("read %s %s: %w", method, path, err)
	}
	return r
}

// call is do on the first base for setup requests: it wants status want
// and decodes the answer into out.
func (t *targets) call(ctx context.Context, method, path string, body any, want int, out any) error {
	r := t.do(ctx, 0, method, path, body, nil)
	if r.err != nil {
		return r.err
	}
	if r.status != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, r.status, want, snippet(r.body))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		return fmt.Errorf("decode %s %s: %w", method, path, err)
	}
	return nil
}

// snippet is the start of a body, for error messages.
func snippet(b []byte) string {
	const n = 300
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
