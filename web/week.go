package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// weekView is seven days of open times in the visitor's zone.
type weekView struct {
	Zone      zone
	Days      []dayView
	Week      string // the first day, YYYY-MM-DD
	Prev      string // query for the week before; "" when that is in the past
	Next      string
	Empty     bool
	RangeText string // "Monday 2 March – Sunday 8 March"
	FirstOpen int    // the index of the first day with open times (0 if none): the phone's day picker starts there
}

// dayView is one day's column.
type dayView struct {
	Label string // "Tuesday 3 March"
	Dow   string // "Tue", for the phone's day picker
	Num   string // "3", the day of the month
	Slots []slotView
}

// slotView is one open time.
type slotView struct {
	Start time.Time
	Label string // "9:15 AM"
	Value string // RFC 3339 with the visitor's offset
	Href  string // the next step, for the booking flow
	Day   string // "Tuesday 3 March", for lists of alternatives
}

// weekStart reads ?week=, never before today.
func (s *Site) weekStart(raw string, loc *time.Location) (domain.Date, error) {
	today := s.today(loc)
	if raw == "" {
		return today, nil
	}
	d, err := domain.ParseDate(raw)
	if err != nil {
		return domain.Date{}, domain.Invalid("week", "Give the week as a date, YYYY-MM-DD.")
	}
	if d.Before(today) {
		return today, nil
	}
	return d, nil
}

// openSlots asks the scheduler for days [from, from+n) in z and returns the
// distinct start times, in order (with "first available", several
// practitioners may share a start).
func (s *Site) openSlots(ctx context.Context, serviceID, practitionerID string, from domain.Date, n int, loc *time.Location) ([]domain.Slot, error) {
	q := domain.AvailabilityQuery{ServiceID: serviceID, PractitionerID: practitionerID, From: from, To: from.AddDays(n - 1), Location: loc}
	var slots []domain.Slot
	var err error
	if practitionerID == "" {
		slots, err = s.anyoneSlots(ctx, q)
	} else {
		slots, err = s.Scheduler.Availability(ctx, q)
	}
	if err != nil {
		return nil, err
	}
	last := from.AddDays(n - 1)
	out := slots[:0:0]
	for _, sl := range slots {
		d := domain.DateOf(sl.Start.In(loc))
		if d.Before(from) || last.Before(d) {
			continue
		}
		if len(out) > 0 && out[len(out)-1].Start.Equal(sl.Start) {
			continue
		}
		out = append(out, sl)
	}
	slices.SortStableFunc(out, func(a, b domain.Slot) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// anyoneSlots is "first available": each start once, with the practitioner
// the booking would get.
func (s *Site) anyoneSlots(ctx context.Context, q domain.AvailabilityQuery) ([]domain.Slot, error) {
	open, err := s.Scheduler.AvailabilityAnyone(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Slot, len(open))
	for i, o := range open {
		out[i] = domain.Slot{Start: o.Start, End: o.End, PractitionerID: o.PractitionerID}
	}
	return out, nil
}

// buildWeek lays slots out by day; href makes each slot's link ("" for
// button forms). base is the query the prev/next links keep.
func buildWeek(slots []domain.Slot, from domain.Date, today domain.Date, z zone, base url.Values, href func(time.Time) string) weekView {
	w := weekView{Zone: z, Week: from.String(), Empty: len(slots) == 0}
	byDay := map[domain.Date][]slotView{}
	for _, sl := range slots {
		t := sl.Start.In(z.Loc)
		v := slotView{Start: t, Label: t.Format("3:04 PM"), Value: t.Format(time.RFC3339), Day: t.Format("Monday 2 January")}
		if href != nil {
			v.Href = href(sl.Start)
		}
		byDay[domain.DateOf(t)] = append(byDay[domain.DateOf(t)], v)
	}
	w.FirstOpen = -1
	for i := range 7 {
		d := from.AddDays(i)
		w.Days = append(w.Days, dayView{Label: dayLabel(d), Dow: shortDay(d, "Mon"), Num: shortDay(d, "2"), Slots: byDay[d]})
		if w.FirstOpen < 0 && len(byDay[d]) > 0 {
			w.FirstOpen = i
		}
	}
	w.FirstOpen = max(w.FirstOpen, 0)
	w.RangeText = dayLabel(from) + " – " + dayLabel(from.AddDays(6))
	w.Next = weekQuery(base, from.AddDays(7), z.Name)
	if today.Before(from) {
		prev := from.AddDays(-7)
		if prev.Before(today) {
			prev = today
		}
		w.Prev = weekQuery(base, prev, z.Name)
	}
	return w
}

func weekQuery(base url.Values, d domain.Date, tz string) string {
	q := url.Values{}
	for k, v := range base {
		q[k] = v
	}
	q.Set("week", d.String())
	q.Set("tz", tz)
	return "?" + q.Encode()
}

// shortDay formats d with a time layout ("Mon", "2").
func shortDay(d domain.Date, layout string) string {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Format(layout)
}

func dayLabel(d domain.Date) string {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Format("Monday 2 January")
}

// nearest returns up to n of slots closest to want, in time order.
func nearest(slots []domain.Slot, want time.Time, n int) []domain.Slot {
	out := slices.Clone(slots)
	dist := func(s domain.Slot) time.Duration { return absDur(s.Start.Sub(want)) }
	slices.SortStableFunc(out, func(a, b domain.Slot) int { return int(dist(a)/time.Minute - dist(b)/time.Minute) })
	out = out[:min(n, len(out))]
	slices.SortFunc(out, func(a, b domain.Slot) int { return a.Start.Compare(b.Start) })
	return out
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// slotViews formats slots for a list of choices.
func slotViews(slots []domain.Slot, loc *time.Location) []slotView {
	out := make([]slotView, len(slots))
	for i, sl := range slots {
		t := sl.Start.In(loc)
		out[i] = slotView{Start: t, Label: t.Format("3:04 PM"), Value: t.Format(time.RFC3339), Day: t.Format("Monday 2 January")}
	}
	return out
}

// describeDuration says "24 hours" or "90 minutes" for a policy cut-off.
func describeDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0 && d >= 48*time.Hour:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d%time.Hour == 0 && d != time.Hour:
		return fmt.Sprintf("%d hours", d/time.Hour)
	case d == time.Hour:
		return "1 hour"
	}
	return fmt.Sprintf("%d minutes", d/time.Minute)
}
