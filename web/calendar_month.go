package web

import (
	"context"
	"net/url"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// monthView is a month overview: a row per week, a cell per day with the
// number of live visits, in all and per practitioner.
type monthView struct {
	Weekdays []string
	Weeks    [][]monthDay
}

// monthDay is one cell of the month.
type monthDay struct {
	Date    domain.Date
	Num     int
	InMonth bool
	Today   bool
	Href    string // the day view
	Total   int
	Per     []monthCount // practitioners with visits that day, in list order
}

// monthCount is one practitioner's visits on a day.
type monthCount struct {
	Name string
	N    int
}

// monthView counts the live visits of ps in day's month, Monday-first weeks.
func (s *Site) monthView(ctx context.Context, loc *time.Location, day domain.Date, ps []domain.Practitioner, q url.Values) (monthView, error) {
	first := domain.Date{Year: day.Year, Month: day.Month, Day: 1}
	start := first.AddDays(-int((first.Weekday() + 6) % 7))
	m := monthView{}
	for i := range 7 {
		m.Weekdays = append(m.Weekdays, shortDay(start.AddDays(i), "Mon"))
	}
	end := start
	for end.Month == first.Month || end.Before(first) || end.Weekday() != time.Monday {
		end = end.AddDays(1)
	}
	filter := domain.BookingFilter{From: domain.WallClock(start, 0, loc), To: domain.WallClock(end, 0, loc)}
	if len(ps) == 1 {
		filter.PractitionerID = ps[0].ID
	}
	bookings, err := s.Store.Bookings(ctx, filter)
	if err != nil {
		return monthView{}, err
	}
	counts := map[domain.Date]map[string]int{}
	for _, b := range bookings {
		if !b.Live() {
			continue
		}
		d := domain.DateOf(b.Start.In(loc))
		if counts[d] == nil {
			counts[d] = map[string]int{}
		}
		counts[d][b.PractitionerID]++
	}
	today := s.today(loc)
	day2 := withParam(q, "view", "day")
	for d := start; d.Before(end); d = d.AddDays(7) {
		var week []monthDay
		for i := range 7 {
			x := d.AddDays(i)
			cell := monthDay{Date: x, Num: x.Day, InMonth: x.Month == first.Month, Today: x == today, Href: withDate(day2, x)}
			for _, p := range ps {
				if n := counts[x][p.ID]; n > 0 {
					cell.Per = append(cell.Per, monthCount{Name: p.Name, N: n})
					cell.Total += n
				}
			}
			week = append(week, cell)
		}
		m.Weeks = append(m.Weeks, week)
	}
	return m, nil
}

// withDate sets date= on a calendar link.
func withDate(href string, d domain.Date) string {
	u, err := url.Parse(href)
	if err != nil {
		return href
	}
	return withParam(u.Query(), "date", d.String())
}
