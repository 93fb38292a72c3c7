package inbound_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"

	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/inbound"
	"github.com/frontdesk/frontdesk/notifications"
	"github.com/frontdesk/frontdesk/storage"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// fixedNow is the tests' "now": Monday 3 March 2031, 08:00 in New York.
var fixedNow = time.Date(2031, 3, 3, 13, 0, 0, 0, time.UTC)

// The patient's mail provider, which signs with DKIM like Gmail or Outlook.
const (
	patientDomain = "patient.example"
	patientEmail  = "jane@" + patientDomain
	selector      = "s2031"
)

// env is the whole loop over a real store: the scheduler books, the outbox
// worker mails a real SMTP mailbox, the inbound listener takes replies over
// SMTP, the processor judges them.
type env struct {
	t      *testing.T
	store  *storage.Store
	fx     storagetest.Fixture
	sched  *domain.Scheduler
	inbox  *domain.Inbox
	proc   *inbound.Processor
	worker *notifications.Worker
	box    *mailbox
	inAddr string // the inbound listener
	keys   map[string]ed25519.PrivateKey
	dns    map[string]string
}

func forEachEngine(t *testing.T, f func(t *testing.T, e *env)) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) { f(t, newEnv(t, storagetest.Open(t, engine))) })
	}
}

func newEnv(t *testing.T, store *storage.Store) *env {
	t.Helper()
	clock := domain.ClockFunc(func() time.Time { return fixedNow })
	e := &env{t: t, store: store, fx: storagetest.Seed(t, store), box: startMailbox(t),
		keys: map[string]ed25519.PrivateKey{}, dns: map[string]string{}}
	e.sched = &domain.Scheduler{Store: store, Clock: clock, BaseURL: "https://clinic.example"}
	e.inbox = &domain.Inbox{Store: store, Scheduler: e.sched, Clock: clock}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	later := domain.ClockFunc(func() time.Time { return fixedNow.Add(time.Minute) }) // after every receipt
	e.proc = &inbound.Processor{Store: store, Inbox: e.inbox, Clock: later, Logger: logger,
		Auth: inbound.Authenticator{LookupTXT: e.lookupTXT}}
	host, port, _ := net.SplitHostPort(e.box.Addr)
	var p int
	fmt.Sscan(port, &p)
	e.worker = &notifications.Worker{Store: store, Clock: clock, Logger: logger,
		Transport: &notifications.SMTPTransport{Host: host, Port: p, TLS: notifications.TLSNone}}
	e.inAddr = startListener(t, &inbound.Listener{Store: store, Clock: ticking(), Logger: logger, MaxBytes: 1 << 20})
	e.addKey(patientDomain)
	return e
}

// ticking is a clock from fixedNow that moves a millisecond per reading, so
// messages received one after another are in order.
func ticking() domain.Clock {
	var mu sync.Mutex
	n := 0
	return domain.ClockFunc(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fixedNow.Add(time.Duration(n) * time.Millisecond)
	})
}

// addKey makes a DKIM key for dom and publishes it in the test's DNS.
func (e *env) addKey(dom string) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		e.t.Fatal(err)
	}
	e.keys[dom] = priv
	e.dns[selector+"._domainkey."+dom] = "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
}

// lookupTXT is the DNS the processor's DKIM checks see.
func (e *env) lookupTXT(name string) ([]string, error) {
	if v, ok := e.dns[name]; ok {
		return []string{v}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// sign adds a DKIM-Signature of dom to raw, as the patient's provider does.
func (e *env) sign(dom string, raw []byte) []byte {
	e.t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{
		Domain: dom, Selector: selector, Signer: e.keys[dom],
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID", "Content-Type", "MIME-Version"},
	})
	if err != nil {
		e.t.Fatalf("dkim sign: %v", err)
	}
	return out.Bytes()
}

// book makes a massage booking for the patient at start, and delivers its
// emails.
func (e *env) book(start time.Time) domain.Booked {
	e.t.Helper()
	got, err := e.sched.Book(context.Background(), domain.BookRequest{
		ServiceID: e.fx.Massage.ID, PractitionerID: e.fx.Therapist.ID, Start: start,
		Patient: domain.Patient{Name: "Jane Doe", Email: patientEmail}, Actor: domain.ActorPatient,
	})
	if err != nil {
		e.t.Fatalf("Book(%v): %v", start, err)
	}
	e.deliver()
	return got
}

// deliver runs the outbox worker once.
func (e *env) deliver() {
	e.t.Helper()
	if _, err := e.worker.RunOnce(context.Background()); err != nil {
		e.t.Fatalf("worker: %v", err)
	}
}

// send delivers raw to the inbound listener over SMTP and processes the
// queue; the SMTP error, if any, is returned.
func (e *env) send(from string, raw []byte) error {
	e.t.Helper()
	c, err := smtp.Dial(e.inAddr)
	if err != nil {
		e.t.Fatalf("dial the inbound listener: %v", err)
	}
	defer c.Close()
	if err := c.SendMail(from, []string{"clinic@example.com"}, bytes.NewReader(raw)); err != nil {
		return err
	}
	_ = c.Quit()
	if _, err := e.proc.RunOnce(context.Background()); err != nil {
		e.t.Fatalf("process inbound: %v", err)
	}
	return nil
}

// booking reads a booking back.
func (e *env) booking(id string) domain.BookingDetail {
	e.t.Helper()
	d, err := e.store.Booking(context.Background(), id)
	if err != nil {
		e.t.Fatalf("Booking(%s): %v", id, err)
	}
	return d
}

// messages lists what the inbound door stored, newest first.
func (e *env) messages() []domain.InboundMessage {
	e.t.Helper()
	list, err := e.store.InboundMessages(context.Background(), domain.InboundFilter{})
	if err != nil {
		e.t.Fatalf("InboundMessages: %v", err)
	}
	return list
}

// last is the newest stored message.
func (e *env) last() domain.InboundMessage {
	e.t.Helper()
	list := e.messages()
	if len(list) == 0 {
		e.t.Fatal("no inbound message stored")
	}
	return list[0]
}

// reply is what a fixture template is filled with.
type reply struct {
	Name, Attendee, Organizer string
	UID                       string
	Seq                       int
	PartStat, Method          string
	Subject, Text, Comment    string
	Start, End                time.Time
	MessageID                 string
	Original                  string // a bounce: the Message-ID it returns
}

// render fills testdata/<name>.eml.tmpl (and its .ics.tmpl, when there is
// one) and gives it CRLF line ends, as mail has.
func render(t *testing.T, name string, r reply) []byte {
	t.Helper()
	if r.Name == "" {
		r.Name = "Jane Doe"
	}
	if r.Attendee == "" {
		r.Attendee = patientEmail
	}
	if r.Organizer == "" {
		r.Organizer = "clinic@example.com"
	}
	if r.Method == "" {
		r.Method = "REPLY"
	}
	if r.MessageID == "" {
		r.MessageID = domain.NewID() + "@mail." + patientDomain
	}
	ny, _ := time.LoadLocation("America/New_York")
	data := map[string]any{
		"Name": r.Name, "Attendee": r.Attendee, "Organizer": r.Organizer, "UID": r.UID, "Seq": r.Seq,
		"PartStat": r.PartStat, "Method": r.Method, "Subject": r.Subject, "Text": r.Text, "Comment": r.Comment,
		"Start": r.Start.UTC().Format("20060102T150405Z"), "End": r.End.UTC().Format("20060102T150405Z"),
		"LocalStart": r.Start.In(ny).Format("20060102T150405"), "LocalEnd": r.End.In(ny).Format("20060102T150405"),
		"Stamp": fixedNow.Format("20060102T150405Z"), "Date": fixedNow.Format(time.RFC1123Z),
		"MessageID": r.MessageID, "Original": r.Original,
	}
	funcs := template.FuncMap{"b64": func(s string) string {
		enc := base64.StdEncoding.EncodeToString([]byte(s))
		var b strings.Builder
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\n")
			enc = enc[76:]
		}
		b.WriteString(enc)
		return b.String()
	}}
	ics := filepath.Join("testdata", name+".ics.tmpl")
	if _, err := os.Stat(ics); err != nil {
		ics = filepath.Join("testdata", "gmail_reply.ics.tmpl") // what the others quote
	}
	data["ICS"] = crlf(fill(t, ics, funcs, data))
	return []byte(crlf(fill(t, filepath.Join("testdata", name+".eml.tmpl"), funcs, data)))
}

func fill(t *testing.T, path string, funcs template.FuncMap, data any) string {
	t.Helper()
	tmpl, err := template.New(filepath.Base(path)).Funcs(funcs).ParseFiles(path)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatalf("fill %s: %v", path, err)
	}
	return b.String()
}

func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// startListener serves l on a loopback port and returns the address.
func startListener(t *testing.T, l *inbound.Listener) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Serve(ln) }()
	t.Cleanup(func() {
		_ = l.Close()
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("listener: %v", err)
		}
	})
	return ln.Addr().String()
}

// mailbox is an in-process SMTP server on loopback that keeps every
// message it is sent: the patient's and the clinic's inboxes.
type mailbox struct {
	Addr string
	mu   sync.Mutex
	msgs []received
}

type received struct {
	To   []string
	Data []byte
}

func startMailbox(t *testing.T) *mailbox {
	t.Helper()
	mb := &mailbox{}
	srv := smtp.NewServer(mb)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen for SMTP: %v", err)
	}
	mb.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return mb
}

// to returns the messages sent to addr.
func (mb *mailbox) to(addr string) []received {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	var out []received
	for _, m := range mb.msgs {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

func (mb *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &boxSession{box: mb}, nil }

type boxSession struct {
	box *mailbox
	cur received
}

func (s *boxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *boxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}
func (s *boxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = b
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	s.cur = received{}
	return nil
}
func (s *boxSession) Reset()        { s.cur = received{} }
func (s *boxSession) Logout() error { return nil }
