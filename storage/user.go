package storage

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/frontdesk/frontdesk/domain"
)

// userRow is a row of table users; Email is lower-cased.
type userRow struct {
	ID             string
	Email          string
	Name           string
	Role           string
	PasswordHash   string
	PractitionerID optional
	Active         bool
	CreatedAt      instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
}

func (userRow) TableName() string { return "users" }

func toUserRow(u domain.User) userRow {
	return userRow{
		ID: lowerID(u.ID), Email: domain.NormalizeEmail(u.Email), Name: u.Name, Role: string(u.Role),
		PasswordHash: u.PasswordHash, PractitionerID: optional(lowerID(u.PractitionerID)),
		Active: u.Active, CreatedAt: at(orNow(u.CreatedAt)),
	}
}

func (r userRow) domain() domain.User {
	return domain.User{
		ID: r.ID, Email: r.Email, Name: r.Name, Role: domain.Role(r.Role), PasswordHash: r.PasswordHash,
		PractitionerID: string(r.PractitionerID), Active: r.Active, CreatedAt: r.CreatedAt.time(),
	}
}

// credentialRow is a row of table credentials.
type credentialRow struct {
	ID        string
	UserID    string
	Hash      string
	Kind      string
	Name      string
	CSRF      string  `gorm:"column:csrf"`
	CreatedAt instant `gorm:"autoCreateTime:false;autoUpdateTime:false"`
	ExpiresAt instant
	RevokedAt instant
}

func (credentialRow) TableName() string { return "credentials" }

func toCredentialRow(c domain.Credential) credentialRow {
	return credentialRow{
		ID: lowerID(c.ID), UserID: lowerID(c.UserID), Hash: c.Hash, Kind: string(c.Kind), Name: c.Name, CSRF: c.CSRF,
		CreatedAt: at(orNow(c.CreatedAt)), ExpiresAt: at(c.ExpiresAt), RevokedAt: at(c.RevokedAt),
	}
}

func (r credentialRow) domain() domain.Credential {
	return domain.Credential{
		ID: r.ID, UserID: r.UserID, Hash: r.Hash, Kind: domain.CredentialKind(r.Kind), Name: r.Name, CSRF: r.CSRF,
		CreatedAt: r.CreatedAt.time(), ExpiresAt: r.ExpiresAt.time(), RevokedAt: r.RevokedAt.time(),
	}
}

// userWriteError names what a user write can break.
func userWriteError(op string, err error) error {
	switch {
	case isUnique(err, "users_email_key", "users.email"):
		return domain.ErrDuplicate
	case isForeignKey(err):
		return domain.Invalid("practitioner_id", "Unknown practitioner.")
	}
	return dbError(op, err)
}

// CreateUser stores a new staff account with its email lower-cased, giving
// it an id when it has none; domain.ErrDuplicate when the email is taken.
func (s *Store) CreateUser(ctx context.Context, u *domain.User) error {
	if u.ID == "" {
		u.ID = domain.NewID()
	}
	if !domain.IsID(u.ID) {
		return domain.Invalid("id", "Not a valid id.")
	}
	if u.PractitionerID != "" && !domain.IsID(u.PractitionerID) {
		return domain.Invalid("practitioner_id", "Unknown practitioner.")
	}
	row := toUserRow(*u)
	if err := s.w.WithContext(ctx).Create(&row).Error; err != nil {
		return userWriteError("insert user", err)
	}
	*u = row.domain()
	return nil
}

// UpdateUser stores every field of u but its id and creation;
// domain.ErrNotFound when no user has its id, domain.ErrDuplicate when
// another user has the email.
func (s *Store) UpdateUser(ctx context.Context, u *domain.User) error {
	if !domain.IsID(u.ID) {
		return domain.ErrNotFound
	}
	if u.PractitionerID != "" && !domain.IsID(u.PractitionerID) {
		return domain.Invalid("practitioner_id", "Unknown practitioner.")
	}
	row := toUserRow(*u)
	res := s.w.WithContext(ctx).Model(&userRow{ID: row.ID}).Select("*").Omit("id", "created_at").Updates(&row)
	if res.Error != nil {
		return userWriteError("update user", res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.ErrNotFound
	}
	u.Email = row.Email
	return nil
}

// User returns one user, active or not; domain.ErrNotFound when none has the id.
func (s *Store) User(ctx context.Context, id string) (domain.User, error) {
	if !domain.IsID(id) {
		return domain.User{}, domain.ErrNotFound
	}
	return s.oneUser(ctx, "id = ?", lowerID(id))
}

// UserByEmail returns the user with the email, in any case;
// domain.ErrNotFound when there is none.
func (s *Store) UserByEmail(ctx context.Context, email string) (domain.User, error) {
	return s.oneUser(ctx, "email = ?", domain.NormalizeEmail(email))
}

func (s *Store) oneUser(ctx context.Context, where string, arg any) (domain.User, error) {
	var row userRow
	if err := s.db.WithContext(ctx).Where(where, arg).Take(&row).Error; err != nil {
		return domain.User{}, dbError("select user", err)
	}
	return row.domain(), nil
}

// Users lists every user by email.
func (s *Store) Users(ctx context.Context) ([]domain.User, error) {
	var rows []userRow
	if err := s.db.WithContext(ctx).Order("email").Find(&rows).Error; err != nil {
		return nil, dbError("select users", err)
	}
	out := make([]domain.User, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// CreateCredential stores a token or session, giving it an id when it has
// none; KindInvalid on "user_id" for an unknown user.
func (s *Store) CreateCredential(ctx context.Context, c *domain.Credential) error {
	if c.ID == "" {
		c.ID = domain.NewID()
	}
	if !domain.IsID(c.ID) {
		return domain.Invalid("id", "Not a valid id.")
	}
	if !domain.IsID(c.UserID) {
		return domain.Invalid("user_id", "Unknown user.")
	}
	row := toCredentialRow(*c)
	err := s.w.WithContext(ctx).Create(&row).Error
	if isForeignKey(err) {
		return domain.Invalid("user_id", "Unknown user.")
	}
	if err != nil {
		return dbError("insert credential", err)
	}
	*c = row.domain()
	return nil
}

// Credential returns the credential with the hash that is neither expired
// at now nor revoked, with its user, who must be active; domain.ErrNotFound
// otherwise.
func (s *Store) Credential(ctx context.Context, hash string, now time.Time) (domain.Credential, domain.User, error) {
	db := s.db.WithContext(ctx)
	var c credentialRow
	err := db.Where("hash = ? AND revoked_at IS NULL AND expires_at > ?", hash, at(now)).Take(&c).Error
	if err != nil {
		return domain.Credential{}, domain.User{}, dbError("select credential", err)
	}
	var u userRow
	if err := db.Where("id = ? AND active", c.UserID).Take(&u).Error; err != nil {
		return domain.Credential{}, domain.User{}, dbError("select credential user", err)
	}
	return c.domain(), u.domain(), nil
}

// RevokeCredential ends a credential at revokedAt (an earlier revocation
// stands); domain.ErrNotFound for an unknown id.
func (s *Store) RevokeCredential(ctx context.Context, id string, revokedAt time.Time) error {
	return s.revoke(ctx, "revoke credential", "credentials", id, revokedAt)
}

// RevokeUserCredentials revokes every live session and API token of the
// user at revokedAt (earlier revocations stand).
func (s *Store) RevokeUserCredentials(ctx context.Context, userID string, revokedAt time.Time) error {
	return s.revokeOf(ctx, "revoke user credentials", "credentials", "user_id", userID, revokedAt)
}

// RevokeUserFeedTokens revokes every live feed token the user made.
func (s *Store) RevokeUserFeedTokens(ctx context.Context, userID string, revokedAt time.Time) error {
	return s.revokeOf(ctx, "revoke user feed tokens", "feed_tokens", "created_by", userID, revokedAt)
}

// revokeOf sets revoked_at on the live rows of table whose column is id.
func (s *Store) revokeOf(ctx context.Context, op, table, column, id string, revokedAt time.Time) error {
	if !domain.IsID(id) {
		return nil
	}
	err := s.w.WithContext(ctx).Table(table).Where(column+" = ? AND revoked_at IS NULL", lowerID(id)).
		Update("revoked_at", at(orNow(revokedAt))).Error
	return dbError(op, err)
}

// revoke sets revoked_at on the row of table with the id, unless set.
func (s *Store) revoke(ctx context.Context, op, table, id string, revokedAt time.Time) error {
	if !domain.IsID(id) {
		return domain.ErrNotFound
	}
	res := s.w.WithContext(ctx).Table(table).Where("id = ?", lowerID(id)).
		Update("revoked_at", gorm.Expr("COALESCE(revoked_at, ?)", at(orNow(revokedAt))))
	if res.Error != nil {
		return dbError(op, res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.ErrNotFound
	}
	return nil
}
