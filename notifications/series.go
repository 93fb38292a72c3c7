package notifications

import (
	"bytes"
	"fmt"

	gomail "github.com/wneessen/go-mail"

	"github.com/frontdesk/frontdesk/domain"
)

// A plan's email carries one invite per visit, each its own iTIP message
// (one VEVENT, the visit's own UID and SEQUENCE): visit-01.ics, visit-02.ics,
// …, and the first visit's also as the text/calendar alternative, which is
// what Gmail and Outlook draw their invite card from. RFC 5546 keeps one
// UID per iTIP object, and the clients handle only the first VEVENT of a
// REQUEST that holds several UIDs; separate attachments each open as an
// invite (Apple Mail lists them all), and a later move or cancellation of
// one visit is an ordinary REQUEST or CANCEL for that UID alone.

// seriesFile is the attachment name of the i-th visit (0-based).
func seriesFile(i int) string { return fmt.Sprintf("visit-%02d.ics", i+1) }

// SeriesInvites returns the invite of every visit of a series message, in
// order, as Compose attaches them.
func SeriesInvites(m domain.Message) ([][]byte, error) {
	method := inviteMethod(m)
	if method == "" || m.Notice.Series == nil {
		return nil, domain.Invalid("notice.series", "Not a series message with invites.")
	}
	base := inviteNotice(m)
	out := make([][]byte, len(m.Notice.Series.Visits))
	for i, v := range m.Notice.Series.Visits {
		n := base
		n.Series = nil
		n.UID, n.Sequence, n.Status, n.Start, n.End = v.UID, v.Sequence, v.Status, v.Start, v.End
		n.ManageURL = v.ManageURL
		if v.Room != "" || n.Room != "" {
			n.Room = v.Room
		}
		ics, err := invite(n, method, composedAt(m))
		if err != nil {
			return nil, fmt.Errorf("invite of visit %d: %w", i+1, err)
		}
		out[i] = ics
	}
	return out, nil
}

// attachSeries adds the first visit's invite as the text/calendar
// alternative and every visit's as an attachment.
func attachSeries(msg *gomail.Msg, m domain.Message, method string) error {
	invites, err := SeriesInvites(m)
	if err != nil {
		return err
	}
	if len(invites) == 0 {
		return domain.Invalid("notice.series", "A series email needs at least one visit.")
	}
	msg.AddAlternativeString(gomail.ContentType("text/calendar; method="+method), string(invites[0]),
		gomail.WithPartEncoding(gomail.EncodingB64))
	for i, ics := range invites {
		msg.AttachReadSeeker(seriesFile(i), bytes.NewReader(ics),
			gomail.WithFileContentType("application/ics"))
	}
	return nil
}
