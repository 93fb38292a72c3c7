package domaintest

import (
	"context"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/domain"
)

// CreateUser adds u; ErrDuplicate for a taken email.
func (s *Store) CreateUser(_ context.Context, u *domain.User) error {
	return s.write(func() error {
		email := domain.NormalizeEmail(u.Email)
		if find(s.d.Users, func(x domain.User) bool { return domain.NormalizeEmail(x.Email) == email }) >= 0 {
			return domain.ErrDuplicate
		}
		if u.ID == "" {
			u.ID = domain.NewID()
		}
		s.d.Users = append(s.d.Users, *u)
		return nil
	})
}

// UpdateUser replaces u.
func (s *Store) UpdateUser(_ context.Context, u *domain.User) error {
	return s.write(func() error { return replace(s.d.Users, *u, func(x domain.User) bool { return x.ID == u.ID }) })
}

// User returns one user.
func (s *Store) User(_ context.Context, id string) (domain.User, error) {
	return s.findUser(func(u domain.User) bool { return u.ID == id })
}

// UserByEmail returns the user with the email, in any case.
func (s *Store) UserByEmail(_ context.Context, email string) (domain.User, error) {
	email = domain.NormalizeEmail(email)
	return s.findUser(func(u domain.User) bool { return domain.NormalizeEmail(u.Email) == email })
}

func (s *Store) findUser(match func(domain.User) bool) (u domain.User, err error) {
	err = domain.ErrNotFound
	s.read(func() {
		if i := find(s.d.Users, match); i >= 0 {
			u, err = s.d.Users[i], nil
		}
	})
	return u, err
}

// Users lists every user.
func (s *Store) Users(context.Context) (out []domain.User, err error) {
	s.read(func() { out = slices.Clone(s.d.Users) })
	return out, nil
}

// CreateCredential adds c.
func (s *Store) CreateCredential(_ context.Context, c *domain.Credential) error {
	return s.write(func() error {
		if c.ID == "" {
			c.ID = domain.NewID()
		}
		s.d.Credentials = append(s.d.Credentials, *c)
		return nil
	})
}

// Credential returns the live credential with the hash and its active user.
func (s *Store) Credential(_ context.Context, hash string, now time.Time) (c domain.Credential, u domain.User, err error) {
	err = domain.ErrNotFound
	s.read(func() {
		for _, x := range s.d.Credentials {
			if x.Hash != hash || !x.RevokedAt.IsZero() || !now.Before(x.ExpiresAt) {
				continue
			}
			if i := find(s.d.Users, func(u domain.User) bool { return u.ID == x.UserID && u.Active }); i >= 0 {
				c, u, err = x, s.d.Users[i], nil
			}
		}
	})
	return c, u, err
}

// RevokeUserCredentials revokes every live credential of the user.
func (s *Store) RevokeUserCredentials(_ context.Context, userID string, at time.Time) error {
	return s.write(func() error {
		for i, c := range s.d.Credentials {
			if c.UserID == userID && c.RevokedAt.IsZero() {
				s.d.Credentials[i].RevokedAt = at
			}
		}
		return nil
	})
}

// RevokeUserFeedTokens revokes every live feed token the user made.
func (s *Store) RevokeUserFeedTokens(_ context.Context, userID string, at time.Time) error {
	return s.write(func() error {
		for i, t := range s.d.FeedTokens {
			if t.CreatedBy == userID && t.RevokedAt.IsZero() {
				s.d.FeedTokens[i].RevokedAt = at
			}
		}
		return nil
	})
}

// RevokeCredential ends a credential.
func (s *Store) RevokeCredential(_ context.Context, id string, at time.Time) error {
	return s.write(func() error {
		i := find(s.d.Credentials, func(c domain.Credential) bool { return c.ID == id })
		if i < 0 {
			return domain.ErrNotFound
		}
		s.d.Credentials[i].RevokedAt = at
		return nil
	})
}
