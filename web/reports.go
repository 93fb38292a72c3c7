package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// reportsPage is the staff's numbers for a period: the case-review funnel,
// its sources, utilisation and its heat map, no-shows. The charts are SVG
// drawn here; every figure is also in a table and a CSV download.
type reportsPage struct {
	From, To   string
	Definition string
	Funnel     funnelView
	Sources    []sourceRow
	Use        []useRow
	Heat       heatView
	NoShows    []noShowRow
	CSV        map[string]string // report name → download link
	Problem    formProblem
}

// funnelView is the funnel as bars: each step's width is its share of the
// booked reviews.
type funnelView struct {
	Steps                 []funnelStep
	NoShow, Cancelled     int
	Height, LabelW, BarW  int
	BookedToConverted     string // "33%"
	AttendedToConverted   string
	ConvertedToFirstVisit string
}

type funnelStep struct {
	Label   string
	Count   int
	Pct     string
	Y, W    int
	TextX   int
	TextY   int
	BarText string
}

type sourceRow struct {
	Source, Campaign string
	domain.ReviewCounts
	Rate string // converted / booked
}

type useRow struct {
	Kind          string // Practitioner or Room
	Name          string
	Open, Booked  int
	Pct           string
	BarW          int
	OpenH, BookdH string
}

type noShowRow struct {
	Service, Practitioner string
	domain.AttendanceRow
}

// heatView is the week as a grid: one row per weekday (Monday first), one
// column per hour that is ever open or booked.
type heatView struct {
	Hours         []int
	Rows          []heatRow
	Width, Height int
	CellW, CellH  int
	LabelW, TopH  int
}

type heatRow struct {
	Day   string
	Y     int
	Cells []heatCell
}

type heatCell struct {
	X, Hour      int
	Open, Booked int
	Fill, Ink    string
	Text, Title  string
}

// reportStore is the store as the reports read it.
func (s *Site) reports() (*domain.Reports, error) {
	rs, ok := s.Store.(domain.ReportStore)
	if !ok {
		return nil, fmt.Errorf("reports: the store %T keeps no reports", s.Store)
	}
	return &domain.Reports{Store: rs}, nil
}

// reportsHandler handles GET /staff/reports?from=&to=.
func (s *Site) reportsHandler(c echo.Context) error {
	q, err := s.reportQuery(c)
	if err != nil {
		p, ok := problemOf(err)
		if !ok {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, "reports", "Reports", reportsPage{
			From: c.QueryParam("from"), To: c.QueryParam("to"), Problem: p, Definition: domain.FunnelDefinition})
	}
	d, err := s.buildReports(c.Request().Context(), q)
	if err != nil {
		if p, ok := problemOf(err); ok {
			return s.render(c, http.StatusUnprocessableEntity, "reports", "Reports", reportsPage{
				From: q.From.String(), To: q.To.String(), Problem: p, Definition: domain.FunnelDefinition})
		}
		return err
	}
	return s.render(c, http.StatusOK, "reports", "Reports", d)
}

// reportQuery reads the period; the default is the 30 days to today.
func (s *Site) reportQuery(c echo.Context) (domain.ReportQuery, error) {
	loc := s.clinic(c).Location()
	today := domain.DateOf(s.Clock.Now().In(loc))
	q := domain.ReportQuery{From: today.AddDays(-29), To: today}
	var v domain.Validation
	if raw := c.QueryParam("from"); raw != "" {
		d, err := domain.ParseDate(raw)
		v.Check(err == nil, "from", "Give the first day as YYYY-MM-DD.")
		q.From = d
	}
	if raw := c.QueryParam("to"); raw != "" {
		d, err := domain.ParseDate(raw)
		v.Check(err == nil, "to", "Give the last day as YYYY-MM-DD.")
		q.To = d
	}
	return q, v.Err()
}

func (s *Site) buildReports(ctx context.Context, q domain.ReportQuery) (reportsPage, error) {
	r, err := s.reports()
	if err != nil {
		return reportsPage{}, err
	}
	f, err := r.Funnel(ctx, q)
	if err != nil {
		return reportsPage{}, err
	}
	u, err := r.Utilisation(ctx, q)
	if err != nil {
		return reportsPage{}, err
	}
	cells, err := r.Heatmap(ctx, q)
	if err != nil {
		return reportsPage{}, err
	}
	att, err := r.Attendance(ctx, q)
	if err != nil {
		return reportsPage{}, err
	}
	names, err := s.catalogNames(ctx)
	if err != nil {
		return reportsPage{}, err
	}
	d := reportsPage{From: q.From.String(), To: q.To.String(), Definition: domain.FunnelDefinition,
		Funnel: funnelChart(f.Total), Use: useRows(u), Heat: heatChart(cells), CSV: map[string]string{}}
	for _, g := range f.BySource {
		d.Sources = append(d.Sources, sourceRow{Source: string(g.Source), Campaign: g.UTMCampaign, ReviewCounts: g.ReviewCounts, Rate: pct(g.Converted, g.Booked)})
	}
	for _, a := range att {
		d.NoShows = append(d.NoShows, noShowRow{Service: names[a.ServiceID], Practitioner: names[a.PractitionerID], AttendanceRow: a})
	}
	period := url.Values{"from": {d.From}, "to": {d.To}, "format": {"csv"}}
	for _, name := range []string{"funnel", "utilisation", "heatmap", "no-shows"} {
		v := period
		if name == "funnel" {
			v = url.Values{"from": {d.From}, "to": {d.To}, "format": {"csv"}, "group_by": {"source"}}
		}
		d.CSV[name] = "/api/v1/reports/" + name + "?" + v.Encode()
	}
	return d, nil
}

// catalogNames maps service and practitioner ids to names.
func (s *Site) catalogNames(ctx context.Context) (map[string]string, error) {
	svcs, err := s.Store.Services(ctx, true)
	if err != nil {
		return nil, err
	}
	prs, err := s.Store.Practitioners(ctx, true)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, sv := range svcs {
		names[sv.ID] = sv.Name
	}
	for _, p := range prs {
		names[p.ID] = p.Name
	}
	return names, nil
}

// pct is n of total as a whole percentage, "–" when total is 0.
func pct(n, total int) string {
	if total == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(total))
}

// funnelChart lays out the four steps as bars scaled to the booked reviews.
func funnelChart(t domain.ReviewCounts) funnelView {
	const labelW, barW, rowH = 190, 420, 40
	v := funnelView{NoShow: t.NoShow, Cancelled: t.Cancelled, LabelW: labelW, BarW: barW, Height: 4 * rowH,
		BookedToConverted: pct(t.Converted, t.Booked), AttendedToConverted: pct(t.Converted, t.Attended),
		ConvertedToFirstVisit: pct(t.FirstTreatmentAttended, t.Converted)}
	for i, st := range []struct {
		label string
		n     int
	}{{"Case reviews booked", t.Booked}, {"Attended", t.Attended}, {"Treatment booked", t.Converted}, {"First treatment attended", t.FirstTreatmentAttended}} {
		w := 0
		if t.Booked > 0 {
			w = st.n * barW / t.Booked
		}
		step := funnelStep{Label: st.label, Count: st.n, Pct: pct(st.n, t.Booked), Y: i*rowH + 6, W: w, TextY: i*rowH + 26}
		step.TextX = labelW + w + 8
		step.BarText = fmt.Sprintf("%d (%s)", st.n, step.Pct)
		v.Steps = append(v.Steps, step)
	}
	return v
}

func useRows(u domain.Utilisation) []useRow {
	var out []useRow
	for _, p := range u.Practitioners {
		out = append(out, newUseRow("Practitioner", p.Practitioner.Name, p.OpenMinutes, p.BookedMinutes))
	}
	for _, r := range u.Rooms {
		out = append(out, newUseRow("Room", r.Name, r.OpenMinutes, r.BookedMinutes))
	}
	return out
}

func newUseRow(kind, name string, open, booked int) useRow {
	r := useRow{Kind: kind, Name: name, Open: open, Booked: booked, Pct: pct(booked, open), OpenH: hours(open), BookdH: hours(booked)}
	if open > 0 {
		r.BarW = min(200, booked*200/open)
	}
	return r
}

func hours(min int) string { return fmt.Sprintf("%d h %02d", min/60, min%60) }

// heatChart draws the hours of the week; a cell's shade is its booked
// share of the open time, grey when nothing is open.
func heatChart(cells []domain.HeatCell) heatView {
	const cellW, cellH, labelW, topH = 44, 30, 96, 24
	first, last := 24, -1
	for _, c := range cells {
		if c.OpenMinutes > 0 || c.BookedMinutes > 0 {
			first, last = min(first, c.Hour), max(last, c.Hour)
		}
	}
	if last < 0 {
		first, last = 9, 17
	}
	v := heatView{CellW: cellW, CellH: cellH, LabelW: labelW, TopH: topH}
	for h := first; h <= last; h++ {
		v.Hours = append(v.Hours, h)
	}
	byKey := map[[2]int]domain.HeatCell{}
	for _, c := range cells {
		byKey[[2]int{int(c.Weekday), c.Hour}] = c
	}
	for row, wd := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		hr := heatRow{Day: wd.String(), Y: topH + row*cellH}
		for i, h := range v.Hours {
			c := byKey[[2]int{int(wd), h}]
			hc := heatCell{X: labelW + i*cellW, Hour: h, Open: c.OpenMinutes, Booked: c.BookedMinutes}
			hc.Fill, hc.Ink, hc.Text = shade(c)
			hc.Title = fmt.Sprintf("%s %02d:00–%02d:00: %d of %d open minutes booked", wd, h, h+1, c.BookedMinutes, c.OpenMinutes)
			hr.Cells = append(hr.Cells, hc)
		}
		v.Rows = append(v.Rows, hr)
	}
	v.Width = labelW + len(v.Hours)*cellW
	v.Height = topH + 7*cellH
	return v
}

// shade is a cell's fill, text colour and label: from pale (empty) to dark
// teal (full), with the share written in it.
func shade(c domain.HeatCell) (fill, ink, text string) {
	if c.OpenMinutes == 0 {
		if c.BookedMinutes > 0 {
			return "#b45309", "#fff", "+" + fmt.Sprint(c.BookedMinutes)
		}
		return "#eceff1", "#5f6b73", ""
	}
	share := float64(c.BookedMinutes) / float64(c.OpenMinutes)
	if share > 1 {
		share = 1
	}
	// From #e6f4f1 to #0f5e54.
	mix := func(a, b int) int { return a + int(float64(b-a)*share) }
	fill = fmt.Sprintf("#%02x%02x%02x", mix(0xe6, 0x0f), mix(0xf4, 0x5e), mix(0xf1, 0x54))
	ink = "#10302b"
	if share >= 0.5 {
		ink = "#fff"
	}
	if c.BookedMinutes == 0 {
		return fill, ink, ""
	}
	return fill, ink, strings.TrimSuffix(pct(c.BookedMinutes, c.OpenMinutes), "%")
}
