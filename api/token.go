package api

import (
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/auth"
	"github.com/frontdesk/frontdesk/domain"
)

type tokenInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// createToken handles POST /api/v1/auth/tokens {"email","password","name"?}:
// 201 with a bearer token valid 90 days, shown once.
func (s *Server) createToken(c echo.Context) error {
	var in tokenInput
	if err := decodeStrict(c, &in); err != nil {
		return err
	}
	var v domain.Validation
	v.Check(in.Email != "", "email", "Give your email.")
	v.Check(in.Password != "", "password", "Give your password.")
	v.Check(utf8.RuneCountInString(in.Password) <= domain.MaxPasswordLength, "password", "At most 256 characters.")
	v.Check(len(in.Name) <= 120, "name", "At most 120 characters.")
	if err := v.Err(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.Auth.SignIn(ctx, in.Email, in.Password, c.RealIP())
	if err != nil {
		return err
	}
	raw, hash := domain.NewToken()
	now := s.Clock.Now()
	name := in.Name
	if name == "" {
		name = "API token"
	}
	cred := domain.Credential{ID: domain.NewID(), UserID: u.ID, Hash: hash, Kind: domain.CredentialToken,
		Name: name, CreatedAt: now, ExpiresAt: now.Add(auth.TokenTTL)}
	if err := s.Store.CreateCredential(ctx, &cred); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]string{"token": raw, "expires_at": rfc3339(cred.ExpiresAt, time.UTC)})
}

// deleteCurrentToken handles DELETE /api/v1/auth/tokens/current: the
// token (or session) the request came with stops working.
func (s *Server) deleteCurrentToken(c echo.Context) error {
	if err := s.Auth.EndSession(c); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
