package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// maxListedMessages bounds one list of notifications.
const maxListedMessages = 500

// notificationJSON is an outbox row for staff; never the email's secret link.
type notificationJSON struct {
	ID        string `json:"id"`
	BookingID string `json:"booking_id"`
	Kind      string `json:"kind"`
	To        string `json:"to"`
	Status    string `json:"status"`
	DueAt     string `json:"due_at"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"last_error"`
	SentAt    string `json:"sent_at,omitempty"`
	CreatedAt string `json:"created_at"`
}

func toNotificationJSON(m domain.Message) notificationJSON {
	return notificationJSON{
		ID: m.ID, BookingID: m.BookingID, Kind: string(m.Kind), To: m.To, Status: string(m.Status),
		DueAt: rfc3339(m.DueAt, time.UTC), Attempts: m.Attempts, LastError: m.LastError,
		SentAt: rfc3339(m.SentAt, time.UTC), CreatedAt: rfc3339(m.CreatedAt, time.UTC),
	}
}

// listNotifications handles GET /api/v1/notifications?status=pending,dead.
func (s *Server) listNotifications(c echo.Context) error {
	f := domain.MessageFilter{Limit: maxListedMessages}
	for _, st := range strings.Split(c.QueryParam("status"), ",") {
		switch st = strings.TrimSpace(st); domain.MessageStatus(st) {
		case "":
		case domain.MessagePending, domain.MessageSent, domain.MessageDead, domain.MessageCancelled:
			f.Statuses = append(f.Statuses, domain.MessageStatus(st))
		default:
			return domain.Invalid("status", "Use pending, sent, dead or cancelled.")
		}
	}
	list, err := s.Store.Messages(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]notificationJSON, 0, len(list))
	for _, m := range list {
		out = append(out, toNotificationJSON(m))
	}
	return c.JSON(http.StatusOK, map[string]any{"notifications": out})
}

// retryNotification handles POST /api/v1/notifications/{id}/retry: a dead
// message goes back in the queue, due now.
func (s *Server) retryNotification(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.Setup.RetryMessage(c.Request().Context(), auth.Actor(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
