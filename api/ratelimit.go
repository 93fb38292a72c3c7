package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/api/problem"
	"github.com/frontdesk/frontdesk/api/ratelimit"
)

// publicWriteLimit limits the public write routes (booking, manage) per
// client address; signed-in staff are not limited. perMinute 0 turns it off.
func publicWriteLimit(perMinute int) echo.MiddlewareFunc {
	if perMinute <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	set := ratelimit.New(time.Minute/time.Duration(perMinute), perMinute)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if _, staff := auth.UserFrom(c); staff || !isPublicWrite(c.Request()) {
				return next(c)
			}
			if ok, wait := set.Take(c.RealIP()); !ok {
				return problem.TooMany(wait)
			}
			return next(c)
		}
	}
}

func isPublicWrite(r *http.Request) bool {
	if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/book/") && strings.HasSuffix(r.URL.Path, "/details") {
		return true // the details page holds its time (web/holds.go): a write
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return false
	}
	p := r.URL.Path
	// The pages' own public forms (web/) count the same as the JSON routes.
	return p == "/api/v1/bookings" || strings.HasPrefix(p, "/api/v1/manage/") || strings.HasPrefix(p, "/api/v1/holds") ||
		strings.HasPrefix(p, "/book/") || strings.HasPrefix(p, "/manage/") ||
		strings.HasPrefix(p, "/api/v1/waitlist") || strings.HasPrefix(p, "/api/v1/offers/") ||
		strings.HasPrefix(p, "/waitlist") || strings.HasPrefix(p, "/offers/")
}
