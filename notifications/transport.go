package notifications

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/frontdesk/frontdesk/domain"
)

// Transport delivers composed messages. Send returns nil when every message
// was delivered, a *DeliveryError when some were and some were not, and any
// other error when none was.
type Transport interface {
	Send(ctx context.Context, msgs ...*gomail.Msg) error
}

// DeliveryError reports a Send that delivered only some of its messages.
type DeliveryError struct {
	Errs []error // Errs[i] is why msgs[i] failed; nil when it was delivered
}

// Error counts the failures and quotes the first.
func (e *DeliveryError) Error() string {
	failed := 0
	var first error
	for _, err := range e.Errs {
		if err != nil {
			if first == nil {
				first = err
			}
			failed++
		}
	}
	return fmt.Sprintf("%d of %d messages not delivered; first: %v", failed, len(e.Errs), first)
}

// Unwrap returns the individual failures.
func (e *DeliveryError) Unwrap() []error { return e.Errs }

// NewTransport returns the transport SMTP_URL asks for. With smtpURL "" it is
// a FileTransport writing .eml files into dir (DATA_DIR/mail), so a default
// run needs no mail server. Otherwise it is SMTP:
//
//	smtp://user:pass@host:port              STARTTLS when the server offers it (default port 587)
//	smtp://host:port?tls=required           STARTTLS or fail
//	smtp://127.0.0.1:2525?tls=none          no TLS at all (loopback tests, local catchers)
//	smtps://user:pass@host:port             implicit TLS (default port 465)
//
// A malformed URL is a KindInvalid error on "SMTP_URL" that never repeats
// the URL, which may hold a password.
func NewTransport(smtpURL, dir string) (Transport, error) {
	if smtpURL == "" {
		if dir == "" {
			return nil, domain.Invalid("DATA_DIR", "Set a directory for mail files, or set SMTP_URL.")
		}
		return &FileTransport{Dir: dir}, nil
	}
	return parseSMTPURL(smtpURL)
}

func invalidSMTP(message string) error { return domain.Invalid("SMTP_URL", message) }

func parseSMTPURL(raw string) (*SMTPTransport, error) {
	u, err := url.Parse(raw)
	if err != nil { // the error quotes the URL: leave it out
		return nil, invalidSMTP("Not a URL; use smtp://user:pass@host:port or smtps://….")
	}
	t := &SMTPTransport{Host: u.Hostname(), Username: u.User.Username(), TLS: TLSOpportunistic}
	t.Password, _ = u.User.Password()
	switch u.Scheme {
	case "smtp":
		t.Port = 587
	case "smtps":
		t.Port, t.TLS = 465, TLSImplicit
	default:
		return nil, invalidSMTP("Use the smtp:// or smtps:// scheme.")
	}
	if t.Host == "" || (u.Path != "" && u.Path != "/") || u.Opaque != "" {
		return nil, invalidSMTP("Give a host and port, as in smtp://user:pass@host:587.")
	}
	if p := u.Port(); p != "" {
		if t.Port, err = strconv.Atoi(p); err != nil || t.Port < 1 || t.Port > 65535 {
			return nil, invalidSMTP("The port must be a number from 1 to 65535.")
		}
	}
	for key, values := range u.Query() {
		if key != "tls" || len(values) != 1 {
			return nil, invalidSMTP("The only query parameter is tls=required|none, once.")
		}
		switch {
		case values[0] == "required" && t.TLS != TLSImplicit:
			t.TLS = TLSRequired
		case values[0] == "required":
		case values[0] == "none" && u.Scheme == "smtp":
			t.TLS = TLSNone
		default:
			return nil, invalidSMTP("tls must be required or none (none only with smtp://).")
		}
	}
	return t, nil
}

// TLSMode is how an SMTPTransport secures its connection.
type TLSMode int

const (
	TLSOpportunistic TLSMode = iota // STARTTLS when the server offers it
	TLSRequired                     // STARTTLS or fail
	TLSNone                         // plain text: loopback tests and local catchers only
	TLSImplicit                     // TLS from the first byte (smtps, usually port 465)
)

// SMTPTransport sends through an SMTP server with go-mail, one connection
// per Send. It is safe for concurrent use.
type SMTPTransport struct {
	Host     string
	Port     int
	Username string // "" for no SMTP AUTH
	Password string
	TLS      TLSMode
	Timeout  time.Duration // per connection step; default 30s
}

// Send delivers msgs over one connection. A message the server refuses does
// not stop the ones after it; the result says which failed (see Transport).
func (t *SMTPTransport) Send(ctx context.Context, msgs ...*gomail.Msg) error {
	if len(msgs) == 0 {
		return nil
	}
	client, err := gomail.NewClient(t.Host, t.options()...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	err = client.DialAndSendWithContext(ctx, msgs...)
	if err == nil {
		return nil
	}
	errs := make([]error, len(msgs))
	delivered := 0
	for i, m := range msgs {
		switch {
		case m.IsDelivered(): // a failing RSET or QUIT after DATA does not undo delivery
			delivered++
		case m.HasSendError():
			errs[i] = fmt.Errorf("smtp send: %w", m.SendError())
		default:
			errs[i] = fmt.Errorf("smtp send: %w", err)
		}
	}
	if delivered == 0 {
		return fmt.Errorf("smtp send to %s: %w", net.JoinHostPort(t.Host, strconv.Itoa(t.Port)), err)
	}
	if delivered == len(msgs) {
		return nil
	}
	return &DeliveryError{Errs: errs}
}

func (t *SMTPTransport) options() []gomail.Option {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(t.Port), gomail.WithTimeout(timeout)}
	switch t.TLS {
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSRequired:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	if t.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(t.Username), gomail.WithPassword(t.Password))
	}
	return opts
}

// FileTransport writes each message as an .eml file into Dir, named after
// its Message-ID, so a message written twice is one file. It is the default
// transport when no SMTP server is configured.
type FileTransport struct {
	Dir string
}

// Send writes msgs; each file appears whole or not at all (written to a
// temporary name, then renamed).
func (t *FileTransport) Send(ctx context.Context, msgs ...*gomail.Msg) error {
	if err := os.MkdirAll(t.Dir, 0o750); err != nil {
		return fmt.Errorf("create mail dir: %w", err)
	}
	errs := make([]error, len(msgs))
	failed := 0
	for i, m := range msgs {
		if err := ctx.Err(); err != nil {
			errs[i] = err
		} else {
			errs[i] = t.write(m)
		}
		if errs[i] != nil {
			failed++
		}
	}
	switch failed {
	case 0:
		return nil
	case len(msgs):
		return fmt.Errorf("write mail files: %w", errors.Join(errs...))
	}
	return &DeliveryError{Errs: errs}
}

func (t *FileTransport) write(m *gomail.Msg) error {
	name := fileName(m)
	tmp, err := os.CreateTemp(t.Dir, ".tmp-*.eml")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := m.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(t.Dir, name)); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// fileName is the message's Message-ID made safe as a file name, or a fresh
// random name for a message without one.
func fileName(m *gomail.Msg) string {
	id := ""
	if ids := m.GetGenHeader(gomail.HeaderMessageID); len(ids) > 0 {
		id = strings.Trim(ids[0], "<>")
	}
	id = strings.Map(func(r rune) rune {
		if r == '-' || r == '.' || r == '@' || r == '_' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
			return r
		}
		return '_'
	}, id)
	if id == "" || strings.Trim(id, ".") == "" {
		id = domain.NewID()
	}
	return id + ".eml"
}
