package web

import (
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
