package domain

import (
	"context"
	"slices"
	"time"
)

// Reports answers the staff's questions about the clinic's numbers: how
// case reviews turn into treatment, where no-shows happen, and how full
// the open hours are. The counting is done by the store's SQL aggregates;
// open hours come from the schedule rules, which are small.
type Reports struct {
	Store ReportStore
}

// ReportStore is what the reports read. Every period is [from, to) and a
// booking belongs to the period its start falls in.
type ReportStore interface {
	Clinic(ctx context.Context) (Clinic, error)
	Practitioners(ctx context.Context, all bool) ([]Practitioner, error)
	// WorkingSchedules as in HoursStore: hours, overrides and time off.
	WorkingSchedules(ctx context.Context, practitionerIDs []string, from, to time.Time) ([]Schedule, error)
	// ReviewFunnel counts the case reviews (complimentary bookings)
	// grouped by source and utm_campaign, as FunnelDefinition says.
	ReviewFunnel(ctx context.Context, from, to time.Time) ([]SourceFunnel, error)
	// BookedMinutes sums the visit minutes (start to end, buffers not
	// included) of bookings that are not cancelled, per practitioner.
	BookedMinutes(ctx context.Context, from, to time.Time) (map[string]int, error)
	// RoomBookedMinutes is BookedMinutes per room, of the visits holding one.
	RoomBookedMinutes(ctx context.Context, from, to time.Time) (map[string]int, error)
	Rooms(ctx context.Context, all bool) ([]Room, error)
	Services(ctx context.Context, all bool) ([]Service, error)
	// BookedHours spreads the same minutes over the UTC hours they fall in,
	// for one practitioner or ("") all; visits longer than three hours
	// count their fourth hour on in the fourth.
	BookedHours(ctx context.Context, from, to time.Time, practitionerID string) ([]HourMinutes, error)
	// Attendance counts no-shows and late cancellations (cancelled less
	// than lateCancel before the start, or after it) per service and
	// practitioner, and of those how many had a reminder delivered.
	Attendance(ctx context.Context, from, to time.Time, lateCancel time.Duration) ([]AttendanceRow, error)
}

// FunnelDefinition says what the funnel counts, for the API document and
// the report page.
const FunnelDefinition = "A case review is a booking of the complimentary case review, counted in the period its start falls in. " +
	"Attended means marked arrived or completed; no-show and cancelled as marked. " +
	"Converted (plans) counts attended reviews whose patient then has a live booking of another service starting after the review; " +
	"first treatment attended counts those whose first such booking was marked arrived or completed."

// ReportQuery selects a report's period: whole days in the clinic's zone,
// From to To inclusive.
type ReportQuery struct {
	From, To       Date
	PractitionerID string // the heat map of one practitioner; "" = everyone
}

// MaxReportDays bounds a report's period.
const MaxReportDays = 400

// ReviewCounts are what became of a set of case reviews.
type ReviewCounts struct {
	Booked, Attended, NoShow, Cancelled int
	Converted                           int // attended, then a treatment booked ("plans")
	FirstTreatmentAttended              int
}

// SourceFunnel is the funnel of the case reviews of one source and campaign.
type SourceFunnel struct {
	Source      Source
	UTMCampaign string
	ReviewCounts
}

// Funnel is the case-review funnel of a period, in total and by source.
type Funnel struct {
	Total    ReviewCounts
	BySource []SourceFunnel // ordered by source (as in Sources), then campaign
}

// PractitionerUse is how much of a practitioner's open time was booked.
type PractitionerUse struct {
	Practitioner  Practitioner
	OpenMinutes   int // working hours and overrides, less time off
	BookedMinutes int
}

// Utilisation is the booked and open time of a period.
type Utilisation struct {
	Practitioners []PractitionerUse
	// Rooms: a room has no hours of its own; it is open while any
	// practitioner who performs a service that may use it is open.
	Rooms []RoomUse
}

// RoomUse is how much of a room's time was booked.
type RoomUse struct {
	ID, Name                   string
	OpenMinutes, BookedMinutes int
}

// HourMinutes is booked time in the UTC hour starting at Hour.
type HourMinutes struct {
	Hour    time.Time
	Minutes int
}

// HeatCell is one hour of the week in the clinic's zone.
type HeatCell struct {
	Weekday       time.Weekday
	Hour          int // 0–23
	OpenMinutes   int
	BookedMinutes int
}

// AttendanceRow is the no-shows and late cancellations of one service with
// one practitioner.
type AttendanceRow struct {
	ServiceID, PractitionerID string
	Bookings                  int // every booking of the period, cancelled ones too
	NoShows, NoShowsReminded  int
	LateCancels               int
	LateCancelsReminded       int
}

// period checks q and returns its instants in the clinic's zone.
func (r *Reports) period(ctx context.Context, q ReportQuery) (Clinic, Interval, error) {
	var v Validation
	v.Check(realDate(q.From), "from", "Give the first day as YYYY-MM-DD.")
	v.Check(realDate(q.To), "to", "Give the last day as YYYY-MM-DD.")
	if realDate(q.From) && realDate(q.To) {
		v.Check(!q.To.Before(q.From), "to", "The last day must not be before the first.")
		v.Check(!q.From.AddDays(MaxReportDays).Before(q.To), "to", "Choose at most 400 days.")
	}
	v.Check(q.PractitionerID == "" || IsID(q.PractitionerID), "practitioner_id", "Unknown practitioner.")
	if err := v.Err(); err != nil {
		return Clinic{}, Interval{}, err
	}
	c, err := r.Store.Clinic(ctx)
	if err != nil {
		return Clinic{}, Interval{}, wrap("load clinic", err)
	}
	loc := c.Location()
	return c, Interval{WallClock(q.From, 0, loc), WallClock(q.To.AddDays(1), 0, loc)}, nil
}

// Funnel counts the period's case reviews and what became of them.
func (r *Reports) Funnel(ctx context.Context, q ReportQuery) (Funnel, error) {
	_, p, err := r.period(ctx, q)
	if err != nil {
		return Funnel{}, err
	}
	groups, err := r.Store.ReviewFunnel(ctx, p.Start, p.End)
	if err != nil {
		return Funnel{}, wrap("count case reviews", err)
	}
	f := Funnel{BySource: groups}
	for _, g := range groups {
		f.Total = f.Total.plus(g.ReviewCounts)
	}
	slices.SortFunc(f.BySource, func(a, b SourceFunnel) int {
		if d := slices.Index(Sources, a.Source) - slices.Index(Sources, b.Source); d != 0 {
			return d
		}
		return compareStrings(a.UTMCampaign, b.UTMCampaign)
	})
	return f, nil
}

func (c ReviewCounts) plus(d ReviewCounts) ReviewCounts {
	return ReviewCounts{
		Booked: c.Booked + d.Booked, Attended: c.Attended + d.Attended, NoShow: c.NoShow + d.NoShow,
		Cancelled: c.Cancelled + d.Cancelled, Converted: c.Converted + d.Converted,
		FirstTreatmentAttended: c.FirstTreatmentAttended + d.FirstTreatmentAttended,
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Utilisation compares each practitioner's booked minutes with their open
// minutes in the period. Practitioners with neither are left out.
func (r *Reports) Utilisation(ctx context.Context, q ReportQuery) (Utilisation, error) {
	_, p, err := r.period(ctx, q)
	if err != nil {
		return Utilisation{}, err
	}
	scheds, err := r.schedules(ctx, p)
	if err != nil {
		return Utilisation{}, err
	}
	booked, err := r.Store.BookedMinutes(ctx, p.Start, p.End)
	if err != nil {
		return Utilisation{}, wrap("sum booked minutes", err)
	}
	u := Utilisation{Practitioners: []PractitionerUse{}, Rooms: []RoomUse{}}
	open := make(map[string][]Interval, len(scheds))
	for _, sc := range scheds {
		open[sc.Practitioner.ID] = OpenIntervals(sc, p)
		if use := (PractitionerUse{sc.Practitioner, minutesIn(open[sc.Practitioner.ID]), booked[sc.Practitioner.ID]}); use.OpenMinutes > 0 || use.BookedMinutes > 0 {
			u.Practitioners = append(u.Practitioners, use)
		}
	}
	if u.Rooms, err = r.roomUse(ctx, p, scheds, open); err != nil {
		return Utilisation{}, err
	}
	return u, nil
}

// roomUse is each room's booked minutes against the time it is open: the
// union of the open time of the practitioners who perform a service that
// may use it. Rooms with neither are left out.
func (r *Reports) roomUse(ctx context.Context, p Interval, scheds []Schedule, open map[string][]Interval) ([]RoomUse, error) {
	rooms, err := r.Store.Rooms(ctx, true)
	if err != nil {
		return nil, wrap("list rooms", err)
	}
	svcs, err := r.Store.Services(ctx, true)
	if err != nil {
		return nil, wrap("list services", err)
	}
	booked, err := r.Store.RoomBookedMinutes(ctx, p.Start, p.End)
	if err != nil {
		return nil, wrap("sum room minutes", err)
	}
	out := []RoomUse{}
	for _, room := range rooms {
		var ivs []Interval
		for _, sc := range scheds {
			if performsWithRoom(sc.Practitioner, svcs, room.ID) {
				ivs = append(ivs, open[sc.Practitioner.ID]...)
			}
		}
		if use := (RoomUse{room.ID, room.Name, minutesIn(union(ivs)), booked[room.ID]}); use.OpenMinutes > 0 || use.BookedMinutes > 0 {
			out = append(out, use)
		}
	}
	return out, nil
}

// performsWithRoom reports whether p performs a service that may use the room.
func performsWithRoom(p Practitioner, svcs []Service, roomID string) bool {
	for _, sv := range svcs {
		if p.Performs(sv.ID) && slices.Contains(sv.RoomIDs, roomID) {
			return true
		}
	}
	return false
}

// union merges intervals into sorted, disjoint ones.
func union(ivs []Interval) []Interval {
	slices.SortFunc(ivs, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	var out []Interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			if iv.End.After(out[n-1].End) {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

func minutesIn(ivs []Interval) int {
	total := 0
	for _, iv := range ivs {
		total += int(iv.Duration() / time.Minute)
	}
	return total
}

// schedules loads every practitioner's working schedule for the period.
func (r *Reports) schedules(ctx context.Context, p Interval) ([]Schedule, error) {
	all, err := r.Store.Practitioners(ctx, true)
	if err != nil {
		return nil, wrap("list practitioners", err)
	}
	scheds, err := r.Store.WorkingSchedules(ctx, practitionerIDs(all), p.Start, p.End)
	if err != nil {
		return nil, wrap("load schedules", err)
	}
	byID := make(map[string]Schedule, len(scheds))
	for _, sc := range scheds {
		byID[sc.Practitioner.ID] = sc
	}
	out := make([]Schedule, 0, len(all))
	for _, pr := range all {
		sc := byID[pr.ID]
		sc.Practitioner = pr
		out = append(out, sc)
	}
	return out, nil
}

// OpenIntervals are the instants of p a practitioner is open for
// bookings: working hours (overrides replacing a day's hours) read in the
// practitioner's zone, less time off.
func OpenIntervals(sc Schedule, p Interval) []Interval {
	work := WorkingIntervals(sc.Practitioner.Location(), sc.Weekly, sc.Overrides, p.Start, p.End)
	for _, off := range sc.TimeOff {
		work = subtract(work, Interval{off.Start, off.End})
	}
	return work
}

// subtract removes cut from sorted, disjoint intervals.
func subtract(ivs []Interval, cut Interval) []Interval {
	out := ivs[:0:0]
	for _, iv := range ivs {
		if !iv.Overlaps(cut) {
			out = append(out, iv)
			continue
		}
		if iv.Start.Before(cut.Start) {
			out = append(out, Interval{iv.Start, cut.Start})
		}
		if cut.End.Before(iv.End) {
			out = append(out, Interval{cut.End, iv.End})
		}
	}
	return out
}

// Heatmap lays open and booked minutes over the hours of the week in the
// clinic's zone: all 168 cells, Sunday 00:00 first.
func (r *Reports) Heatmap(ctx context.Context, q ReportQuery) ([]HeatCell, error) {
	c, p, err := r.period(ctx, q)
	if err != nil {
		return nil, err
	}
	scheds, err := r.schedules(ctx, p)
	if err != nil {
		return nil, err
	}
	booked, err := r.Store.BookedHours(ctx, p.Start, p.End, q.PractitionerID)
	if err != nil {
		return nil, wrap("sum booked hours", err)
	}
	loc := c.Location()
	cells := make([]HeatCell, 7*24)
	for i := range cells {
		cells[i] = HeatCell{Weekday: time.Weekday(i / 24), Hour: i % 24}
	}
	for _, sc := range scheds {
		if q.PractitionerID != "" && sc.Practitioner.ID != q.PractitionerID {
			continue
		}
		for _, iv := range OpenIntervals(sc, p) {
			spreadOpen(cells, iv, loc)
		}
	}
	for _, h := range booked {
		t := h.Hour.In(loc)
		cells[int(t.Weekday())*24+t.Hour()].BookedMinutes += h.Minutes
	}
	return cells, nil
}

// spreadOpen adds the minutes of iv to the local hours they fall in.
func spreadOpen(cells []HeatCell, iv Interval, loc *time.Location) {
	for t := iv.Start; t.Before(iv.End); {
		local := t.In(loc)
		next := time.Date(local.Year(), local.Month(), local.Day(), local.Hour()+1, 0, 0, 0, loc)
		if !next.After(t) { // a repeated hour as clocks go back
			next = t.Add(time.Hour)
		}
		if next.After(iv.End) {
			next = iv.End
		}
		cells[int(local.Weekday())*24+local.Hour()].OpenMinutes += int(next.Sub(t) / time.Minute)
		t = next
	}
}

// Attendance counts the period's no-shows and late cancellations per
// service and practitioner; late is inside the clinic's cancel cut-off.
func (r *Reports) Attendance(ctx context.Context, q ReportQuery) ([]AttendanceRow, error) {
	c, p, err := r.period(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := r.Store.Attendance(ctx, p.Start, p.End, c.Policy.CancelCutoff)
	if err != nil {
		return nil, wrap("count attendance", err)
	}
	return rows, nil
}
