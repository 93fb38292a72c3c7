package main

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"time"
)

// statusTransport stands for a request that got no HTTP answer at all
// (connection refused, reset, timeout).
const statusTransport = 0

// recorder keeps one client's samples; each client owns one, so recording
// takes no lock. Recorders are merged when the run is over.
type recorder struct {
	latency    map[string][]time.Duration
	statuses   map[string]map[int]int
	unexpected map[string]int
	skipped    map[string]int
	samples    []Sample
}

// maxSamples is how many unexpected answers a run keeps to show.
const maxSamples = 10

// Sample is one unexpected answer, kept so that a failed run says why.
type Sample struct {
	Route  string `json:"route"`
	Status int    `json:"status"`
	Body   string `json:"body"`
}

func newRecorder() *recorder {
	return &recorder{
		latency:    map[string][]time.Duration{},
		statuses:   map[string]map[int]int{},
		unexpected: map[string]int{},
		skipped:    map[string]int{},
	}
}

// add records one request on route that took d and answered status with
// body; the first unexpected answers are kept as samples.
func (r *recorder) add(route string, status int, body []byte, d time.Duration, expected bool) {
	r.latency[route] = append(r.latency[route], d)
	if r.statuses[route] == nil {
		r.statuses[route] = map[int]int{}
	}
	r.statuses[route][status]++
	if !expected {
		r.unexpected[route]++
		if len(r.samples) < maxSamples {
			r.samples = append(r.samples, Sample{Route: route, Status: status, Body: snippet(body)})
		}
	}
}

// skip records an operation that found nothing to act on (no free slot, no
// booking of ours left); it sent no request.
func (r *recorder) skip(route string) { r.skipped[route]++ }

// merge adds o's samples to r.
func (r *recorder) merge(o *recorder) {
	for route, ds := range o.latency {
		r.latency[route] = append(r.latency[route], ds...)
	}
	for route, m := range o.statuses {
		if r.statuses[route] == nil {
			r.statuses[route] = map[int]int{}
		}
		for st, n := range m {
			r.statuses[route][st] += n
		}
	}
	for route, n := range o.unexpected {
		r.unexpected[route] += n
	}
	for route, n := range o.skipped {
		r.skipped[route] += n
	}
	if room := maxSamples - len(r.samples); room > 0 {
		r.samples = append(r.samples, o.samples[:min(room, len(o.samples))]...)
	}
}

// RouteStats is the summary of one route over a run; latencies in ms.
type RouteStats struct {
	Route      string         `json:"route"`
	Count      int            `json:"count"`
	RPS        float64        `json:"rps"`
	P50        float64        `json:"p50_ms"`
	P95        float64        `json:"p95_ms"`
	P99        float64        `json:"p99_ms"`
	Max        float64        `json:"max_ms"`
	Statuses   map[string]int `json:"statuses"` // "transport" for no answer
	Unexpected int            `json:"unexpected"`
	Skipped    int            `json:"skipped,omitempty"`
}

// summarize turns the samples into per-route stats over elapsed, routes
// sorted by name.
func (r *recorder) summarize(elapsed time.Duration) []RouteStats {
	routes := make([]string, 0, len(r.latency))
	for route := range r.latency {
		routes = append(routes, route)
	}
	for route := range r.skipped {
		if _, ok := r.latency[route]; !ok {
			routes = append(routes, route)
		}
	}
	sort.Strings(routes)
	out := make([]RouteStats, 0, len(routes))
	for _, route := range routes {
		out = append(out, r.route(route, elapsed))
	}
	return out
}

func (r *recorder) route(route string, elapsed time.Duration) RouteStats {
	ds := slices.Clone(r.latency[route])
	slices.Sort(ds)
	st := RouteStats{
		Route: route, Count: len(ds), Statuses: map[string]int{},
		Unexpected: r.unexpected[route], Skipped: r.skipped[route],
	}
	if elapsed > 0 {
		st.RPS = round(float64(len(ds)) / elapsed.Seconds())
	}
	st.P50, st.P95, st.P99 = ms(percentile(ds, 0.50)), ms(percentile(ds, 0.95)), ms(percentile(ds, 0.99))
	if len(ds) > 0 {
		st.Max = ms(ds[len(ds)-1])
	}
	for code, n := range r.statuses[route] {
		st.Statuses[statusName(code)] = n
	}
	return st
}

// percentile returns the nearest-rank p-quantile of sorted samples, 0 for none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func statusName(code int) string {
	if code == statusTransport {
		return "transport"
	}
	return strconv.Itoa(code)
}

func ms(d time.Duration) float64 { return round(float64(d) / float64(time.Millisecond)) }

func round(f float64) float64 { return math.Round(f*100) / 100 }
