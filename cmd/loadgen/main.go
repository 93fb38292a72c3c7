// Command loadgen drives a running Frontdesk over HTTP with a clinic's mix
// of requests and reports throughput, latency percentiles and statuses per
// route; it also runs an SMTP sink that counts messages by Message-ID and
// checks the PostgreSQL database after a run.
//
//	loadgen setup -base URL -email E -password P [-practitioners 20]
//	loadgen run   -base URL[,URL…] -clients 8 -duration 30s [-mix …] [-json]
//	              [-record FILE] [-check-dsn DSN -sink http://127.0.0.1:2526]
//	loadgen sink  -listen 127.0.0.1:2525 -http 127.0.0.1:2526
//	loadgen check -dsn DSN -record FILE [-sink http://127.0.0.1:2526]
//
// It only talks to loopback addresses.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

const usage = `usage: loadgen <command> [flags]

commands:
  run     send load for a while and report (the default when the first argument is a flag)
  setup   add a 30-minute load-test service and practitioners who perform it daily
  sink    an SMTP server on loopback that counts messages by Message-ID
  check   check the database after runs: overlaps, accepted bookings, mail sent once

"loadgen <command> -h" lists a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if os.Getenv("GOGC") == "" {
		// The generator shares the machine with what it measures: spend
		// as little CPU on collection as its small heap allows.
		debug.SetGCPercent(400)
	}
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	case errors.Is(err, errUnexpected), errors.Is(err, errCheckFailed):
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(3)
	case err != nil:
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// run dispatches a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "run":
		return runLoad(ctx, args[1:], stdout, stderr)
	case "setup":
		return setup(ctx, args[1:], stdout)
	case "sink":
		return runSink(ctx, args[1:], stdout)
	case "check":
		return runCheck(ctx, args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	if len(args[0]) > 0 && args[0][0] == '-' {
		return runLoad(ctx, args, stdout, stderr)
	}
	return errUsage
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
