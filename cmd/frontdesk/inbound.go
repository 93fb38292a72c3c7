package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/inbound"
	"github.com/frontdesk/frontdesk/storage"
)

// inboundConfig is the inbound mail door's part of the environment.
type inboundConfig struct {
	SMTPAddr         string // INBOUND_SMTP_ADDR, "" = no listener
	LMTP             bool   // INBOUND_LMTP=1 speaks LMTP instead of SMTP
	TrustAuthResults string // INBOUND_TRUST_AUTH_RESULTS, the authserv-id of the MTA in front
	MaxBytes         int64  // INBOUND_MAX_BYTES, default inbound.DefaultMaxBytes
}

func loadInboundConfig(getenv func(string) string) (inboundConfig, error) {
	c := inboundConfig{
		SMTPAddr:         getenv("INBOUND_SMTP_ADDR"),
		TrustAuthResults: getenv("INBOUND_TRUST_AUTH_RESULTS"),
		MaxBytes:         inbound.DefaultMaxBytes,
	}
	if c.SMTPAddr != "" {
		if _, port, err := net.SplitHostPort(c.SMTPAddr); err != nil || port == "" {
			return c, fmt.Errorf("INBOUND_SMTP_ADDR=%q: want host:port such as 127.0.0.1:2525", c.SMTPAddr)
		}
	}
	switch v := getenv("INBOUND_LMTP"); v {
	case "", "0", "false":
	case "1", "true":
		c.LMTP = true
	default:
		return c, fmt.Errorf("INBOUND_LMTP=%q: want 1 or 0", v)
	}
	if v := getenv("INBOUND_MAX_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 64<<10 || n > 100<<20 {
			return c, fmt.Errorf("INBOUND_MAX_BYTES=%q: want a size in bytes from 65536 to 104857600", v)
		}
		c.MaxBytes = n
	}
	return c, nil
}

// inboundDoor is the listener and the queue processor, wired to a store.
type inboundDoor struct {
	listener  *inbound.Listener
	processor *inbound.Processor
}

func newInboundDoor(cfg config, store *storage.Store, log *slog.Logger) *inboundDoor {
	sched := &domain.Scheduler{Store: store, Clock: domain.SystemClock, BaseURL: cfg.BaseURL}
	p := &inbound.Processor{
		Store:  store,
		Inbox:  &domain.Inbox{Store: store, Scheduler: sched, Clock: domain.SystemClock},
		Auth:   inbound.Authenticator{TrustAuthResults: cfg.Inbound.TrustAuthResults},
		Clock:  domain.SystemClock,
		Logger: log.With("component", "inbound"),
	}
	l := &inbound.Listener{
		Store: store, Clock: domain.SystemClock, Logger: log.With("component", "inbound-smtp"),
		MaxBytes: cfg.Inbound.MaxBytes, LMTP: cfg.Inbound.LMTP, Received: p.Wake,
	}
	return &inboundDoor{listener: l, processor: p}
}

// start listens on INBOUND_SMTP_ADDR (when set) and runs the processor
// until ctx ends; wg tracks both. Every replica may run one: stored
// messages are claimed with SKIP LOCKED, like the outbox.
func (d *inboundDoor) start(ctx context.Context, cfg config, wg *sync.WaitGroup, log *slog.Logger) error {
	if cfg.Inbound.SMTPAddr != "" {
		ln, err := net.Listen("tcp", cfg.Inbound.SMTPAddr)
		if err != nil {
			return fmt.Errorf("listen on INBOUND_SMTP_ADDR=%s: %w", cfg.Inbound.SMTPAddr, err)
		}
		log.Info("inbound mail listening", "addr", ln.Addr().String(), "lmtp", cfg.Inbound.LMTP)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.listener.Serve(ln); err != nil {
				log.Error("inbound listener stopped", "err", err)
			}
		}()
		context.AfterFunc(ctx, func() { _ = d.listener.Close() })
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := d.processor.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("inbound processor stopped", "err", err)
		}
	}()
	return nil
}

// inboundCommand runs the inbound door alone: the listener (INBOUND_SMTP_ADDR)
// and the processor of stored messages.
func inboundCommand(ctx context.Context, cfg config, stderr io.Writer) error {
	log := cfg.logger(stderr)
	store, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	var wg sync.WaitGroup
	if err := newInboundDoor(cfg, store, log).start(ctx, cfg, &wg, log); err != nil {
		return err
	}
	<-ctx.Done()
	wg.Wait()
	return nil
}
