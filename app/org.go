package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/validate"
)

// The organisation: departments, users, passwords and API tokens.

// APIToken is a machine client's token as it is listed, without its secret.
type APIToken = store.Token

// DepartmentList lists every department and branch. (Named so because the
// console's Backend.Departments already has the shorter name.)
func (a *App) DepartmentList(ctx context.Context) ([]org.Department, error) {
	list, err := a.Store.Departments(ctx)
	if list == nil && err == nil {
		list = []org.Department{}
	}
	return list, err
}

// PutDepartment creates or renames the department with the ID id.
func (a *App) PutDepartment(ctx context.Context, by complaint.Actor, id string, d org.Department) (org.Department, error) {
	if err := Authorize(by, OpPutDepartment); err != nil {
		return d, err
	}
	if d.ID == "" {
		d.ID = id
	}
	if d.ID != id {
		return d, Refuse(Invalid, "id", "id must match the path")
	}
	if err := d.Validate(); err != nil {
		return d, fieldRefusal(err)
	}
	if err := a.Store.SaveDepartment(ctx, d); err != nil {
		return d, err
	}
	return d, nil
}

// Users lists every user: for the administrators and the internal auditors
// only, since the records show roles, disabled flags and who changed what.
func (a *App) Users(ctx context.Context, by complaint.Actor) ([]org.User, error) {
	if err := Authorize(by, OpListUsers); err != nil {
		return nil, err
	}
	list, err := a.Store.Users(ctx)
	if list == nil && err == nil {
		list = []org.User{}
	}
	return list, err
}

// User reads one user, as an administrator changes them.
func (a *App) User(ctx context.Context, by complaint.Actor, id string) (org.User, error) {
	if err := Authorize(by, OpUpdateUser); err != nil {
		return org.User{}, err
	}
	if uuid.Validate(id) != nil {
		return org.User{}, Refuse(NotFound, "", "user not found")
	}
	u, err := a.Store.User(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return u, Refuse(NotFound, "", "user not found")
	}
	return u, err
}

// username is the actor's username, as the user records name who changed them.
func (a *App) username(ctx context.Context, by complaint.Actor) (string, error) {
	u, err := a.Store.User(ctx, by.ID)
	if err != nil {
		return "", fmt.Errorf("read the acting user: %w", err)
	}
	return u.Username, nil
}

// NewUser is a user to create with a first password.
type NewUser struct {
	org.User
	Password string
}

// MaxPasswordBytes bounds what Argon2id is given to hash.
const MaxPasswordBytes = 256

// CheckPassword enforces the password policy on a new password
// (docs/security.md): long enough, not too long, and not one of the most
// common passwords.
func CheckPassword(pw string) error {
	if len([]rune(pw)) < org.MinPasswordLength {
		return Refuse(Invalid, "password", "password must be at least %d characters", org.MinPasswordLength)
	}
	if len(pw) > MaxPasswordBytes {
		return Refuse(Invalid, "password", "password must be at most %d bytes", MaxPasswordBytes)
	}
	if auth.CommonPassword(pw) {
		return Refuse(Invalid, "password", "password is one of the most commonly used passwords (or one with digits or symbols added); choose another")
	}
	return nil
}

// CreateUser creates a user with a first password.
func (a *App) CreateUser(ctx context.Context, by complaint.Actor, in NewUser) (org.User, error) {
	if err := Authorize(by, OpCreateUser); err != nil {
		return org.User{}, err
	}
	u := in.User
	u.ID = uuid.NewString()
	u.Mobile = validate.NormalMobile(u.Mobile)
	if err := u.Validate(); err != nil {
		return u, fieldRefusal(err)
	}
	if err := CheckPassword(in.Password); err != nil {
		return u, err
	}
	name, err := a.username(ctx, by)
	if err != nil {
		return u, err
	}
	u.UpdatedBy = name
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return u, err
	}
	created, err := a.Store.CreateUser(ctx, u, hash)
	switch {
	case errors.Is(err, store.ErrExists):
		return created, Refuse(Conflict, "username", "username %s is taken", u.Username)
	case errors.Is(err, store.ErrUnknownDepartment):
		return created, Refuse(Invalid, "department", "no department has ID %s", u.Department)
	}
	return created, err
}

// UpdateUser changes a user's name, department, roles and disabled flag; the
// ID and username, the user's identity in the audit trail, stay. An
// administrator cannot lock themselves out: another one has to.
func (a *App) UpdateUser(ctx context.Context, by complaint.Actor, u org.User) (org.User, error) {
	current, err := a.User(ctx, by, u.ID)
	if err != nil {
		return u, err
	}
	u.ID, u.Username, u.CreatedAt = current.ID, current.Username, current.CreatedAt
	u.Mobile = validate.NormalMobile(u.Mobile)
	if u.UpdatedBy, err = a.username(ctx, by); err != nil {
		return u, err
	}
	if err := u.Validate(); err != nil {
		return u, fieldRefusal(err)
	}
	if by.ID == u.ID {
		if u.Disabled {
			return u, Refuse(Conflict, "disabled", "you cannot disable your own account; ask another administrator")
		}
		if by.Has(org.RoleAdministrator) && !u.Has(org.RoleAdministrator) {
			return u, Refuse(Conflict, "roles", "you cannot remove your own administrator role; ask another administrator")
		}
	}
	updated, err := a.Store.UpdateUser(ctx, u)
	if errors.Is(err, store.ErrUnknownDepartment) {
		return updated, Refuse(Invalid, "department", "no department has ID %s", u.Department)
	}
	return updated, err
}

// PasswordChange is a new password; changing one's own takes the current one too.
type PasswordChange struct {
	Password        string
	CurrentPassword string
}

// AuthorizeSetPassword refuses to set another user's password for anyone but
// an administrator: every user may change their own.
func AuthorizeSetPassword(by complaint.Actor, id string) error {
	if by.ID != id && !by.Has(org.RoleAdministrator) {
		return Refuse(Forbidden, "", "only administrators set other users' passwords")
	}
	return nil
}

// SetPassword lets administrators reset another user's password and users
// change their own, with their current password: a stolen session (or an
// unattended browser) alone cannot take the account over for good.
func (a *App) SetPassword(ctx context.Context, by complaint.Actor, id string, in PasswordChange) error {
	if err := AuthorizeSetPassword(by, id); err != nil {
		return err
	}
	own := by.ID == id
	if own && in.CurrentPassword == "" {
		return Refuse(Invalid, "current_password", "current_password is required to change your own password")
	}
	if err := CheckPassword(in.Password); err != nil {
		return err
	}
	name, err := a.username(ctx, by)
	if err != nil {
		return err
	}
	if own {
		_, current, err := a.Store.Credentials(ctx, name)
		if err != nil {
			return fmt.Errorf("check the current password: %w", err)
		}
		ok, herr := auth.CheckPassword(current, in.CurrentPassword)
		if herr != nil {
			a.Log.Error("unreadable password hash", "user", name, "err", herr)
		}
		if !ok {
			return Refuse(Forbidden, "current_password", "current_password is not your current password")
		}
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return err
	}
	err = a.Store.SetPassword(ctx, id, hash, name)
	if errors.Is(err, store.ErrNotFound) {
		return Refuse(NotFound, "", "user not found")
	}
	return err
}

// APITokens lists the API tokens, without their secrets.
func (a *App) APITokens(ctx context.Context, by complaint.Actor) ([]APIToken, error) {
	if err := Authorize(by, OpListAPITokens); err != nil {
		return nil, err
	}
	list, err := a.Store.APITokens(ctx)
	if list == nil && err == nil {
		list = []APIToken{}
	}
	return list, err
}

// APITokenRequest asks for a machine client's token: what it is for, the
// (service) user it acts as and how long it lives (90 days when empty).
type APITokenRequest struct {
	Name, UserID, ExpiresIn string
}

// NewAPIToken is a new API token with its secret, shown only this once.
type NewAPIToken struct {
	Token  APIToken
	Secret string
}

// maxAPITokenLife bounds an API token's life.
const maxAPITokenLife = 2 * 365 * 24 * time.Hour

// CreateAPIToken creates a token for a machine client.
func (a *App) CreateAPIToken(ctx context.Context, by complaint.Actor, in APITokenRequest) (NewAPIToken, error) {
	if err := Authorize(by, OpCreateAPIToken); err != nil {
		return NewAPIToken{}, err
	}
	if strings.TrimSpace(in.Name) == "" {
		return NewAPIToken{}, Refuse(Invalid, "name", "name is required: say what the token is for")
	}
	life := 90 * 24 * time.Hour
	if in.ExpiresIn != "" {
		d, err := time.ParseDuration(in.ExpiresIn)
		if err != nil || d <= 0 || d > maxAPITokenLife {
			return NewAPIToken{}, Refuse(Invalid, "expires_in", "expires_in must be a positive duration up to 17520h (two years), e.g. 2160h")
		}
		life = d
	}
	if _, err := uuid.Parse(in.UserID); err != nil {
		return NewAPIToken{}, Refuse(Invalid, "user_id", "user_id must be the ID of the (service) user the token acts as")
	}
	if _, err := a.Store.User(ctx, in.UserID); errors.Is(err, store.ErrNotFound) {
		return NewAPIToken{}, Refuse(Invalid, "user_id", "no user has ID %s", in.UserID)
	} else if err != nil {
		return NewAPIToken{}, err
	}
	secret, hash, err := auth.NewToken(auth.APIPrefix)
	if err != nil {
		return NewAPIToken{}, err
	}
	t, err := a.Store.CreateToken(ctx, store.Token{
		ID: uuid.NewString(), UserID: in.UserID, Kind: "api", Name: in.Name, ExpiresAt: a.now().Add(life),
	}, hash)
	if err != nil {
		return NewAPIToken{}, err
	}
	return NewAPIToken{Token: t, Secret: secret}, nil
}

// RevokeAPIToken revokes a token.
func (a *App) RevokeAPIToken(ctx context.Context, by complaint.Actor, id string) error {
	if err := Authorize(by, OpRevokeAPIToken); err != nil {
		return err
	}
	if _, err := uuid.Parse(id); err != nil {
		return Refuse(NotFound, "", "token not found")
	}
	err := a.Store.RevokeToken(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Refuse(NotFound, "", "token not found")
	}
	return err
}
