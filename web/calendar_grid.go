package web

import (
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// rowMinutes is the height of one calendar row.
const rowMinutes = 15

// grid is a staff calendar laid out for CSS grid: a header row, then one
// row per 15 minutes from StartMin to EndMin (minutes after local midnight),
// a time column, then one column per practitioner or day.
type grid struct {
	Loc              *time.Location
	StartMin, EndMin int
	Columns          []gridColumn
	Rows             []gridRow
	Items            []gridItem
	Now              *gridNow
}

// gridColumn is one practitioner on one day.
type gridColumn struct {
	Label, Sub     string
	PractitionerID string
	RoomID         string // set on the rooms view: the column is a room's
	Day            domain.Date
	Col            int // CSS grid column
}

// gridRow labels a row on the hour and half hour.
type gridRow struct {
	Row   int
	Label string
	Hour  bool
}

// gridItem is a visit, a time-off block or a closed (outside hours) span.
type gridItem struct {
	Kind     string // "visit", "off", "closed"
	Row, End int    // CSS grid rows [Row, End)
	Col      int
	Href     string
	Color    string
	Title    string
	Lines    []string
	Status   domain.Status
	Over     bool
	RoomOver bool // the room is double-booked too
}

// gridNow marks the current time: its row and the fraction into it.
type gridNow struct {
	Row   int
	Frac  float64
	Label string
	Col   int // first column it spans
	End   int
}

// row is the CSS row of instant t on column day d, clamped to the grid.
func (g *grid) row(t time.Time, d domain.Date) int {
	midnight := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, g.Loc)
	m := int(t.Sub(midnight) / time.Minute)
	m = min(max(m, g.StartMin), g.EndMin)
	return 2 + (m-g.StartMin)/rowMinutes
}

// rowEnd is the row just past instant t: a block ending 10:05 fills 10:00.
func (g *grid) rowEnd(t time.Time, d domain.Date) int {
	midnight := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, g.Loc)
	m := int(t.Sub(midnight) / time.Minute)
	m = min(max(m, g.StartMin), g.EndMin)
	return 2 + (m-g.StartMin+rowMinutes-1)/rowMinutes
}

// addSpan places an item over [from, to) on column c, if any of it shows.
func (g *grid) addSpan(it gridItem, c gridColumn, from, to time.Time) {
	it.Row, it.End, it.Col = g.row(from, c.Day), g.rowEnd(to, c.Day), c.Col
	if it.End <= it.Row {
		if it.Kind != "visit" {
			return
		}
		it.End = it.Row + 1
	}
	g.Items = append(g.Items, it)
}

// closeOutside shades what lies outside the working intervals of column c.
func (g *grid) closeOutside(c gridColumn, working []domain.Interval) {
	d := c.Day
	cursor := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, g.Loc).Add(time.Duration(g.StartMin) * time.Minute)
	end := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, g.Loc).Add(time.Duration(g.EndMin) * time.Minute)
	for _, iv := range working {
		if iv.Start.After(cursor) {
			g.addSpan(gridItem{Kind: "closed"}, c, cursor, iv.Start)
		}
		if iv.End.After(cursor) {
			cursor = iv.End
		}
	}
	if cursor.Before(end) {
		g.addSpan(gridItem{Kind: "closed"}, c, cursor, end)
	}
}

// layoutRows fills the time labels.
func (g *grid) layoutRows() {
	for m := g.StartMin; m < g.EndMin; m += rowMinutes {
		r := gridRow{Row: 2 + (m-g.StartMin)/rowMinutes, Hour: m%60 == 0}
		if m%30 == 0 {
			r.Label = time.Date(2000, 1, 1, m/60, m%60, 0, 0, time.UTC).Format("3:04 PM")
		}
		g.Rows = append(g.Rows, r)
	}
}

// markNow adds the current-time line when now falls on a shown day.
func (g *grid) markNow(now time.Time) {
	local := now.In(g.Loc)
	today := domain.DateOf(local)
	m := local.Hour()*60 + local.Minute()
	if m < g.StartMin || m >= g.EndMin {
		return
	}
	first, last := 0, 0
	for _, c := range g.Columns {
		if c.Day == today {
			if first == 0 {
				first = c.Col
			}
			last = c.Col
		}
	}
	if first == 0 {
		return
	}
	off := m - g.StartMin
	g.Now = &gridNow{Row: 2 + off/rowMinutes, Frac: float64(off%rowMinutes) / rowMinutes,
		Label: local.Format("3:04 PM"), Col: first, End: last + 1}
}

// span picks the grid's hours: the working day of everyone shown, at
// least 8:00–18:00, widened to any visit outside it, on whole hours.
func span(loc *time.Location, days []domain.Date, intervals []domain.Interval) (int, int) {
	lo, hi := 8*60, 18*60
	for _, iv := range intervals {
		s, e := iv.Start.In(loc), iv.End.In(loc)
		sd := domain.DateOf(s)
		if !containsDate(days, sd) {
			continue
		}
		lo = min(lo, s.Hour()*60+s.Minute())
		endMin := e.Hour()*60 + e.Minute()
		if domain.DateOf(e) != sd {
			endMin = 24 * 60
		}
		hi = max(hi, endMin)
	}
	return lo / 60 * 60, min((hi+59)/60*60, 24*60)
}

func containsDate(days []domain.Date, d domain.Date) bool {
	for _, x := range days {
		if x == d {
			return true
		}
	}
	return false
}
