package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// calendarPage is the front desk's day or week.
type calendarPage struct {
	View          string // "day" or "week"
	Date          domain.Date
	Heading       string
	Zone          string
	Prev, Next    string
	Today         string
	DayHref       string
	WeekHref      string
	RoomsHref     string // the day with a column per room; "" when there are no rooms
	ShowCancelled bool
	CancelledHref string
	Practitioners []domain.Practitioner // for the week view's select
	Selected      string
	Grid          grid
	BusyAlerts    []busyAlert // busy calendars failing for a while
}

// calendar handles GET /staff: ?view=week, ?date=YYYY-MM-DD,
// ?practitioner= (week view), ?cancelled=1.
func (s *Site) calendar(c echo.Context) error {
	u, _ := auth.UserFrom(c)
	clinic := s.clinic(c)
	loc := clinic.Location()
	d := calendarPage{View: "day", ShowCancelled: c.QueryParam("cancelled") == "1", Zone: zoneLabel(loc)}
	switch c.QueryParam("view") {
	case "week":
		d.View = "week"
	case "rooms":
		d.View = "rooms"
	}
	d.Date = s.today(loc)
	if raw := c.QueryParam("date"); raw != "" {
		day, err := domain.ParseDate(raw)
		if err != nil {
			return domain.Invalid("date", "Give the date as YYYY-MM-DD.")
		}
		d.Date = day
	}
	ps, err := s.visiblePractitioners(c.Request().Context(), u)
	if err != nil {
		return err
	}
	d.Practitioners, d.Selected = ps, c.QueryParam("practitioner")
	rooms, err := s.Store.Rooms(c.Request().Context(), false)
	if err != nil {
		return err
	}
	var days []domain.Date
	if d.View == "rooms" {
		days = []domain.Date{d.Date}
		d.Grid, err = s.roomGrid(c.Request().Context(), loc, d.Date, rooms, u, d.ShowCancelled)
	} else {
		var cols []gridColumn
		cols, days = d.columns(ps)
		d.Grid, err = s.buildGrid(c.Request().Context(), loc, cols, days, d.ShowCancelled)
	}
	if err != nil {
		return err
	}
	if d.BusyAlerts, err = s.busyAlerts(c, ps); err != nil {
		return err
	}
	d.links(c.QueryParams(), days)
	if len(rooms) > 0 {
		d.RoomsHref = withParam(c.QueryParams(), "view", "rooms")
	}
	return s.render(c, http.StatusOK, "calendar", "Calendar", d)
}

// visiblePractitioners are everyone for the desk, oneself for a practitioner.
func (s *Site) visiblePractitioners(ctx context.Context, u domain.User) ([]domain.Practitioner, error) {
	all, err := s.Store.Practitioners(ctx, false)
	if err != nil {
		return nil, err
	}
	if u.Role != domain.RolePractitioner {
		return all, nil
	}
	var own []domain.Practitioner
	for _, p := range all {
		if p.ID == u.PractitionerID {
			own = append(own, p)
		}
	}
	return own, nil
}

// columns are practitioners (day view) or the days of one practitioner (week).
func (d *calendarPage) columns(ps []domain.Practitioner) ([]gridColumn, []domain.Date) {
	if d.View == "day" {
		cols := make([]gridColumn, len(ps))
		for i, p := range ps {
			cols[i] = gridColumn{Label: p.Name, Sub: p.Title, PractitionerID: p.ID, Day: d.Date, Col: i + 2}
		}
		return cols, []domain.Date{d.Date}
	}
	var chosen *domain.Practitioner
	for i := range ps {
		if ps[i].ID == d.Selected || (chosen == nil && d.Selected == "") {
			chosen = &ps[i]
		}
	}
	if chosen == nil {
		return nil, nil
	}
	d.Selected = chosen.ID
	monday := d.Date.AddDays(-int((d.Date.Weekday() + 6) % 7))
	var cols []gridColumn
	var days []domain.Date
	for i := range 7 {
		day := monday.AddDays(i)
		days = append(days, day)
		cols = append(cols, gridColumn{Label: dayLabel(day), Sub: chosen.Name, PractitionerID: chosen.ID, Day: day, Col: i + 2})
	}
	return cols, days
}

// links fills the navigation of the page.
func (d *calendarPage) links(q url.Values, days []domain.Date) {
	step := 1
	d.Heading = dayLabel(d.Date)
	if d.View == "week" {
		step = 7
		if len(days) > 0 {
			d.Heading = "Week of " + dayLabel(days[0])
		}
	}
	with := func(k, v string) string { return withParam(q, k, v) }
	d.Prev = with("date", d.Date.AddDays(-step).String())
	d.Next = with("date", d.Date.AddDays(step).String())
	d.DayHref = with("view", "day")
	d.WeekHref = with("view", "week")
	d.Today = "/staff?view=" + d.View
	toggle := "1"
	if d.ShowCancelled {
		toggle = "0"
	}
	d.CancelledHref = with("cancelled", toggle)
}

// withParam is the calendar's URL with q, k set to v.
func withParam(q url.Values, k, v string) string {
	n := url.Values{}
	for key, vals := range q {
		n[key] = vals
	}
	n.Set(k, v)
	return "/staff?" + n.Encode()
}

// buildGrid loads hours, time off and bookings for the columns and lays them out.
func (s *Site) buildGrid(ctx context.Context, loc *time.Location, cols []gridColumn, days []domain.Date, showCancelled bool) (grid, error) {
	g := grid{Loc: loc, Columns: cols}
	if len(cols) == 0 {
		g.StartMin, g.EndMin = 8*60, 18*60
		g.layoutRows()
		return g, nil
	}
	from := domain.WallClock(days[0], 0, loc)
	to := domain.WallClock(days[len(days)-1].AddDays(1), 0, loc)
	ids := uniqueIDs(cols)
	scheds, err := s.Store.Schedules(ctx, ids, from, to)
	if err != nil {
		return grid{}, err
	}
	filter := domain.BookingFilter{From: from, To: to}
	if len(ids) == 1 {
		filter.PractitionerID = ids[0]
	}
	bookings, err := s.Store.Bookings(ctx, filter)
	if err != nil {
		return grid{}, err
	}
	working := map[string][]domain.Interval{}
	var all []domain.Interval
	for _, sc := range scheds {
		w := domain.WorkingIntervals(sc.Practitioner.Location(), sc.Weekly, sc.Overrides, from, to)
		working[sc.Practitioner.ID] = w
		all = append(all, w...)
	}
	for _, b := range bookings {
		all = append(all, domain.Interval{Start: b.Start, End: b.End})
	}
	g.StartMin, g.EndMin = span(loc, days, all)
	g.layoutRows()
	for _, col := range cols {
		g.fillColumn(col, working[col.PractitionerID], scheduleOf(scheds, col.PractitionerID), bookings, showCancelled)
	}
	g.markNow(s.Clock.Now())
	return g, nil
}

// fillColumn adds one column's closed spans, time off and visits.
func (g *grid) fillColumn(col gridColumn, working []domain.Interval, sc domain.Schedule, bookings []domain.BookingDetail, showCancelled bool) {
	dayStart := domain.WallClock(col.Day, 0, g.Loc)
	dayEnd := domain.WallClock(col.Day.AddDays(1), 0, g.Loc)
	day := domain.Interval{Start: dayStart, End: dayEnd}
	var today []domain.Interval
	for _, iv := range working {
		if iv.Overlaps(day) {
			today = append(today, iv)
		}
	}
	g.closeOutside(col, today)
	for _, off := range sc.TimeOff {
		if (domain.Interval{Start: off.Start, End: off.End}).Overlaps(day) {
			g.addSpan(timeOffItem(off), col, maxTime(off.Start, dayStart), minTime(off.End, dayEnd))
		}
	}
	for _, b := range bookings {
		if b.PractitionerID != col.PractitionerID || !(domain.Interval{Start: b.Start, End: b.End}).Overlaps(day) || (!showCancelled && !b.Live()) {
			continue
		}
		g.addSpan(visitItem(b, g.Loc), col, maxTime(b.Start, dayStart), minTime(b.End, dayEnd))
	}
}

// visitItem is how a booking shows on the calendar.
func visitItem(b domain.BookingDetail, loc *time.Location) gridItem {
	start, end := b.Start.In(loc), b.End.In(loc)
	label := start.Format("3:04") + "–" + end.Format("3:04 PM")
	if start.Format("PM") != end.Format("PM") {
		label = start.Format("3:04 PM") + "–" + end.Format("3:04 PM")
	}
	it := gridItem{
		Kind: "visit", Href: "/staff/bookings/" + b.ID, Color: nonEmpty(b.Service.Color, "#475569"),
		Title: b.Patient.Name, Lines: []string{label, b.Service.Name}, Status: b.Status, Over: b.Overbooked,
	}
	if b.RoomID != "" {
		it.Lines = append(it.Lines, b.Room.Name)
	}
	if b.Status != domain.StatusConfirmed {
		it.Lines = append(it.Lines, title(string(b.Status)))
	} else {
		it.Lines = append(it.Lines, "Invite: "+attendeeLabel(b.AttendeeStatus))
	}
	it.RoomOver = b.RoomOverbooked
	return it
}

func scheduleOf(scheds []domain.Schedule, id string) domain.Schedule {
	for _, sc := range scheds {
		if sc.Practitioner.ID == id {
			return sc
		}
	}
	return domain.Schedule{}
}

func uniqueIDs(cols []gridColumn) []string {
	var ids []string
	for _, c := range cols {
		if len(ids) == 0 || ids[len(ids)-1] != c.PractitionerID {
			ids = append(ids, c.PractitionerID)
		}
	}
	return ids
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
