package integration

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/server"
)

// fakeIdP is a minimal OpenID provider: discovery, keys and a token endpoint
// that answers with an ID token for whoever the test says signed in.
type fakeIdP struct {
	srv  *httptest.Server
	key  *rsa.PrivateKey
	mu   sync.Mutex
	user string
	// nonce is what the ID token carries; normally the one from the sign-in request.
	nonce string
}

func newFakeIdP(t *testing.T) *fakeIdP {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	f := &fakeIdP{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": f.srv.URL, "authorization_endpoint": f.srv.URL + "/authorize",
			"token_endpoint": f.srv.URL + "/token", "jwks_uri": f.srv.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported":              []string{"code"}, "subject_types_supported": []string{"public"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.FormValue("code") != "good-code" {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		claims, _ := json.Marshal(map[string]any{
			"iss": f.srv.URL, "sub": "idp-" + f.user, "aud": "cxflow", "iat": time.Now().Unix(),
			"exp": time.Now().Add(time.Hour).Unix(), "nonce": f.nonce, "preferred_username": f.user,
		})
		jws, err := signer.Sign(claims)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		idt, _ := jws.CompactSerialize()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "id_token": idt})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func TestOpenIDConnectSignIn(t *testing.T) {
	idp := newFakeIdP(t)
	o, err := server.NewOIDC(context.Background(), server.OIDCConfig{
		Issuer: idp.srv.URL, ClientID: "cxflow", ClientSecret: "secret", RedirectURL: "http://cxflow.test/api/v1/auth/oidc/callback",
	})
	require.NoError(t, err)
	apiSrv := httptest.NewServer(newAPI(taskQueue).WithOIDC(o).Handler())
	defer apiSrv.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// start returns the provider's URL (with state and nonce) and the nonce cookie.
	start := func() (state, nonce string, cookie *http.Cookie) {
		resp, err := noRedirect.Get(apiSrv.URL + "/api/v1/auth/oidc/login")
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusFound, resp.StatusCode)
		loc, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		require.Equal(t, idp.srv.URL+"/authorize", loc.Scheme+"://"+loc.Host+loc.Path)
		for _, c := range resp.Cookies() {
			if c.Name == "cxflow_oidc" {
				cookie = c
			}
		}
		require.NotNil(t, cookie)
		return loc.Query().Get("state"), loc.Query().Get("nonce"), cookie
	}
	finish := func(state, code string, cookie *http.Cookie) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, apiSrv.URL+"/api/v1/auth/oidc/callback?code="+code+"&state="+url.QueryEscape(state), nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := noRedirect.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var b json.RawMessage
		json.NewDecoder(resp.Body).Decode(&b)
		return resp.StatusCode, b
	}

	state, nonce, cookie := start()
	idp.user, idp.nonce = "quality", nonce
	status, body := finish(state, "good-code", cookie)
	require.Equal(t, http.StatusOK, status, "%s", body)
	var sess struct {
		Token string `json:"token"`
		User  struct {
			Username string `json:"username"`
		} `json:"user"`
	}
	require.NoError(t, json.Unmarshal(body, &sess))
	require.Equal(t, "quality", sess.User.Username)
	r := call(t, apiSrv.URL, http.MethodGet, "/api/v1/auth/me", nil, "Authorization", "Bearer "+sess.Token)
	require.Equal(t, http.StatusOK, r.status)

	// Refusals: unknown user, a replayed or foreign state, a wrong nonce, a bad code.
	state, nonce, cookie = start()
	idp.user, idp.nonce = "stranger", nonce
	status, _ = finish(state, "good-code", cookie)
	require.Equal(t, http.StatusForbidden, status, "only existing cxflow users sign in")

	state, nonce, cookie = start()
	idp.user, idp.nonce = "quality", nonce
	status, _ = finish(state, "good-code", nil)
	require.Equal(t, http.StatusUnauthorized, status, "a callback without the browser's cookie")
	status, _ = finish("forged", "good-code", cookie)
	require.Equal(t, http.StatusUnauthorized, status, "a forged state")
	idp.nonce = "another-nonce"
	status, _ = finish(state, "good-code", cookie)
	require.Equal(t, http.StatusUnauthorized, status, "an ID token for another sign-in")
	idp.nonce = nonce
	status, _ = finish(state, "bad-code", cookie)
	require.Equal(t, http.StatusUnauthorized, status, "a code the provider rejects")

	// Not configured: the routes say so.
	resp, err := noRedirect.Get(stack.api.URL + "/api/v1/auth/oidc/login")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}
