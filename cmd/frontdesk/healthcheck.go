package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheckTimeout bounds one probe; a container runtime counts a hang
// as a failure anyway, but later.
const healthcheckTimeout = 3 * time.Second

// healthcheck GETs /readyz of the server on ADDR (or --url) and fails unless
// it answers 200: the container's healthcheck, since the image has no curl.
func healthcheck(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", readyzURL(cfg.Addr), "the readiness URL to probe")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *target, nil)
	if err != nil {
		return fmt.Errorf("healthcheck %s: %w", *target, err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck %s: %s", *target, res.Status)
	}
	fmt.Fprintln(stdout, "ready")
	return nil
}

// readyzURL is /readyz on the address the server listens on (ADDR); an
// unspecified host (":8080", "0.0.0.0:8080", "[::]:8080") is this machine.
func readyzURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://127.0.0.1:8080/readyz"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz"
}
