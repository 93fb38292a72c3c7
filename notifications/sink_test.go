package notifications

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// sink is a real SMTP server (emersion/go-smtp) on loopback that keeps what
// it receives. It can be stopped, so the port refuses connections, and
// started again on the same port.
type sink struct {
	addr string

	mu     sync.Mutex
	srv    *smtp.Server
	ln     net.Listener
	raw    [][]byte       // every message, in arrival order
	counts map[string]int // deliveries per Message-ID
	reject map[string]bool
}

func startSink(t testing.TB) *sink {
	t.Helper()
	s := &sink{addr: "127.0.0.1:0", counts: map[string]int{}, reject: map[string]bool{}}
	s.start(t)
	t.Cleanup(s.stop)
	return s
}

// start listens on s.addr (the same port again after a stop).
func (s *sink) start(t testing.TB) {
	t.Helper()
	var l net.Listener
	var err error
	for range 50 { // the old socket may linger a moment after stop
		if l, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	srv := smtp.NewServer(sinkBackend{s})
	srv.Domain = "sink.localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 10 << 20
	s.mu.Lock()
	s.addr, s.srv, s.ln = l.Addr().String(), srv, l
	s.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

// stop closes the server: connections are refused until start.
func (s *sink) stop() {
	s.mu.Lock()
	srv, ln := s.srv, s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv != nil {
		_ = ln.Close() // Close alone misses a listener Serve has not yet taken up
		_ = srv.Close()
	}
}

// url is the SMTP_URL of the sink, without TLS.
func (s *sink) url() string { return "smtp://" + s.addr + "?tls=none" }

func (s *sink) refuse(rcpt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject[rcpt] = true
}

func (s *sink) messages() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.raw...)
}

// count returns how many times each Message-ID arrived.
func (s *sink) count() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

func (s *sink) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.raw)
}

type sinkBackend struct{ s *sink }

func (b sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: b.s}, nil }

type sinkSession struct {
	s *sink
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.reject[strings.ToLower(to)] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return errors.New("unreadable message")
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.raw = append(ss.s.raw, raw)
	ss.s.counts[msg.Header.Get("Message-Id")]++
	return nil
}

func (ss *sinkSession) Reset()        {}
func (ss *sinkSession) Logout() error { return nil }
