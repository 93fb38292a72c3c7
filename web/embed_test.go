package web

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestParseOrigins(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		bad  bool
	}{
		{"", nil, false},
		{"https://Clinic.Example, http://127.0.0.1:8081/", []string{"https://clinic.example", "http://127.0.0.1:8081"}, false},
		{"https://clinic.example/blog", nil, true},
		{"clinic.example", nil, true},
		{"https://clinic.example; script-src *", nil, true},
		{"ftp://clinic.example", nil, true},
		{"https://a@clinic.example", nil, true},
	} {
		got, err := ParseOrigins(tc.in)
		if (err != nil) != tc.bad || strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("ParseOrigins(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

// FuzzParseOrigins: what ParseOrigins accepts can go into a
// Content-Security-Policy header as it is: no separators, quotes or
// spaces, and each origin parses back to itself.
func FuzzParseOrigins(f *testing.F) {
	f.Add("https://clinic.example,http://127.0.0.1:8081")
	f.Add("https://x.example; frame-ancestors *")
	f.Add("http://[::1]:80/")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseOrigins(in)
		if err != nil {
			return
		}
		for _, o := range got {
			if strings.ContainsAny(o, " ;,'\"\r\n\t") || !(strings.HasPrefix(o, "http://") || strings.HasPrefix(o, "https://")) {
				t.Fatalf("ParseOrigins(%q) accepted %q", in, o)
			}
			if again, err := ParseOrigins(o); err != nil || len(again) != 1 || again[0] != o {
				t.Fatalf("origin %q does not parse back to itself: %v %v", o, again, err)
			}
		}
	})
}

// TestDirectLinkAttribution: a direct link with ?utm_* from another site
// carries the campaign and the referring page (without its query) to the
// booking form's hidden fields; a visit from these pages names no referrer.
func TestDirectLinkAttribution(t *testing.T) {
	a := startApp(t)
	req, err := http.NewRequest("GET", a.URL+"/book/"+a.Review.ID+"?utm_source=newsletter&utm_campaign=march%0Aspam&utm_medium=email", nil)
	must(t, "request", err)
	req.Header.Set("Referer", "https://blog.example/neck?session=secret")
	resp, err := http.DefaultClient.Do(req)
	must(t, "get", err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	for _, want := range []string{"utm_source=newsletter", "utm_medium=email", "ref=https%3A%2F%2Fblog.example%2Fneck"} {
		if !strings.Contains(page, want) {
			t.Errorf("the practitioner page's links do not carry %s", want)
		}
	}
	// A campaign with a control character is dropped, not refused, and
	// the referrer's query is not kept.
	if strings.Contains(page, "march") || strings.Contains(page, "secret") {
		t.Errorf("the page carries what it should have dropped:\n%s", page)
	}
	if got := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(got, "frame-ancestors 'self';") || !strings.Contains(got, "script-src 'self'") {
		t.Errorf("booking page Content-Security-Policy = %q", got)
	}
}
