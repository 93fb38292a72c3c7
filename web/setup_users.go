package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
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

func (s *Site) storeUser(c echo.Context, u *domain.User, password string) error {
	ctx := c.Request().Context()
	if err := u.Validate(); err != nil {
		return err
	}
	if u.ID == "" || password != "" {
		if len(password) < domain.MinPasswordLength {
			return domain.Invalid("password", "Use at least 10 characters.")
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		u.PasswordHash = hash
	}
	if u.ID == "" {
		u.CreatedAt = s.Clock.Now()
		if err := s.Store.CreateUser(ctx, u); err != nil {
			return fieldOnDuplicate(err, "email", "A staff user with this email exists.")
		}
		return nil
	}
	old, err := s.Store.User(ctx, u.ID)
	if err != nil {
		return err
	}
	if u.PasswordHash == "" {
		u.PasswordHash = old.PasswordHash
	}
	u.CreatedAt = old.CreatedAt
	return fieldOnDuplicate(s.Store.UpdateUser(ctx, u), "email", "A staff user with this email exists.")
}

// fieldOnDuplicate names the field of a uniqueness conflict.
func fieldOnDuplicate(err error, field, message string) error {
	if err != nil && domain.ErrorKind(err) == domain.KindConflict {
		return &domain.Error{Kind: domain.KindConflict, Field: field, Message: message}
	}
	return err
}
