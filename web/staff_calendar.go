package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// calendarPage is the front desk's day, week or month.
type calendarPage struct {
	View          string // "day", "week", "rooms" or "month"
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
	Selected      string                // the week's one practitioner; "" = everyone
	Grid          grid
	Month         monthView   // the month view's weeks
	BusyAlerts    []busyAlert // busy calendars failing for a while
	MonthHref     string
	SheetHref     string // the printable day sheet of the day shown
	CanBook       bool   // the front desk books; a practitioner only looks
	Statuses      []legendStatus
}

// legendStatus explains one status mark.
type legendStatus struct {
	Status     domain.Status
	Icon, Text string
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
	case "month":
		d.View = "month"
	}
	d.CanBook = u.Role != domain.RolePractitioner
	for _, st := range legendStatuses {
		d.Statuses = append(d.Statuses, legendStatus{Status: st, Icon: statusIcon[st], Text: statusText[st]})
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
	if d.View == "month" {
		days = []domain.Date{d.Date}
		d.Month, err = s.monthView(c.Request().Context(), loc, d.Date, ps, c.QueryParams())
	} else if d.View == "rooms" {
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
			cols[i] = gridColumn{Label: p.Name, Sub: p.Title, Name: p.Name, PractitionerID: p.ID, Day: d.Date, Col: i + 2, FirstOfDay: i == 0}
		}
		return cols, []domain.Date{d.Date}
	}
	shown := ps
	if d.Selected != "" {
		i := slices.IndexFunc(ps, func(p domain.Practitioner) bool { return p.ID == d.Selected })
		if i < 0 {
			d.Selected = ""
		} else {
			shown = ps[i : i+1]
		}
	}
	monday := d.Date.AddDays(-int((d.Date.Weekday() + 6) % 7))
	var cols []gridColumn
	var days []domain.Date
	for i := range 7 {
		day := monday.AddDays(i)
		days = append(days, day)
		for _, p := range shown {
			label, sub := dayLabel(day), p.Name
			if len(shown) > 1 {
				label = shortDay(day, "Mon 2 Jan")
			}
			cols = append(cols, gridColumn{Label: label, Sub: sub, Name: p.Name, PractitionerID: p.ID, Day: day, Col: len(cols) + 2, FirstOfDay: p.ID == shown[0].ID})
		}
	}
	if len(cols) == 0 {
		return nil, nil
	}
	return cols, days
}

// links fills the navigation of the page.
func (d *calendarPage) links(q url.Values, days []domain.Date) {
	prev, next := d.Date.AddDays(-1), d.Date.AddDays(1)
	d.Heading = dayLabel(d.Date)
	switch d.View {
	case "week":
		prev, next = d.Date.AddDays(-7), d.Date.AddDays(7)
		if len(days) > 0 {
			d.Heading = "Week of " + dayLabel(days[0])
		}
	case "month":
		first := domain.Date{Year: d.Date.Year, Month: d.Date.Month, Day: 1}
		prev, next = first.AddDays(-1), first.AddDays(32)
		prev.Day, next.Day = 1, 1
		d.Heading = shortDay(first, "January 2006")
	}
	with := func(k, v string) string { return withParam(q, k, v) }
	d.Prev = with("date", prev.String())
	d.Next = with("date", next.String())
	d.DayHref = with("view", "day")
	d.WeekHref = with("view", "week")
	d.MonthHref = with("view", "month")
	d.SheetHref = "/staff/daysheet?date=" + d.Date.String()
	if d.Selected != "" && d.View == "week" {
		d.SheetHref += "&practitioner=" + url.QueryEscape(d.Selected)
	}
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
	return layoutGrid(loc, cols, days, scheds, bookings, showCancelled, s.Clock.Now()), nil
}

// layoutGrid lays the loaded hours, time off and bookings out on the grid.
func layoutGrid(loc *time.Location, cols []gridColumn, days []domain.Date, scheds []domain.Schedule, bookings []domain.BookingDetail, showCancelled bool, now time.Time) grid {
	g := grid{Loc: loc, Columns: cols}
	from := domain.WallClock(days[0], 0, loc)
	to := domain.WallClock(days[len(days)-1].AddDays(1), 0, loc)
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
	g.layoutLanes()
	g.finish()
	g.legend(bookings)
	g.markNow(now)
	return g
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
	var blocked []domain.Interval
	for _, off := range sc.TimeOff {
		if (domain.Interval{Start: off.Start, End: off.End}).Overlaps(day) {
			g.addSpan(timeOffItem(off), col, maxTime(off.Start, dayStart), minTime(off.End, dayEnd))
			blocked = append(blocked, domain.Interval{Start: off.Start, End: off.End})
		}
	}
	for _, b := range bookings {
		if b.PractitionerID != col.PractitionerID || !(domain.Interval{Start: b.Start, End: b.End}).Overlaps(day) {
			continue
		}
		if b.Live() {
			blocked = append(blocked, domain.Interval{Start: b.Start, End: b.End})
		}
		if !showCancelled && !b.Live() {
			continue
		}
		g.addSpan(visitItem(b, g.Loc), col, maxTime(b.Start, dayStart), minTime(b.End, dayEnd))
	}
	g.addFree(col, nonEmpty(col.Name, col.Sub), today, blocked)
}

// legend lists the services of the visits shown, each colour once.
func (g *grid) legend(bookings []domain.BookingDetail) {
	seen := map[string]bool{}
	for _, b := range bookings {
		if !seen[b.ServiceID] {
			seen[b.ServiceID] = true
			g.Services = append(g.Services, legendService{Name: b.Service.Name, Color: nonEmpty(b.Service.Color, "#475569")})
		}
	}
	slices.SortFunc(g.Services, func(a, b legendService) int { return strings.Compare(a.Name, b.Name) })
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
		ID: b.ID, Version: b.Version(), PractitionerID: b.PractitionerID, Date: domain.DateOf(start).String(),
		Time: start.Format("15:04"), Minutes: int(b.End.Sub(b.Start) / time.Minute),
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
	it.Summary = statusText[b.Status] + ": " + b.Patient.Name + ", " + strings.Join(it.Lines, ", ")
	if b.Overbooked {
		it.Summary += ", overbooked"
	}
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
		if !slices.Contains(ids, c.PractitionerID) {
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
