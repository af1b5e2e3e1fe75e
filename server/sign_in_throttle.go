package server

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/console"
	"github.com/cxflow/cxflow/org"
)

// SignInThrottle is how failed sign-ins are slowed down, as OWASP advises:
// per account, with delays that grow, against guessing one account's
// password from many addresses; per address, generously, against spraying
// many accounts from one, while the colleagues of an office behind one
// address still sign in. Successes are not counted. The counts are kept in
// PostgreSQL, so every API server agrees.
type SignInThrottle struct {
	// AccountFreeFailures is how many failures an account takes before each
	// further one blocks it, for AccountDelay, doubling up to AccountMaxDelay.
	AccountFreeFailures int
	AccountDelay        time.Duration
	AccountMaxDelay     time.Duration
	// AddressFailures within AddressWindow block the address for the rest of
	// the window.
	AddressFailures int
	AddressWindow   time.Duration
	// AccountWindow: an account's failures older than this are forgotten.
	AccountWindow time.Duration
}

// DefaultSignInThrottle: five free failures, then 30 s, 1 min, 2 min … up to
// 15 min per account; 100 failures per address in 15 minutes.
var DefaultSignInThrottle = SignInThrottle{
	AccountFreeFailures: 5, AccountDelay: 30 * time.Second, AccountMaxDelay: 15 * time.Minute, AccountWindow: 24 * time.Hour,
	AddressFailures: 100, AddressWindow: 15 * time.Minute,
}

// SignInDelayed refuses a sign-in while its account or address is blocked.
type SignInDelayed struct{ RetryAfter time.Duration }

func (e *SignInDelayed) Error() string {
	return fmt.Sprintf("too many failed sign-ins for this account or from this address; try again in %d seconds", e.seconds())
}

func (e *SignInDelayed) seconds() int { return max(1, int(math.Ceil(e.RetryAfter.Seconds()))) }

func accountKey(username string) string {
	return "account:" + strings.ToLower(strings.TrimSpace(username))
}
func addressKey(c *gin.Context) string { return "address:" + c.ClientIP() }

// accountBlock is how long an account with n failures is refused.
func (t SignInThrottle) accountBlock(n int) time.Duration {
	over := n - t.AccountFreeFailures
	if over <= 0 {
		return 0
	}
	d := t.AccountDelay << min(over-1, 20)
	return min(d, t.AccountMaxDelay)
}

// addressBlock is how long an address with n failures in its window is refused.
func (t SignInThrottle) addressBlock(n int) time.Duration {
	if n < t.AddressFailures {
		return 0
	}
	return t.AddressWindow
}

// signIn checks the credentials under the throttle: a blocked account or
// address is refused before any password is hashed; a failure is counted
// for both, a success clears the account's count.
func (s *Server) signIn(c *gin.Context, username, password string) (org.User, error) {
	now := s.now()
	account, address := accountKey(username), addressKey(c)
	until, err := s.store.SignInBlockedUntil(c, []string{account, address}, now)
	if err != nil {
		return org.User{}, err
	}
	if !until.IsZero() {
		c.Set(auditUserKey, username)
		return org.User{}, &SignInDelayed{RetryAfter: until.Sub(now)}
	}
	u, ok, err := s.checkCredentials(c, username, password)
	if err != nil {
		return u, err
	}
	// Counted even if the client goes away: the attempt was made.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c), 5*time.Second)
	defer cancel()
	t := s.throttle
	if ok {
		return u, s.store.ClearSignInFailures(ctx, account)
	}
	if _, err := s.store.RecordSignInFailure(ctx, account, now, t.AccountWindow, t.accountBlock); err != nil {
		return u, err
	}
	if _, err := s.store.RecordSignInFailure(ctx, address, now, t.AddressWindow, t.addressBlock); err != nil {
		return u, err
	}
	return u, console.ErrBadLogin
}
