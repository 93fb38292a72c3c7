package api

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

//go:embed openapi.yaml
var openAPISpec []byte

// healthz handles GET /healthz: the process answers.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz handles GET /readyz: the database answers within a second.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		s.Logger.Warn("not ready", "request_id", requestID(c), "err", err)
		return domain.ErrUnavailable
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// serveOpenAPI handles GET /api/openapi.yaml.
func serveOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", openAPISpec)
}

// robotsTxt is /robots.txt: the public booking pages may be crawled; the
// staff side, the patient's own pages (reached by secret links), feeds and
// the API may not (they also say noindex, for links found elsewhere).
const robotsTxt = `User-agent: *
Disallow: /staff
Disallow: /manage/
Disallow: /offers/
Disallow: /waitlist/
Disallow: /plans/
Disallow: /feeds/
Disallow: /api/
`

// robots handles GET /robots.txt.
func robots(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(robotsTxt))
}
