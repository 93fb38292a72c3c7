package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// roomsPage lists rooms and equipment and edits one.
type roomsPage struct {
	Rooms   []domain.Room
	Edit    domain.Room
	Problem formProblem
	Kinds   []domain.RoomKind
	// Visits are the future visits of a room being deactivated, shown
	// with the choice to keep or release their room.
	Visits []roomVisit
	// EmailShowsRoom is the clinic's setting: patients' emails name the room.
	EmailShowsRoom bool
}

// roomVisit is one of those visits, its time in the clinic's zone.
type roomVisit struct {
	ID, When, What string
}

var roomKinds = []domain.RoomKind{domain.RoomKindRoom, domain.RoomKindEquipment}

// rooms handles GET /staff/setup/rooms (?edit=id).
func (s *Site) rooms(c echo.Context) error {
	all, err := s.Scheduler.Rooms(c.Request().Context(), true)
	if err != nil {
		return err
	}
	d := roomsPage{Rooms: all, Kinds: roomKinds, Edit: domain.Room{Kind: domain.RoomKindRoom, Active: true},
		EmailShowsRoom: s.clinic(c).EmailShowsRoom}
	for _, r := range all {
		if r.ID == c.QueryParam("edit") {
			d.Edit = r
		}
	}
	return s.render(c, http.StatusOK, "rooms", "Rooms", d)
}

// saveRoom handles POST /staff/setup/rooms: create, or update when id is
// set. Deactivating a room that future visits hold shows them and asks
// whether they keep or lose the room.
func (s *Site) saveRoom(c echo.Context) error {
	order, _ := strconv.Atoi(trimmed(c.FormValue("sort_order")))
	r := domain.Room{ID: c.FormValue("id"), Name: trimmed(c.FormValue("name")), Kind: domain.RoomKind(c.FormValue("kind")),
		Active: c.FormValue("active") == "on", SortOrder: order}
	u, _ := auth.UserFrom(c)
	actor := domain.ActorOf(u)
	ctx := c.Request().Context()
	var err error
	if r.ID == "" {
		_, err = s.Scheduler.CreateRoom(ctx, actor, r)
	} else {
		_, err = s.Scheduler.UpdateRoom(ctx, domain.RoomChange{ID: r.ID, Name: r.Name, Kind: r.Kind, Active: r.Active,
			SortOrder: r.SortOrder, FutureVisits: domain.RoomDecision(c.FormValue("future_visits")), Actor: actor})
	}
	if err == nil {
		return seeOther(c, "/staff/setup/rooms?done=saved")
	}
	pr, ok := problemOf(err)
	if !ok {
		return err
	}
	all, lerr := s.Scheduler.Rooms(ctx, true)
	if lerr != nil {
		return lerr
	}
	d := roomsPage{Rooms: all, Kinds: roomKinds, Edit: r, Problem: pr, EmailShowsRoom: s.clinic(c).EmailShowsRoom}
	var inUse *domain.RoomInUseError
	if errors.As(err, &inUse) {
		loc := s.clinic(c).Location()
		for _, v := range inUse.Visits {
			d.Visits = append(d.Visits, roomVisit{ID: v.ID, When: v.Start.In(loc).Format("Mon 2 Jan 2006, 15:04"),
				What: v.Service.Name + " with " + v.Practitioner.Name + " for " + v.Patient.Name})
		}
		d.Problem.Message = "Visits still use this room. Choose whether they keep it or lose it, then save again."
		delete(d.Problem.Fields, "future_visits")
	}
	return s.render(c, statusOf(err), "rooms", "Rooms", d)
}

// saveRoomEmail handles POST /staff/setup/rooms/email: whether patients'
// emails say which room the visit is in (the practitioner's always do). It
// changes that one setting of the clinic through the clinic's use case, so
// the change is audited like any other.
func (s *Site) saveRoomEmail(c echo.Context) error {
	ctx := c.Request().Context()
	cl, err := s.Store.Clinic(ctx)
	if err != nil {
		return err
	}
	cl.EmailShowsRoom = c.FormValue("email_shows_room") == "on"
	if _, err := s.Setup.SaveClinic(ctx, staffActor(c), cl); err != nil {
		return err
	}
	return seeOther(c, "/staff/setup/rooms?done=saved")
}

// roomGrid lays out one day with a column per active room: the visits that
// hold each room (a practitioner sees only their own). Rooms keep no hours,
// so nothing is shaded.
func (s *Site) roomGrid(ctx context.Context, loc *time.Location, day domain.Date, rooms []domain.Room, u domain.User, showCancelled bool) (grid, error) {
	g := grid{Loc: loc}
	for i, r := range rooms {
		g.Columns = append(g.Columns, gridColumn{Label: r.Name, Sub: title(string(r.Kind)), RoomID: r.ID, Day: day, Col: i + 2})
	}
	from, to := domain.WallClock(day, 0, loc), domain.WallClock(day.AddDays(1), 0, loc)
	filter := domain.BookingFilter{From: from, To: to}
	var err error
	if filter.PractitionerID, err = domain.ActorOf(u).Scope(""); err != nil {
		return grid{}, err
	}
	var bookings []domain.BookingDetail
	if len(rooms) > 0 {
		var err error
		if bookings, err = s.Store.Bookings(ctx, filter); err != nil {
			return grid{}, err
		}
	}
	var all []domain.Interval
	for _, b := range bookings {
		if b.RoomID != "" {
			all = append(all, domain.Interval{Start: b.Start, End: b.End})
		}
	}
	g.StartMin, g.EndMin = span(loc, []domain.Date{day}, all)
	g.layoutRows()
	for _, col := range g.Columns {
		for _, b := range bookings {
			if b.RoomID != col.RoomID || (!showCancelled && !b.Live()) {
				continue
			}
			it := visitItem(b, loc)
			it.Lines = append(it.Lines, b.Practitioner.Name)
			g.addSpan(it, col, maxTime(b.Start, from), minTime(b.End, to))
		}
	}
	g.layoutLanes()
	g.finish()
	g.legend(bookings)
	g.markNow(s.Clock.Now())
	return g, nil
}
