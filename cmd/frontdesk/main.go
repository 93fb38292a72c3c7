// Command frontdesk runs the Frontdesk scheduler: the HTTP server, the
// outbox worker, migrations, demo data and staff accounts.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	_ "time/tzdata" // zones work on machines without zoneinfo
)

const usage = `usage: frontdesk <command> [flags]

commands:
  serve [--demo]          run the HTTP server and the outbox worker (migrates first)
  migrate                 apply database migrations and exit
  seed --demo             fill an empty database with a demo clinic
  worker                  run the outbox worker alone
  inbound                 run the inbound mail listener (INBOUND_SMTP_ADDR) and processor alone
  user add --email E --role R [--name N] [--practitioner ID]
                          create a staff account (password read from stdin)

environment: ADDR, DATABASE_URL, DATA_DIR, BASE_URL, SMTP_URL, MAIL_FROM,
PUBLIC_RATE_LIMIT, INBOUND_SMTP_ADDR, INBOUND_TRUST_AUTH_RESULTS, LOG_LEVEL,
LOG_FORMAT (see README.md)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tuneGC(os.Getenv)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "frontdesk:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// tuneGC sets the collector for a server whose live heap is small (a few
// MiB) and whose garbage is per request: collecting at five times the live
// heap instead of twice spends about a sixth less CPU under load, and the
// soft limit keeps a burst from growing the process past it. GOGC and
// GOMEMLIMIT in the environment win.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(128 << 20)
	}
}

// run dispatches a subcommand. It returns when the command is done or ctx is
// cancelled (SIGINT/SIGTERM), after a graceful shutdown.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, args[1:], stdout, stderr)
	case "migrate":
		return migrate(ctx, cfg, stdout)
	case "seed":
		return seedCommand(ctx, cfg, args[1:], stdout)
	case "worker":
		return worker(ctx, cfg, stderr)
	case "inbound":
		return inboundCommand(ctx, cfg, stderr)
	case "user":
		return userCommand(ctx, cfg, args[1:], stdin, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return errUsage
}
