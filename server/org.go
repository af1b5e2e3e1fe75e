package server

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
)

// What the OpenAPI document says of the user list, the password rules and
// the current password (issue #15), next to the handlers that decide it.
func init() {
	operationAccess["GET /api/v1/users"] = access{roles: slices.Clone(userListReaders),
		who: "administrators, and internal auditors, who review who holds which role (read-only, as the audit trail); " +
			"nobody else needs the user list (roles, disabled flags, who changed what), so it is not shown to them"}
	operationAccess["PUT /api/v1/users/{id}/password"] = access{roles: admins,
		who:     "administrators for another user's password (no current password needed); every user, administrators included, for their own password, with current_password",
		refused: "Refused: the user is not the caller and the caller is not an administrator, or current_password is not the caller's password (field current_password)."}
	typeDocs[reflect.TypeFor[UserList]()] = "Every user, by username (for administrators and internal auditors only)."
	rb := requestBodies[reflect.TypeFor[PasswordChange]()]
	rb.doc = "A new password. Changing one's own password also takes the current one (current_password): " +
		"a 400 names current_password when it is missing, a 403 when it is wrong. An administrator setting another user's password sends none."
	requestBodies[reflect.TypeFor[PasswordChange]()] = rb
	for _, t := range []reflect.Type{reflect.TypeFor[NewUser](), reflect.TypeFor[PasswordChange]()} {
		fieldDocs[fieldKey{t, "password"}] = passwordPolicyDoc
	}
	fieldDocs[fieldKey{reflect.TypeFor[PasswordChange](), "current_password"}] = "The caller's current password: required when the password set is the caller's own " +
		"(a 400 names current_password when it is missing, a 403 when it is wrong); ignored when an administrator sets another user's password."
	fieldExtras[fieldKey{reflect.TypeFor[PasswordChange](), "current_password"}] = obj{"format": "password"}
}

// passwordPolicyDoc is the password rule, as checkPassword enforces it.
var passwordPolicyDoc = fmt.Sprintf("At least %d characters and at most %d bytes, and not one of the most common passwords found in breaches "+
	"(also with digits or symbols added at the end, in any case, e.g. Password2024!): a 400 names password otherwise.", org.MinPasswordLength, maxPasswordBytes)

// DepartmentList is every department.
type DepartmentList struct {
	Items []org.Department `json:"items"`
}

func (s *Server) listDepartments(c *gin.Context) {
	list, err := s.store.Departments(c)
	if err != nil {
		s.internal(c, "list departments", err)
		return
	}
	if list == nil {
		list = []org.Department{}
	}
	c.JSON(http.StatusOK, DepartmentList{Items: list})
}

func (s *Server) putDepartment(c *gin.Context) {
	var d org.Department
	if !bindJSON(c, &d, "") {
		return
	}
	if d.ID == "" {
		d.ID = c.Param("id")
	}
	if d.ID != c.Param("id") {
		abort(c, http.StatusBadRequest, "id must match the path", "id")
		return
	}
	if !valid(c, d.Validate()) {
		return
	}
	if err := s.store.SaveDepartment(c, d); err != nil {
		s.internal(c, "save the department", err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// UserList is every user.
type UserList struct {
	Items []org.User `json:"items"`
}

// userListReaders may list the users: the administrators, and the internal
// auditors, who read the organisation (the console's administration pages,
// read-only) as they read the audit trail.
var userListReaders = []org.Role{org.RoleAdministrator, org.RoleInternalAuditor}

// listUsers lists every user, for userListReaders only: the records show
// roles, disabled flags and who changed what. No other caller needs the list
// (names appear where they matter, in the records that name people).
func (s *Server) listUsers(c *gin.Context) {
	if !slices.ContainsFunc(userListReaders, actor(c).Has) {
		abort(c, http.StatusForbidden, "the user list is for: "+strings.Join(names(userListReaders...), ", "), "")
		return
	}
	list, err := s.store.Users(c)
	if err != nil {
		s.internal(c, "list users", err)
		return
	}
	if list == nil {
		list = []org.User{}
	}
	c.JSON(http.StatusOK, UserList{Items: list})
}

// NewUser creates a user with a first password.
type NewUser struct {
	org.User
	Password string `json:"password"`
}

// maxPasswordBytes bounds what Argon2id is given to hash.
const maxPasswordBytes = 256

// checkPassword enforces the password policy on a new password (docs/security.md):
// long enough, not too long, and not one of the most common passwords.
func checkPassword(c *gin.Context, pw string) bool {
	if len([]rune(pw)) < org.MinPasswordLength {
		abort(c, http.StatusBadRequest, fmt.Sprintf("password must be at least %d characters", org.MinPasswordLength), "password")
		return false
	}
	if len(pw) > maxPasswordBytes {
		abort(c, http.StatusBadRequest, fmt.Sprintf("password must be at most %d bytes", maxPasswordBytes), "password")
		return false
	}
	if auth.CommonPassword(pw) {
		abort(c, http.StatusBadRequest, "password is one of the most commonly used passwords (or one with digits or symbols added); choose another", "password")
		return false
	}
	return true
}

func (s *Server) createUser(c *gin.Context) {
	var in NewUser
	if !bindJSON(c, &in, "") {
		return
	}
	u := in.User
	u.ID = uuid.NewString()
	u.UpdatedBy = c.MustGet(principalKey).(principal).user.Username
	if !valid(c, u.Validate()) || !checkPassword(c, in.Password) {
		return
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		s.internal(c, "create the user", err)
		return
	}
	created, err := s.store.CreateUser(c, u, hash)
	switch {
	case errors.Is(err, store.ErrExists):
		abort(c, http.StatusConflict, "username "+u.Username+" is taken", "username")
	case errors.Is(err, store.ErrUnknownDepartment):
		abort(c, http.StatusBadRequest, "no department has ID "+u.Department, "department")
	case err != nil:
		s.internal(c, "create the user", err)
	default:
		c.JSON(http.StatusCreated, created)
	}
}

func (s *Server) updateUser(c *gin.Context) {
	current, err := s.store.User(c, c.Param("id"))
	if errors.Is(err, store.ErrNotFound) || uuid.Validate(c.Param("id")) != nil {
		abort(c, http.StatusNotFound, "user not found", "")
		return
	}
	if err != nil {
		s.internal(c, "read the user", err)
		return
	}
	u := current
	if !bindJSON(c, &u, "") {
		return
	}
	// The ID and username are the user's identity in the audit trail: fixed.
	u.ID, u.Username, u.CreatedAt = current.ID, current.Username, current.CreatedAt
	u.UpdatedBy = c.MustGet(principalKey).(principal).user.Username
	if !valid(c, u.Validate()) {
		return
	}
	// An administrator cannot lock themselves out; another one has to.
	if me := c.MustGet(principalKey).(principal).user; me.ID == u.ID {
		if u.Disabled {
			abort(c, http.StatusConflict, "you cannot disable your own account; ask another administrator", "disabled")
			return
		}
		if me.Has(org.RoleAdministrator) && !u.Has(org.RoleAdministrator) {
			abort(c, http.StatusConflict, "you cannot remove your own administrator role; ask another administrator", "roles")
			return
		}
	}
	updated, err := s.store.UpdateUser(c, u)
	switch {
	case errors.Is(err, store.ErrUnknownDepartment):
		abort(c, http.StatusBadRequest, "no department has ID "+u.Department, "department")
	case err != nil:
		s.internal(c, "update the user", err)
	default:
		c.JSON(http.StatusOK, updated)
	}
}

// PasswordChange sets a new password; changing one's own takes the current one too.
type PasswordChange struct {
	Password        string `json:"password"`
	CurrentPassword string `json:"current_password,omitempty"`
}

// setPassword lets administrators reset another user's password and users
// change their own, with their current password: a stolen session (or an
// unattended browser) alone cannot take the account over for good.
func (s *Server) setPassword(c *gin.Context) {
	p := c.MustGet(principalKey).(principal)
	own := p.user.ID == c.Param("id")
	if !own && !p.user.Has(org.RoleAdministrator) {
		abort(c, http.StatusForbidden, "only administrators set other users' passwords", "")
		return
	}
	var in PasswordChange
	if !bindJSON(c, &in, "") {
		return
	}
	if own && in.CurrentPassword == "" {
		abort(c, http.StatusBadRequest, "current_password is required to change your own password", "current_password")
		return
	}
	if !checkPassword(c, in.Password) {
		return
	}
	if own {
		_, current, err := s.store.Credentials(c, p.user.Username)
		if err != nil {
			s.internal(c, "check the current password", err)
			return
		}
		ok, herr := auth.CheckPassword(current, in.CurrentPassword)
		if herr != nil {
			s.log.Error("unreadable password hash", "user", p.user.Username, "err", herr)
		}
		if !ok {
			abort(c, http.StatusForbidden, "current_password is not your current password", "current_password")
			return
		}
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		s.internal(c, "set the password", err)
		return
	}
	err = s.store.SetPassword(c, c.Param("id"), hash, p.user.Username)
	if errors.Is(err, store.ErrNotFound) {
		abort(c, http.StatusNotFound, "user not found", "")
		return
	}
	if err != nil {
		s.internal(c, "set the password", err)
		return
	}
	c.Status(http.StatusNoContent)
}
