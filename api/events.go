package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// eventHeartbeat is how often an idle stream sends a comment line, so
// proxies and load balancers keep it open.
const eventHeartbeat = 15 * time.Second

// eventJSON is the data of an `event: booking`.
type eventJSON struct {
	ID                     string  `json:"id"`
	PractitionerID         string  `json:"practitioner_id"`
	RoomID                 *string `json:"room_id"`
	Start                  string  `json:"start"`
	End                    string  `json:"end"`
	Status                 string  `json:"status"`
	Change                 string  `json:"change"`
	Seq                    int64   `json:"seq"`
	PreviousPractitionerID string  `json:"previous_practitioner_id,omitempty"`
	At                     string  `json:"at"`
}

func toEventJSON(e domain.Event) eventJSON {
	out := eventJSON{ID: e.BookingID, PractitionerID: e.PractitionerID, Start: rfc3339(e.Start, time.UTC), End: rfc3339(e.End, time.UTC),
		Status: string(e.Status), Change: e.Change, Seq: e.Seq, PreviousPractitionerID: e.PreviousPractitionerID, At: rfc3339(e.At, time.UTC)}
	if e.RoomID != "" {
		out.RoomID = &e.RoomID
	}
	return out
}

// events handles GET /api/v1/events: booking changes from every replica
// as server-sent events, as they commit. Each event's id is the stream's
// position; a client that reconnects with Last-Event-ID (or
// ?last_event_id=) first gets what it missed. A practitioner sees only
// their own calendar's changes.
func (s *Server) events(c echo.Context) error {
	if s.Events == nil {
		return domain.ErrUnavailable
	}
	after, resume, err := lastEventID(c)
	if err != nil {
		return err
	}
	u, _ := auth.UserFrom(c)
	w := c.Response()
	// The server's read and write timeouts are for ordinary requests; a
	// stream lives until the client leaves.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	ctx := c.Request().Context()
	evs := s.Events.Subscribe(ctx, after, resume)
	if _, err := fmt.Fprint(w, "retry: 1000\n: stream open\n\n"); err != nil {
		return nil
	}
	w.Flush()
	beat := time.NewTicker(eventHeartbeat)
	defer beat.Stop()
	cursor := after
	for {
		var frame string
		select {
		case <-ctx.Done():
			return nil
		case <-beat.C:
			frame = ": heartbeat\n\n"
		case ev, ok := <-evs:
			if !ok {
				return nil // shutdown or too far behind: the client reconnects and resumes
			}
			if !ev.VisibleTo(u) {
				continue
			}
			// The id never goes backwards: on PostgreSQL events may arrive
			// out of Seq order, and a resume replays the late ones.
			cursor = max(cursor, ev.Seq)
			frame = eventFrame(cursor, ev)
		}
		if _, err := fmt.Fprint(w, frame); err != nil {
			return nil
		}
		w.Flush()
	}
}

func eventFrame(cursor int64, ev domain.Event) string {
	var data []byte
	if ev.Kind == domain.EventResync {
		data, _ = json.Marshal(map[string]int64{"seq": ev.Seq})
	} else {
		data, _ = json.Marshal(toEventJSON(ev))
	}
	var b strings.Builder
	if cursor > 0 {
		fmt.Fprintf(&b, "id: %d\n", cursor)
	}
	fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", ev.Kind, data)
	return b.String()
}

// lastEventID reads the resume point: the Last-Event-ID header the browser
// sends on reconnecting, or the last_event_id query parameter.
func lastEventID(c echo.Context) (after int64, resume bool, err error) {
	v := c.Request().Header.Get("Last-Event-ID")
	field := "Last-Event-ID"
	if v == "" {
		v, field = c.QueryParam("last_event_id"), "last_event_id"
	}
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, false, domain.Invalid(field, "Give the id of the last event received, a whole number.")
	}
	return n, true, nil
}
