package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
)

// The administration's and the outbox's operations answer from the api map,
// under the routes of the API they stand for; what a page sends is the
// request body the API would have had, its fields in name order.

func (f *fake) DepartmentList(context.Context) ([]org.Department, error) {
	if _, ok := f.api["GET /api/v1/departments"]; !ok {
		return []org.Department{{ID: "engineering", Name: "工程部", Kind: org.KindHQ}, {ID: "branch-sh", Name: "上海分公司", Kind: org.KindBranch}}, nil
	}
	var out struct {
		Items []org.Department `json:"items"`
	}
	err := f.op(http.MethodGet, "/api/v1/departments", nil, &out)
	return out.Items, err
}

func (f *fake) PutDepartment(_ context.Context, _ complaint.Actor, id string, d org.Department) (org.Department, error) {
	body := map[string]any{"id": d.ID, "name": d.Name, "kind": d.Kind}
	var out org.Department
	return out, f.op(http.MethodPut, "/api/v1/departments/"+url.PathEscape(id), body, &out)
}

func (f *fake) Users(context.Context, complaint.Actor) ([]org.User, error) {
	var out struct {
		Items []org.User `json:"items"`
	}
	err := f.op(http.MethodGet, "/api/v1/users", nil, &out)
	return out.Items, err
}

func (f *fake) CreateUser(_ context.Context, _ complaint.Actor, in app.NewUser) (org.User, error) {
	body := map[string]any{"username": in.Username, "name": in.Name, "department": in.Department,
		"roles": in.Roles, "disabled": in.Disabled, "password": in.Password}
	var out org.User
	return out, f.op(http.MethodPost, "/api/v1/users", body, &out)
}

func (f *fake) UpdateUser(_ context.Context, _ complaint.Actor, u org.User) (org.User, error) {
	body := map[string]any{"name": u.Name, "department": u.Department, "roles": u.Roles, "disabled": u.Disabled}
	var out org.User
	return out, f.op(http.MethodPatch, "/api/v1/users/"+url.PathEscape(u.ID), body, &out)
}

func (f *fake) SetPassword(_ context.Context, _ complaint.Actor, id string, in app.PasswordChange) error {
	body := map[string]string{"password": in.Password}
	if in.CurrentPassword != "" {
		body["current_password"] = in.CurrentPassword
	}
	return f.op(http.MethodPut, "/api/v1/users/"+url.PathEscape(id)+"/password", body, nil)
}

func (f *fake) Policies(context.Context) ([]app.StoredPolicy, error) {
	var out struct {
		Items []app.StoredPolicy `json:"items"`
	}
	err := f.op(http.MethodGet, "/api/v1/sla-policies", nil, &out)
	return out.Items, err
}

func (f *fake) ActivePolicy(context.Context) (complaint.Policy, error) {
	var out complaint.Policy
	return out, f.op(http.MethodGet, "/api/v1/sla-policies/active", nil, &out)
}

func (f *fake) AddPolicyJSON(_ context.Context, _ complaint.Actor, body []byte) (app.StoredPolicy, error) {
	var out app.StoredPolicy
	return out, f.op(http.MethodPost, "/api/v1/sla-policies", json.RawMessage(body), &out)
}

func (f *fake) Audit(_ context.Context, _ complaint.Actor, in app.AuditFilter) (app.AuditPage, error) {
	q := url.Values{}
	for k, v := range map[string]string{"user_id": in.UserID, "target": in.Target, "outcome": in.Outcome} {
		if v != "" {
			q.Set(k, v)
		}
	}
	for k, t := range map[string]*time.Time{"from": in.From, "to": in.To} {
		if t != nil {
			q.Set(k, t.Format(time.RFC3339))
		}
	}
	if in.Before != 0 {
		q.Set("before", strconv.FormatInt(in.Before, 10))
	}
	if in.Limit != 0 {
		q.Set("limit", strconv.Itoa(in.Limit))
	}
	var out struct {
		Items      []app.AuditEntry `json:"items"`
		NextBefore int64            `json:"next_before"`
	}
	err := f.op(http.MethodGet, "/api/v1/audit?"+q.Encode(), nil, &out)
	return app.AuditPage{Items: out.Items, NextBefore: out.NextBefore}, err
}

func (f *fake) Notifications(_ context.Context, _ complaint.Actor, in app.OutboxFilter) (app.NotificationPage, error) {
	q := url.Values{}
	for k, v := range map[string]string{"status": in.Status, "channel": in.Channel, "related": in.Related} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if in.Newest {
		q.Set("order", "newest")
	}
	for k, n := range map[string]int64{"after": in.After, "before": in.Before} {
		if n != 0 {
			q.Set(k, strconv.FormatInt(n, 10))
		}
	}
	if in.Limit != 0 {
		q.Set("limit", strconv.Itoa(in.Limit))
	}
	var out struct {
		Items      []app.Notification `json:"items"`
		NextAfter  int64              `json:"next_after"`
		NextBefore int64              `json:"next_before"`
	}
	err := f.op(http.MethodGet, "/api/v1/notifications?"+q.Encode(), nil, &out)
	return app.NotificationPage{Items: out.Items, NextAfter: out.NextAfter, NextBefore: out.NextBefore}, err
}

func (f *fake) CountNotifications(context.Context, complaint.Actor) (app.OutboxCounts, error) {
	var out app.OutboxCounts
	return out, f.op(http.MethodGet, "/api/v1/notifications/counts", nil, &out)
}

func (f *fake) MarkNotification(_ context.Context, _ complaint.Actor, id int64, in app.NotificationReport) error {
	body := map[string]string{"status": in.Status}
	if in.IfStatus != "" {
		body["if_status"] = in.IfStatus
	}
	if in.Note != "" {
		body["note"] = in.Note
	}
	return f.op(http.MethodPost, "/api/v1/notifications/"+strconv.FormatInt(id, 10)+"/status", body, nil)
}

func (f *fake) ResendNotification(_ context.Context, _ complaint.Actor, id int64) error {
	return f.op(http.MethodPost, "/api/v1/notifications/"+strconv.FormatInt(id, 10)+"/resend", nil, nil)
}
