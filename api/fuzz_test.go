package api

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/frontdesk/frontdesk/api/problem"
	"github.com/frontdesk/frontdesk/domain"
	"github.com/frontdesk/frontdesk/storage/storagetest"
)

// FuzzDecodeBookingRequest feeds arbitrary bodies to the booking decoder
// and, through the real handler and a real SQLite store, to the domain's
// validation: never a panic, never a 5xx, every error a problem.
func FuzzDecodeBookingRequest(f *testing.F) {
	engine := storagetest.Engines()[0]
	e := newEnv(f, storagetest.Open(f, engine), 0)
	seeds := []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"start":"2031-03-04T09:00:00-05:00"}`,
		`{"service_id":"` + e.ids.massage + `","start":"2031-03-04T09:00:00-05:00","patient":{"name":"A","email":"a@b.co"}}`,
		`{"service_id":"` + e.ids.caseReview + `","start":"2031-03-04T10:00:00-05:00","patient":{"name":"A","email":"a@b.co"},"intake":{"pain_areas":["neck"],"duration":"days"}}`,
		`{"patient":{"email":1}}`, `{"intake":{"pain_areas":"neck"}}`, `{"start":"2031-02-30T25:00:00Z"}`,
		`{"time_zone":"../../etc/passwd"}`, `{"notes":"\u0000\ud800"}`, `{"overbook":true}`, `{"a":1} x`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := decodeBookingRequest(body, domain.ActorPatient); err != nil {
			if st := problem.Status(err); st < 400 || st >= 500 {
				t.Fatalf("decodeBookingRequest(%q) = %v with status %d", body, err, st)
			}
		}
		r := httptest.NewRequest(http.MethodPost, "/api/v1/bookings", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		e.echo.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("POST %q = %d: %s", body, w.Code, w.Body)
		}
		if w.Code >= 400 && w.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("POST %q = %d as %q", body, w.Code, w.Header().Get("Content-Type"))
		}
	})
}

// BenchmarkAvailabilityEndpoint asks for 31 days of one service across all
// practitioners, over real HTTP.
func BenchmarkAvailabilityEndpoint(b *testing.B) {
	for _, engine := range storagetest.Engines() {
		b.Run(fmt.Sprint(engine), func(b *testing.B) {
			e := newEnv(b, storagetest.Open(b, engine), 0)
			q := url.Values{"service_id": {e.ids.massage}, "from": {"2031-03-04"}, "to": {"2031-04-03"}, "tz": {"America/Los_Angeles"}}
			path := "/api/v1/availability?" + q.Encode()
			client := e.ts.Client()
			b.ResetTimer()
			for b.Loop() {
				resp, err := client.Get(e.ts.URL + path)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("availability = %d", resp.StatusCode)
				}
			}
		})
	}
}
