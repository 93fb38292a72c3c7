package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/problem"
	"github.com/frontdesk/frontdesk/domain"
)

// HTMLError answers errors on the page routes with a friendly HTML page
// (and a staff page's missing session with a redirect to sign-in); it
// returns false for other paths, which keep problem+json. Set it as
// api.Server.HTMLError.
func (s *Site) HTMLError(c echo.Context, err error) bool {
	path := c.Request().URL.Path
	if !isPagePath(path) {
		return false
	}
	status := problem.Status(err)
	if status == http.StatusUnauthorized && strings.HasPrefix(path, "/staff") {
		_ = c.Redirect(http.StatusSeeOther, "/staff/login?next="+url.QueryEscape(path))
		return true
	}
	d := errorPage{Status: status, Message: safeMessage(err, status)}
	if rerr := s.render(c, status, "error", http.StatusText(status), d); rerr != nil {
		s.Logger.Error("render error page", "err", rerr)
		return false
	}
	return true
}

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Message string
}

func isPagePath(p string) bool {
	if p == "/" {
		return true
	}
	for _, prefix := range []string{"/book/", "/manage/", "/staff", "/static/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// safeMessage is what a person may read about err: the domain's message,
// never an internal error's text.
func safeMessage(err error, status int) string {
	var de *domain.Error
	if errors.As(err, &de) && de.Kind != domain.KindInternal {
		if de.Kind == domain.KindNotFound {
			return "We could not find that page. If you followed a link from an email, check that it is complete."
		}
		return de.Message
	}
	switch status {
	case http.StatusNotFound:
		return "We could not find that page."
	case http.StatusMethodNotAllowed:
		return "This page cannot be used that way."
	case http.StatusRequestEntityTooLarge:
		return "What you sent is too large."
	}
	if status < 500 {
		return http.StatusText(status)
	}
	return "Something went wrong on our side. It has been logged; please try again in a moment."
}
