package server

import (
	"errors"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/console"
	"github.com/cxflow/cxflow/store"
)

// consoleSessions gives the web console the API's sign-in: the same
// sessions, cookie and audit of failed attempts.
type consoleSessions struct{ s *Server }

var _ console.Sessions = consoleSessions{}

// consoleFirst lets the console answer a browser at an address the JSON API
// holds too (the customers' /public/… links); programs get the JSON handler.
func (s *Server) consoleFirst(cs *console.Console) gin.HandlerFunc {
	return func(c *gin.Context) {
		if console.WantsHTML(c.Request) && cs.Serve(c) {
			c.Abort()
			return
		}
		c.Next()
	}
}

func (cs consoleSessions) SignIn(c *gin.Context, username, password string) error {
	u, err := cs.s.signIn(c, username, password)
	var delayed *SignInDelayed
	switch {
	case errors.As(err, &delayed):
		c.Set(auditErrorKey, delayed.Error())
		c.Header("Retry-After", strconv.Itoa(delayed.seconds()))
		return console.ErrSignInDelayed
	case errors.Is(err, console.ErrBadLogin):
		c.Set(auditErrorKey, console.ErrBadLogin.Error())
		return err
	case err != nil:
		return err
	}
	_, _, err = cs.s.startSession(c, u, "")
	return err
}

func (cs consoleSessions) SignOut(c *gin.Context) {
	if _, ok, err := cs.Who(c); ok && err == nil {
		p := c.MustGet(principalKey).(principal)
		if err := cs.s.store.RevokeToken(c, p.token.ID); err != nil {
			cs.s.log.Error("sign out", "err", err)
		}
	}
	cs.s.clearSessionCookie(c)
}

// Who checks the session cookie once per request and keeps the principal
// for the audit trail.
func (cs consoleSessions) Who(c *gin.Context) (console.User, bool, error) {
	ck, err := c.Cookie(SessionCookie)
	if err != nil || ck == "" {
		return console.User{}, false, nil
	}
	u, t, err := cs.s.store.Authenticate(c, auth.HashToken(ck), cs.s.now())
	if errors.Is(err, store.ErrTokenInvalid) {
		return console.User{}, false, nil
	}
	if err != nil {
		return console.User{}, false, err
	}
	p := principal{user: u, token: t}
	c.Set(principalKey, p)
	return console.User{Name: u.Name, Actor: p.actor()}, true, nil
}
