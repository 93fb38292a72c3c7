package domain

import (
	"fmt"
	"math"
	"time"
	"unicode"
	"unicode/utf8"
)

// Every door (API, web form, CLI, inbound mail) hands free text to the
// domain, which checks it here before anything is stored: the same answer
// on SQLite and PostgreSQL (which refuses a NUL byte in text), and nothing
// that can make a staff page or an email subject read as something else
// (issue 16, findings 5 and 13).

// Messages for text that fails the checks.
const (
	msgBadEncoding = "Use plain text (UTF-8)."
	msgControl     = "Remove the control or text-direction characters."
	msgOneLine     = "Keep it on one line."
)

// LineProblem says what is wrong with s as one line of free text (a name,
// a title, a label), "" for nothing: invalid UTF-8, a control character
// (NUL, ESC, VT, NEL, a newline…), a line or paragraph separator, or a
// bidirectional formatting character (U+202E and its kin).
func LineProblem(s string) string {
	if !utf8.ValidString(s) {
		return msgBadEncoding
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			return msgOneLine
		case unicode.IsControl(r) || isBidiControl(r):
			return msgControl
		}
	}
	return ""
}

// TextProblem is LineProblem for text of several lines (notes, reasons):
// newlines (LF or CRLF) and tabs are allowed, nothing else of the kind.
func TextProblem(s string) string {
	if !utf8.ValidString(s) {
		return msgBadEncoding
	}
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\t' {
			continue
		}
		if unicode.IsControl(r) || isBidiControl(r) || r == '\u2028' || r == '\u2029' {
			return msgControl
		}
	}
	return ""
}

// isBidiControl reports whether r is one of the invisible characters that
// change the direction text is shown in: the embeddings and overrides
// (U+202A–U+202E), the isolates (U+2066–U+2069) and the marks (U+200E,
// U+200F, U+061C).
func isBidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') ||
		r == '\u200e' || r == '\u200f' || r == '\u061c'
}

// Length records in v when s is longer than max characters.
func (v *Validation) Length(field, s string, max int) {
	if utf8.RuneCountInString(s) > max {
		v.Add(field, fmt.Sprintf("At most %d characters.", max))
	}
}

// Line records in v what is wrong with s as one line (see LineProblem).
func (v *Validation) Line(field, s string) {
	if msg := LineProblem(s); msg != "" {
		v.Add(field, msg)
	}
}

// Text records in v what is wrong with s as text of several lines (see
// TextProblem).
func (v *Validation) Text(field, s string) {
	if msg := TextProblem(s); msg != "" {
		v.Add(field, msg)
	}
}

// The years a date or instant from a request may fall in. Outside them a
// date is a typing mistake (0001, 9999), and year 1 is Go's zero time,
// which storage reads as "none".
const (
	MinYear = 1970
	MaxYear = 2999
)

// Instant records in v when t lies outside the years MinYear–MaxYear.
// The zero time is left to the caller's "required" check.
func (v *Validation) Instant(field string, t time.Time) {
	if t.IsZero() {
		return
	}
	if y := t.UTC().Year(); y < MinYear || y > MaxYear {
		v.Add(field, fmt.Sprintf("Give a time between the years %d and %d.", MinYear, MaxYear))
	}
}

// Int32 records in v when n does not fit the database's integer column.
func (v *Validation) Int32(field string, n int) {
	if n < math.MinInt32 || n > math.MaxInt32 {
		v.Add(field, "Must be a smaller number.")
	}
}

// SearchProblem says what is wrong with a search query, "" for nothing.
func SearchProblem(q string) string {
	if msg := LineProblem(q); msg != "" {
		return msg
	}
	if utf8.RuneCountInString(q) > 200 {
		return "Search for at most 200 characters."
	}
	return ""
}

// maxMinutes bounds a number of minutes from a request: past it the
// nanoseconds of a time.Duration would overflow and wrap into range.
const maxMinutes = 100_000_000 // about 190 years

// Minutes is n minutes, saturated at about ±190 years so that no number a
// request sends wraps into a plausible duration; validation then refuses it.
func Minutes(n int) time.Duration {
	return time.Duration(max(-maxMinutes, min(n, maxMinutes))) * time.Minute
}

// Days is n days, saturated like Minutes.
func Days(n int) time.Duration {
	const maxDays = maxMinutes / (24 * 60)
	return time.Duration(max(-maxDays, min(n, maxDays))) * 24 * time.Hour
}
