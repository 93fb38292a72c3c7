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

// usage lists every command of the commands table (TestUsageListsEveryCommand).
const usage = `usage: frontdesk <command> [flags]

commands:
  serve [--demo] [--no-worker]
                          run the HTTP server, the outbox worker and the busy-calendar
                          poller (migrates first); --demo seeds an empty database
  migrate                 apply database migrations and exit
  seed --demo             fill an empty database with a demo clinic
  worker                  run the outbox worker and the busy-calendar poller alone
  inbound                 run the inbound mail listener (INBOUND_SMTP_ADDR) and processor alone
  user add --email E --role R [--name N] [--practitioner ID]
                          create a staff account (password read from stdin)
  healthcheck [--url U]   exit 0 when the server's /readyz answers 200 (default: on ADDR)
  help                    print this text

environment: ADDR, DATABASE_URL, DATA_DIR, BASE_URL, SMTP_URL, MAIL_FROM,
PUBLIC_RATE_LIMIT, FEED_RATE_LIMIT, CATALOG_CACHE_TTL, TRUSTED_PROXIES,
METRICS_ADDR, METRICS_TOKEN, EMBED_ORIGINS, BUSY_POLL_INTERVAL, BUSY_FETCH_ALLOW,
BUSY_URL_KEY, INBOUND_SMTP_ADDR, INBOUND_LMTP, INBOUND_MAX_BYTES,
INBOUND_TRUST_AUTH_RESULTS, WAITLIST_OFFER_MINUTES, HOLD_MINUTES, LOG_LEVEL, LOG_FORMAT,
GOGC, GOMEMLIMIT (see README.md)
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
	if args[0] == "-h" || args[0] == "--help" {
		args[0] = "help"
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return errUsage
	}
	return cmd(ctx, cfg, args[1:], stdin, stdout, stderr)
}

// command runs one subcommand with the arguments after its name.
type command func(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// commands are the subcommands; usage lists each one.
var commands = map[string]command{
	"serve": func(ctx context.Context, cfg config, args []string, _ io.Reader, stdout, stderr io.Writer) error {
		return serve(ctx, cfg, args, stdout, stderr)
	},
	"migrate": func(ctx context.Context, cfg config, _ []string, _ io.Reader, stdout, _ io.Writer) error {
		return migrate(ctx, cfg, stdout)
	},
	"seed": func(ctx context.Context, cfg config, args []string, _ io.Reader, stdout, _ io.Writer) error {
		return seedCommand(ctx, cfg, args, stdout)
	},
	"worker": func(ctx context.Context, cfg config, _ []string, _ io.Reader, _, stderr io.Writer) error {
		return worker(ctx, cfg, stderr)
	},
	"inbound": func(ctx context.Context, cfg config, _ []string, _ io.Reader, _, stderr io.Writer) error {
		return inboundCommand(ctx, cfg, stderr)
	},
	"user": func(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout, _ io.Writer) error {
		return userCommand(ctx, cfg, args, stdin, stdout)
	},
	"healthcheck": func(ctx context.Context, cfg config, args []string, _ io.Reader, stdout, stderr io.Writer) error {
		return healthcheck(ctx, cfg, args, stdout, stderr)
	},
	"help": func(_ context.Context, _ config, _ []string, _ io.Reader, stdout, _ io.Writer) error {
		fmt.Fprint(stdout, usage)
		return nil
	},
}
