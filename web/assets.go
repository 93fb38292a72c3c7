package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// compressPages gzips HTML, CSS and JS for clients that accept it. Small
// answers (redirects, 304s) are left as they are: compressing them costs
// more than it saves.
func compressPages() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{Level: 5, MinLength: 512})
}

// favicon handles GET /favicon.ico: the embedded icon, which browsers ask
// for on every site whatever the page links.
func (s *Site) favicon(c echo.Context) error {
	b, err := assets.ReadFile("static/favicon.ico")
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "image/x-icon", b)
}
