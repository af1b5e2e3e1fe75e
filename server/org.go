package server

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
)

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

func (s *Server) listUsers(c *gin.Context) {
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

func checkPassword(c *gin.Context, pw string) bool {
	if len([]rune(pw)) < org.MinPasswordLength {
		abort(c, http.StatusBadRequest, "password must be at least 10 characters", "password")
		return false
	}
	if len(pw) > 256 {
		abort(c, http.StatusBadRequest, "password must be at most 256 bytes", "password")
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

// PasswordChange sets a new password.
type PasswordChange struct {
	Password string `json:"password"`
}

// setPassword lets administrators reset anyone's password and users change their own.
func (s *Server) setPassword(c *gin.Context) {
	p := c.MustGet(principalKey).(principal)
	if p.user.ID != c.Param("id") && !p.user.Has(org.RoleAdministrator) {
		abort(c, http.StatusForbidden, "only administrators set other users' passwords", "")
		return
	}
	var in PasswordChange
	if !bindJSON(c, &in, "") || !checkPassword(c, in.Password) {
		return
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
