package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontdesk/frontdesk/api/csp"
	"github.com/frontdesk/frontdesk/api/problem"
)

const ctxRequestID = "fd.request_id"

// requestIDMiddleware keeps a sane incoming X-Request-ID or makes one, and
// echoes it in the response.
func requestIDMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		c.Set(ctxRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func requestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

// observe logs every request once, after the error handler has answered,
// and records its latency by route template.
func (s *Server) observe(hist *prometheus.HistogramVec, labels *metricLabels) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			began := time.Now()
			if err := next(c); err != nil {
				c.Error(err)
			}
			took := time.Since(began)
			status := c.Response().Status
			route := labels.route(c)
			hist.WithLabelValues(route, labels.method(c.Request().Method), strconv.Itoa(status)).Observe(took.Seconds())
			s.Logger.Info("http request",
				"method", c.Request().Method,
				"route", route,
				"path", maskPath(c.Request().URL.Path),
				"status", status,
				"latency_ms", float64(took.Microseconds())/1000,
				"bytes", c.Response().Size,
				"request_id", requestID(c),
			)
			return nil
		}
	}
}

// maskPath shortens the secret after /manage/ and /feeds/ to its 6-char
// prefix, so logs never hold a usable link.
func maskPath(path string) string {
	parts := strings.Split(path, "/")
	for i := 1; i < len(parts); i++ {
		if parts[i-1] == "manage" || parts[i-1] == "feeds" {
			parts[i] = prefix6(parts[i])
		}
	}
	return strings.Join(parts, "/")
}

func prefix6(s string) string {
	if len(s) > 6 {
		return s[:6] + "…"
	}
	return s
}

// recoverMiddleware turns a panic into a 500 answered by the error handler,
// logging the stack with the request id.
func (s *Server) recoverMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.Logger.Error("panic", "request_id", requestID(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fmt.Errorf("handler panic: %v", r)
			}
		}()
		return next(c)
	}
}

// securityHeaders sets the headers every response carries.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc { return headersFor("")(next) }

// headersFor is securityHeaders for a server at baseURL: over https it
// adds Strict-Transport-Security. Pages that carry a secret or are for
// staff alone (staff pages, the patient's manage page, feeds, the API) are
// marked noindex for search engines.
func headersFor(baseURL string) echo.MiddlewareFunc {
	hsts := strings.HasPrefix(strings.ToLower(baseURL), "https://")
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if hsts {
				c.Response().Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			}
			return baseHeaders(c, next)
		}
	}
}

// baseHeaders sets the headers of every response, whatever the server's
// address, then calls next.
func baseHeaders(c echo.Context, next echo.HandlerFunc) error {
	h := c.Response().Header()
	h.Set("X-Content-Type-Options", "nosniff")
	csp.Start(c)
	path := c.Request().URL.Path
	if csp.NoIndex(path) {
		h.Set("X-Robots-Tag", "noindex, nofollow")
	}
	if strings.HasPrefix(path, "/manage") || strings.HasPrefix(path, "/api/v1/manage") || strings.HasPrefix(path, "/feeds/") {
		h.Set("Referrer-Policy", "no-referrer")
	} else {
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	}
	if isAPIPath(path) {
		h.Set("Cache-Control", "no-store")
	}
	return next(c)
}

// bodyLimit answers 413 for a declared length over the limit and caps what
// can be read from the rest.
func bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.ContentLength > problem.MaxBodyBytes {
			return echo.ErrStatusRequestEntityTooLarge
		}
		if req.Body != nil {
			req.Body = http.MaxBytesReader(c.Response(), req.Body, problem.MaxBodyBytes)
		}
		return next(c)
	}
}

func isAPIPath(path string) bool {
	return strings.HasPrefix(path, "/api/")
}
