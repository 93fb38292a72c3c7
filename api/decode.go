package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/problem"
	"github.com/frontdesk/frontdesk/domain"
)

// decodeStrict reads the JSON body into v: the media type must be JSON,
// unknown fields, wrong types, trailing data and an empty body are 400s
// that name the field where there is one.
func decodeStrict(c echo.Context, v any) error {
	body, err := readJSONBody(c)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// readJSONBody checks the media type is JSON and reads the capped body:
// 415 for another type, 413 past the limit.
func readJSONBody(c echo.Context) ([]byte, error) {
	if err := requireJSON(c.Request().Header.Get(echo.HeaderContentType)); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, echo.ErrStatusRequestEntityTooLarge
		}
		return nil, badRequest("", "The request body could not be read.")
	}
	return body, nil
}

func requireJSON(contentType string) error {
	mt, _, err := mime.ParseMediaType(contentType)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return &problem.RequestError{Status: http.StatusUnsupportedMediaType, Detail: "Send the body as application/json."}
}

// decodeJSON is the pure part of decodeStrict, shared with the fuzz target.
func decodeJSON(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return badRequest("", "The request body is empty; send a JSON object.")
	}
	if bytes.Equal(trimmed, []byte("null")) {
		// json.Decode leaves v as it was: a PUT would store its zero value.
		return badRequest("body", "The request body is null; send a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("", "The request body has data after the JSON object.")
	}
	return nil
}

// jsonError turns encoding/json's errors into 400s naming the field.
func jsonError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("", "The request body is not valid JSON.")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("", fmt.Sprintf("The request body must be a JSON object, not %s.", typ.Value))
		}
		return badRequest(typ.Field, fmt.Sprintf("Must be %s, not %s.", jsonKind(typ.Type.Kind().String()), typ.Value))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field := strings.Trim(name, `"`)
		return badRequest(field, fmt.Sprintf("Unknown field %q.", field))
	}
	return badRequest("", "The request body is not valid JSON.")
}

// jsonKind names a Go kind as JSON calls it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "a number"
}

// parseInstant reads an RFC 3339 time from a request, naming field if it
// cannot.
func parseInstant(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, domain.Invalid(field, "Give a time in RFC 3339 form, such as 2026-03-10T09:00:00-05:00.")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, domain.Invalid(field, "Not an RFC 3339 time, such as 2026-03-10T09:00:00-05:00.")
	}
	return t, inYears(field, t)
}

// inYears is a KindInvalid error on field when t lies outside the years
// domain.MinYear–MaxYear.
func inYears(field string, t time.Time) error {
	var v domain.Validation
	v.Instant(field, t)
	return v.Err()
}

// jsonEncode writes v as JSON without HTML escaping.
func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
