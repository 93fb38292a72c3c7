// Package auth signs staff in and out and tells, on every request, who is
// signed in: bearer tokens for the JSON API, a cookie session with a CSRF
// token for the pages. Packages api and web both use it.
package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/frontdesk/frontdesk/api/problem"
	"github.com/frontdesk/frontdesk/api/ratelimit"
	"github.com/frontdesk/frontdesk/domain"
)

// Lifetimes of credentials.
const (
	sessionTTL = 12 * time.Hour
	// TokenTTL is how long an API token from POST /api/v1/auth/tokens lives.
	TokenTTL = 90 * 24 * time.Hour
)

// SignInBurst sign-in failures are allowed per email and client address,
// then one more a minute; SignInAddrBurst per address, whatever the
// emails, then one every 30 seconds.
const (
	SignInBurst     = 5
	signInEvery     = time.Minute
	SignInAddrBurst = 20
	signInAddrEvery = 30 * time.Second
)

// MaxConcurrentHashes caps argon2id work in flight; DefaultHashWait is how
// long a sign-in may queue for a turn before it is told to retry.
const (
	MaxConcurrentHashes = 4
	DefaultHashWait     = 5 * time.Second
)

// Store is what Auth needs of the store.
type Store interface {
	UserByEmail(ctx context.Context, email string) (domain.User, error)
	CreateCredential(ctx context.Context, c *domain.Credential) error
	// Credential returns the live credential with the hash and its user.
	Credential(ctx context.Context, hash string, now time.Time) (domain.Credential, domain.User, error)
	RevokeCredential(ctx context.Context, id string, at time.Time) error
}

// Auth holds what sign-in and sessions need. Make it with New.
type Auth struct {
	store   Store
	clock   domain.Clock
	baseURL string // https:// makes cookies Secure

	signInFailures     *ratelimit.Set // per email and address
	signInAddrFailures *ratelimit.Set // per address

	// Hashing is the password-hashing semaphore (MaxConcurrentHashes
	// slots); HashWait is how long a sign-in queues for a slot.
	Hashing  chan struct{}
	HashWait time.Duration
}

// New returns the authenticator of a site whose public origin is baseURL.
func New(store Store, clock domain.Clock, baseURL string) *Auth {
	if clock == nil {
		clock = domain.SystemClock
	}
	return &Auth{
		store: store, clock: clock, baseURL: baseURL,
		signInFailures:     ratelimit.New(signInEvery, SignInBurst),
		signInAddrFailures: ratelimit.New(signInAddrEvery, SignInAddrBurst),
		Hashing:            make(chan struct{}, MaxConcurrentHashes),
		HashWait:           DefaultHashWait,
	}
}

// SessionCookie is the name of the staff session cookie over http (a
// development server); SecureSessionCookie its name when BASE_URL is https:
// the __Host- prefix makes browsers refuse it unless it is Secure, for the
// whole host (Path=/) and set by this host alone (no Domain), so a sibling
// subdomain cannot plant a session.
const (
	SessionCookie       = "fd_session"
	SecureSessionCookie = "__Host-fd_session"
)

// CookieName is the session cookie's name for this server.
func (s *Auth) CookieName() string {
	if s.secureCookies() {
		return SecureSessionCookie
	}
	return SessionCookie
}

const (
	ctxUser       = "fd.user"
	ctxCredential = "fd.credential"
)

// errBadCredentials is the one answer for a wrong email or a wrong password.
var errBadCredentials = &domain.Error{Kind: domain.KindUnauthorized, Message: "The email or password is not right."}

// Authenticate resolves a bearer token or a session cookie into the
// context; it does not require one. A bearer token that is not live is a 401
// (the client asked to be someone); a stale cookie is ignored and cleared.
func (s *Auth) Authenticate() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Path() == "/metrics" {
				return next(c) // its bearer is METRICS_TOKEN, not a staff token
			}
			if raw, ok := BearerToken(c.Request()); ok {
				cred, u, err := s.credential(c.Request().Context(), raw, domain.CredentialToken)
				if err != nil {
					return err
				}
				c.Set(ctxUser, u)
				c.Set(ctxCredential, cred)
				return next(c)
			}
			ck, err := c.Cookie(s.CookieName())
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
func (s *Auth) credential(ctx context.Context, raw string, kind domain.CredentialKind) (domain.Credential, domain.User, error) {
	cred, u, err := s.store.Credential(ctx, domain.HashToken(raw), s.clock.Now())
	if domain.ErrorKind(err) == domain.KindNotFound || (err == nil && (cred.Kind != kind || !u.Active)) {
		return domain.Credential{}, domain.User{}, domain.ErrUnauthorized
	}
	if err != nil {
		return domain.Credential{}, domain.User{}, fmt.Errorf("look up credential: %w", err)
	}
	if _, err := domain.ActorOf(u).Scope(""); err != nil {
		return domain.Credential{}, domain.User{}, err // a practitioner account naming none sees nothing
	}
	return cred, u, nil
}

// BearerToken returns the token of an "Authorization: Bearer" header.
func BearerToken(r *http.Request) (string, bool) {
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

// CredentialFrom returns the request's credential (session or API token), if any.
func CredentialFrom(c echo.Context) (domain.Credential, bool) {
	cred, ok := c.Get(ctxCredential).(domain.Credential)
	return cred, ok
}

// Actor is who the request acts as: the staff user or the patient.
func Actor(c echo.Context) domain.Actor {
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

// CSRF makes cookie-authenticated unsafe requests carry the
// session's CSRF token; bearer tokens are not sent by browsers on their own,
// so they need none.
func CSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		cred, ok := CredentialFrom(c)
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

// ErrCrossOrigin answers a sign-in form posted from another site.
var ErrCrossOrigin = domain.Forbidden("This sign-in did not come from this site. Open the sign-in page and try again.")

// SameOrigin reports whether a browser sent r from this site: its Origin
// is the server's (BASE_URL's, or the host the request was sent to), or,
// with no Origin, Sec-Fetch-Site does not say another site. Clients that
// send neither (curl, scripts) are not browsers a forged form can drive.
// The sign-in form has no session to hold a CSRF token yet, so this is its
// check against login CSRF (a cross-site post signing the visitor in as
// the attacker).
func (s *Auth) SameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		site := r.Header.Get("Sec-Fetch-Site")
		return site == "" || site == "same-origin" || site == "none"
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // "null": a sandboxed or privacy-sensitive context
	}
	if base, err := url.Parse(s.baseURL); err == nil && base.Host != "" {
		if strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host) {
			return true
		}
	}
	return strings.EqualFold(u.Host, r.Host)
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
	cred, ok := CredentialFrom(c)
	if !ok || cred.Kind != domain.CredentialSession {
		return ""
	}
	return cred.CSRF
}

// SignIn checks an email and password. Failures are limited per email and
// client address, and per address alone (KindTooMany, 429), so one address
// can neither guess one password nor spray many emails; a wrong email and a
// wrong password give the same KindUnauthorized error after the same work.
// At most MaxConcurrentHashes passwords are hashed at once (each takes
// 19 MiB); a sign-in that waits too long for its turn is a 429 too.
func (s *Auth) SignIn(ctx context.Context, email, password, clientIP string) (domain.User, error) {
	key := domain.NormalizeEmail(email) + "|" + clientIP
	if limited, wait := s.signInFailures.Exhausted(key); limited {
		return domain.User{}, problem.TooMany(wait)
	}
	if limited, wait := s.signInAddrFailures.Exhausted(clientIP); limited {
		return domain.User{}, problem.TooMany(wait)
	}
	// An email no account can have (a NUL byte, a control character) is
	// an unknown one, after the same work.
	var u domain.User
	var err error = domain.ErrNotFound
	if domain.LineProblem(email) == "" && len(email) <= 254 {
		u, err = s.store.UserByEmail(ctx, domain.NormalizeEmail(email))
	}
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
		s.signInFailures.Take(key)
		s.signInAddrFailures.Take(clientIP)
		return domain.User{}, errBadCredentials
	}
	if _, err := domain.ActorOf(u).Scope(""); err != nil {
		return domain.User{}, err
	}
	return u, nil
}

// checkPasswordBounded is CheckPassword under the hashing semaphore.
func (s *Auth) checkPasswordBounded(ctx context.Context, hash, password string) (bool, error) {
	t := time.NewTimer(s.HashWait)
	defer t.Stop()
	select {
	case s.Hashing <- struct{}{}:
	case <-t.C:
		return false, problem.TooMany(time.Second)
	case <-ctx.Done():
		return false, fmt.Errorf("sign in: %w", ctx.Err())
	}
	defer func() { <-s.Hashing }()
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
func (s *Auth) StartSession(c echo.Context, u domain.User) error {
	raw, hash := domain.NewToken()
	csrf, _ := domain.NewToken()
	now := s.clock.Now()
	cred := domain.Credential{
		ID: domain.NewID(), UserID: u.ID, Hash: hash, Kind: domain.CredentialSession,
		Name: "web session", CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(sessionTTL),
	}
	if err := s.store.CreateCredential(c.Request().Context(), &cred); err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	c.SetCookie(&http.Cookie{
		Name: s.CookieName(), Value: raw, Path: "/", MaxAge: int(sessionTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(),
	})
	c.Set(ctxUser, u)
	c.Set(ctxCredential, cred)
	return nil
}

// EndSession revokes the request's session (or bearer token) and clears the
// cookie.
func (s *Auth) EndSession(c echo.Context) error {
	if cred, ok := CredentialFrom(c); ok {
		if err := s.store.RevokeCredential(c.Request().Context(), cred.ID, s.clock.Now()); err != nil {
			return fmt.Errorf("end session: %w", err)
		}
	}
	s.clearSessionCookie(c)
	return nil
}

func (s *Auth) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: s.CookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(),
	})
}

func (s *Auth) secureCookies() bool {
	return strings.HasPrefix(strings.ToLower(s.baseURL), "https://")
}
