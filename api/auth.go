package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/domain"
)

// Lifetimes of credentials.
const (
	sessionTTL  = 12 * time.Hour
	apiTokenTTL = 90 * 24 * time.Hour
)

// SessionCookie is the name of the staff session cookie.
const SessionCookie = "fd_session"

const (
	ctxUser       = "fd.user"
	ctxCredential = "fd.credential"
)

// errBadCredentials is the one answer for a wrong email or a wrong password.
var errBadCredentials = &domain.Error{Kind: domain.KindUnauthorized, Message: "The email or password is not right."}

// Authenticate resolves a bearer token or a session cookie into the
// context; it does not require one. A bearer token that is not live is a 401
// (the client asked to be someone); a stale cookie is ignored and cleared.
func (s *Server) Authenticate() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Path() == "/metrics" {
				return next(c) // its bearer is METRICS_TOKEN, not a staff token
			}
			if raw, ok := bearerToken(c.Request()); ok {
				cred, u, err := s.credential(c.Request().Context(), raw, domain.CredentialToken)
				if err != nil {
					return err
				}
				c.Set(ctxUser, u)
				c.Set(ctxCredential, cred)
				return next(c)
			}
			ck, err := c.Cookie(SessionCookie)
			if err != nil || ck.Value == "" {
				return next(c)
			}
			cred, u, err := s.credential(c.Request().Context(), ck.Value, domain.CredentialSession)
			switch {
			case errors.Is(err, domain.ErrUnauthorized):
				s.clearSessionCookie(c)
			case err != nil:
				return err
			default:
				c.Set(ctxUser, u)
				c.Set(ctxCredential, cred)
			}
			return next(c)
		}
	}
}

// credential looks up a live credential of the kind; ErrUnauthorized when
// there is none.
func (s *Server) credential(ctx context.Context, raw string, kind domain.CredentialKind) (domain.Credential, domain.User, error) {
	cred, u, err := s.Store.Credential(ctx, domain.HashToken(raw), s.Clock.Now())
	if domain.ErrorKind(err) == domain.KindNotFound || (err == nil && (cred.Kind != kind || !u.Active)) {
		return domain.Credential{}, domain.User{}, domain.ErrUnauthorized
	}
	if err != nil {
		return domain.Credential{}, domain.User{}, fmt.Errorf("look up credential: %w", err)
	}
	return cred, u, nil
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get(echo.HeaderAuthorization)
	if h == "" {
		return "", false
	}
	scheme, token, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// UserFrom returns the signed-in staff user of the request, if any.
func UserFrom(c echo.Context) (domain.User, bool) {
	u, ok := c.Get(ctxUser).(domain.User)
	return u, ok
}

func credentialFrom(c echo.Context) (domain.Credential, bool) {
	cred, ok := c.Get(ctxCredential).(domain.Credential)
	return cred, ok
}

// actor is who the request acts as: the staff user or the patient.
func actor(c echo.Context) domain.Actor {
	if u, ok := UserFrom(c); ok {
		return domain.ActorOf(u)
	}
	return domain.ActorPatient
}

// RequireRole answers 401 without a signed-in user and 403 when the user's
// role is not one of roles. No roles means any staff role.
func RequireRole(roles ...domain.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u, ok := UserFrom(c)
			if !ok {
				return domain.ErrUnauthorized
			}
			if len(roles) > 0 && !slices.Contains(roles, u.Role) {
				return domain.ErrForbidden
			}
			return next(c)
		}
	}
}

// csrfMiddleware makes cookie-authenticated unsafe requests carry the
// session's CSRF token; bearer tokens are not sent by browsers on their own,
// so they need none.
func csrfMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		cred, ok := credentialFrom(c)
		if !ok || cred.Kind != domain.CredentialSession || safeMethod(c.Request().Method) {
			return next(c)
		}
		sent := c.Request().Header.Get("X-CSRF-Token")
		if sent == "" && isFormRequest(c.Request()) {
			sent = c.FormValue("csrf_token")
		}
		if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(cred.CSRF)) != 1 {
			return domain.Forbidden("The form has expired or did not come from this site. Reload the page and try again.")
		}
		return next(c)
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func isFormRequest(r *http.Request) bool {
	ct := r.Header.Get(echo.HeaderContentType)
	return strings.HasPrefix(ct, echo.MIMEApplicationForm) || strings.HasPrefix(ct, echo.MIMEMultipartForm)
}

// CSRFToken returns the session's CSRF token, for the hidden "csrf_token"
// field of forms; "" without a session.
func CSRFToken(c echo.Context) string {
	cred, ok := credentialFrom(c)
	if !ok || cred.Kind != domain.CredentialSession {
		return ""
	}
	return cred.CSRF
}

// SignIn checks an email and password. Failures are limited per email and
// client address, and per address alone (KindTooMany, 429), so one address
// can neither guess one password nor spray many emails; a wrong email and a
// wrong password give the same KindUnauthorized error after the same work.
// At most maxConcurrentHashes passwords are hashed at once (each takes
// 19 MiB); a sign-in that waits too long for its turn is a 429 too.
func (s *Server) SignIn(ctx context.Context, email, password, clientIP string) (domain.User, error) {
	key := domain.NormalizeEmail(email) + "|" + clientIP
	if limited, wait := s.signInFailures.exhausted(key); limited {
		return domain.User{}, &tooManyError{retryAfter: wait}
	}
	if limited, wait := s.signInAddrFailures.exhausted(clientIP); limited {
		return domain.User{}, &tooManyError{retryAfter: wait}
	}
	u, err := s.Store.UserByEmail(ctx, domain.NormalizeEmail(email))
	if err != nil && domain.ErrorKind(err) != domain.KindNotFound {
		return domain.User{}, fmt.Errorf("sign in: %w", err)
	}
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = dummyHash()
	}
	ok, herr := s.checkPasswordBounded(ctx, hash, password)
	if herr != nil {
		return domain.User{}, herr
	}
	if !ok || err != nil || !u.Active {
		s.signInFailures.take(key)
		s.signInAddrFailures.take(clientIP)
		return domain.User{}, errBadCredentials
	}
	return u, nil
}

// maxConcurrentHashes caps argon2id work in flight; defaultHashWait is how
// long a sign-in may queue for a turn before it is told to retry.
const (
	maxConcurrentHashes = 4
	defaultHashWait     = 5 * time.Second
)

// checkPasswordBounded is CheckPassword under the hashing semaphore.
func (s *Server) checkPasswordBounded(ctx context.Context, hash, password string) (bool, error) {
	t := time.NewTimer(s.hashWait)
	defer t.Stop()
	select {
	case s.hashing <- struct{}{}:
	case <-t.C:
		return false, &tooManyError{retryAfter: time.Second}
	case <-ctx.Done():
		return false, fmt.Errorf("sign in: %w", ctx.Err())
	}
	defer func() { <-s.hashing }()
	return CheckPassword(hash, password), nil
}

// dummyHash is checked when the email is unknown, so that answer takes as
// long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("frontdesk-no-such-user")
	if err != nil {
		panic(err) // crypto/rand failing is not a state to run in
	}
	return h
})

// StartSession signs u in on this browser: a session credential with a
// CSRF token, valid 12 hours, in the HttpOnly cookie "fd_session".
func (s *Server) StartSession(c echo.Context, u domain.User) error {
	raw, hash := domain.NewToken()
	csrf, _ := domain.NewToken()
	now := s.Clock.Now()
	cred := domain.Credential{
		ID: domain.NewID(), UserID: u.ID, Hash: hash, Kind: domain.CredentialSession,
		Name: "web session", CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(sessionTTL),
	}
	if err := s.Store.CreateCredential(c.Request().Context(), &cred); err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	c.SetCookie(&http.Cookie{
		Name: SessionCookie, Value: raw, Path: "/", MaxAge: int(sessionTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(),
	})
	c.Set(ctxUser, u)
	c.Set(ctxCredential, cred)
	return nil
}

// EndSession revokes the request's session (or bearer token) and clears the
// cookie.
func (s *Server) EndSession(c echo.Context) error {
	if cred, ok := credentialFrom(c); ok {
		if err := s.Store.RevokeCredential(c.Request().Context(), cred.ID, s.Clock.Now()); err != nil {
			return fmt.Errorf("end session: %w", err)
		}
	}
	s.clearSessionCookie(c)
	return nil
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(),
	})
}

func (s *Server) secureCookies() bool {
	return strings.HasPrefix(strings.ToLower(s.BaseURL), "https://")
}
