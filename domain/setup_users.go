package domain

import (
	"context"
	"unicode/utf8"
)

// MaxPasswordLength is the longest staff password accepted, in characters.
const MaxPasswordLength = 256

// ErrEmailTaken is the one answer, on every door, for a staff email that
// another user has.
var ErrEmailTaken = &Error{Kind: KindInvalid, Field: "email", Message: "A user with this email exists."}

// CheckPassword is the one password rule: at least MinPasswordLength and at
// most MaxPasswordLength characters (not bytes: "passwörter!" is 11).
func CheckPassword(pw string) error {
	if n := utf8.RuneCountInString(pw); n < MinPasswordLength || n > MaxPasswordLength {
		return Invalid("password", "Use at least 10 characters (and at most 256).")
	}
	return nil
}

// CreateUser adds a staff user with the password; ErrEmailTaken when the
// email is another user's.
func (s *Setup) CreateUser(ctx context.Context, by Actor, u User, password string) (User, error) {
	if u.ID == "" {
		u.ID = NewID()
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.Clock.Now()
	}
	if err := s.prepareUser(ctx, &u, password, true); err != nil {
		return User{}, err
	}
	err := s.change(ctx, by, "user.create", "user", nil, func(tx SetupWriter) (string, any, error) {
		err := tx.CreateUser(ctx, &u)
		return u.ID, userSnapshot(u), duplicateEmail(err)
	})
	return u, err
}

// UpdateUser replaces the user's email, name, role, practitioner and
// active flag, and the password when one is given; ErrNotFound for an
// unknown id, ErrEmailTaken as CreateUser. A new password, or the user
// being inactive, ends every session and API token of theirs in the same
// transaction (so reactivating revives none); deactivating also revokes
// the feed links they made.
func (s *Setup) UpdateUser(ctx context.Context, by Actor, u User, password string) (User, error) {
	before, err := s.Store.User(ctx, u.ID)
	if err != nil {
		return User{}, err
	}
	u.CreatedAt, u.PasswordHash = before.CreatedAt, before.PasswordHash
	if err := s.prepareUser(ctx, &u, password, false); err != nil {
		return User{}, err
	}
	now := s.Clock.Now()
	err = s.change(ctx, by, "user.update", "user", userSnapshot(before), func(tx SetupWriter) (string, any, error) {
		if err := tx.UpdateUser(ctx, &u); err != nil {
			return u.ID, nil, duplicateEmail(err)
		}
		if password != "" || !u.Active {
			if err := tx.RevokeUserCredentials(ctx, u.ID, now); err != nil {
				return u.ID, nil, err
			}
		}
		if !u.Active {
			if err := tx.RevokeUserFeedTokens(ctx, u.ID, now); err != nil {
				return u.ID, nil, err
			}
		}
		return u.ID, userSnapshot(u), nil
	})
	return u, err
}

// prepareUser validates u and the password together (every problem named at
// once), checks the practitioner and the email, and hashes a new password.
func (s *Setup) prepareUser(ctx context.Context, u *User, password string, create bool) error {
	u.Email = NormalizeEmail(u.Email)
	var v Validation
	v.merge(u.Validate())
	if create || password != "" {
		v.merge(CheckPassword(password))
	}
	if err := v.Err(); err != nil {
		return err
	}
	if u.PractitionerID != "" {
		if _, err := s.Store.Practitioner(ctx, u.PractitionerID); err != nil {
			return asInvalid(err, "practitioner_id", "Unknown practitioner.")
		}
	}
	other, err := s.Store.UserByEmail(ctx, u.Email)
	switch {
	case err == nil && other.ID != u.ID:
		return ErrEmailTaken
	case err != nil && ErrorKind(err) != KindNotFound:
		return err
	}
	if password == "" {
		return nil
	}
	hash, err := s.HashPassword(password)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	return nil
}

// duplicateEmail is ErrEmailTaken for the store's uniqueness conflict, which
// a concurrent sign-up with the same email meets after the check.
func duplicateEmail(err error) error {
	if ErrorKind(err) == KindConflict {
		return ErrEmailTaken
	}
	return err
}

// userSnapshot is a user as the audit log keeps it: without the hash.
func userSnapshot(u User) User {
	u.PasswordHash = ""
	return u
}
