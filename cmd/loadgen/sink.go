package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// mailSink is an SMTP server that keeps no mail, only how often each
// Message-ID arrived, so a load run can prove every message was sent once.
type mailSink struct {
	mu      sync.Mutex
	counts  map[string]int
	total   int
	noID    int
	lastAt  time.Time
	firstAt time.Time
}

func newMailSink() *mailSink { return &mailSink{counts: map[string]int{}} }

// SinkCounts is what the sink's /counts endpoint answers.
type SinkCounts struct {
	Messages   int            `json:"messages"`   // every DATA accepted
	Unique     int            `json:"unique"`     // distinct Message-IDs
	WithoutID  int            `json:"without_id"` // messages with no Message-ID
	Duplicates map[string]int `json:"duplicates"` // Message-IDs seen more than once
	IDs        map[string]int `json:"ids"`        // every Message-ID, without <>, and its count
	First      string         `json:"first,omitempty"`
	Last       string         `json:"last,omitempty"`
}

func (s *mailSink) snapshot() SinkCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := SinkCounts{Messages: s.total, Unique: len(s.counts), WithoutID: s.noID, Duplicates: map[string]int{}, IDs: make(map[string]int, len(s.counts))}
	for id, n := range s.counts {
		out.IDs[id] = n
		if n > 1 {
			out.Duplicates[id] = n
		}
	}
	if !s.firstAt.IsZero() {
		out.First, out.Last = s.firstAt.Format(time.RFC3339Nano), s.lastAt.Format(time.RFC3339Nano)
	}
	return out
}

// record counts one message by the Message-ID in its header.
func (s *mailSink) record(id string) {
	id = strings.Trim(strings.TrimSpace(id), "<>")
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if s.firstAt.IsZero() {
		s.firstAt = now
	}
	s.lastAt = now
	s.total++
	if id == "" {
		s.noID++
		return
	}
	s.counts[id]++
}

// NewSession lets any client in: the sink listens on loopback only.
func (s *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct{ s *mailSink }

// Mail accepts any sender.
func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }

// Rcpt accepts any recipient.
func (ss *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }

// Reset has nothing to forget: a message is only counted in Data.
func (ss *sinkSession) Reset() {}

// Logout has nothing to release.
func (ss *sinkSession) Logout() error { return nil }

// Data reads the header for the Message-ID and throws the body away.
func (ss *sinkSession) Data(r io.Reader) error {
	br := bufio.NewReader(r)
	h, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil {
		return fmt.Errorf("read header: %w", err)
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	ss.s.record(h.Get("Message-Id"))
	return nil
}

// sinkConfig is what `loadgen sink` listens on.
type sinkConfig struct {
	smtpAddr, httpAddr string
}

func parseSink(args []string) (sinkConfig, error) {
	var c sinkConfig
	fs := flag.NewFlagSet("sink", flag.ContinueOnError)
	fs.StringVar(&c.smtpAddr, "listen", "127.0.0.1:2525", "SMTP address (loopback only)")
	fs.StringVar(&c.httpAddr, "http", "127.0.0.1:2526", "HTTP address of GET /counts (loopback only)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	for _, a := range []struct{ flag, addr string }{{"-listen", c.smtpAddr}, {"-http", c.httpAddr}} {
		host, _, err := net.SplitHostPort(a.addr)
		if err != nil || !isLoopbackHost(host) {
			return c, fmt.Errorf("%s: %q must be a loopback host:port such as 127.0.0.1:2525", a.flag, a.addr)
		}
	}
	return c, nil
}

// runSink serves SMTP and the counts until ctx ends, then prints the counts.
func runSink(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, err := parseSink(args)
	if err != nil {
		return err
	}
	s := newMailSink()
	sl, err := net.Listen("tcp", cfg.smtpAddr)
	if err != nil {
		return fmt.Errorf("listen smtp: %w", err)
	}
	srv := serveSMTP(s, sl)
	defer srv.Close()
	hl, err := net.Listen("tcp", cfg.httpAddr)
	if err != nil {
		return fmt.Errorf("listen http: %w", err)
	}
	hsrv := serveCounts(s, hl)
	defer hsrv.Close()
	fmt.Fprintf(stdout, "sink: SMTP on %s, counts on http://%s/counts\n", cfg.smtpAddr, cfg.httpAddr)
	<-ctx.Done()
	c := s.snapshot()
	fmt.Fprintf(stdout, "sink: %d messages, %d unique Message-IDs, %d duplicates, %d without id\n", c.Messages, c.Unique, len(c.Duplicates), c.WithoutID)
	return nil
}

// serveSMTP serves the sink's SMTP on ln until the server is closed.
func serveSMTP(s *mailSink, ln net.Listener) *smtp.Server {
	srv := smtp.NewServer(s)
	srv.Domain = "sink.localhost"
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.MaxMessageBytes = 20 << 20
	srv.MaxRecipients = 50
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			fmt.Println("sink: smtp:", err)
		}
	}()
	return srv
}

// serveCounts serves GET /counts on ln until the server is closed.
func serveCounts(s *mailSink, ln net.Listener) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /counts", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.snapshot())
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv
}

// fetchSinkCounts asks a running sink for its counts.
func fetchSinkCounts(ctx context.Context, base string) (SinkCounts, error) {
	var out SinkCounts
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(base, "/")+"/counts", nil)
	if err != nil {
		return out, fmt.Errorf("sink counts: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return out, fmt.Errorf("sink counts: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return out, fmt.Errorf("sink counts: status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return out, fmt.Errorf("decode sink counts: %w", err)
	}
	return out, nil
}
