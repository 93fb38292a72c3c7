package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

type auditJSON struct {
	ID         string    `json:"id"`
	At         string    `json:"at"`
	Actor      actorJSON `json:"actor"`
	Action     string    `json:"action"`
	EntityType string    `json:"entity_type"`
	EntityID   string    `json:"entity_id"`
	Before     any       `json:"before"`
	After      any       `json:"after"`
}

type actorJSON struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
}

// listAudit handles GET /api/v1/audit?entity_id=&limit=: newest first as
// the store keeps them.
func (s *Server) listAudit(c echo.Context) error {
	f := domain.AuditFilter{EntityID: c.QueryParam("entity_id"), Limit: 200}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return domain.Invalid("limit", "Use a number from 1 to 1000.")
		}
		f.Limit = n
	}
	if len(f.EntityID) > 100 {
		return domain.Invalid("entity_id", "Unknown entity.")
	}
	list, err := s.Store.Audit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]auditJSON, 0, len(list))
	for _, e := range list {
		out = append(out, auditJSON{
			ID: e.ID, At: rfc3339(e.At, time.UTC), Action: e.Action, EntityType: e.EntityType, EntityID: e.EntityID,
			Actor:  actorJSON{UserID: e.Actor.UserID, Name: e.Actor.Name, Role: string(e.Actor.Role)},
			Before: e.Before, After: e.After,
		})
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": out})
}
