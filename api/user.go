package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

// maxPasswordLength bounds a password (argon2 hashes all of it).
const maxPasswordLength = 256

// userJSON is a staff account, never with its password hash.
type userJSON struct {
	ID             string `json:"id"`
	Email          string `json:"email"`
	Name           string `json:"name"`
	Role           string `json:"role"`
	PractitionerID string `json:"practitioner_id"`
	Active         bool   `json:"active"`
	CreatedAt      string `json:"created_at"`
}

func toUserJSON(u domain.User) userJSON {
	return userJSON{
		ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), PractitionerID: u.PractitionerID,
		Active: u.Active, CreatedAt: rfc3339(u.CreatedAt, time.UTC),
	}
}

// userInput is the body of POST and PUT /users. On PUT an empty password
// keeps the old one.
type userInput struct {
	Email          string `json:"email"`
	Name           string `json:"name"`
	Role           string `json:"role"`
	PractitionerID string `json:"practitioner_id"`
	Password       string `json:"password"`
	Active         *bool  `json:"active"`
}

func (in userInput) apply(u *domain.User) {
	u.Email = domain.NormalizeEmail(in.Email)
	u.Name = in.Name
	u.Role = domain.Role(in.Role)
	u.PractitionerID = in.PractitionerID
	if u.Role != domain.RolePractitioner {
		u.PractitionerID = ""
	}
	u.Active = orTrue(in.Active)
}

// checkPassword validates a new password; required says whether it may be
// left empty.
func checkPassword(pw string, required bool) error {
	if pw == "" && !required {
		return nil
	}
	if len([]rune(pw)) < domain.MinPasswordLength || len(pw) > maxPasswordLength {
		return domain.Invalid("password", "Use at least 10 characters (and at most 256).")
	}
	return nil
}

// listUsers handles GET /api/v1/users.
func (s *Server) listUsers(c echo.Context) error {
	list, err := s.Store.Users(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]userJSON, 0, len(list))
	for _, u := range list {
		out = append(out, toUserJSON(u))
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out})
}

// createUser handles POST /api/v1/users.
func (s *Server) createUser(c echo.Context) error {
	var in userInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	u := domain.User{ID: domain.NewID(), CreatedAt: s.Clock.Now()}
	in.apply(&u)
	if err := s.saveUser(c, &u, in.Password, true); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"user": toUserJSON(u)})
}

// updateUser handles PUT /api/v1/users/{id}: a full replacement; an empty
// password keeps the old one.
func (s *Server) updateUser(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in userInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	u, err := s.Store.User(c.Request().Context(), id)
	if err != nil {
		return err
	}
	in.apply(&u)
	if err := s.saveUser(c, &u, in.Password, false); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"user": toUserJSON(u)})
}

// saveUser validates, hashes a new password, stores and audits u.
func (s *Server) saveUser(c echo.Context, u *domain.User, password string, create bool) error {
	var v domain.Validation
	if err := u.Validate(); err != nil {
		var de *domain.Error
		if ok := asDomain(err, &de); ok {
			for _, f := range de.Problems() {
				v.Add(f.Field, f.Message)
			}
		}
	}
	if err := checkPassword(password, create); err != nil {
		v.Add("password", err.(*domain.Error).Message)
	}
	if err := v.Err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if u.PractitionerID != "" {
		if _, err := s.Store.Practitioner(ctx, u.PractitionerID); err != nil {
			if domain.ErrorKind(err) == domain.KindNotFound {
				return domain.Invalid("practitioner_id", "Unknown practitioner.")
			}
			return err
		}
	}
	if other, err := s.Store.UserByEmail(ctx, u.Email); err == nil && other.ID != u.ID {
		return domain.Invalid("email", "A user with this email exists.")
	} else if err != nil && domain.ErrorKind(err) != domain.KindNotFound {
		return err
	}
	if password != "" {
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		u.PasswordHash = hash
	}
	action, save := "user.update", s.Store.UpdateUser
	var before any
	if create {
		action, save = "user.create", s.Store.CreateUser
	} else if old, err := s.Store.User(ctx, u.ID); err == nil {
		before = toUserJSON(old)
	}
	if err := save(ctx, u); err != nil {
		if domain.ErrorKind(err) == domain.KindConflict {
			return domain.Invalid("email", "A user with this email exists.")
		}
		return err
	}
	return s.audit(ctx, c, action, "user", u.ID, before, toUserJSON(*u))
}
