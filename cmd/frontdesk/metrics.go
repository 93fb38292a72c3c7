package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// startMetrics serves GET /metrics alone on addr (METRICS_ADDR), so
// Prometheus can scrape a private address the public one does not expose.
// addr "" starts nothing; the returned server is then nil-safe to Close.
func startMetrics(addr string, h http.Handler, log *slog.Logger) (*metricsServer, error) {
	if addr == "" {
		return &metricsServer{}, nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on METRICS_ADDR=%s: %w", addr, err)
	}
	log.Info("metrics listening", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	}()
	return &metricsServer{srv: srv}, nil
}

// metricsServer is the METRICS_ADDR listener, or nothing.
type metricsServer struct{ srv *http.Server }

// Close stops the listener, if there is one.
func (m *metricsServer) Close() {
	if m.srv != nil {
		_ = m.srv.Close()
	}
}
