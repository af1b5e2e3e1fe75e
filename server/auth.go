package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/console"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/store"
)

// SessionCookie carries the session token for the web console.
const SessionCookie = "cxflow_session"

const principalKey = "cxflow.principal"

// principal is the signed-in user behind a request.
type principal struct {
	user  org.User
	token store.Token
}

func (p principal) actor() complaint.Actor {
	a := complaint.Actor{ID: p.user.ID, Name: p.user.Name, Roles: p.user.Roles, Department: p.user.Department}
	if len(p.user.Roles) > 0 {
		a.Role = string(p.user.Roles[0])
	}
	return a
}

// actor is the caller as the workflows see it; the zero Actor on public routes.
func actor(c *gin.Context) complaint.Actor {
	if p, ok := c.Get(principalKey); ok {
		return p.(principal).actor()
	}
	return complaint.Actor{}
}

func bearer(c *gin.Context) string {
	if h := c.GetHeader("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	if ck, err := c.Cookie(SessionCookie); err == nil {
		return ck
	}
	return ""
}

// authenticate requires a live session or API token: 401 otherwise.
func (s *Server) authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		tok := bearer(c)
		if tok == "" {
			c.Header("WWW-Authenticate", `Bearer realm="cxflow"`)
			abort(c, http.StatusUnauthorized, "sign in first: send Authorization: Bearer <token> (POST /api/v1/auth/login gives one)", "")
			return
		}
		u, t, err := s.store.Authenticate(c, auth.HashToken(tok), s.now())
		if errors.Is(err, store.ErrTokenInvalid) {
			c.Header("WWW-Authenticate", `Bearer realm="cxflow", error="invalid_token"`)
			abort(c, http.StatusUnauthorized, "the token is unknown, expired or revoked; sign in again", "")
			return
		}
		if err != nil {
			s.internal(c, "check the token", err)
			return
		}
		c.Set(principalKey, principal{user: u, token: t})
		c.Next()
	}
}

// requireRole lets through holders of any of the roles; 403 with the reason otherwise.
func requireRole(what string, roles ...org.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		a := actor(c)
		for _, r := range roles {
			if a.Has(r) {
				c.Next()
				return
			}
		}
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = string(r)
		}
		abort(c, http.StatusForbidden, what+" is for: "+strings.Join(names, ", "), "")
	}
}

// may refuses, before anything is read, an actor the application's
// permission table (app.Who) does not allow op: the rule is declared once,
// in package app, which checks it again itself.
func (s *Server) may(op app.Op) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := app.Authorize(actor(c), op); err != nil {
			s.fail(c, string(op), err)
			return
		}
		c.Next()
	}
}

// secureCookies tells whether cookies must be Secure: whenever people reach
// cxflow over https (CXFLOW_PUBLIC_URL), whatever the hop to this process
// was, or the request itself came over TLS.
func (s *Server) secureCookies(c *gin.Context) bool {
	return strings.HasPrefix(s.security.PublicURL, "https://") || c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"
}

// clearSessionCookie tells the browser to drop its session cookie.
func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secureCookies(c), SameSite: http.SameSiteLaxMode})
}

// LoginRequest signs a user in.
type LoginRequest struct {
	Username string `json:"username" doc:"Not case-sensitive; surrounding spaces are ignored."`
	Password string `json:"password"`
}

// Session is a signed-in session's token.
type Session struct {
	Token     string    `json:"token" doc:"The session token (cxs_…): send it as Authorization: Bearer <token>. Browsers also get it as the cxflow_session cookie."`
	ExpiresAt time.Time `json:"expires_at" doc:"When the session ends; sign in again then."`
	User      org.User  `json:"user"`
}

// dummyHash makes an unknown username cost as much as a wrong password, so
// response times do not tell which usernames exist.
var dummyHash, _ = auth.HashPassword("cxflow-timing-equaliser")

func (s *Server) login(c *gin.Context) {
	var in LoginRequest
	if !bindJSON(c, &in, "") {
		return
	}
	if in.Username == "" {
		abort(c, http.StatusBadRequest, "username is required", "username")
		return
	}
	if in.Password == "" {
		abort(c, http.StatusBadRequest, "password is required", "password")
		return
	}
	u, err := s.signIn(c, in.Username, in.Password)
	var delayed *SignInDelayed
	switch {
	case errors.As(err, &delayed):
		c.Header("Retry-After", strconv.Itoa(delayed.seconds()))
		abort(c, http.StatusTooManyRequests, delayed.Error(), "")
		return
	case errors.Is(err, console.ErrBadLogin):
		// One answer to every failed sign-in: it does not say whether the username exists.
		abort(c, http.StatusUnauthorized, console.ErrBadLogin.Error(), "")
		return
	case err != nil:
		s.internal(c, "sign in", err)
		return
	}
	token, t, err := s.startSession(c, u, "")
	if err != nil {
		s.internal(c, "sign in", err)
		return
	}
	c.JSON(http.StatusOK, Session{Token: token, ExpiresAt: t.ExpiresAt, User: u})
}

// checkCredentials reports whether the username and password belong to an
// enabled account, and answers it. An unknown username costs as much as a
// wrong password, so response times do not tell which usernames exist.
func (s *Server) checkCredentials(c *gin.Context, username, password string) (org.User, bool, error) {
	c.Set(auditUserKey, username)
	u, hash, err := s.store.Credentials(c, strings.ToLower(strings.TrimSpace(username)))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return u, false, err
	}
	found := err == nil
	if !found || hash == "" {
		hash = dummyHash
	}
	ok, herr := auth.CheckPassword(hash, password)
	if herr != nil {
		s.log.Error("unreadable password hash", "user", u.Username, "err", herr)
	}
	return u, found && ok && !u.Disabled, nil
}

// startSession signs u in: a new session token (named name), the session
// cookie, and u as the request's principal.
func (s *Server) startSession(c *gin.Context, u org.User, name string) (string, store.Token, error) {
	token, tokHash, err := auth.NewToken(auth.SessionPrefix)
	if err != nil {
		return "", store.Token{}, err
	}
	t, err := s.store.CreateToken(c, store.Token{
		ID: uuid.NewString(), UserID: u.ID, Kind: "session", Name: name, ExpiresAt: s.now().Add(s.security.SessionTTL),
	}, tokHash)
	if err != nil {
		return "", store.Token{}, err
	}
	c.Set(principalKey, principal{user: u, token: t})
	http.SetCookie(c.Writer, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", Expires: t.ExpiresAt,
		HttpOnly: true, Secure: s.secureCookies(c), SameSite: http.SameSiteLaxMode,
	})
	return token, t, nil
}

func (s *Server) logout(c *gin.Context) {
	p := c.MustGet(principalKey).(principal)
	if err := s.store.RevokeToken(c, p.token.ID); err != nil {
		s.internal(c, "sign out", err)
		return
	}
	s.clearSessionCookie(c)
	c.Status(http.StatusNoContent)
}

// Me is the signed-in user with what their roles mean.
type Me struct {
	User       org.User       `json:"user"`
	Department org.Department `json:"department" doc:"The user's department."`
	ReadsAll   bool           `json:"reads_all"`
}

func (s *Server) me(c *gin.Context) {
	p := c.MustGet(principalKey).(principal)
	d, err := s.store.Department(c, p.user.Department)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internal(c, "read the department", err)
		return
	}
	c.JSON(http.StatusOK, Me{User: p.user, Department: d, ReadsAll: complaint.CanReadAll(p.actor())})
}

// APITokenRequest asks for a machine client's token.
type APITokenRequest struct {
	Name      string `json:"name" doc:"What the token is for, e.g. erp-integration; not blank."`
	UserID    string `json:"user_id" doc:"The ID of the (service) user the token acts as; the token has that user's roles."`
	ExpiresIn string `json:"expires_in" doc:"How long the token lasts: a positive Go duration up to 17520h (two years), e.g. 2160h. 2160h (90 days) when absent."`
}

// APIToken is a new API token; the token itself is shown only this once.
type APIToken struct {
	store.Token
	Secret string `json:"token" doc:"The API token itself (cxa_…), shown only in this response: store it now. Send it as Authorization: Bearer <token>."`
}

// createAPIToken creates a machine client's token (app.CreateAPIToken).
func (s *Server) createAPIToken(c *gin.Context) {
	var in APITokenRequest
	if !bindJSON(c, &in, "") {
		return
	}
	t, err := s.app.CreateAPIToken(c, actor(c), app.APITokenRequest{Name: in.Name, UserID: in.UserID, ExpiresIn: in.ExpiresIn})
	if err != nil {
		s.fail(c, "create the token", err)
		return
	}
	c.JSON(http.StatusCreated, APIToken{Token: t.Token, Secret: t.Secret})
}

// TokenList is the API tokens, without their secrets.
type TokenList struct {
	Items []store.Token `json:"items"`
}

func (s *Server) listAPITokens(c *gin.Context) {
	list, err := s.app.APITokens(c, actor(c))
	if err != nil {
		s.fail(c, "list tokens", err)
		return
	}
	c.JSON(http.StatusOK, TokenList{Items: list})
}

func (s *Server) revokeAPIToken(c *gin.Context) {
	if err := s.app.RevokeAPIToken(c, actor(c), c.Param("id")); err != nil {
		s.fail(c, "revoke the token", err)
		return
	}
	c.Status(http.StatusNoContent)
}
