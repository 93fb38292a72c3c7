package storage

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// instantLayout is how instants are written: fixed width and UTC, so that
// on SQLite text order is time order; PostgreSQL reads it as timestamptz.
const instantLayout = "2006-01-02T15:04:05.000000Z"

// instant is a time.Time column: timestamptz on PostgreSQL, TEXT on SQLite.
// The zero time is NULL.
type instant time.Time

// at converts t for a column or a query parameter.
func at(t time.Time) instant { return instant(t) }

// Value writes the fixed-width UTC form, or NULL for the zero time.
func (t instant) Value() (driver.Value, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return nil, nil
	}
	return tt.UTC().Format(instantLayout), nil
}

// Scan reads a timestamptz, the text form or NULL.
func (t *instant) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*t = instant{}
	case time.Time:
		*t = instant(v.UTC())
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	default:
		return fmt.Errorf("scan instant from %T", v)
	}
	return nil
}

func (t *instant) parse(s string) error {
	tt, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("scan instant: %w", err)
	}
	*t = instant(tt.UTC())
	return nil
}

// time returns the instant in UTC (the zero time for NULL).
func (t instant) time() time.Time {
	tt := time.Time(t)
	if tt.IsZero() {
		return time.Time{}
	}
	return tt.UTC()
}

// civil is a domain.Date column: date on PostgreSQL, "YYYY-MM-DD" on SQLite.
type civil domain.Date

// Value writes "YYYY-MM-DD".
func (d civil) Value() (driver.Value, error) { return domain.Date(d).String(), nil }

// Scan reads a date or its text form.
func (d *civil) Scan(v any) error {
	var s string
	switch v := v.(type) {
	case time.Time:
		*d = civil(domain.DateOf(v))
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("scan date from %T", v)
	}
	date, err := domain.ParseDate(s[:min(len(s), 10)])
	if err != nil {
		return fmt.Errorf("scan date: %w", err)
	}
	*d = civil(date)
	return nil
}

// optional is a text or uuid column where "" is NULL.
type optional string

// Value writes NULL for "".
func (o optional) Value() (driver.Value, error) {
	if o == "" {
		return nil, nil
	}
	return string(o), nil
}

// Scan reads text, a uuid or NULL.
func (o *optional) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*o = ""
	case string:
		*o = optional(v)
	case []byte:
		*o = optional(v)
	case [16]byte: // a uuid, from drivers that do not format it
		*o = optional(fmt.Sprintf("%x-%x-%x-%x-%x", v[0:4], v[4:6], v[6:8], v[8:10], v[10:16]))
	default:
		return fmt.Errorf("scan text from %T", v)
	}
	return nil
}

// seconds stores a duration as whole seconds.
func seconds(d time.Duration) int64 { return int64(d / time.Second) }

// duration reads whole seconds.
func duration(s int64) time.Duration { return time.Duration(s) * time.Second }

// jsonText encodes v for a text column; nil is NULL.
func jsonText(v any) (optional, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if string(b) == "null" {
		return "", nil
	}
	return optional(b), nil
}

// lowerID canonicalises an id for comparison: PostgreSQL prints uuids in
// lower case, and SQLite compares text exactly.
func lowerID(id string) string { return strings.ToLower(id) }

// lowerIDs lower-cases ids; nil stays nil.
func lowerIDs(ids []string) []string {
	if ids == nil {
		return nil
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = lowerID(id)
	}
	return out
}

// validIDs keeps the ids that have the shape of a UUID, lower-cased.
func validIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if domain.IsID(id) {
			out = append(out, lowerID(id))
		}
	}
	return out
}

// orNow returns t, or now in UTC when t is zero.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t
}

// escapeLike escapes the LIKE wildcards in s (the escape character is \).
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// strs converts named string values (statuses) to plain strings for a query.
func strs[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
