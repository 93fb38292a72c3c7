package api

import (
	"crypto/subtle"
	"net/http"
	"sync"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/api/problem"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricLabels bounds the labels of the request histogram: a method outside
// the standard set is "other" and a path that matched no route is
// "unmatched", so invented methods and paths cannot grow the series.
type metricLabels struct {
	e      *echo.Echo
	once   sync.Once
	routes map[string]bool
}

var standardMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

func (l *metricLabels) method(m string) string {
	if standardMethods[m] {
		return m
	}
	return "other"
}

// route is c.Path() when it is a registered route template. The set is read
// on first use, after every route (the web pages' too) is registered.
func (l *metricLabels) route(c echo.Context) string {
	l.once.Do(func() {
		l.routes = make(map[string]bool)
		for _, r := range l.e.Routes() {
			l.routes[r.Path] = true
		}
	})
	if p := c.Path(); l.routes[p] && c.Get(echo.ContextKeyHeaderAllow) == nil {
		return p
	}
	return "unmatched"
}

// MetricsHandler serves the registry in the Prometheus text format, for
// the /metrics route and a METRICS_ADDR listener. With MetricsToken set it
// wants "Authorization: Bearer <token>".
func (s *Server) MetricsHandler() http.Handler {
	prom := promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.MetricsToken != "" {
			raw, ok := auth.BearerToken(r)
			if !ok || subtle.ConstantTimeCompare([]byte(raw), []byte(s.MetricsToken)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				w.Header().Set(echo.HeaderContentType, "application/problem+json")
				w.WriteHeader(http.StatusUnauthorized)
				_ = jsonEncode(w, problem.Document{Type: "about:blank", Title: http.StatusText(http.StatusUnauthorized), Status: http.StatusUnauthorized,
					Detail: "Metrics need the METRICS_TOKEN bearer token.", Errors: []problem.Field{}})
				return
			}
		}
		prom.ServeHTTP(w, r)
	})
}

// metrics handles GET /metrics on the main listener: only with a
// MetricsToken, otherwise the route does not exist here (METRICS_ADDR
// serves it on a listener of its own).
func (s *Server) metrics(c echo.Context) error {
	if s.MetricsToken == "" {
		return echo.ErrNotFound
	}
	s.MetricsHandler().ServeHTTP(c.Response(), c.Request())
	return nil
}
