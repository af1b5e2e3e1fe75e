package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/cxflow/cxflow/console"
)

// securityHeaders are sent with every answer: the API serves JSON, never
// pages to frame or scripts to run.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cross-Origin-Resource-Policy", "same-site")
		if c.Request.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		c.Next()
	}
}

// limiter is a token bucket per client address, for sign-in and public links:
// enough for people, too little for guessing.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	clients map[string]*bucket
	swept   time.Time
	// page, when set, answers a refused browser request with a page.
	page func(c *gin.Context, status int)
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

// pageFor lets the limiter answer browsers with a console page.
func (l *limiter) pageFor(page func(c *gin.Context, status int)) {
	if l != nil {
		l.page = page
	}
}

func newLimiter(perMinute, burst int) *limiter {
	return &limiter{every: rate.Limit(float64(perMinute) / 60), burst: burst, clients: map[string]*bucket{}}
}

func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Forget quiet clients now and then, so the map cannot grow without bound.
	if now.Sub(l.swept) > time.Minute {
		for k, c := range l.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c, ok := l.clients[key]
	if !ok {
		c = &bucket{l: rate.NewLimiter(l.every, l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	return c.l.AllowN(now, 1)
}

func (l *limiter) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !l.allow(c.ClientIP(), time.Now()) {
			c.Header("Retry-After", "60")
			if l.page != nil && console.WantsHTML(c.Request) {
				// A person at a browser gets a page, not JSON.
				l.page(c, http.StatusTooManyRequests)
				c.Abort()
				return
			}
			abort(c, http.StatusTooManyRequests, "too many attempts from this address; wait a minute", "")
			return
		}
		c.Next()
	}
}
