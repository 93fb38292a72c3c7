// Package inbound is Frontdesk's door for mail that comes back: an SMTP/LMTP
// listener that stores each message whole before anything else, a queue
// processor that reads stored messages (MIME, iCalendar replies, delivery
// reports, DKIM) and hands what it read to domain.Inbox, which decides.
package inbound

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"

	"github.com/frontdesk/frontdesk/domain"
)

// Bounds on what one message may make the parser do.
const (
	maxDepth     = 8       // nested multiparts
	maxParts     = 64      // parts in all
	maxPartBytes = 4 << 20 // one decoded part
)

// part is one decoded leaf of a message.
type part struct {
	mediaType string
	params    map[string]string
	filename  string
	body      []byte
}

// Read reads what the rules need from a raw message: From, Subject,
// Message-ID, whether it is automatic, its calendar answer or delivery
// report. Authenticated is left for the Authenticator. Read never fails: a
// message it cannot read has Malformed set, saying why.
func Read(raw []byte, envelopeFrom string) (out domain.InboundMail) {
	defer func() {
		if r := recover(); r != nil { // a parser bug must not stop the queue
			out = domain.InboundMail{Malformed: fmt.Sprintf("The message could not be read (%v).", r)}
		}
	}()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return domain.InboundMail{Malformed: "Not an email message: the header could not be read."}
	}
	h := msg.Header
	out = domain.InboundMail{
		MessageID: bareID(h.Get("Message-Id")),
		From:      fromAddress(h),
		Subject:   decodeHeader(h.Get("Subject")),
		AutoReply: isAutomatic(h),
	}
	parts, err := leaves(textproto.MIMEHeader(h), msg.Body, 0, new(int))
	if err != nil {
		out.Malformed = "The MIME structure could not be read: " + err.Error()
		return out
	}
	out.Bounce = readBounce(h, envelopeFrom, out.Subject, parts)
	if out.Bounce == nil {
		out.Calendar = readCalendar(parts, out.From)
	}
	return out
}

// fromAddress is the From header's one address, lower-cased; "" when it
// has none or several (no single patient can be matched then).
func fromAddress(h mail.Header) string {
	list, err := h.AddressList("From")
	if err != nil || len(list) != 1 {
		return ""
	}
	return domain.NormalizeEmail(list[0].Address)
}

// isAutomatic reports an auto-reply, a vacation notice or list mail (RFC
// 3834 Auto-Submitted, Precedence, and the common X- headers).
func isAutomatic(h mail.Header) bool {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	return h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" || h.Get("List-Id") != ""
}

// leaves decodes the leaf parts under a header and body, depth first.
// Message parts (message/rfc822, a returned original) are kept whole as
// leaves and not opened: the invite they quote is not the sender's answer.
func leaves(h textproto.MIMEHeader, body io.Reader, depth int, count *int) ([]part, error) {
	if *count++; *count > maxParts {
		return nil, fmt.Errorf("more than %d parts", maxParts)
	}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mediaType, params = "text/plain", map[string]string{} // RFC 2045's default
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if depth >= maxDepth {
			return nil, fmt.Errorf("multiparts nested deeper than %d", maxDepth)
		}
		if params["boundary"] == "" {
			return nil, fmt.Errorf("a %s without a boundary", mediaType)
		}
		return children(mediaType, params, body, depth, count)
	}
	data, err := decodeBody(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return nil, err
	}
	p := part{mediaType: mediaType, params: params, filename: filename(h, params), body: data}
	return []part{p}, nil
}

// children reads the parts of a multipart. A multipart/report keeps its
// report-type on the parts, so a delivery report is told from the others.
func children(mediaType string, params map[string]string, body io.Reader, depth int, count *int) ([]part, error) {
	mr := multipart.NewReader(body, params["boundary"])
	var out []part
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", mediaType, err)
		}
		got, err := leaves(p.Header, p, depth+1, count)
		if err != nil {
			return nil, err
		}
		if mediaType == "multipart/report" {
			for i := range got {
				got[i].params["x-report-type"] = strings.ToLower(params["report-type"])
			}
		}
		out = append(out, got...)
	}
}

// decodeBody undoes a Content-Transfer-Encoding, reading at most
// maxPartBytes.
func decodeBody(cte string, body io.Reader) ([]byte, error) {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &stripSpace{r: body})
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	default:
		r = body
	}
	data, err := io.ReadAll(io.LimitReader(r, maxPartBytes+1))
	if err != nil {
		return nil, fmt.Errorf("decode %s part: %w", cte, err)
	}
	if len(data) > maxPartBytes {
		return nil, fmt.Errorf("a part larger than %d bytes", maxPartBytes)
	}
	return data, nil
}

// stripSpace drops the line breaks and spaces of a base64 body, which
// encoding/base64 reads only when they are CR and LF.
type stripSpace struct{ r io.Reader }

func (s *stripSpace) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				p[k] = c
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

// filename is a part's file name, from Content-Disposition or the older
// Content-Type name parameter.
func filename(h textproto.MIMEHeader, params map[string]string) string {
	if _, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && dp["filename"] != "" {
		return dp["filename"]
	}
	return params["name"]
}

// decodeHeader decodes RFC 2047 words; a header it cannot decode is kept
// as it came.
func decodeHeader(s string) string {
	d, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

// bareID is a Message-ID without its angle brackets and spaces.
func bareID(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			return s[i+1 : i+j]
		}
	}
	return strings.Trim(s, "<> \t")
}
