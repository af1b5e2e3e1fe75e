// Package org is the organisation cxflow serves: departments (HQ departments
// and branches), users and the roles they hold (domain.md §1). Pure Go.
package org

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cxflow/cxflow/validate"
)

// Role is what a user may do.
type Role string

const (
	RoleIntakeClerk       Role = "intake_clerk"       // 业务部 · 客服 · 专人专线: records complaints, makes callbacks
	RoleMarketDepartment  Role = "market_department"  // 市场部: validates, assigns, reviews; approves serious cases
	RoleBranchHead        Role = "branch_head"        // 分公司负责人: the market department's part for its branch
	RoleDepartmentMember  Role = "department_member"  // 责任部门: root cause, plan, execution
	RoleDepartmentHead    Role = "department_head"    // 主管领导 · 部门经理: approves plans, extends deadlines
	RoleQualityDepartment Role = "quality_department" // 品质部: tracks corrective actions
	RoleGeneralManager    Role = "general_manager"    // 总经理: approves severe cases
	RoleInternalAuditor   Role = "internal_auditor"   // 内审员: reads everything, the audit trail
	RoleAdministrator     Role = "administrator"      // manages the organisation, calendars and policies
)

// Roles lists every role.
var Roles = []Role{
	RoleIntakeClerk, RoleMarketDepartment, RoleBranchHead, RoleDepartmentMember, RoleDepartmentHead,
	RoleQualityDepartment, RoleGeneralManager, RoleInternalAuditor, RoleAdministrator,
}

// Label is the role's name in the procedures.
func (r Role) Label() string {
	return map[Role]string{
		RoleIntakeClerk: "客服专员", RoleMarketDepartment: "市场部", RoleBranchHead: "分公司负责人",
		RoleDepartmentMember: "责任部门人员", RoleDepartmentHead: "部门负责人", RoleQualityDepartment: "品质部",
		RoleGeneralManager: "总经理", RoleInternalAuditor: "内审员", RoleAdministrator: "系统管理员",
	}[r]
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// DepartmentKind tells headquarters' departments from branches.
type DepartmentKind string

const (
	KindHQ     DepartmentKind = "hq"
	KindBranch DepartmentKind = "branch"
)

// Department is an HQ department (市场部, 品质部, …) or a branch (分公司).
type Department struct {
	ID   string         `json:"id" doc:"1-63 lower-case letters, digits or '-', e.g. quality or suzhou; users, complaints and policies refer to it."`
	Name string         `json:"name" doc:"The department's name, e.g. 品质部 or 苏州分公司; at most 100 characters, not blank."`
	Kind DepartmentKind `json:"kind"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Validate checks a department, naming the field at fault.
func (d Department) Validate() error {
	if !idPattern.MatchString(d.ID) {
		return validate.Errorf("id", "must be 1-63 lower-case letters, digits or '-', e.g. engineering")
	}
	if strings.TrimSpace(d.Name) == "" || utf8.RuneCountInString(d.Name) > 100 {
		return validate.RequiredWithin("name", 100)
	}
	if d.Kind != KindHQ && d.Kind != KindBranch {
		return validate.Errorf("kind", "must be hq or branch")
	}
	return nil
}

// User is a person (or a service account) who signs in.
type User struct {
	ID         string    `json:"id" doc:"Assigned by the server."`
	Username   string    `json:"username" doc:"The sign-in name: 2-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit. It cannot change."`
	Name       string    `json:"name" doc:"The person's name; at most 100 characters, not blank."`
	Department string    `json:"department" doc:"The ID of the department or branch the user belongs to."`
	Roles      []Role    `json:"roles" doc:"What the user may do; at least one role."`
	Disabled   bool      `json:"disabled" doc:"A disabled user cannot sign in, and their sessions and API tokens stop working at once."`
	Email      string    `json:"email,omitempty" doc:"Where cxflow e-mails the user escalations and new work; optional."`
	Mobile     string    `json:"mobile,omitempty" doc:"The user's mobile number (13812345678, or +country code and number); optional, stored without spaces and hyphens."`
	CreatedAt  time.Time `json:"created_at"`
	// UpdatedAt and UpdatedBy are the last change (a password included) and
	// the username of who made it; set by the server, not by clients.
	UpdatedAt time.Time `json:"updated_at" doc:"When the user last changed (a new password included); set by the server, ignored in requests."`
	UpdatedBy string    `json:"updated_by,omitempty" doc:"The username of who made that change; set by the server, ignored in requests."`
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// Validate checks a user's fields (not that the department exists).
func (u User) Validate() error {
	if !usernamePattern.MatchString(u.Username) {
		return validate.Errorf("username", "must be 2-64 lower-case letters, digits, '.', '_' or '-'")
	}
	if strings.TrimSpace(u.Name) == "" || utf8.RuneCountInString(u.Name) > 100 {
		return validate.RequiredWithin("name", 100)
	}
	if u.Department == "" {
		return validate.Missing("department", "is required")
	}
	if err := validate.First(validate.Email("email", u.Email), validate.Mobile("mobile", u.Mobile)); err != nil {
		return err
	}
	if len(u.Roles) == 0 {
		return validate.Errorf("roles", "at least one role is required")
	}
	for _, r := range u.Roles {
		if !r.Valid() {
			return validate.Errorf("roles", "unknown role %q", r)
		}
	}
	return nil
}

// Has reports whether the user holds the role.
func (u User) Has(r Role) bool {
	for _, x := range u.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// FieldError names the field a request is wrong about.
type FieldError = validate.Error

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10
