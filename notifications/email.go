package notifications

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/mail"
	"strings"
	texttemplate "text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/frontdesk/frontdesk/domain"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// The templates are embedded, so a parse error is a build defect: every test
// of the package would fail at once.
var (
	textTemplates = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/*.txt.tmpl"))
	htmlTemplates = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/*.html.tmpl"))
)

// inviteFile is the attachment's name; its bytes equal the text/calendar part's.
const inviteFile = "invite.ics"

// Compose builds the email for an outbox message: From the clinic (equal to
// the invite's ORGANIZER), To the message's recipient, a subject naming the
// visit and its time in the patient's zone, Message-ID <id@clinic-domain>
// (the outbox row's id at the sender's domain: stable, so a sink can spot a
// duplicate, and with a domain, which spam filters expect), and text and HTML alternatives rendered
// from the embedded templates. Confirmations, reschedules and cancellations
// also carry the invite: a text/calendar alternative and an invite.ics
// attachment with the same bytes. Reminders and practitioner notes carry none.
//
// The Date header is the message's creation time; the Worker replaces it
// with the time of sending. Bad input is a KindInvalid error naming the field:
// retrying such a message cannot help.
func Compose(m domain.Message) (*gomail.Msg, error) {
	if err := checkMessage(m); err != nil {
		return nil, err
	}
	v := newView(m)
	text, html, err := render(m.Kind, v)
	if err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(&mail.Address{Name: oneLine(m.Notice.Sender()), Address: m.Notice.ClinicEmail})
	msg.ToMailAddress(&mail.Address{Name: recipientName(m), Address: m.To})
	msg.Subject(subject(m.Kind, v))
	msg.SetMessageIDWithValue(outboxMessageID(m))
	msg.SetDateWithValue(composedAt(m))
	msg.SetGenHeader("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies, please
	msg.SetBodyString(gomail.TypeTextPlain, text)
	msg.AddAlternativeString(gomail.TypeTextHTML, html)
	if method := inviteMethod(m); method != "" && m.Notice.Series != nil {
		if err := attachSeries(msg, m, method); err != nil {
			return nil, err
		}
	} else if method != "" {
		ics, err := invite(inviteNotice(m), method, composedAt(m))
		if err != nil {
			return nil, err
		}
		// Base64 keeps the calendar byte for byte through every relay.
		msg.AddAlternativeString(gomail.ContentType("text/calendar; method="+method), string(ics),
			gomail.WithPartEncoding(gomail.EncodingB64))
		msg.AttachReadSeeker(inviteFile, bytes.NewReader(ics), gomail.WithFileContentType("application/ics"))
	}
	return msg, nil
}

// inviteMethod is the iTIP method a message carries, "" for none. A
// practitioner's invite is withdrawn (CANCEL) when the visit is cancelled
// or moved to someone else.
func inviteMethod(m domain.Message) string {
	switch m.Kind {
	case domain.MessageConfirmation, domain.MessageRescheduled:
		return MethodRequest
	case domain.MessageCancellation, domain.MessagePlanCancellation:
		return MethodCancel
	case domain.MessagePlanConfirmation:
		return MethodRequest
	case domain.MessagePractitionerInvite:
		if m.Notice.Status == domain.StatusCancelled || m.Notice.MovedTo != "" { // moved to someone else
			return MethodCancel
		}
		return MethodRequest
	}
	return ""
}

// inviteNotice is the notice an invite is built from: for a practitioner's
// invite the practitioner attends (so their calendar takes it), and the
// patient's link stays out.
func inviteNotice(m domain.Message) domain.Notice {
	n := m.Notice
	if m.Kind == domain.MessagePractitionerInvite {
		n.PatientName, n.PatientEmail, n.ManageURL = recipientName(m), m.To, ""
	}
	return n
}

// outboxMessageID is the Message-ID m goes out with: the one its row keeps, so a
// bounce can be matched to it.
func outboxMessageID(m domain.Message) string {
	if m.MessageID != "" {
		return m.MessageID
	}
	return domain.MessageIDFor(m.ID, m.Notice.ClinicEmail)
}

func composedAt(m domain.Message) time.Time {
	if m.CreatedAt.IsZero() {
		return m.DueAt.UTC().Truncate(time.Second)
	}
	return m.CreatedAt.UTC().Truncate(time.Second)
}

// senderDomain is the domain of the clinic's address, which checkMessage
// has found valid.
func senderDomain(addr string) string {
	return strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
}

func recipientName(m domain.Message) string {
	switch {
	case m.Kind == domain.MessageFrontDesk:
		return oneLine(m.Notice.ClinicName)
	case forStaff(m.Kind):
		return oneLine(m.Notice.PractitionerName)
	}
	return oneLine(m.Notice.PatientName)
}

// checkMessage rejects a message no email can be composed from.
func checkMessage(m domain.Message) error {
	var v domain.Validation
	v.Check(m.ID != "" && !strings.ContainsAny(m.ID, "<>@ \t\r\n"), "id", "Needs an id fit for a Message-ID.")
	v.Check(m.MessageID == "" || validMessageID(m.MessageID), "message_id", "Needs a Message-ID of the form left@right.")
	v.Check(isAddress(m.To), "to", "Use a valid recipient email address.")
	v.Check(isAddress(m.Notice.ClinicEmail), "notice.clinic_email", "Use a valid clinic email address.")
	v.Check(templateName(m.Kind) != "", "kind", "Unknown kind of message.")
	v.Check(!m.Notice.Start.IsZero() && m.Notice.End.After(m.Notice.Start), "notice.end", "The visit must end after it starts.")
	return v.Err()
}

func templateName(k domain.MessageKind) string {
	switch k {
	case domain.MessageConfirmation, domain.MessageRescheduled, domain.MessageCancellation,
		domain.MessageReminder, domain.MessagePractitioner, domain.MessageReplyRefused, domain.MessageFrontDesk,
		domain.MessageWaitlistOffer, domain.MessagePlanConfirmation, domain.MessagePlanCancellation:
		return string(k)
	case domain.MessagePractitionerInvite:
		return string(domain.MessagePractitioner)
	}
	return ""
}

func render(k domain.MessageKind, v view) (text, html string, err error) {
	var tb, hb strings.Builder
	if err := textTemplates.ExecuteTemplate(&tb, templateName(k)+".txt.tmpl", v); err != nil {
		return "", "", fmt.Errorf("render %s text: %w", k, err)
	}
	if err := htmlTemplates.ExecuteTemplate(&hb, templateName(k)+".html.tmpl", v); err != nil {
		return "", "", fmt.Errorf("render %s html: %w", k, err)
	}
	return tb.String(), hb.String(), nil
}

// validMessageID reports whether s is fit for a Message-ID header between
// angle brackets: printable ASCII, one @, no brackets or spaces.
func validMessageID(s string) bool {
	if len(s) > 250 || strings.Count(s, "@") != 1 || strings.HasPrefix(s, "@") || strings.HasSuffix(s, "@") {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || r == '<' || r == '>' {
			return false
		}
	}
	return true
}
