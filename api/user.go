package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

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
	var u domain.User
	in.apply(&u)
	u, err := s.Setup.CreateUser(c.Request().Context(), auth.Actor(c), u, in.Password)
	if err != nil {
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
	if u, err = s.Setup.UpdateUser(c.Request().Context(), auth.Actor(c), u, in.Password); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"user": toUserJSON(u)})
}
