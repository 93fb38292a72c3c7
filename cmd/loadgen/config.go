package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"
)

// listFlag is a flag that may be repeated or given as a comma list.
type listFlag []string

// String gives the values back as a comma list.
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set adds one flag value, which may itself be a comma list.
func (l *listFlag) Set(s string) error {
	*l = append(*l, splitList(s)...)
	return nil
}

// runConfig is everything `loadgen run` is told.
type runConfig struct {
	bases          []string
	clients        int
	duration       time.Duration
	mix            mix
	token          string
	email          string
	password       string
	json           bool
	seed           uint64
	availDays      int
	availService   string
	zone           string
	lead           time.Duration
	contendedSlots int
	feedScope      string
	feedTokens     int
	record         string
	checkDSN       string
	sinkURL        string
	drain          time.Duration
	allowErrors    bool
	think          time.Duration
}

// Limits that keep a run bounded whatever it is told.
const (
	maxClients  = 1024
	maxDuration = 2 * time.Hour
)

func parseRun(args []string) (runConfig, error) {
	var c runConfig
	var bases listFlag
	var mixStr string
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.Var(&bases, "base", "Frontdesk base URL, loopback only; repeat or comma-separate to split the load across replicas (default http://127.0.0.1:8080)")
	fs.IntVar(&c.clients, "clients", 8, "concurrent clients, each one request at a time (1-1024)")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long to send load (at most 2h)")
	fs.StringVar(&mixStr, "mix", defaultMix, "operation weights: "+strings.Join(allOps, ", "))
	fs.StringVar(&c.token, "token", "", "staff bearer token (for the feed token)")
	fs.StringVar(&c.email, "email", "", "staff email, to sign in instead of -token")
	fs.StringVar(&c.password, "password", "", "staff password")
	fs.BoolVar(&c.json, "json", false, "print the report as JSON")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the operation and slot choices")
	fs.IntVar(&c.availDays, "avail-days", 7, "days per availability query (1-62)")
	fs.StringVar(&c.availService, "avail-service", "clinic", "services availability queries ask for: clinic (a random one of the clinic's own, with their practitioners) or load (setup's service, which every load practitioner performs: a patient's \"first available\")")
	fs.StringVar(&c.zone, "tz", "America/New_York", "patients' time zone")
	fs.DurationVar(&c.lead, "lead", 26*time.Hour, "book only slots at least this far ahead (past the cancel cut-off)")
	fs.IntVar(&c.contendedSlots, "contended-slots", 32, "slots the contended bookings fight over, one at a time (1-10000)")
	fs.StringVar(&c.feedScope, "feed", "practitioner", "feed to poll: practitioner (the clinic's first) or clinic")
	fs.IntVar(&c.feedTokens, "feed-tokens", 1, "feed links to poll, one subscriber each (1-5000); the server limits requests per link")
	fs.StringVar(&c.record, "record", "", "write the accepted bookings as JSON to this file, for `loadgen check`")
	fs.StringVar(&c.checkDSN, "check-dsn", "", "after the run, check the PostgreSQL database at this URL")
	fs.StringVar(&c.sinkURL, "sink", "", "with -check-dsn: the sink's HTTP address (http://127.0.0.1:2526) to compare sent mail")
	fs.DurationVar(&c.drain, "drain", 60*time.Second, "with -check-dsn: how long to wait for the outbox to empty")
	fs.DurationVar(&c.think, "think", 0, "pause of each client between requests (for a moderate, steady load)")
	fs.BoolVar(&c.allowErrors, "allow-errors", false, "exit 0 even with unexpected answers (for fault runs)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if len(bases) == 0 {
		bases = listFlag{"http://127.0.0.1:8080"}
	}
	c.bases = bases
	var err error
	if c.mix, err = parseMix(mixStr); err != nil {
		return c, err
	}
	return c, c.validate()
}

func (c runConfig) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(c.clients >= 1 && c.clients <= maxClients, "-clients must be from 1 to %d, got %d", maxClients, c.clients)
	check(c.duration >= time.Second && c.duration <= maxDuration, "-duration must be from 1s to %s, got %s", maxDuration, c.duration)
	check(c.availDays >= 1 && c.availDays <= 62, "-avail-days must be from 1 to 62, got %d", c.availDays)
	check(c.lead >= 0 && c.lead < 50*24*time.Hour, "-lead must be from 0 to 50 days, got %s", c.lead)
	check(c.contendedSlots >= 1 && c.contendedSlots <= 10000, "-contended-slots must be from 1 to 10000, got %d", c.contendedSlots)
	check(c.feedTokens >= 1 && c.feedTokens <= 5000, "-feed-tokens must be from 1 to 5000, got %d", c.feedTokens)
	check(c.availService == "clinic" || c.availService == "load", "-avail-service must be clinic or load, got %q", c.availService)
	check(c.feedScope == "practitioner" || c.feedScope == "clinic", "-feed must be practitioner or clinic, got %q", c.feedScope)
	check(c.think >= 0 && c.think <= time.Minute, "-think must be from 0 to 1m, got %s", c.think)
	check(c.sinkURL == "" || c.checkDSN != "", "-sink needs -check-dsn")
	if _, err := time.LoadLocation(c.zone); err != nil || c.zone == "" {
		errs = append(errs, fmt.Errorf("-tz: %q is not an IANA time zone", c.zone))
	}
	if c.sinkURL != "" {
		if err := checkLoopbackURL(c.sinkURL); err != nil {
			errs = append(errs, fmt.Errorf("-sink: %w", err))
		}
	}
	return errors.Join(errs...)
}

// needsStaff reports whether the run must sign in: feeds need a token.
func (c runConfig) needsStaff() bool {
	return c.mix.has(opFeed) || c.mix.has(opFeedConditional)
}

// needsSlots reports whether the run books.
func (c runConfig) needsSlots() bool {
	return c.mix.has(opBook) || c.mix.has(opContendedBook) || c.mix.has(opReschedule) || c.mix.has(opCancel)
}

// browseServices are the services availability queries pick from: the
// clinic's own (all services when it has none of its own), or with
// -avail-service load the service setup added, which an error says is
// missing.
func (c runConfig) browseServices(cat catalog) ([]serviceInfo, error) {
	if c.availService == "load" {
		if out := cat.loadServices(); len(out) > 0 {
			return out, nil
		}
		return nil, fmt.Errorf("-avail-service load: no service %q: run loadgen setup first", loadServiceName)
	}
	if out := cat.clinicServices(); len(out) > 0 {
		return out, nil
	}
	return cat.serviceList, nil
}
