// Package demo seeds a demonstration organisation — one user per role — so a
// person trying cxflow with `make run` can sign in as each of them. The
// credentials are in the README; never seed them in production.
package demo

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
)

// Password is every demo user's password.
const Password = "cxflow-demo"

// Departments of the demo company.
var Departments = []org.Department{
	{ID: "market", Name: "市场部", Kind: org.KindHQ},
	{ID: "quality", Name: "品质部", Kind: org.KindHQ},
	{ID: "sales", Name: "业务部", Kind: org.KindHQ},
	{ID: "engineering", Name: "工程部", Kind: org.KindHQ},
	{ID: "gm-office", Name: "总经理办公室", Kind: org.KindHQ},
	{ID: "audit", Name: "内审组", Kind: org.KindHQ},
	{ID: "it", Name: "信息中心", Kind: org.KindHQ},
	{ID: "after-sales", Name: "售后服务部", Kind: org.KindHQ},
	{ID: "branch-zhengzhou", Name: "郑州分公司", Kind: org.KindBranch},
}

// Users of the demo company: one per role, and members of the departments
// surveys most often open actions for.
var Users = []org.User{
	{Username: "clerk", Name: "王芳 (客服)", Department: "sales", Roles: []org.Role{org.RoleIntakeClerk}},
	{Username: "market", Name: "李强 (市场部)", Department: "market", Roles: []org.Role{org.RoleMarketDepartment}},
	{Username: "branch", Name: "赵磊 (郑州分公司负责人)", Department: "branch-zhengzhou", Roles: []org.Role{org.RoleBranchHead}},
	{Username: "engineer", Name: "张伟 (工程部)", Department: "engineering", Roles: []org.Role{org.RoleDepartmentMember}},
	{Username: "head", Name: "陈静 (工程部经理)", Department: "engineering", Roles: []org.Role{org.RoleDepartmentHead}},
	{Username: "quality", Name: "刘洋 (品质部)", Department: "quality", Roles: []org.Role{org.RoleQualityDepartment}},
	{Username: "gm", Name: "周明 (总经理)", Department: "gm-office", Roles: []org.Role{org.RoleGeneralManager}},
	{Username: "auditor", Name: "孙丽 (内审员)", Department: "audit", Roles: []org.Role{org.RoleInternalAuditor}},
	{Username: "admin", Name: "系统管理员", Department: "it", Roles: []org.Role{org.RoleAdministrator}},
	// Members of the departments the default survey dimensions open
	// improvement actions for (交货期/配合度: sales; 售后服务: after-sales).
	{Username: "sales", Name: "吴涛 (业务部)", Department: "sales", Roles: []org.Role{org.RoleDepartmentMember}},
	{Username: "service", Name: "黄磊 (售后服务部)", Department: "after-sales", Roles: []org.Role{org.RoleDepartmentMember}},
}

// Usernames lists the demo users' usernames, in order.
func Usernames() []string {
	out := make([]string, len(Users))
	for i, u := range Users {
		out[i] = u.Username
	}
	return out
}

// Seed creates the demo organisation when no user exists yet; it reports
// whether it did.
func Seed(ctx context.Context, st *store.Store) (bool, error) {
	has, err := st.HasUsers(ctx)
	if err != nil || has {
		return false, err
	}
	for _, d := range Departments {
		if err := st.SaveDepartment(ctx, d); err != nil {
			return false, fmt.Errorf("seed demo: %w", err)
		}
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return false, err
	}
	for _, u := range Users {
		u.ID = uuid.NewString()
		// Every demo user has a mailbox, in the local Mailpit under make run.
		u.Email = u.Username + "@example.com"
		if _, err := st.CreateUser(ctx, u, hash); err != nil {
			return false, fmt.Errorf("seed demo user %s: %w", u.Username, err)
		}
	}
	return true, nil
}
