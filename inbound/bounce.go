package inbound

import (
	"bufio"
	"bytes"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/frontdesk/frontdesk/domain"
)

// readBounce reads a delivery report: an RFC 3464 DSN
// (multipart/report; report-type=delivery-status), or one of the plain-text
// bounces some servers send instead (from the null sender or a mailer
// daemon, with a subject saying so). Nil for anything else, and for a DSN
// that reports no permanent failure (a delay, a delivery).
func readBounce(h mail.Header, envelopeFrom, subject string, parts []part) *domain.Bounce {
	var b domain.Bounce
	isDSN := false
	for _, p := range parts {
		if p.params["x-report-type"] != "delivery-status" {
			continue
		}
		switch p.mediaType {
		case "message/delivery-status", "message/global-delivery-status":
			isDSN = true
			readStatus(p.body, &b)
		case "message/rfc822", "text/rfc822-headers", "message/rfc822-headers", "message/global", "message/global-headers":
			if id := quotedMessageID(p.body); id != "" {
				b.MessageIDs = append(b.MessageIDs, id)
			}
		}
	}
	if isDSN {
		if len(b.Recipients) == 0 {
			return nil
		}
		b.MessageIDs = append(b.MessageIDs, referenced(h)...)
		return &b
	}
	if !plainBounce(h, envelopeFrom, subject) {
		return nil
	}
	for _, p := range parts {
		if strings.HasPrefix(p.mediaType, "text/") || strings.HasPrefix(p.mediaType, "message/") {
			b.MessageIDs = append(b.MessageIDs, idsInText(p.body)...)
			if b.Reason == "" {
				b.Reason = firstStatus(p.body)
			}
		}
	}
	b.MessageIDs = append(b.MessageIDs, referenced(h)...)
	return &b
}

// readStatus reads the per-recipient fields of a message/delivery-status
// body: blocks of header fields, the first about the message.
func readStatus(body []byte, b *domain.Bounce) {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(body)))
	for block := 0; block < maxParts; block++ {
		fields, err := r.ReadMIMEHeader()
		if len(fields) > 0 && block > 0 {
			recipient(fields, b)
		}
		if err != nil {
			return
		}
	}
}

// recipient records a recipient block that failed for good: Action failed,
// or a 5.x.x Status.
func recipient(f textproto.MIMEHeader, b *domain.Bounce) {
	action := strings.ToLower(strings.TrimSpace(f.Get("Action")))
	status := strings.TrimSpace(f.Get("Status"))
	if action != "failed" && !strings.HasPrefix(status, "5.") {
		return
	}
	addr := f.Get("Final-Recipient")
	if addr == "" {
		addr = f.Get("Original-Recipient")
	}
	if i := strings.IndexByte(addr, ';'); i >= 0 {
		addr = addr[i+1:]
	}
	if addr = domain.NormalizeEmail(strings.Trim(strings.TrimSpace(addr), "<>")); addr != "" {
		b.Recipients = append(b.Recipients, addr)
	}
	if b.Reason == "" {
		b.Reason = strings.TrimSpace(status + " " + f.Get("Diagnostic-Code"))
	}
}

// quotedMessageID is the Message-ID of a returned message or its headers.
func quotedMessageID(body []byte) string {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(body)))
	h, _ := r.ReadMIMEHeader()
	return bareID(h.Get("Message-Id"))
}

// referenced are the Message-IDs a report names in In-Reply-To and
// References, as some servers do.
func referenced(h mail.Header) []string {
	var out []string
	for _, v := range []string{h.Get("In-Reply-To"), h.Get("References")} {
		for _, f := range strings.Fields(v) {
			if id := bareID(f); id != "" {
				out = append(out, id)
			}
		}
	}
	return out
}

// bounceSubjects are how the common servers title a plain-text bounce.
var bounceSubjects = []string{
	"undelivered mail returned to sender", // Postfix
	"delivery status notification (failure)",
	"mail delivery failed", // Exim
	"undeliverable:",       // Exchange
	"failure notice",       // qmail, Yahoo
	"returned mail",        // Sendmail
	"delivery failure",
	"mail delivery system",
}

// plainBounce reports a message that looks like a bounce without a DSN:
// from the null sender or a mailer daemon, titled like one.
func plainBounce(h mail.Header, envelopeFrom, subject string) bool {
	from := strings.ToLower(h.Get("From"))
	daemon := envelopeFrom == "" || envelopeFrom == "<>" ||
		strings.Contains(from, "mailer-daemon") || strings.Contains(from, "postmaster")
	if !daemon {
		return false
	}
	s := strings.ToLower(subject)
	for _, b := range bounceSubjects {
		if strings.Contains(s, b) {
			return true
		}
	}
	return false
}

var (
	messageIDLine = regexp.MustCompile(`(?im)^\s*message-id:\s*<([^<>\s]{1,250})>`)
	statusCode    = regexp.MustCompile(`\b5\.\d{1,3}\.\d{1,3}\b[^\r\n]{0,160}`)
)

// idsInText finds the Message-ID lines of the original quoted in a
// plain-text bounce.
func idsInText(body []byte) []string {
	var out []string
	for _, m := range messageIDLine.FindAllSubmatch(body, 8) {
		out = append(out, string(m[1]))
	}
	return out
}

// firstStatus is the first permanent status code of a plain-text bounce
// and what follows it on its line.
func firstStatus(body []byte) string {
	return strings.TrimSpace(string(statusCode.Find(body)))
}
