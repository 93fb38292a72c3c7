package web

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// A small reader of the PDFs Chromium prints, enough to check what a page
// says: objects, Flate streams, Type0 fonts with ToUnicode maps, and the
// hex strings of Tj and TJ. It is no general PDF parser.

var (
	pdfObjRe    = regexp.MustCompile(`(?s)(\d+) 0 obj\s*(.*?)\s*endobj`)
	pdfRefRe    = regexp.MustCompile(`/(\w+) (\d+) 0 R`)
	pdfFontsRe  = regexp.MustCompile(`(?s)/Font\s*<<(.*?)>>`)
	pdfFontRef  = regexp.MustCompile(`/Font (\d+) 0 R`)
	pdfResRef   = regexp.MustCompile(`/Resources (\d+) 0 R`)
	pdfContents = regexp.MustCompile(`/Contents (\d+) 0 R`)
	pdfPageRe   = regexp.MustCompile(`/Type\s*/Page\b`)
	pdfTokenRe  = regexp.MustCompile(`(?s)/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f\s]*)>|\)|T\*|Td|TD|'`)
	pdfCharRe   = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	pdfRangeRe  = regexp.MustCompile(`<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>`)
	pdfDescRe   = regexp.MustCompile(`/DescendantFonts\s*\[\s*(\d+) 0 R`)
	pdfToUniRe  = regexp.MustCompile(`/ToUnicode (\d+) 0 R`)
	pdfBlockRe  = regexp.MustCompile(`(?s)beginbf(char|range)(.*?)endbf`)
	pdfStreamRe = regexp.MustCompile(`(?s)^(.*?)stream\r?\n(.*)\r?\nendstream$`)
)

type pdfDoc struct {
	dicts   map[int]string
	streams map[int][]byte
}

func parsePDF(t *testing.T, data []byte) pdfDoc {
	t.Helper()
	d := pdfDoc{dicts: map[int]string{}, streams: map[int][]byte{}}
	for _, m := range pdfObjRe.FindAllSubmatch(data, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		body := m[2]
		if sm := pdfStreamRe.FindSubmatch(body); sm != nil {
			d.dicts[n] = string(sm[1])
			raw := sm[2]
			if bytes.Contains(sm[1], []byte("/FlateDecode")) {
				if r, err := zlib.NewReader(bytes.NewReader(raw)); err == nil {
					if out, err := io.ReadAll(r); err == nil || len(out) > 0 {
						raw = out
					}
				}
			}
			d.streams[n] = raw
			continue
		}
		d.dicts[n] = string(body)
	}
	return d
}

// toUnicode reads a font's ToUnicode map: glyph code → text.
func (d pdfDoc) toUnicode(font int) map[string]string {
	out := map[string]string{}
	dict := d.dicts[font]
	m := pdfToUniRe.FindStringSubmatch(dict)
	if m == nil {
		if desc := pdfDescRe.FindStringSubmatch(dict); desc != nil {
			n, _ := strconv.Atoi(desc[1])
			m = pdfToUniRe.FindStringSubmatch(d.dicts[n])
		}
	}
	if m == nil {
		return out
	}
	n, _ := strconv.Atoi(m[1])
	cmap := string(d.streams[n])
	for _, blk := range pdfBlockRe.FindAllStringSubmatch(cmap, -1) {
		if blk[1] == "char" {
			for _, c := range pdfCharRe.FindAllStringSubmatch(blk[2], -1) {
				out[strings.ToUpper(c[1])] = utf16Text(c[2])
			}
			continue
		}
		for _, r := range pdfRangeRe.FindAllStringSubmatch(blk[2], -1) {
			lo, _ := strconv.ParseUint(r[1], 16, 32)
			hi, _ := strconv.ParseUint(r[2], 16, 32)
			dst, _ := strconv.ParseUint(r[3], 16, 32)
			for c := lo; c <= hi && c-lo < 1<<16; c++ {
				out[strings.ToUpper(pad(strconv.FormatUint(c, 16), len(r[1])))] = string(rune(dst + c - lo))
			}
		}
	}
	return out
}

func pad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

func utf16Text(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil || len(b)%2 != 0 {
		return ""
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

// pdfText is the text of every page, a line per text object.
func pdfText(t *testing.T, data []byte) string {
	t.Helper()
	d := parsePDF(t, data)
	var sb strings.Builder
	for n := 0; n <= len(d.dicts)*2; n++ {
		dict, ok := d.dicts[n]
		if !ok || !pdfPageRe.MatchString(dict) {
			continue
		}
		fonts := map[string]map[string]string{}
		res := dict
		if r := pdfResRef.FindStringSubmatch(dict); r != nil {
			rn, _ := strconv.Atoi(r[1])
			res = d.dicts[rn]
		}
		fontDict := ""
		if f := pdfFontsRe.FindStringSubmatch(res); f != nil {
			fontDict = f[1]
		} else if f := pdfFontRef.FindStringSubmatch(res); f != nil {
			fn, _ := strconv.Atoi(f[1])
			fontDict = d.dicts[fn]
		}
		for _, ref := range pdfRefRe.FindAllStringSubmatch(fontDict, -1) {
			fn, _ := strconv.Atoi(ref[2])
			fonts[ref[1]] = d.toUnicode(fn)
		}
		c := pdfContents.FindStringSubmatch(dict)
		if c == nil {
			continue
		}
		cn, _ := strconv.Atoi(c[1])
		var cur map[string]string
		for _, tok := range pdfTokenRe.FindAllStringSubmatch(string(d.streams[cn]), -1) {
			switch {
			case tok[1] != "":
				cur = fonts[tok[1]]
			case strings.HasPrefix(tok[0], "<"):
				h := strings.ToUpper(strings.Join(strings.Fields(tok[2]), ""))
				for i := 0; i+4 <= len(h); i += 4 {
					sb.WriteString(cur[h[i:i+4]])
				}
			default:
				sb.WriteString(" ")
			}
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// pdfPages counts the pages.
func pdfPages(data []byte) int {
	return len(pdfPageRe.FindAll(data, -1))
}
