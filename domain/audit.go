package domain

import "time"

// Actor is who made a change: a staff user, the patient (by link) or the system.
type Actor struct {
	UserID string // "" for patients and the system
	Name   string // "Jane Front" / "patient" / "system"
	Role   Role   // "" for patients and the system
	// PractitionerID is set for RolePractitioner: the only calendar they may change.
	PractitionerID string
}

// ActorOf is the actor for a signed-in staff user.
func ActorOf(u User) Actor {
	name := u.Name
	if name == "" {
		name = u.Email
	}
	return Actor{UserID: u.ID, Name: name, Role: u.Role, PractitionerID: u.PractitionerID}
}

// Can reports whether the actor may change the practitioner's calendar.
func (a Actor) Can(practitionerID string) bool {
	switch a.Role {
	case RoleAdmin, RoleFrontDesk:
		return true
	case RolePractitioner:
		return practitionerID != "" && a.PractitionerID == practitionerID
	}
	return false
}

// ErrUnlinkedPractitioner answers a practitioner account that names no
// practitioner: it may see nobody's calendar (scoping fails closed).
var ErrUnlinkedPractitioner = &Error{Kind: KindForbidden,
	Message: "This practitioner account is not linked to a practitioner; ask an admin to link it."}

// Scope is the practitioner a staff list for the actor is limited to:
// requested ("" for everyone) for admins and front desk; for a
// practitioner their own, ErrForbidden when they asked for another's and
// ErrUnlinkedPractitioner when their account names none, so a broken
// mapping never widens to "everyone".
func (a Actor) Scope(requested string) (string, error) {
	switch a.Role {
	case RoleAdmin, RoleFrontDesk:
		return requested, nil
	case RolePractitioner:
		if !IsID(a.PractitionerID) {
			return "", ErrUnlinkedPractitioner
		}
		if requested != "" && requested != a.PractitionerID {
			return "", ErrForbidden
		}
		return a.PractitionerID, nil
	}
	return "", ErrForbidden
}

// Staff reports whether the actor is a signed-in staff member.
func (a Actor) Staff() bool { return a.UserID != "" }

// ActorPatient, ActorSystem and ActorCLI (whoever runs the frontdesk
// command on the server) are the non-staff actors.
var (
	ActorPatient = Actor{Name: "patient"}
	ActorSystem  = Actor{Name: "system"}
	ActorCLI     = Actor{Name: "frontdesk command"}
)

// AuditEntry records one change: who, what, when, before and after.
type AuditEntry struct {
	ID         string
	At         time.Time
	Actor      Actor
	Action     string // "booking.create", "booking.reschedule", "service.update", …
	EntityType string // "booking", "service", …
	EntityID   string
	Before     any // a snapshot, stored as JSON; nil when created
	After      any // nil when deleted
}

// AuditFilter selects audit entries for admins.
type AuditFilter struct {
	EntityID string
	Limit    int
}
