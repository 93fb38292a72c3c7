package inbound

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/frontdesk/frontdesk/domain"
)

// DefaultMaxBytes bounds one received message: replies and bounces are
// small, and a larger message is refused at DATA with 552.
const DefaultMaxBytes = 10 << 20

// Saver stores received mail; domain.InboundStore provides it.
type Saver interface {
	SaveInbound(ctx context.Context, m *domain.InboundMessage, raw []byte) (duplicate bool, err error)
}

// Listener is an SMTP (or, with LMTP, an LMTP) server that accepts mail
// for the clinic and stores each message whole, with its digest, before
// answering 250: once a sender is told the message arrived, it is in the
// database. A store failure is a 451, so the sender tries again later; an
// identical message stored before is accepted and not stored twice.
type Listener struct {
	Store    Saver
	Clock    domain.Clock
	Logger   *slog.Logger
	Domain   string // the name the server greets with (default "localhost")
	MaxBytes int64  // default DefaultMaxBytes
	LMTP     bool
	// Received, when set, is told after each stored message, so a
	// processor can start at once rather than at its next poll.
	Received func()

	mu     sync.Mutex // guards srv and closed: Close may run beside Serve
	srv    *smtp.Server
	closed bool
}

// Serve accepts connections on ln until Close.
func (l *Listener) Serve(ln net.Listener) error {
	srv := smtp.NewServer(backend{l})
	srv.Domain = l.Domain
	if srv.Domain == "" {
		srv.Domain = "localhost"
	}
	srv.LMTP = l.LMTP
	srv.MaxMessageBytes = l.maxBytes()
	srv.MaxRecipients = 50
	srv.ReadTimeout = 2 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.AllowInsecureAuth = false
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ln.Close()
	}
	l.srv = srv
	l.mu.Unlock()
	err := srv.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the server and its connections.
func (l *Listener) Close() error {
	l.mu.Lock()
	l.closed = true
	srv := l.srv
	l.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// Save stores one received message; it is what a session's DATA does, and
// what an IMAP poller would do with each message it fetches.
func (l *Listener) Save(ctx context.Context, raw []byte, envelopeFrom string) (domain.InboundMessage, bool, error) {
	sum := sha256.Sum256(raw)
	m := domain.InboundMessage{
		ID: domain.NewID(), ReceivedAt: l.now(), SHA256: hex.EncodeToString(sum[:]),
		MessageID: headerMessageID(raw), EnvelopeFrom: envelopeFrom,
	}
	dup, err := l.Store.SaveInbound(ctx, &m, raw)
	if err != nil {
		return domain.InboundMessage{}, false, err
	}
	if l.Received != nil {
		l.Received()
	}
	return m, dup, nil
}

// headerMessageID reads the Message-ID of a raw message, "" when there is
// none or the header cannot be read.
func headerMessageID(raw []byte) string {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	return bareID(msg.Header.Get("Message-Id"))
}

func (l *Listener) maxBytes() int64 {
	if l.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return l.MaxBytes
}

func (l *Listener) now() time.Time {
	if l.Clock == nil {
		return domain.SystemClock.Now()
	}
	return l.Clock.Now()
}

func (l *Listener) logger() *slog.Logger {
	if l.Logger == nil {
		return slog.Default()
	}
	return l.Logger
}

type backend struct{ l *Listener }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{l: b.l}, nil
}

// session is one SMTP conversation.
type session struct {
	l    *Listener
	from string
}

func (s *session) Reset()        { s.from = "" }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(string, *smtp.RcptOptions) error { return nil }

// errNotStored asks the sender to try again: nothing was stored.
var errNotStored = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
	Message: "The message could not be stored; please try again later"}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			s.l.logger().Warn("inbound message refused", "from", s.from, "error", err)
			return se // 552 when over the size limit
		}
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, dup, err := s.l.Save(ctx, raw, s.from)
	if err != nil {
		s.l.logger().Error("inbound message not stored", "from", s.from, "bytes", len(raw), "error", err)
		return errNotStored
	}
	s.l.logger().Info("inbound message stored", "id", m.ID, "from", s.from, "bytes", len(raw), "duplicate", dup)
	return nil
}
