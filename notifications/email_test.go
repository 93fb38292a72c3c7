package notifications

import (
	"bytes"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"testing"

	gomail "github.com/wneessen/go-mail"

	"github.com/frontdesk/frontdesk/domain"
)

// part is one leaf of a parsed MIME tree.
type part struct {
	path        string // "multipart/mixed/multipart/alternative/text/plain"
	contentType string // with parameters, as sent
	disposition string
	body        []byte // decoded
}

// parseMIME reads raw (an RFC 5322 message) with the standard library only
// and returns its header and leaf parts in order.
func parseMIME(t *testing.T, raw []byte) (mail.Header, []part) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	var parts []part
	walkMIME(t, "", msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body, &parts)
	return msg.Header, parts
}

func walkMIME(t *testing.T, path, ctype, cte, disp string, body io.Reader, parts *[]part) {
	t.Helper()
	media, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("parse content type %q: %v", ctype, err)
	}
	path = strings.TrimPrefix(path+"/"+media, "/")
	if strings.HasPrefix(media, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("next part of %s: %v", path, err)
			}
			walkMIME(t, path, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"),
				p.Header.Get("Content-Disposition"), p, parts)
		}
	}
	switch strings.ToLower(cte) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	*parts = append(*parts, part{path: path, contentType: ctype, disposition: disp, body: b})
}

func writeMsg(t *testing.T, m *gomail.Msg) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// boundaries matches go-mail's random MIME boundaries, which the golden
// file replaces with stable names.
var boundaries = regexp.MustCompile(`boundary=([0-9a-f]{20,})`)

func TestComposeGolden(t *testing.T) {
	m, err := Compose(testMessage(domain.MessageConfirmation))
	if err != nil {
		t.Fatal(err)
	}
	raw := writeMsg(t, m)
	for i, match := range boundaries.FindAllSubmatch(raw, -1) {
		raw = bytes.ReplaceAll(raw, match[1], []byte("BOUNDARY-"+string(rune('A'+i))))
	}
	golden(t, "confirmation.eml.golden", raw)
}

func TestComposeInviteStructure(t *testing.T) {
	for _, tc := range []struct {
		kind   domain.MessageKind
		method string
	}{
		{domain.MessageConfirmation, "REQUEST"},
		{domain.MessageRescheduled, "REQUEST"},
		{domain.MessageCancellation, "CANCEL"},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			msg := testMessage(tc.kind)
			m, err := Compose(msg)
			if err != nil {
				t.Fatal(err)
			}
			h, parts := parseMIME(t, writeMsg(t, m))
			checkInviteEmail(t, h, parts, msg, tc.method)
		})
	}
}

// checkInviteEmail checks an iMIP email (RFC 6047) against the message it
// was composed from and returns the calendar it carries.
func checkInviteEmail(t *testing.T, h mail.Header, parts []part, msg domain.Message, method string) []byte {
	t.Helper()
	n := msg.Notice
	if got, want := h.Get("Message-Id"), messageID(msg); got != want {
		t.Errorf("Message-ID = %q, want %q", got, want)
	}
	from, err := mail.ParseAddress(h.Get("From"))
	if err != nil || from.Address != n.ClinicEmail || from.Name != n.Sender() {
		t.Errorf("From = %q (%v), want %s <%s>", h.Get("From"), err, n.Sender(), n.ClinicEmail)
	}
	to, err := mail.ParseAddress(h.Get("To"))
	if err != nil || to.Address != msg.To {
		t.Errorf("To = %q (%v), want %s", h.Get("To"), err, msg.To)
	}
	wantPaths := []string{
		"multipart/mixed/multipart/alternative/text/plain",
		"multipart/mixed/multipart/alternative/text/html",
		"multipart/mixed/multipart/alternative/text/calendar",
		"multipart/mixed/application/ics",
	}
	if len(parts) != len(wantPaths) {
		t.Fatalf("got %d parts, want %d: %+v", len(parts), len(wantPaths), parts)
	}
	for i, p := range parts {
		if p.path != wantPaths[i] {
			t.Errorf("part %d is %s, want %s", i, p.path, wantPaths[i])
		}
	}
	_, params, _ := mime.ParseMediaType(parts[2].contentType)
	if params["method"] != method || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("calendar part Content-Type = %q, want method=%s; charset=UTF-8", parts[2].contentType, method)
	}
	if !strings.HasPrefix(parts[3].disposition, "attachment") || !strings.Contains(parts[3].disposition, "invite.ics") {
		t.Errorf("attachment disposition = %q", parts[3].disposition)
	}
	if !bytes.Equal(parts[2].body, parts[3].body) {
		t.Errorf("the text/calendar part and invite.ics differ:\n%s\n---\n%s", parts[2].body, parts[3].body)
	}
	cal, ev := decode(t, parts[2].body)
	if got := propText(t, cal.Props, "METHOD"); got != method {
		t.Errorf("METHOD = %q, want %q (the MIME part's)", got, method)
	}
	if got := propText(t, ev.Props, "ORGANIZER"); got != "mailto:"+from.Address {
		t.Errorf("ORGANIZER = %q, want From (%s)", got, from.Address)
	}
	if cn := ev.Props.Get("ORGANIZER").Params.Get("CN"); from != nil && cn != from.Name {
		t.Errorf("ORGANIZER CN = %q, want From's name %q", cn, from.Name)
	}
	for _, p := range parts[:2] {
		body := string(p.body)
		wants := []string{n.PractitionerName, "12 River Street", n.CancelPolicy, n.ManageURL, "Eastern Time (New York)"}
		if msg.Kind == domain.MessageCancellation {
			wants = []string{n.PractitionerName, "12 River Street", n.BookURL, "Eastern Time (New York)"}
		}
		for _, want := range wants {
			if p.path == wantPaths[1] {
				want = htmlEscape(want)
			}
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q", p.path, want)
			}
		}
	}
	return parts[2].body
}

func htmlEscape(s string) string { return template.HTMLEscapeString(s) }

func TestComposeSubjects(t *testing.T) {
	for _, tc := range []struct {
		kind domain.MessageKind
		want string
	}{
		{domain.MessageConfirmation, "Confirmed: Complimentary Case Review, Tue 1 Dec at 9:00 AM EST"},
		{domain.MessageRescheduled, "Rescheduled: Complimentary Case Review, Wed 2 Dec at 9:00 AM EST"},
		{domain.MessageCancellation, "Cancelled: Complimentary Case Review, Tue 1 Dec at 9:00 AM EST"},
		{domain.MessageReminder, "Reminder: Complimentary Case Review, Tue 1 Dec at 9:00 AM EST"},
		{domain.MessagePractitioner, "New booking: Complimentary Case Review with Jane Doe, Tue 1 Dec at 9:00 AM EST"},
	} {
		m, err := Compose(testMessage(tc.kind))
		if err != nil {
			t.Fatal(err)
		}
		h, _ := parseMIME(t, writeMsg(t, m))
		got, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
		if err != nil || got != tc.want {
			t.Errorf("Compose(%s) subject = %q (%v), want %q", tc.kind, got, err, tc.want)
		}
	}
}

func TestComposePatientZone(t *testing.T) {
	msg := testMessage(domain.MessageConfirmation)
	msg.Notice.TimeZone = "Europe/London"
	m, err := Compose(msg)
	if err != nil {
		t.Fatal(err)
	}
	_, parts := parseMIME(t, writeMsg(t, m))
	if text := string(parts[0].body); !strings.Contains(text, "2:00 PM – 2:15 PM GMT") || !strings.Contains(text, "UK Time (London)") {
		t.Errorf("text body does not show the visit in the patient's zone, named:\n%s", text)
	}
}

func TestComposeWithoutInvite(t *testing.T) {
	for _, kind := range []domain.MessageKind{domain.MessageReminder, domain.MessagePractitioner} {
		msg := testMessage(kind)
		m, err := Compose(msg)
		if err != nil {
			t.Fatal(err)
		}
		raw := writeMsg(t, m)
		_, parts := parseMIME(t, raw)
		if len(parts) != 2 || parts[0].path != "multipart/alternative/text/plain" || parts[1].path != "multipart/alternative/text/html" {
			t.Errorf("Compose(%s) parts = %+v, want text and HTML alternatives only", kind, parts)
		}
		if bytes.Contains(raw, []byte("text/calendar")) || bytes.Contains(raw, []byte("BEGIN:VCALENDAR")) {
			t.Errorf("Compose(%s) carries an invite", kind)
		}
		leaks := bytes.Contains(parts[0].body, []byte(msg.Notice.ManageURL))
		if kind == domain.MessagePractitioner && leaks {
			t.Errorf("the practitioner's note shows the patient's manage link")
		}
		if kind == domain.MessageReminder && !leaks {
			t.Errorf("the reminder lacks the manage link")
		}
	}
}

func TestComposeHostileInput(t *testing.T) {
	msg := testMessage(domain.MessageConfirmation)
	msg.Notice = hostileNotice()
	m, err := Compose(msg)
	if err != nil {
		t.Fatal(err)
	}
	raw := writeMsg(t, m)
	h, parts := parseMIME(t, raw)
	to, err := mail.ParseAddress(h.Get("To"))
	if err != nil || to.Address != msg.To {
		t.Errorf("To = %q (%v)", h.Get("To"), err)
	}
	if bytes.Contains(parts[1].body, []byte(`"Zee"`)) {
		t.Error("HTML body shows the patient's name unescaped")
	}
	checkLines(t, parts[2].body)
}

func TestComposeRejectsBadMessage(t *testing.T) {
	for _, tc := range []struct {
		field string
		edit  func(*domain.Message)
	}{
		{"id", func(m *domain.Message) { m.ID = "" }},
		{"to", func(m *domain.Message) { m.To = "not an address" }},
		{"to", func(m *domain.Message) { m.To = "a@b.c\r\nBcc: x@y.z" }},
		{"kind", func(m *domain.Message) { m.Kind = "newsletter" }},
		{"notice.clinic_email", func(m *domain.Message) { m.Notice.ClinicEmail = "" }},
		{"notice.uid", func(m *domain.Message) { m.Notice.UID = "" }},
	} {
		msg := testMessage(domain.MessageConfirmation)
		tc.edit(&msg)
		_, err := Compose(msg)
		var e *domain.Error
		if !errors.As(err, &e) || e.Kind != domain.KindInvalid || !hasField(e, tc.field) {
			t.Errorf("Compose with bad %s = %v, want a KindInvalid error naming it", tc.field, err)
		}
	}
}
