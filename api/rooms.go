package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// roomJSON is a room as the API shows it.
type roomJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Active    bool   `json:"active"`
	SortOrder int    `json:"sort_order"`
}

func toRoomJSON(r domain.Room) roomJSON {
	return roomJSON{ID: r.ID, Name: r.Name, Kind: string(r.Kind), Active: r.Active, SortOrder: r.SortOrder}
}

// roomInput is the body of POST /rooms and PUT /rooms/{id}. On PUT an
// absent field keeps its value.
type roomInput struct {
	Name      *string `json:"name"`
	Kind      string  `json:"kind"`
	Active    *bool   `json:"active"`
	SortOrder *int    `json:"sort_order"`
	// FutureVisits decides what happens to the visits of a room being
	// deactivated: keep (they keep it) or release (they lose it).
	FutureVisits string `json:"future_visits"`
}

// listRooms handles GET /api/v1/rooms: active rooms; all=true adds the others.
func (s *Server) listRooms(c echo.Context) error {
	all, err := boolParam(c, "all")
	if err != nil {
		return err
	}
	list, err := s.Scheduler.Rooms(c.Request().Context(), all)
	if err != nil {
		return err
	}
	out := make([]roomJSON, len(list))
	for i, r := range list {
		out[i] = toRoomJSON(r)
	}
	return c.JSON(http.StatusOK, map[string]any{"rooms": out})
}

// createRoom handles POST /api/v1/rooms {"name","kind"?}.
func (s *Server) createRoom(c echo.Context) error {
	var in roomInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	if in.FutureVisits != "" {
		return domain.Invalid("future_visits", "Only for deactivating a room.")
	}
	r := domain.Room{Kind: domain.RoomKind(in.Kind)}
	if in.Name != nil {
		r.Name = *in.Name
	}
	if in.SortOrder != nil {
		r.SortOrder = *in.SortOrder
	}
	got, err := s.Scheduler.CreateRoom(c.Request().Context(), actor(c), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"room": toRoomJSON(got)})
}

// updateRoom handles PUT /api/v1/rooms/{id}: rename, reorder, deactivate or
// reactivate. Deactivating a room that future visits hold answers 409 with
// the visits until future_visits says keep or release.
func (s *Server) updateRoom(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in roomInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	cur, err := s.Store.Room(ctx, id)
	if err != nil {
		return err
	}
	ch := domain.RoomChange{ID: cur.ID, Name: cur.Name, Kind: domain.RoomKind(in.Kind), Active: cur.Active,
		SortOrder: cur.SortOrder, FutureVisits: domain.RoomDecision(in.FutureVisits), Actor: actor(c)}
	if in.Name != nil {
		ch.Name = *in.Name
	}
	if in.Active != nil {
		ch.Active = *in.Active
	}
	if in.SortOrder != nil {
		ch.SortOrder = *in.SortOrder
	}
	got, err := s.Scheduler.UpdateRoom(ctx, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"room": toRoomJSON(got)})
}

// roomIDOf is a booking's room id for JSON: null when it has none.
func roomIDOf(b domain.Booking) *string {
	if b.RoomID == "" {
		return nil
	}
	id := b.RoomID
	return &id
}
