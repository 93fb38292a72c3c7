package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// usersPage lists staff accounts and edits one (admins only).
type usersPage struct {
	Users         []domain.User
	Practitioners []domain.Practitioner
	Edit          domain.User
	Problem       formProblem
	Roles         []domain.Role
}

var roles = []domain.Role{domain.RoleAdmin, domain.RoleFrontDesk, domain.RolePractitioner}

// users handles GET /staff/setup/users (?edit=id).
func (s *Site) users(c echo.Context) error {
	d, err := s.loadUsers(c)
	if err != nil {
		return err
	}
	d.Edit = domain.User{Role: domain.RoleFrontDesk, Active: true}
	for _, u := range d.Users {
		if u.ID == c.QueryParam("edit") {
			d.Edit = u
		}
	}
	return s.render(c, http.StatusOK, "users", "Staff users", d)
}

func (s *Site) loadUsers(c echo.Context) (usersPage, error) {
	us, err := s.Store.Users(c.Request().Context())
	if err != nil {
		return usersPage{}, err
	}
	ps, err := s.Store.Practitioners(c.Request().Context(), true)
	if err != nil {
		return usersPage{}, err
	}
	return usersPage{Users: us, Practitioners: ps, Roles: roles}, nil
}

// saveUser handles POST /staff/setup/users: a new account needs a
// password; for an existing one an empty password keeps the old.
func (s *Site) saveUser(c echo.Context) error {
	u := domain.User{
		ID: c.FormValue("id"), Email: domain.NormalizeEmail(c.FormValue("email")), Name: trimmed(c.FormValue("name")),
		Role: domain.Role(c.FormValue("role")), PractitionerID: c.FormValue("practitioner_id"), Active: c.FormValue("active") == "on",
	}
	if u.Role != domain.RolePractitioner {
		u.PractitionerID = ""
	}
	err := s.storeUser(c, &u, c.FormValue("password"))
	if err == nil {
		return seeOther(c, "/staff/setup/users?done=saved")
	}
	p, ok := problemOf(err)
	if !ok {
		return err
	}
	d, lerr := s.loadUsers(c)
	if lerr != nil {
		return lerr
	}
	d.Edit, d.Problem = u, p
	return s.render(c, statusOf(err), "users", "Staff users", d)
}

// storeUser creates the user, or updates the one with u.ID.
func (s *Site) storeUser(c echo.Context, u *domain.User, password string) error {
	save := s.Setup.UpdateUser
	if u.ID == "" {
		save = s.Setup.CreateUser
	}
	_, err := save(c.Request().Context(), staffActor(c), *u, password)
	return err
}
