package api

import (
	"errors"
	"net/http"
	"time"

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

// roomVisitJSON is a visit that still holds a room being deactivated.
type roomVisitJSON struct {
	BookingID      string `json:"booking_id"`
	Start          string `json:"start"`
	End            string `json:"end"`
	PractitionerID string `json:"practitioner_id"`
	ServiceID      string `json:"service_id"`
	Patient        string `json:"patient"`
}

// roomVisits lists the visits a *domain.RoomInUseError names, nil for any
// other error.
func roomVisits(err error) []roomVisitJSON {
	var in *domain.RoomInUseError
	if !errors.As(err, &in) {
		return nil
	}
	out := make([]roomVisitJSON, len(in.Visits))
	for i, d := range in.Visits {
		out[i] = roomVisitJSON{BookingID: d.ID, Start: rfc3339(d.Start, time.UTC), End: rfc3339(d.End, time.UTC),
			PractitionerID: d.PractitionerID, ServiceID: d.ServiceID, Patient: d.Patient.Name}
	}
	return out
}

// conflictJSON names what a 409 says is taken.
type conflictJSON struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// conflictOf is the "conflict" member of err's problem, nil when err names nothing.
func conflictOf(err error) *conflictJSON {
	t, ok := domain.TakenOf(err)
	if !ok || t.ID == "" {
		return nil
	}
	return &conflictJSON{Kind: string(t.Kind), ID: t.ID}
}

// roomIDOf is a booking's room id for JSON: null when it has none.
func roomIDOf(b domain.Booking) *string {
	if b.RoomID == "" {
		return nil
	}
	id := b.RoomID
	return &id
}
