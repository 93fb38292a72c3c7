package notifications

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLineOctets is RFC 5545's limit on a content line, without its CRLF.
const maxLineOctets = 75

// fold breaks every CRLF-terminated line of src longer than 75 octets into
// continuation lines (CRLF + space), never inside a UTF-8 sequence. go-ical
// does not fold (emersion/go-ical #18), so every encoded calendar passes here.
func fold(src []byte) []byte {
	return appendFolded(make([]byte, 0, len(src)+len(src)/maxLineOctets*3+2), src)
}

// appendFolded appends src, folded, to out.
func appendFolded(out, src []byte) []byte {
	for len(src) > 0 {
		line := src
		if i := bytes.Index(src, []byte("\r\n")); i >= 0 {
			line, src = src[:i], src[i+2:]
		} else {
			src = nil
		}
		limit := maxLineOctets
		for len(line) > limit {
			cut := limit
			for !utf8.RuneStart(line[cut]) {
				cut--
			}
			out = append(out, line[:cut]...)
			out = append(out, "\r\n "...)
			line = line[cut:]
			limit = maxLineOctets - 1 // the leading space counts
		}
		out = append(out, line...)
		out = append(out, "\r\n"...)
	}
	return out
}

// cleanText makes free text (often typed by a patient) safe for an iCalendar
// TEXT value and an email: valid UTF-8, LF line ends only (go-ical rejects CR
// and escapes LF itself), no other control characters but tab.
func cleanText(s string) string {
	if isClean(s, true) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
}

// oneLine is cleanText for a value that must stay on one line (a subject, a
// SUMMARY, a name): every run of white space becomes one space.
func oneLine(s string) string {
	if isClean(s, false) && !strings.Contains(s, "  ") && strings.TrimSpace(s) == s {
		return s
	}
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// paramEscaper encodes a parameter value per RFC 6868: a caret as ^^ and a
// double quote as ^' (RFC 5545 has no way to write one; go-ical refuses it).
// Newlines (^n) never get here: oneLine has made them spaces.
var paramEscaper = strings.NewReplacer("^", "^^", `"`, "^'")

// paramText makes s safe as an iCalendar parameter value such as CN: one
// line, no control characters, and RFC 6868's encoding, so that a name
// with quotes reaches the calendar as written. go-ical quotes the value
// when it holds ; : or ,.
func paramText(s string) string {
	return paramEscaper.Replace(oneLine(s))
}

// isClean reports whether s is valid UTF-8 with no control characters but,
// when multiline, LF and tab, and no Unicode white space other than a space
// otherwise: the common case, which needs no copy.
func isClean(s string, multiline bool) bool {
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return false // invalid UTF-8 (or a literal U+FFFD, cleaned to itself)
		case r == '\n' || r == '\t':
			if !multiline {
				return false
			}
		case r == ' ':
		case unicode.IsControl(r) || unicode.IsSpace(r):
			return false
		}
	}
	return true
}
