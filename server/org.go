package server

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/org"
)

// passwordPolicyDoc is the password rule, as app.CheckPassword enforces it.
var passwordPolicyDoc = fmt.Sprintf("At least %d characters and at most %d bytes, and not one of the most common passwords found in breaches "+
	"(also with digits or symbols added at the end, in any case, e.g. Password2024!): a 400 names password otherwise.", org.MinPasswordLength, app.MaxPasswordBytes)

// DepartmentList is every department.
type DepartmentList struct {
	Items []org.Department `json:"items"`
}

func (s *Server) listDepartments(c *gin.Context) {
	list, err := s.app.DepartmentList(c)
	if err != nil {
		s.fail(c, "list departments", err)
		return
	}
	c.JSON(http.StatusOK, DepartmentList{Items: list})
}

// putDepartment creates or renames a department (app.PutDepartment).
func (s *Server) putDepartment(c *gin.Context) {
	var d org.Department
	if !bindJSON(c, &d, "") {
		return
	}
	saved, err := s.app.PutDepartment(c, actor(c), c.Param("id"), d)
	if err != nil {
		s.fail(c, "save the department", err)
		return
	}
	c.JSON(http.StatusOK, saved)
}

// UserList is every user.
type UserList struct {
	Items []org.User `json:"items"`
}

// listUsers lists every user, for administrators and internal auditors only
// (app.Users): the records show roles, disabled flags and who changed what.
func (s *Server) listUsers(c *gin.Context) {
	list, err := s.app.Users(c, actor(c))
	if err != nil {
		s.fail(c, "list users", err)
		return
	}
	c.JSON(http.StatusOK, UserList{Items: list})
}

// NewUser creates a user with a first password.
type NewUser struct {
	org.User
	Password string `json:"password"`
}

func (s *Server) createUser(c *gin.Context) {
	var in NewUser
	if !bindJSON(c, &in, "") {
		return
	}
	created, err := s.app.CreateUser(c, actor(c), app.NewUser{User: in.User, Password: in.Password})
	if err != nil {
		s.fail(c, "create the user", err)
		return
	}
	c.JSON(http.StatusCreated, created)
}

// updateUser changes a user (app.UpdateUser): the body is read over the
// stored record, so fields it leaves out keep their values.
func (s *Server) updateUser(c *gin.Context) {
	u, err := s.app.User(c, actor(c), c.Param("id"))
	if err != nil {
		s.fail(c, "read the user", err)
		return
	}
	if !bindJSON(c, &u, "") {
		return
	}
	u.ID = c.Param("id")
	updated, err := s.app.UpdateUser(c, actor(c), u)
	if err != nil {
		s.fail(c, "update the user", err)
		return
	}
	c.JSON(http.StatusOK, updated)
}

// PasswordChange sets a new password; changing one's own takes the current one too.
type PasswordChange struct {
	Password        string `json:"password"`
	CurrentPassword string `json:"current_password,omitempty" doc:"The caller's current password: required when the password set is the caller's own (a 400 names current_password when it is missing, a 403 when it is wrong); ignored when an administrator sets another user's password."`
}

// setPassword lets administrators reset another user's password and users
// change their own, with their current password (app.SetPassword). Another
// user's is refused before the body is read.
func (s *Server) setPassword(c *gin.Context) {
	if err := app.AuthorizeSetPassword(actor(c), c.Param("id")); err != nil {
		s.fail(c, "set the password", err)
		return
	}
	var in PasswordChange
	if !bindJSON(c, &in, "") {
		return
	}
	err := s.app.SetPassword(c, actor(c), c.Param("id"), app.PasswordChange{Password: in.Password, CurrentPassword: in.CurrentPassword})
	if err != nil {
		s.fail(c, "set the password", err)
		return
	}
	c.Status(http.StatusNoContent)
}
