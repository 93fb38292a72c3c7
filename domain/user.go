package domain

import (
	"time"
)

// Role is what a staff user may do.
type Role string

const (
	RoleAdmin        Role = "admin"        // everything, including users and the audit log
	RoleFrontDesk    Role = "frontdesk"    // bookings, patients, schedules of everyone
	RolePractitioner Role = "practitioner" // own calendar and own hours
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleFrontDesk || r == RolePractitioner
}

// User is a staff account.
type User struct {
	ID             string
	Email          string // lower-cased, unique
	Name           string
	Role           Role
	PasswordHash   string
	PractitionerID string // for RolePractitioner: whose calendar is theirs
	Active         bool
	CreatedAt      time.Time
}

// Can reports whether u may act on the practitioner's schedule: admins and
// front desk on anyone's, a practitioner only on their own.
func (u User) Can(practitionerID string) bool {
	switch u.Role {
	case RoleAdmin, RoleFrontDesk:
		return true
	case RolePractitioner:
		return practitionerID != "" && u.PractitionerID == practitionerID
	}
	return false
}

// Validate checks a user before it is stored (the password separately).
func (u User) Validate() error {
	var v Validation
	v.Check(validEmail(u.Email), "email", "Give a valid email address.")
	v.Check(u.Role.Valid(), "role", "Use admin, frontdesk or practitioner.")
	v.Check(u.Role != RolePractitioner || IsID(u.PractitionerID), "practitioner_id", "A practitioner account needs its practitioner.")
	v.Check(len(u.Name) <= 120, "name", "At most 120 characters.")
	v.Line("name", u.Name)
	return v.Err()
}

// Credential is a bearer token or a browser session: a hashed secret that
// stands for a user until it expires or is revoked.
type Credential struct {
	ID        string
	UserID    string
	Hash      string // HashToken of the secret
	Kind      CredentialKind
	Name      string // a label for API tokens
	CSRF      string // for sessions: the token forms must echo
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time
}

// CredentialKind tells API tokens from sessions.
type CredentialKind string

const (
	CredentialToken   CredentialKind = "token"
	CredentialSession CredentialKind = "session"
)

// MinPasswordLength is the shortest staff password accepted.
const MinPasswordLength = 10
