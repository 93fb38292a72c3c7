package domain_test

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/domain"
)

// FuzzAttributionValidate: Validate never panics, names only attribution
// fields, and what it accepts is bounded, free of control characters, and
// (the referrer) an absolute http(s) URL.
func FuzzAttributionValidate(f *testing.F) {
	f.Add("https://blog.example/neck?x=1", "blog", "article", "neck-pain", "footer")
	f.Add("javascript:alert(1)", "a\nb", strings.Repeat("x", 201), "\x00", "é")
	f.Add("http://user:pw@host/", "", "", "", "\u202e")
	f.Fuzz(func(t *testing.T, ref, src, medium, campaign, content string) {
		a := domain.Attribution{Referrer: ref, UTMSource: src, UTMMedium: medium, UTMCampaign: campaign, UTMContent: content}
		err := a.Validate()
		if err != nil {
			if domain.ErrorKind(err) != domain.KindInvalid {
				t.Fatalf("Validate(%+v) = %v, not KindInvalid", a, err)
			}
			var e *domain.Error
			e, _ = err.(*domain.Error)
			for _, p := range e.Problems() {
				if !strings.HasPrefix(p.Field, "attribution.") {
					t.Fatalf("Validate names %q", p.Field)
				}
			}
			return
		}
		for _, v := range []string{src, medium, campaign, content} {
			if !utf8.ValidString(v) || utf8.RuneCountInString(v) > domain.MaxUTM || strings.IndexFunc(v, unicode.IsControl) >= 0 {
				t.Fatalf("accepted %q", v)
			}
		}
		if ref != "" {
			u, perr := url.Parse(ref)
			if len(ref) > domain.MaxReferrer || perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
				strings.IndexFunc(ref, unicode.IsControl) >= 0 {
				t.Fatalf("accepted referrer %q", ref)
			}
		}
	})
}
