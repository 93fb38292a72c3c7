package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/problem"
)

// badRequest is a 400 naming the field at fault.
func badRequest(field, detail string) error { return problem.BadRequest(field, detail) }

// handleError is echo's HTTPErrorHandler: every error becomes problem+json,
// except on non-API paths when HTMLError takes it.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := problem.Status(err)
	if status >= 500 {
		s.Logger.Error("request failed", "request_id", requestID(c), "route", c.Path(), "status", status, "err", err)
	}
	problem.SetRetryAfter(c.Response().Header(), err) // on the HTML error page too
	if s.HTMLError != nil && !isAPIPath(c.Request().URL.Path) && s.HTMLError(c, err) {
		return
	}
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusMethodNotAllowed {
		if allow, ok := c.Get(echo.ContextKeyHeaderAllow).(string); ok {
			c.Response().Header().Set(echo.HeaderAllow, allow)
		}
	}
	if status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="frontdesk"`)
	}
	if werr := problem.Write(c, problem.For(err)); werr != nil {
		s.Logger.Warn("write error response", "request_id", requestID(c), "err", werr)
	}
}
