package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zoneinfo

	"github.com/frontdesk/frontdesk/domain"
)

// slotLayout shows a slot start with its weekday and offset, which is what
// tells the two 01:30s of a fall-back night apart.
const slotLayout = "Mon 15:04Z07:00"

func slotZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// slotTime parses "2026-03-08T09:00-05:00"; the offset keeps test inputs
// independent of the code under test.
func slotTime(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse("2006-01-02T15:04Z07:00", s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return at
}

func slotDate(t testing.TB, s string) domain.Date {
	t.Helper()
	d, err := domain.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func slotTOD(t testing.TB, s string) domain.TimeOfDay {
	t.Helper()
	tod, err := domain.ParseTimeOfDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return tod
}

// slotRange parses "09:00-17:00".
func slotRange(t testing.TB, s string) domain.TimeRange {
	t.Helper()
	a, b, _ := strings.Cut(s, "-")
	return domain.TimeRange{Start: slotTOD(t, a), End: slotTOD(t, b)}
}

// slotSpan parses "start/end" of two slotTime strings.
func slotSpan(t testing.TB, s string) domain.Interval {
	t.Helper()
	a, b, _ := strings.Cut(s, "/")
	return domain.Interval{Start: slotTime(t, a), End: slotTime(t, b)}
}

// slotWeek gives every weekday the same ranges.
func slotWeek(t testing.TB, ranges ...string) []domain.WorkingHours {
	t.Helper()
	var out []domain.WorkingHours
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		out = append(out, slotDay(t, wd, ranges...)...)
	}
	return out
}

func slotDay(t testing.TB, wd time.Weekday, ranges ...string) []domain.WorkingHours {
	t.Helper()
	var out []domain.WorkingHours
	for _, r := range ranges {
		out = append(out, domain.WorkingHours{Weekday: wd, Range: slotRange(t, r)})
	}
	return out
}

func slotStarts(loc *time.Location, slots []domain.Interval) []string {
	out := make([]string, len(slots))
	for i, s := range slots {
		out[i] = s.Start.In(loc).Format(slotLayout)
	}
	return out
}

func TestWallClock(t *testing.T) {
	tests := []struct {
		zone, date, tod string
		want            string
	}{
		{"America/New_York", "2026-03-08", "01:59", "2026-03-08T01:59:00-05:00"},
		{"America/New_York", "2026-03-08", "02:00", "2026-03-08T03:00:00-04:00"}, // gap: first instant after it
		{"America/New_York", "2026-03-08", "02:30", "2026-03-08T03:00:00-04:00"},
		{"America/New_York", "2026-03-08", "03:00", "2026-03-08T03:00:00-04:00"},
		{"America/New_York", "2026-11-01", "01:00", "2026-11-01T01:00:00-04:00"}, // twice: the earlier
		{"America/New_York", "2026-11-01", "01:30", "2026-11-01T01:30:00-04:00"},
		{"America/New_York", "2026-11-01", "02:00", "2026-11-01T02:00:00-05:00"},
		{"America/New_York", "2026-11-01", "24:00", "2026-11-02T00:00:00-05:00"},
		{"Europe/London", "2026-03-29", "01:30", "2026-03-29T02:00:00+01:00"},
		{"Europe/London", "2026-10-25", "01:30", "2026-10-25T01:30:00+01:00"},
		{"Europe/London", "2026-10-25", "02:00", "2026-10-25T02:00:00Z"},
		{"Australia/Lord_Howe", "2026-04-05", "01:30", "2026-04-05T01:30:00+11:00"},
		{"Australia/Lord_Howe", "2026-04-05", "01:45", "2026-04-05T01:45:00+11:00"},
		{"Australia/Lord_Howe", "2026-04-05", "02:00", "2026-04-05T02:00:00+10:30"},
		{"Australia/Lord_Howe", "2026-10-04", "02:00", "2026-10-04T02:30:00+11:00"},
		{"Australia/Lord_Howe", "2026-10-04", "02:15", "2026-10-04T02:30:00+11:00"},
		{"America/Santiago", "2026-09-06", "00:00", "2026-09-06T01:00:00-03:00"}, // the day starts at 01:00
		{"America/Santiago", "2026-09-06", "00:30", "2026-09-06T01:00:00-03:00"},
		{"America/Santiago", "2026-09-05", "24:00", "2026-09-06T01:00:00-03:00"},
		{"America/Santiago", "2026-04-04", "23:30", "2026-04-04T23:30:00-03:00"},
		{"America/Santiago", "2026-04-04", "24:00", "2026-04-05T00:00:00-04:00"},
		{"America/Santiago", "2026-04-05", "00:00", "2026-04-05T00:00:00-04:00"},
		{"Asia/Kolkata", "2026-03-08", "09:00", "2026-03-08T09:00:00+05:30"},
		{"Asia/Kolkata", "2026-03-08", "00:00", "2026-03-08T00:00:00+05:30"},
		{"UTC", "2026-02-28", "24:00", "2026-03-01T00:00:00Z"},
	}
	for _, tt := range tests {
		loc := slotZone(t, tt.zone)
		d, tod := slotDate(t, tt.date), slotTOD(t, tt.tod)
		got := domain.WallClock(d, tod, loc)
		if got.Format(time.RFC3339) != tt.want || got.Location() != loc {
			t.Errorf("WallClock(%v, %v, %v) = %v, want %v in %v", d, tod, tt.zone, got.Format(time.RFC3339), tt.want, tt.zone)
		}
	}
}

func TestWorkingIntervals(t *testing.T) {
	tests := []struct {
		name      string
		zone      string
		weekly    []domain.WorkingHours
		overrides []domain.DateOverride
		from, to  string
		want      []string // "start/end" in RFC 3339
	}{
		{
			name: "09:00-17:00 stays local across spring forward", zone: "America/New_York",
			weekly: slotWeek(t, "09:00-17:00"),
			from:   "2026-03-07T00:00-05:00", to: "2026-03-09T00:00-04:00",
			want: []string{
				"2026-03-07T09:00:00-05:00/2026-03-07T17:00:00-05:00",
				"2026-03-08T09:00:00-04:00/2026-03-08T17:00:00-04:00",
			},
		},
		{
			name: "09:00-17:00 stays local across fall back", zone: "Europe/London",
			weekly: slotWeek(t, "09:00-17:00"),
			from:   "2026-10-24T00:00+01:00", to: "2026-10-26T00:00Z",
			want: []string{
				"2026-10-24T09:00:00+01:00/2026-10-24T17:00:00+01:00",
				"2026-10-25T09:00:00Z/2026-10-25T17:00:00Z",
			},
		},
		{
			name: "01:00-03:00 on spring-forward day is one real hour", zone: "America/New_York",
			weekly: slotDay(t, time.Sunday, "01:00-03:00"),
			from:   "2026-03-08T00:00-05:00", to: "2026-03-09T00:00-04:00",
			want: []string{"2026-03-08T01:00:00-05:00/2026-03-08T03:00:00-04:00"},
		},
		{
			name: "00:00-04:00 on fall-back day is five real hours", zone: "America/New_York",
			weekly: slotDay(t, time.Sunday, "00:00-04:00"),
			from:   "2026-11-01T00:00-04:00", to: "2026-11-02T00:00-05:00",
			want: []string{"2026-11-01T00:00:00-04:00/2026-11-01T04:00:00-05:00"},
		},
		{
			name: "a range the gap swallows is no work", zone: "America/New_York",
			weekly: slotDay(t, time.Sunday, "02:00-02:45"),
			from:   "2026-03-08T00:00-05:00", to: "2026-03-09T00:00-04:00",
			want: nil,
		},
		{
			name: "Santiago's day without midnight starts at 01:00", zone: "America/Santiago",
			weekly: slotDay(t, time.Sunday, "00:00-08:00"),
			from:   "2026-09-06T01:00-03:00", to: "2026-09-07T00:00-03:00",
			want: []string{"2026-09-06T01:00:00-03:00/2026-09-06T08:00:00-03:00"},
		},
		{
			name: "crossing midnight ends the next day", zone: "Asia/Kolkata",
			weekly: slotDay(t, time.Friday, "22:00-02:00"),
			from:   "2026-06-19T00:00+05:30", to: "2026-06-21T00:00+05:30",
			want: []string{"2026-06-19T22:00:00+05:30/2026-06-20T02:00:00+05:30"},
		},
		{
			name: "a range from the day before reaches into the window and is clipped", zone: "UTC",
			weekly: slotDay(t, time.Thursday, "22:00-02:00"),
			from:   "2026-06-19T00:00Z", to: "2026-06-19T12:00Z",
			want: []string{"2026-06-19T00:00:00Z/2026-06-19T02:00:00Z"},
		},
		{
			name: "ranges that touch or overlap merge", zone: "UTC",
			weekly: slotDay(t, time.Monday, "12:00-13:00", "09:00-12:00", "12:30-14:00", "15:00-16:00"),
			from:   "2026-06-15T00:00Z", to: "2026-06-16T00:00Z",
			want: []string{
				"2026-06-15T09:00:00Z/2026-06-15T14:00:00Z",
				"2026-06-15T15:00:00Z/2026-06-15T16:00:00Z",
			},
		},
		{
			name: "overrides: closed, other hours", zone: "Europe/London",
			weekly: slotWeek(t, "09:00-17:00"),
			overrides: []domain.DateOverride{
				{Date: slotDate(t, "2026-06-15")},
				{Date: slotDate(t, "2026-06-16"), Ranges: []domain.TimeRange{slotRange(t, "13:00-14:00")}},
			},
			from: "2026-06-15T00:00+01:00", to: "2026-06-17T00:00+01:00",
			want: []string{"2026-06-16T13:00:00+01:00/2026-06-16T14:00:00+01:00"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := slotZone(t, tt.zone)
			from, to := slotTime(t, tt.from), slotTime(t, tt.to)
			got := domain.WorkingIntervals(loc, tt.weekly, tt.overrides, from, to)
			var gotS []string
			for _, iv := range got {
				gotS = append(gotS, iv.Start.Format(time.RFC3339)+"/"+iv.End.Format(time.RFC3339))
			}
			if strings.Join(gotS, " ") != strings.Join(tt.want, " ") {
				t.Errorf("WorkingIntervals(%v, %v, %v) = %v, want %v", tt.zone, from, to, gotS, tt.want)
			}
		})
	}
}

func TestSlots(t *testing.T) {
	const mon = "2026-06-15T" // an ordinary Monday, EDT in New York
	tests := []struct {
		name                string
		zone                string
		weekly              []domain.WorkingHours
		overrides           []domain.DateOverride
		timeOff, busy       []string // "start/end"
		dur, step           time.Duration
		before, after       time.Duration
		from, to            string
		notBefore, notAfter string
		want                []string // starts in slotLayout
	}{
		// The DST matrix.
		{
			name: "New York spring forward: 09:00 stays 09:00", zone: "America/New_York",
			weekly: slotWeek(t, "09:00-10:00"), dur: 30 * time.Minute, step: 30 * time.Minute,
			from: "2026-03-07T00:00-05:00", to: "2026-03-10T00:00-04:00",
			want: []string{"Sat 09:00-05:00", "Sat 09:30-05:00", "Sun 09:00-04:00", "Sun 09:30-04:00", "Mon 09:00-04:00", "Mon 09:30-04:00"},
		},
		{
			name: "New York spring forward: the grid steps over the gap", zone: "America/New_York",
			weekly: slotDay(t, time.Sunday, "01:15-04:00"), dur: 45 * time.Minute, step: 45 * time.Minute,
			from: "2026-03-08T00:00-05:00", to: "2026-03-08T12:00-04:00",
			want: []string{"Sun 01:15-05:00", "Sun 03:00-04:00"},
		},
		{
			name: "New York spring forward: hours starting in the gap start after it", zone: "America/New_York",
			weekly: slotDay(t, time.Sunday, "02:00-03:30"), dur: 30 * time.Minute, step: 30 * time.Minute,
			from: "2026-03-08T00:00-05:00", to: "2026-03-08T12:00-04:00",
			want: []string{"Sun 03:00-04:00"},
		},
		{
			name: "New York fall back: 01:30 twice, distinct", zone: "America/New_York",
			weekly: slotDay(t, time.Sunday, "00:00-04:00"), dur: 30 * time.Minute, step: 30 * time.Minute,
			from: "2026-11-01T00:00-04:00", to: "2026-11-01T12:00-05:00",
			want: []string{
				"Sun 00:00-04:00", "Sun 00:30-04:00", "Sun 01:00-04:00", "Sun 01:30-04:00", "Sun 01:00-05:00",
				"Sun 01:30-05:00", "Sun 02:00-05:00", "Sun 02:30-05:00", "Sun 03:00-05:00", "Sun 03:30-05:00",
			},
		},
		{
			name: "New York fall back: hours starting in the repeated hour", zone: "America/New_York",
			weekly: slotDay(t, time.Sunday, "01:30-02:30"), dur: time.Hour, step: time.Hour,
			from: "2026-11-01T00:00-04:00", to: "2026-11-01T12:00-05:00",
			want: []string{"Sun 01:30-04:00", "Sun 01:30-05:00"},
		},
		{
			name: "London spring forward", zone: "Europe/London",
			weekly: slotDay(t, time.Sunday, "00:00-03:00"), dur: time.Hour, step: time.Hour,
			from: "2026-03-29T00:00Z", to: "2026-03-30T00:00+01:00",
			want: []string{"Sun 00:00Z", "Sun 02:00+01:00"},
		},
		{
			name: "London fall back", zone: "Europe/London",
			weekly: slotDay(t, time.Sunday, "00:00-03:00"), dur: time.Hour, step: time.Hour,
			from: "2026-10-25T00:00+01:00", to: "2026-10-26T00:00Z",
			want: []string{"Sun 00:00+01:00", "Sun 01:00+01:00", "Sun 01:00Z", "Sun 02:00Z"},
		},
		{
			name: "Lord Howe falls back half an hour", zone: "Australia/Lord_Howe",
			weekly: slotDay(t, time.Sunday, "01:00-03:00"), dur: 30 * time.Minute, step: 30 * time.Minute,
			from: "2026-04-05T00:00+11:00", to: "2026-04-06T00:00+10:30",
			want: []string{"Sun 01:00+11:00", "Sun 01:30+11:00", "Sun 01:30+10:30", "Sun 02:00+10:30", "Sun 02:30+10:30"},
		},
		{
			name: "Lord Howe springs forward half an hour", zone: "Australia/Lord_Howe",
			weekly: slotDay(t, time.Sunday, "01:00-03:00"), dur: 30 * time.Minute, step: 30 * time.Minute,
			from: "2026-10-04T00:00+10:30", to: "2026-10-05T00:00+11:00",
			want: []string{"Sun 01:00+10:30", "Sun 01:30+10:30", "Sun 02:30+11:00"},
		},
		{
			name: "Santiago skips midnight: the day starts at 01:00", zone: "America/Santiago",
			weekly: slotDay(t, time.Sunday, "00:00-03:00"), dur: time.Hour, step: time.Hour,
			from: "2026-09-05T12:00-04:00", to: "2026-09-07T00:00-03:00",
			want: []string{"Sun 01:00-03:00", "Sun 02:00-03:00"},
		},
		{
			name: "Santiago repeats 23:00 before midnight", zone: "America/Santiago",
			weekly: slotDay(t, time.Saturday, "22:00-24:00"), dur: time.Hour, step: time.Hour,
			from: "2026-04-04T12:00-03:00", to: "2026-04-05T12:00-04:00",
			want: []string{"Sat 22:00-03:00", "Sat 23:00-03:00", "Sat 23:00-04:00"},
		},
		{
			name: "Kolkata, half-hour offset and no DST", zone: "Asia/Kolkata",
			weekly: slotDay(t, time.Sunday, "09:00-11:00"), dur: time.Hour, step: 30 * time.Minute,
			from: "2026-03-08T00:00+05:30", to: "2026-03-09T00:00+05:30",
			want: []string{"Sun 09:00+05:30", "Sun 09:30+05:30", "Sun 10:00+05:30"},
		},
		// Rules, on an ordinary day.
		{
			name: "override closes the day", zone: "America/New_York",
			weekly:    slotWeek(t, "09:00-11:00"),
			overrides: []domain.DateOverride{{Date: slotDate(t, "2026-06-15")}},
			dur:       30 * time.Minute, step: 30 * time.Minute,
			from: mon + "00:00-04:00", to: mon + "23:00-04:00",
			want: nil,
		},
		{
			name: "override with other hours", zone: "America/New_York",
			weekly:    slotWeek(t, "09:00-11:00"),
			overrides: []domain.DateOverride{{Date: slotDate(t, "2026-06-15"), Ranges: []domain.TimeRange{slotRange(t, "14:00-15:00")}}},
			dur:       30 * time.Minute, step: 30 * time.Minute,
			from: mon + "00:00-04:00", to: mon + "23:00-04:00",
			want: []string{"Mon 14:00-04:00", "Mon 14:30-04:00"},
		},
		{
			name: "hours crossing midnight", zone: "America/New_York",
			weekly: slotDay(t, time.Friday, "22:00-02:00"), dur: time.Hour, step: time.Hour,
			from: "2026-06-19T12:00-04:00", to: "2026-06-20T12:00-04:00",
			want: []string{"Fri 22:00-04:00", "Fri 23:00-04:00", "Sat 00:00-04:00", "Sat 01:00-04:00"},
		},
		{
			name: "time off across midnight", zone: "America/New_York",
			weekly:  slotDay(t, time.Friday, "22:00-02:00"),
			timeOff: []string{"2026-06-19T23:30-04:00/2026-06-20T00:30-04:00"},
			dur:     30 * time.Minute, step: 30 * time.Minute,
			from: "2026-06-19T12:00-04:00", to: "2026-06-20T12:00-04:00",
			want: []string{"Fri 22:00-04:00", "Fri 22:30-04:00", "Fri 23:00-04:00", "Sat 00:30-04:00", "Sat 01:00-04:00", "Sat 01:30-04:00"},
		},
		{
			name: "neighbouring days' blocks overlap: both grids, sorted", zone: "UTC",
			weekly: append(slotDay(t, time.Sunday, "22:00-02:00"), slotDay(t, time.Monday, "01:10-03:00")...),
			dur:    45 * time.Minute, step: 45 * time.Minute,
			from: "2026-06-14T12:00Z", to: "2026-06-15T12:00Z",
			want: []string{"Sun 22:00Z", "Sun 22:45Z", "Sun 23:30Z", "Mon 00:15Z", "Mon 01:00Z", "Mon 01:10Z", "Mon 01:45Z", "Mon 01:55Z"},
		},
		{
			name: "ranges of a day merge, so a slot may span them", zone: "America/New_York",
			weekly: slotDay(t, time.Monday, "10:00-11:00", "09:00-10:00"), dur: time.Hour, step: 30 * time.Minute,
			from: mon + "00:00-04:00", to: mon + "23:00-04:00",
			want: []string{"Mon 09:00-04:00", "Mon 09:30-04:00", "Mon 10:00-04:00"},
		},
		{
			name: "busy, unsorted and overlapping; touching is free", zone: "America/New_York",
			weekly: slotDay(t, time.Monday, "09:00-11:00"), dur: 30 * time.Minute, step: 15 * time.Minute,
			busy: []string{mon + "10:30-04:00/" + mon + "11:00-04:00", mon + "09:00-04:00/" + mon + "09:30-04:00", mon + "09:15-04:00/" + mon + "09:45-04:00"},
			from: mon + "00:00-04:00", to: mon + "23:00-04:00",
			want: []string{"Mon 09:45-04:00", "Mon 10:00-04:00"},
		},
		{
			name: "no buffers", zone: "America/New_York",
			weekly: slotDay(t, time.Monday, "09:00-12:00"), dur: 30 * time.Minute, step: 15 * time.Minute,
			busy: []string{mon + "10:00-04:00/" + mon + "11:00-04:00"},
			from: mon + "00:00-04:00", to: mon + "23:00-04:00",
			want: []string{"Mon 09:00-04:00", "Mon 09:15-04:00", "Mon 09:30-04:00", "Mon 11:00-04:00", "Mon 11:15-04:00", "Mon 11:30-04:00"},
		},
		{
			name: "buffers push slots out, and may reach outside the hours", zone: "America/New_York",
			weekly: slotDay(t, time.Monday, "09:00-12:00"), dur: 30 * time.Minute, step: 15 * time.Minute,
			before: 15 * time.Minute, after: 15 * time.Minute,
			busy: []string{mon + "10:00-04:00/" + mon + "11:00-04:00"},
			from: mon + "00:00-04:00", to: mon + "23:00-04:00",
			want: []string{"Mon 09:00-04:00", "Mon 09:15-04:00", "Mon 11:15-04:00", "Mon 11:30-04:00"},
		},
		{
			name: "minimum notice cuts today's early slots", zone: "America/New_York",
			weekly: slotDay(t, time.Monday, "09:00-11:00"), dur: 30 * time.Minute, step: 30 * time.Minute,
			from: mon + "00:00-04:00", to: mon + "23:00-04:00", notBefore: mon + "09:40-04:00",
			want: []string{"Mon 10:00-04:00", "Mon 10:30-04:00"},
		},
		{
			name: "horizon: the last start may equal it", zone: "America/New_York",
			weekly: slotDay(t, time.Monday, "09:00-11:00"), dur: 30 * time.Minute, step: 30 * time.Minute,
			from: mon + "00:00-04:00", to: mon + "23:00-04:00", notAfter: mon + "10:00-04:00",
			want: []string{"Mon 09:00-04:00", "Mon 09:30-04:00", "Mon 10:00-04:00"},
		},
		{
			name: "From and To filter; the grid stays anchored at 09:00", zone: "America/New_York",
			weekly: slotDay(t, time.Monday, "09:00-11:00"), dur: 30 * time.Minute, step: 30 * time.Minute,
			from: mon + "09:10-04:00", to: mon + "10:45-04:00",
			want: []string{"Mon 09:30-04:00", "Mon 10:00-04:00"},
		},
		{
			name: "zero step means back to back", zone: "America/New_York",
			weekly: slotDay(t, time.Monday, "09:00-11:00"), dur: 40 * time.Minute,
			from: mon + "00:00-04:00", to: mon + "23:00-04:00",
			want: []string{"Mon 09:00-04:00", "Mon 09:40-04:00", "Mon 10:20-04:00"},
		},
		{
			name: "notice beyond any date", zone: "America/New_York",
			weekly: slotDay(t, time.Monday, "09:00-11:00"), dur: 30 * time.Minute, step: 30 * time.Minute,
			from: mon + "00:00-04:00", to: mon + "23:00-04:00", notBefore: "9999-01-01T00:00Z",
			want: nil,
		},
		{
			name: "no duration, no slots", zone: "America/New_York",
			weekly: slotDay(t, time.Monday, "09:00-11:00"), step: 30 * time.Minute,
			from: mon + "00:00-04:00", to: mon + "23:00-04:00",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := slotZone(t, tt.zone)
			q := domain.SlotQuery{
				Location: loc, Weekly: tt.weekly, Overrides: tt.overrides,
				Duration: tt.dur, Step: tt.step, BufferBefore: tt.before, BufferAfter: tt.after,
				From: slotTime(t, tt.from), To: slotTime(t, tt.to),
			}
			for _, s := range tt.busy {
				q.Busy = append(q.Busy, slotSpan(t, s))
			}
			for _, s := range tt.timeOff {
				iv := slotSpan(t, s)
				q.TimeOff = append(q.TimeOff, domain.TimeOff{Start: iv.Start, End: iv.End})
			}
			if tt.notBefore != "" {
				q.NotBefore = slotTime(t, tt.notBefore)
			}
			if tt.notAfter != "" {
				q.NotAfter = slotTime(t, tt.notAfter)
			}
			got := domain.Slots(q)
			if strings.Join(slotStarts(loc, got), " ") != strings.Join(tt.want, " ") {
				t.Errorf("Slots(%v) = %v, want %v", tt.name, slotStarts(loc, got), tt.want)
			}
			for _, s := range got {
				if s.Duration() != tt.dur || s.Start.Location() != loc {
					t.Errorf("Slots(%v) has %v in %v, want %v long in %v", tt.name, s, s.Start.Location(), tt.dur, loc)
				}
			}
		})
	}
}

func TestCanBook(t *testing.T) {
	const mon = "2026-06-15T"
	loc := slotZone(t, "America/New_York")
	at := func(hm string) time.Time { return slotTime(t, mon+hm+"-04:00") }
	q := domain.SlotQuery{
		Location: loc, Weekly: slotDay(t, time.Monday, "09:00-12:00"),
		Busy:     []domain.Interval{{Start: at("10:00"), End: at("11:00")}},
		TimeOff:  []domain.TimeOff{{Start: at("11:10"), End: at("12:00")}},
		Duration: 30 * time.Minute, Step: 15 * time.Minute, BufferAfter: 10 * time.Minute,
		NotBefore: at("08:30"), NotAfter: at("11:45"),
	}
	tests := []struct {
		start string
		want  error
	}{
		{"09:00", nil},
		{"09:15", nil}, // its block ends at 09:55
		{"08:00", domain.ErrSlotTooSoon},
		{"12:00", domain.ErrSlotTooFar},
		{"08:45", domain.ErrSlotOutsideHours},
		{"11:45", domain.ErrSlotOutsideHours}, // would end at 12:15
		{"09:05", domain.ErrSlotOffGrid},
		{"09:20", domain.ErrSlotOffGrid},
		{"09:30", domain.ErrSlotTaken},        // the buffer after reaches the 10:00 booking
		{"10:30", domain.ErrSlotTaken},        // its block ends where the time off starts
		{"11:00", domain.ErrPractitionerAway}, // the block reaches 11:40
		{"10:45", domain.ErrPractitionerAway}, // both: away wins over taken
	}
	for _, tt := range tests {
		if got := domain.CanBook(q, at(tt.start)); !errors.Is(got, tt.want) {
			t.Errorf("CanBook(%v) = %v, want %v", tt.start, got, tt.want)
		}
	}
}

func TestCanBookAcrossFallBack(t *testing.T) {
	loc := slotZone(t, "America/New_York")
	q := domain.SlotQuery{
		Location: loc, Weekly: slotDay(t, time.Sunday, "01:30-02:30"),
		Duration: time.Hour, Step: time.Hour,
	}
	tests := []struct {
		start string
		want  error
	}{
		{"2026-11-01T01:30-04:00", nil},
		{"2026-11-01T01:30-05:00", nil},
		{"2026-11-01T02:30-05:00", domain.ErrSlotOutsideHours},
		{"2026-11-01T02:00-04:00", domain.ErrSlotOffGrid}, // = 01:00 EST, half way between the slots
	}
	for _, tt := range tests {
		if got := domain.CanBook(q, slotTime(t, tt.start)); !errors.Is(got, tt.want) {
			t.Errorf("CanBook(%v) = %v, want %v", tt.start, got, tt.want)
		}
	}
}

func TestCanBookBadQuery(t *testing.T) {
	q := domain.SlotQuery{Location: time.UTC, Weekly: slotWeek(t, "09:00-17:00")}
	err := domain.CanBook(q, time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC))
	if err == nil || domain.ErrorKind(err) != domain.KindInternal {
		t.Errorf("CanBook(no duration) = %v, want an internal error", err)
	}
}
