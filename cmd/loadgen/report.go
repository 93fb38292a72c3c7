package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the outcome of a run; -json prints it as is.
type Report struct {
	Bases      []string     `json:"bases"`
	Clients    int          `json:"clients"`
	DurationS  float64      `json:"duration_s"`
	Mix        string       `json:"mix"`
	Seed       uint64       `json:"seed"`
	Routes     []RouteStats `json:"routes"`
	Requests   int          `json:"requests"`
	RPS        float64      `json:"rps"`
	Unexpected int          `json:"unexpected"`
	Samples    []Sample     `json:"unexpected_samples,omitempty"`

	Accepted          int `json:"bookings_accepted"`
	Cancelled         int `json:"bookings_cancelled"`
	Uncertain         int `json:"bookings_uncertain"`
	ContendedSlots    int `json:"contended_slots"`
	ContendedWon      int `json:"contended_slots_won"`
	ContendedDoubles  int `json:"contended_double_wins"`
	FreeSlotsAtStart  int `json:"free_slots_start"`
	FreeSlotsAtFinish int `json:"free_slots_end"`

	Check *CheckResult `json:"check,omitempty"`
}

func (st *runState) report(rec *recorder, elapsed time.Duration, poolStart int) Report {
	rep := Report{
		Bases: st.cfg.bases, Clients: st.cfg.clients, DurationS: round(elapsed.Seconds()),
		Mix: st.cfg.mix.String(), Seed: st.cfg.seed, Routes: rec.summarize(elapsed),
		ContendedSlots: len(st.contended), FreeSlotsAtStart: poolStart, FreeSlotsAtFinish: st.poolSize(),
		Samples: rec.samples,
	}
	for _, r := range rep.Routes {
		rep.Requests += r.Count
		rep.Unexpected += r.Unexpected
	}
	rep.RPS = round(float64(rep.Requests) / elapsed.Seconds())
	for _, a := range st.ledger.list() {
		rep.Accepted++
		if a.Cancelled {
			rep.Cancelled++
		}
		if a.Uncertain {
			rep.Uncertain++
		}
	}
	for i := range st.wins {
		switch n := st.wins[i].Load(); {
		case n == 1:
			rep.ContendedWon++
		case n > 1:
			rep.ContendedWon++
			rep.ContendedDoubles++
			rep.Unexpected++ // two 201s for one slot is a double booking
		}
	}
	return rep
}

// write prints the report as JSON or as a table.
func (r Report) write(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		return nil
	}
	fmt.Fprintf(w, "loadgen: %d clients for %.1fs against %s\nmix: %s\n\n", r.Clients, r.DurationS, strings.Join(r.Bases, ", "), r.Mix)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\tcount\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\tunexpected\tstatuses\t")
	for _, s := range r.Routes {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t%s\t\n",
			s.Route, s.Count, s.RPS, s.P50, s.P95, s.P99, s.Max, s.Unexpected, statusList(s.Statuses, s.Skipped))
	}
	fmt.Fprintf(tw, "total\t%d\t%.1f\t\t\t\t\t%d\t\t\n", r.Requests, r.RPS, r.Unexpected)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	fmt.Fprintf(w, "\nbookings: %d accepted, %d cancelled, %d uncertain; contended: %d slots, %d won, %d won twice; free slots %d -> %d\n",
		r.Accepted, r.Cancelled, r.Uncertain, r.ContendedSlots, r.ContendedWon, r.ContendedDoubles, r.FreeSlotsAtStart, r.FreeSlotsAtFinish)
	for _, s := range r.Samples {
		fmt.Fprintf(w, "unexpected: %s %s: %s\n", s.Route, statusName(s.Status), s.Body)
	}
	if r.Check != nil {
		r.Check.write(w)
	}
	return nil
}

func statusList(m map[string]int, skipped int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys)+1)
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s:%d", k, m[k]))
	}
	if skipped > 0 {
		parts = append(parts, fmt.Sprintf("skipped:%d", skipped))
	}
	return strings.Join(parts, " ")
}
