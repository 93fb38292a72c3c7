package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/api/problem"
	"github.com/frontdesk/frontdesk/domain"
)

// requireStaff sends a visitor without a session to the sign-in page.
func (s *Site) requireStaff() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if _, ok := auth.UserFrom(c); !ok {
				return seeOther(c, "/staff/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
			}
			return next(c)
		}
	}
}

// requireRole answers 403 (as an HTML page) for the other roles.
func requireRole(roles ...domain.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if u, ok := auth.UserFrom(c); !ok || !slices.Contains(roles, u.Role) {
				return domain.ErrForbidden
			}
			return next(c)
		}
	}
}

// staffActor is the signed-in user as the domain's actor.
func staffActor(c echo.Context) domain.Actor {
	u, _ := auth.UserFrom(c)
	return domain.ActorOf(u)
}

// loginPage is the data of the sign-in page.
type loginPage struct {
	Email string
	Next  string
	Error string
}

// loginForm handles GET /staff/login.
func (s *Site) loginForm(c echo.Context) error {
	if _, ok := auth.UserFrom(c); ok {
		return seeOther(c, safeNext(c.QueryParam("next")))
	}
	return s.render(c, http.StatusOK, "login", "Staff sign-in", loginPage{Next: c.QueryParam("next")})
}

// login handles POST /staff/login: a wrong password or a rate limit
// re-renders the form with the reason.
func (s *Site) login(c echo.Context) error {
	d := loginPage{Email: trimmed(c.FormValue("email")), Next: c.FormValue("next")}
	if !s.Auth.SameOrigin(c.Request()) {
		return auth.ErrCrossOrigin
	}
	u, err := s.Auth.SignIn(c.Request().Context(), d.Email, c.FormValue("password"), c.RealIP())
	if err != nil {
		p, ok := problemOf(err)
		if !ok {
			return err
		}
		problem.SetRetryAfter(c.Response().Header(), err)
		d.Error = p.Message
		return s.render(c, problem.Status(err), "login", "Staff sign-in", d)
	}
	if err := s.Auth.StartSession(c, u); err != nil {
		return err
	}
	return seeOther(c, safeNext(d.Next))
}

// logout handles POST /staff/logout.
func (s *Site) logout(c echo.Context) error {
	if err := s.Auth.EndSession(c); err != nil {
		return err
	}
	return seeOther(c, "/staff/login")
}

// safeNext keeps a post-login redirect on this site's staff pages.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/staff") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/staff"
}
