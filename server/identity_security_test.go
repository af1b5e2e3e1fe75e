package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
)

// errorOf decodes an error answer.
func errorOf(t *testing.T, rec *httptest.ResponseRecorder) Error {
	t.Helper()
	var e Error
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), "%s", rec.Body)
	return e
}

// passwordMatches reports whether the user's stored password is pw.
func passwordMatches(t *testing.T, u org.User, pw string) bool {
	t.Helper()
	_, hash, err := needStore(t).Credentials(context.Background(), u.Username)
	require.NoError(t, err)
	ok, err := auth.CheckPassword(hash, pw)
	require.NoError(t, err)
	return ok
}

// Changing one's own password takes the current one: missing is a 400
// naming current_password, wrong a 403; an administrator resetting another
// user's password needs none, but their own takes it like anyone's.
func TestOwnPasswordChangeNeedsTheCurrentPassword(t *testing.T) {
	h := testServer(t, &captureClient{}).Handler()
	put := func(caller, target org.User, body any) *httptest.ResponseRecorder {
		return serve(h, http.MethodPut, "/api/v1/users/"+target.ID+"/password", body,
			"Authorization", "Bearer "+newSession(t, caller))
	}
	const next = "a brand new secret 7"

	u := newUser(t, org.RoleDepartmentMember)
	rec := put(u, u, PasswordChange{Password: next})
	require.Equal(t, http.StatusBadRequest, rec.Code, "%s", rec.Body)
	require.Equal(t, "current_password", errorOf(t, rec).Field)

	for _, wrong := range []string{"wrong password", "cxflow-timing-equaliser", testPassword + " "} {
		rec = put(u, u, PasswordChange{Password: next, CurrentPassword: wrong})
		require.Equal(t, http.StatusForbidden, rec.Code, "%q: %s", wrong, rec.Body)
		require.Equal(t, "current_password", errorOf(t, rec).Field)
	}
	require.True(t, passwordMatches(t, u, testPassword), "nothing changed")

	// The policy applies to the new password, with the right current one.
	rec = put(u, u, PasswordChange{Password: "Password2024!", CurrentPassword: testPassword})
	require.Equal(t, http.StatusBadRequest, rec.Code, "%s", rec.Body)
	require.Equal(t, "password", errorOf(t, rec).Field)

	rec = put(u, u, PasswordChange{Password: next, CurrentPassword: testPassword})
	require.Equal(t, http.StatusNoContent, rec.Code, "%s", rec.Body)
	require.True(t, passwordMatches(t, u, next))

	// An administrator resets another user's password without it ...
	admin := newUser(t, org.RoleAdministrator)
	rec = put(admin, u, PasswordChange{Password: "reset by the administrator"})
	require.Equal(t, http.StatusNoContent, rec.Code, "%s", rec.Body)
	require.True(t, passwordMatches(t, u, "reset by the administrator"))
	// ... but changes their own like anyone.
	rec = put(admin, admin, PasswordChange{Password: next})
	require.Equal(t, http.StatusBadRequest, rec.Code, "%s", rec.Body)
	require.Equal(t, "current_password", errorOf(t, rec).Field)
	rec = put(admin, admin, PasswordChange{Password: next, CurrentPassword: "not it at all"})
	require.Equal(t, http.StatusForbidden, rec.Code, "%s", rec.Body)
	rec = put(admin, admin, PasswordChange{Password: next, CurrentPassword: testPassword})
	require.Equal(t, http.StatusNoContent, rec.Code, "%s", rec.Body)

	// Someone else, not an administrator, is refused as before.
	other := newUser(t, org.RoleDepartmentMember)
	rec = put(other, u, PasswordChange{Password: next, CurrentPassword: testPassword})
	require.Equal(t, http.StatusForbidden, rec.Code, "%s", rec.Body)
}

// An account without a password has no current password to give.
func TestNoPasswordAccountCannotChangeItsOwn(t *testing.T) {
	h := testServer(t, &captureClient{}).Handler()
	u, err := needStore(t).CreateUser(context.Background(), org.User{
		ID: uuid.NewString(), Username: fmt.Sprintf("sso-%d", userSeq.Add(1)), Name: "单点登录", Department: "after-sales",
		Roles: []org.Role{org.RoleDepartmentMember},
	}, "")
	require.NoError(t, err)
	for _, current := range []string{"cxflow-timing-equaliser", " ", "anything at all"} {
		rec := serve(h, http.MethodPut, "/api/v1/users/"+u.ID+"/password", PasswordChange{Password: "a brand new secret 7", CurrentPassword: current},
			"Authorization", "Bearer "+newSession(t, u))
		require.Equal(t, http.StatusForbidden, rec.Code, "%q: %s", current, rec.Body)
	}
}

// The most common passwords are refused wherever a password is set, with a
// 400 naming password.
func TestCommonPasswordsAreRefused(t *testing.T) {
	h := testServer(t, &captureClient{}).Handler()
	admin := newUser(t, org.RoleAdministrator)
	target := newUser(t, org.RoleDepartmentMember)
	bearer := "Bearer " + newSession(t, admin)
	for _, pw := range []string{"1234567890", "qwertyuiop", "Woaini1314", "P@ssw0rd2026", "administrator1"} {
		rec := serve(h, http.MethodPost, "/api/v1/users", NewUser{User: org.User{
			Username: fmt.Sprintf("common-%d", userSeq.Add(1)), Name: "常见", Department: "after-sales", Roles: []org.Role{org.RoleDepartmentMember},
		}, Password: pw}, "Authorization", bearer)
		require.Equal(t, http.StatusBadRequest, rec.Code, "%s: %s", pw, rec.Body)
		require.Equal(t, "password", errorOf(t, rec).Field)

		rec = serve(h, http.MethodPut, "/api/v1/users/"+target.ID+"/password", PasswordChange{Password: pw}, "Authorization", bearer)
		require.Equal(t, http.StatusBadRequest, rec.Code, "%s: %s", pw, rec.Body)
		require.Equal(t, "password", errorOf(t, rec).Field)
	}
	require.True(t, passwordMatches(t, target, testPassword))
}

// An account whose stored hash is empty cannot be signed in to with any
// password — in particular not with the server's timing equaliser, whose
// hash stands in for missing ones.
func TestEmptyPasswordHashNeverSignsIn(t *testing.T) {
	h := testServer(t, &captureClient{}).Handler()
	u, err := needStore(t).CreateUser(context.Background(), org.User{
		ID: uuid.NewString(), Username: fmt.Sprintf("nopw-%d", userSeq.Add(1)), Name: "无密码", Department: "after-sales",
		Roles: []org.Role{org.RoleAdministrator},
	}, "")
	require.NoError(t, err)
	for _, pw := range []string{"cxflow-timing-equaliser", "x", testPassword} {
		rec := serve(h, http.MethodPost, "/api/v1/auth/login", LoginRequest{Username: u.Username, Password: pw})
		require.Equal(t, http.StatusUnauthorized, rec.Code, "%q: %s", pw, rec.Body)
	}
}

// Only administrators and internal auditors list the users; everyone else
// is refused.
func TestUserListIsForAdministrators(t *testing.T) {
	h := testServer(t, &captureClient{}).Handler()
	for _, r := range org.Roles {
		u := newUser(t, r)
		rec := serve(h, http.MethodGet, "/api/v1/users", nil, "Authorization", "Bearer "+newSession(t, u))
		if r != org.RoleAdministrator && r != org.RoleInternalAuditor {
			require.Equal(t, http.StatusForbidden, rec.Code, "%s: %s", r, rec.Body)
			require.NotContains(t, rec.Body.String(), u.Username, r)
			continue
		}
		require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
		var list struct {
			Items []map[string]any `json:"items"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))
		require.NotEmpty(t, list.Items)
		for _, field := range []string{"id", "username", "name", "department", "roles", "disabled", "created_at", "updated_at"} {
			require.Contains(t, list.Items[0], field)
		}
	}
}

// downTemporal is a Temporal client whose server does not answer.
type downTemporal struct{ client.Client }

func (downTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return nil, errors.New("connection error: desc = transport: Error while dialing: dial tcp 10.20.30.40:7233: connect: connection refused")
}

// /readyz tells anonymous callers ready or not ready and nothing else; the
// reasons are in the server log.
func TestReadyzTellsNoDetails(t *testing.T) {
	rec := serve(testServer(t, &captureClient{}).Handler(), http.MethodGet, "/readyz", nil)
	require.Equal(t, http.StatusOK, rec.Code)
	require.JSONEq(t, `{"status":"ready"}`, rec.Body.String())

	pool, err := pgxpool.New(context.Background(), "postgres://cxflow_app:s3cret@127.0.0.1:1/cxflow?connect_timeout=1")
	require.NoError(t, err)
	defer pool.Close()
	var logged bytes.Buffer
	s := New(downTemporal{}, store.New(pool), "cxflow-test", slog.New(slog.NewTextHandler(&logged, nil))).
		WithSecurity(Security{Links: testServer(t, &captureClient{}).security.Links, Codec: http.NotFoundHandler()})
	rec = serve(s.Handler(), http.MethodGet, "/readyz", nil)
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.JSONEq(t, `{"status":"not ready"}`, rec.Body.String())
	for _, secret := range []string{"10.20.30.40", "127.0.0.1", "cxflow_app", "dial", "connect"} {
		require.NotContains(t, rec.Body.String(), secret)
	}
	require.Contains(t, logged.String(), "10.20.30.40:7233", "the Temporal error is logged")
	require.Contains(t, logged.String(), "127.0.0.1", "the PostgreSQL error is logged")
}
