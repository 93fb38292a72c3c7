package domain

import (
	"fmt"
	"time"
)

// TimeOfDay is a local wall-clock time as minutes after midnight, 0 to 1440.
// It carries no zone: the practitioner's zone gives it meaning.
type TimeOfDay int

// At builds a TimeOfDay from hours and minutes: At(9, 30) is 09:30.
func At(h, m int) TimeOfDay { return TimeOfDay(h*60 + m) }

// ParseTimeOfDay reads "HH:MM" (24-hour; "24:00" is the end of the day).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("time of day %q is not HH:MM", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil {
		return 0, fmt.Errorf("time of day %q is not HH:MM", s)
	}
	if h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time of day %q is out of range", s)
	}
	return At(h, m), nil
}

// String formats t as "HH:MM".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// Hour and Minute split t.
func (t TimeOfDay) Hour() int   { return int(t) / 60 }
func (t TimeOfDay) Minute() int { return int(t) % 60 }

// TimeRange is a local wall-clock interval on one day. An End at or before
// Start means the range runs past midnight into the next day (22:00–02:00).
type TimeRange struct {
	Start, End TimeOfDay
}

// CrossesMidnight reports whether the range ends on the following day.
func (r TimeRange) CrossesMidnight() bool { return r.End <= r.Start }

// Validate checks both ends are real times of day and the range is not empty.
func (r TimeRange) Validate() error {
	if r.Start < 0 || r.Start >= 1440 || r.End < 0 || r.End > 1440 {
		return fmt.Errorf("time range %s–%s is out of range", r.Start, r.End)
	}
	if r.Start == r.End {
		return fmt.Errorf("time range %s–%s is empty", r.Start, r.End)
	}
	return nil
}

// Date is a civil date with no zone: a day on a wall calendar.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate reads "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	if t.Year() < MinYear || t.Year() > MaxYear {
		return Date{}, fmt.Errorf("date %q is outside the years %d to %d", s, MinYear, MaxYear)
	}
	return DateOf(t), nil
}

// String formats d as "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// AddDays returns the date n days after d (n may be negative).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// WorkingHours is one weekly interval a practitioner works, in the
// practitioner's own zone. A day may have several (morning, afternoon).
type WorkingHours struct {
	ID             string
	PractitionerID string
	Weekday        time.Weekday
	Range          TimeRange
}

// DateOverride replaces a practitioner's weekly hours on one date. No ranges
// means the practitioner does not work that day.
type DateOverride struct {
	ID             string
	PractitionerID string
	Date           Date
	Ranges         []TimeRange
	Note           string
}

// TimeOff is an absolute interval a practitioner is away (holiday, course).
type TimeOff struct {
	ID             string
	PractitionerID string
	Start, End     time.Time
	Reason         string
	// Sequence is the iCalendar SEQUENCE feeds show; it rises on every
	// change of the entry.
	Sequence int
	// UpdatedAt is when the entry was set or last changed (UTC): the
	// DTSTAMP and LAST-MODIFIED feeds show. Stores set it on create.
	UpdatedAt time.Time
	// Calendar is set on busy time imported from one of the practitioner's
	// own calendars (see BusyImport): that calendar's id, with its label as
	// Reason. Schedules carry it like time off; staff cannot delete it.
	Calendar string
}

// Interval is a half-open span of instants [Start, End).
type Interval struct {
	Start, End time.Time
}

// Overlaps reports whether i and j share any instant.
func (i Interval) Overlaps(j Interval) bool {
	return i.Start.Before(j.End) && j.Start.Before(i.End)
}

// Union is the smallest interval holding both i and j.
func (i Interval) Union(j Interval) Interval {
	if j.Start.Before(i.Start) {
		i.Start = j.Start
	}
	if j.End.After(i.End) {
		i.End = j.End
	}
	return i
}

// Duration is the length of i.
func (i Interval) Duration() time.Duration { return i.End.Sub(i.Start) }

// ParseTimeRange is the one reader of a range typed as two "HH:MM" ends, for
// every door. Problems are recorded in v under startField and endField;
// ok is false when there were any.
func ParseTimeRange(v *Validation, startField, endField, start, end string) (r TimeRange, ok bool) {
	st, err1 := ParseTimeOfDay(start)
	en, err2 := ParseTimeOfDay(end)
	v.Check(err1 == nil, startField, "Use HH:MM, such as 09:00.")
	v.Check(err2 == nil, endField, "Use HH:MM, such as 17:30.")
	if err1 != nil || err2 != nil {
		return TimeRange{}, false
	}
	r = TimeRange{Start: st, End: en}
	if r.Validate() != nil {
		v.Add(endField, "The interval must not be empty and must lie within a day.")
		return r, false
	}
	return r, true
}
