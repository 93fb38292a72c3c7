package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// notificationsPage is the outbox, newest first as the store gives it.
type notificationsPage struct {
	Messages []domain.Message
	Status   string
	Statuses []domain.MessageStatus
}

var messageStatuses = []domain.MessageStatus{domain.MessagePending, domain.MessageSent, domain.MessageDead, domain.MessageCancelled}

// notifications handles GET /staff/notifications (?status=dead).
func (s *Site) notifications(c echo.Context) error {
	d := notificationsPage{Status: c.QueryParam("status"), Statuses: messageStatuses}
	f := domain.MessageFilter{Limit: 200}
	if d.Status != "" {
		f.Statuses = []domain.MessageStatus{domain.MessageStatus(d.Status)}
	}
	var err error
	if d.Messages, err = s.Store.Messages(c.Request().Context(), f); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "notifications", "Notifications", d)
}

// retryNotification handles POST /staff/notifications/:id/retry.
func (s *Site) retryNotification(c echo.Context) error {
	id := c.Param("id")
	if !domain.IsID(id) {
		return domain.ErrNotFound
	}
	if err := s.Setup.RetryMessage(c.Request().Context(), staffActor(c), id); err != nil {
		return err
	}
	return seeOther(c, "/staff/notifications?done=retried")
}
