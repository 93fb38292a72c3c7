package web

import (
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
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
	Free             []gridFree // open rows a click books (practitioner columns)
	Now              *gridNow
	Services         []legendService // the services on the grid, for the legend
}

// legendService is one colour of the legend.
type legendService struct{ Name, Color string }

// gridFree is one open row of a practitioner's column: a link that books it.
type gridFree struct {
	Row, Col       int
	PractitionerID string
	Date, Time     string // clinic-local "2026-06-01", "09:15"
	Label          string // "Book Jordan Rivera at 9:15 AM"
	Href           string
	Style          template.CSS
	HTML           template.HTML
}

// gridColumn is one practitioner on one day.
type gridColumn struct {
	Label, Sub     string
	PractitionerID string
	RoomID         string // set on the rooms view: the column is a room's
	Day            domain.Date
	Col            int    // CSS grid column
	Name           string // the practitioner's name, for the free rows' labels
	FirstOfDay     bool   // the week view draws a stronger line between days
}

// gridRow labels a row on the hour and half hour.
type gridRow struct {
	Row   int
	Label string
	Hour  bool
	Style template.CSS // its place in the time column
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
	// Visits only: what drag and drop and the keyboard need, and the lane
	// it takes among the visits overlapping it (side by side).
	ID, Version    string
	PractitionerID string
	Date, Time     string // clinic-local start, as the move form takes it
	Minutes        int    // its length
	Lane, Lanes    int
	Summary        string // every line in one, for the tooltip and screen readers
	// From and To are minutes after the grid's start; Top and Bottom the
	// fractions of the first and last row it leaves free (9:20 starts a
	// third into the 9:15 row), so cards sit at their true minutes.
	From, To    int
	Top, Bottom float64
	// Set by finish, so the template does no arithmetic or lookups per card.
	Style      template.CSS
	Class      string
	Mark, Word string        // the status icon and word
	HTML       template.HTML // a visit's whole card, escaped here: the day's hot loop
}

// statusIcon and statusText make a status readable on the smallest card.
var (
	statusIcon = map[domain.Status]string{domain.StatusConfirmed: "○", domain.StatusArrived: "➜", domain.StatusCompleted: "✓",
		domain.StatusNoShow: "✗", domain.StatusCancelled: "⊘"}
	statusText = map[domain.Status]string{domain.StatusConfirmed: "Confirmed", domain.StatusArrived: "Arrived", domain.StatusCompleted: "Completed",
		domain.StatusNoShow: "No-show", domain.StatusCancelled: "Cancelled"}
	legendStatuses = []domain.Status{domain.StatusConfirmed, domain.StatusArrived, domain.StatusCompleted, domain.StatusNoShow, domain.StatusCancelled}
)

// gridNow marks the current time: its row and the fraction into it.
type gridNow struct {
	Row   int
	Frac  float64
	Label string
	Col   int // first column it spans
	End   int
}

// layoutLanes puts visits that overlap on one column side by side: each
// cluster of overlapping visits gets as many lanes as it needs at once,
// and each visit the first lane free at its start.
func (g *grid) layoutLanes() {
	byCol := map[int][]int{}
	for i, it := range g.Items {
		if it.Kind == "visit" {
			byCol[it.Col] = append(byCol[it.Col], i)
		}
	}
	for _, idx := range byCol {
		slices.SortStableFunc(idx, func(a, b int) int { return g.Items[a].From - g.Items[b].From })
		var cluster []int
		var laneEnds []int
		clusterEnd := 0
		flush := func() {
			for _, i := range cluster {
				g.Items[i].Lanes = len(laneEnds)
			}
			cluster, laneEnds = cluster[:0], laneEnds[:0]
		}
		for _, i := range idx {
			it := &g.Items[i]
			if len(cluster) > 0 && it.From >= clusterEnd {
				flush()
			}
			lane := slices.IndexFunc(laneEnds, func(end int) bool { return end <= it.From })
			if lane < 0 {
				lane = len(laneEnds)
				laneEnds = append(laneEnds, 0)
			}
			laneEnds[lane], it.Lane = it.To, lane
			cluster = append(cluster, i)
			clusterEnd = max(clusterEnd, it.To)
		}
		flush()
	}
}

// finish writes each item's place and marks, once the lanes are known.
func (g *grid) finish() {
	for i := range g.Items {
		it := &g.Items[i]
		style := "grid-row: " + strconv.Itoa(it.Row) + " / " + strconv.Itoa(it.End) + "; grid-column: " + strconv.Itoa(it.Col)
		if it.Kind == "visit" {
			style += "; --c: " + safeColor(it.Color) + "; --lane: " + strconv.Itoa(it.Lane) + "; --lanes: " + strconv.Itoa(it.Lanes) +
				"; --top: " + strconv.FormatFloat(it.Top, 'f', 3, 64) + "; --bottom: " + strconv.FormatFloat(it.Bottom, 'f', 3, 64)
			it.Class = "visit status-" + string(it.Status)
			if it.Over {
				it.Class += " over"
			}
			if it.Lanes > 1 {
				it.Class += " lane"
			}
			it.Mark, it.Word = statusIcon[it.Status], statusText[it.Status]
		}
		it.Style = template.CSS(style)
		if it.Kind == "visit" {
			it.HTML = it.card()
		}
	}
	for i := range g.Free {
		f := &g.Free[i]
		f.HTML = template.HTML(`<a class="free" href="` + attrEscaper.Replace(f.Href) + `" tabindex="-1" aria-label="` + attrEscaper.Replace(f.Label) +
			`" data-practitioner="` + attrEscaper.Replace(f.PractitionerID) + `" data-date="` + f.Date + `" data-time="` + f.Time +
			`" style="` + string(f.Style) + `"></a>`)
	}
}

// card is a visit's link on the grid. Every value is escaped; the style is
// built from numbers and a checked colour. (The same as a template would
// write, at a tenth of the cost for a day of 200 visits.)
func (it *gridItem) card() template.HTML {
	var b strings.Builder
	b.Grow(640)
	attr := func(name, v string) {
		b.WriteByte(' ')
		b.WriteString(name)
		b.WriteString(`="`)
		b.WriteString(attrEscaper.Replace(v))
		b.WriteByte('"')
	}
	b.WriteString("<a")
	attr("class", it.Class)
	attr("id", "v-"+it.ID)
	attr("href", it.Href)
	attr("title", it.Summary)
	attr("aria-label", it.Summary)
	attr("data-id", it.ID)
	attr("data-version", it.Version)
	attr("data-practitioner", it.PractitionerID)
	attr("data-date", it.Date)
	attr("data-time", it.Time)
	attr("data-minutes", strconv.Itoa(it.Minutes))
	attr("data-status", string(it.Status))
	attr("data-patient", it.Title)
	attr("style", string(it.Style))
	b.WriteString(`><span class="st"><span class="mark" aria-hidden="true">` + it.Mark + `</span> ` + it.Word + `</span> <strong>` + attrEscaper.Replace(it.Title) + `</strong>`)
	for _, l := range it.Lines {
		b.WriteString(" <span>" + attrEscaper.Replace(l) + "</span>")
	}
	if it.Over {
		b.WriteString(` <span class="flag">⚠ Overbooked</span>`)
	}
	if it.RoomOver {
		b.WriteString(` <span class="flag">Room double-booked</span>`)
	}
	b.WriteString("</a>")
	return template.HTML(b.String())
}

// attrEscaper escapes a value for a double-quoted HTML attribute or text.
var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;")

// colorRe is a CSS hex colour: the only colours written into styles.
var colorRe = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

func safeColor(c string) string {
	if colorRe.MatchString(c) {
		return c
	}
	return "#475569"
}

// addFree offers every open row of a practitioner's column for booking:
// inside working hours, outside time off and busy blocks.
func (g *grid) addFree(c gridColumn, name string, working []domain.Interval, blocked []domain.Interval) {
	midnight := domain.WallClock(c.Day, 0, g.Loc)
	for m := g.StartMin; m < g.EndMin; m += rowMinutes {
		at := midnight.Add(time.Duration(m) * time.Minute)
		row := domain.Interval{Start: at, End: at.Add(rowMinutes * time.Minute)}
		if !covered(working, row) || slices.ContainsFunc(blocked, row.Overlaps) {
			continue
		}
		local := at.In(g.Loc)
		f := gridFree{Row: 2 + (m-g.StartMin)/rowMinutes, Col: c.Col, PractitionerID: c.PractitionerID,
			Date: c.Day.String(), Time: local.Format("15:04"), Label: "Book " + name + " at " + local.Format("3:04 PM")}
		f.Href = "/staff/bookings/new?date=" + f.Date + "&practitioner_id=" + url.QueryEscape(f.PractitionerID) + "&time=" + url.QueryEscape(f.Time)
		f.Style = template.CSS("grid-row: " + strconv.Itoa(f.Row) + "; grid-column: " + strconv.Itoa(f.Col))
		g.Free = append(g.Free, f)
	}
}

// covered reports whether one working interval holds all of iv.
func covered(working []domain.Interval, iv domain.Interval) bool {
	return slices.ContainsFunc(working, func(w domain.Interval) bool { return !w.Start.After(iv.Start) && !w.End.Before(iv.End) })
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
	it.From, it.To = g.minute(from, c.Day), g.minute(to, c.Day)
	it.To = max(it.To, it.From+5) // a card is never thinner than 5 minutes
	it.Top = float64(it.From-(it.Row-2)*rowMinutes) / rowMinutes
	it.Bottom = max(float64((it.End-2)*rowMinutes-it.To)/rowMinutes, 0)
	g.Items = append(g.Items, it)
}

// minute is instant t on day d as minutes after the grid's start, clamped.
func (g *grid) minute(t time.Time, d domain.Date) int {
	midnight := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, g.Loc)
	m := int(t.Sub(midnight) / time.Minute)
	return min(max(m, g.StartMin), g.EndMin) - g.StartMin
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
		r.Style = template.CSS("grid-row: " + strconv.Itoa(r.Row))
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
