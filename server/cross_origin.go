package server

import (
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// A browser attaches the session cookie to any request a page sends to us,
// whichever site the page came from (SameSite=Lax does not stop a same-site
// origin such as the Temporal Web UI on another port, nor every top-level
// POST), and a "simple" cross-site request (a text/plain body) needs no CORS
// preflight. So a state-changing request that the cookie authenticates must
// come from our own origin (Sec-Fetch-Site, else Origin against Host: Go's
// CrossOriginProtection), and one to the JSON API must declare its body's
// type, which a cross-site form cannot. Requests with an Authorization header
// are not affected: no browser adds that header by itself.

// bodyTypes are the media types an API route's body may declare; JSON unless
// listed.
var bodyTypes = map[string][]string{
	"/api/v1/customers/import":  {"text/csv"},
	"/api/v1/customers/volumes": {"text/csv"},
}

// crossOrigin refuses a cookie-authenticated request from another origin
// (403) and, on the API, one whose body does not declare its type (415).
// publicURL, the address people reach us at, is trusted as an origin even
// when a proxy changes the Host header. The payload codec answers the
// Temporal Web UI (codecOrigin) with the user's cookie by design: decoding
// changes nothing, and only that origin may read the answer (its CORS).
func crossOrigin(publicURL, codecOrigin string) gin.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	if u, err := url.Parse(publicURL); err == nil && u.Scheme != "" && u.Host != "" {
		_ = cop.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	return func(c *gin.Context) {
		if c.GetHeader("Authorization") != "" {
			c.Next()
			return
		}
		if ck, err := c.Cookie(SessionCookie); err != nil || ck == "" {
			c.Next()
			return
		}
		if codecOrigin != "" && c.GetHeader("Origin") == codecOrigin && strings.HasPrefix(c.Request.URL.Path, "/api/v1/codec/") {
			c.Next()
			return
		}
		if err := cop.Check(c.Request); err != nil {
			abort(c, http.StatusForbidden, "cross-origin request refused: a request signed in by the session cookie must come from cxflow's own pages; "+
				"other programs send Authorization: Bearer <token>", "")
			return
		}
		if !strings.HasPrefix(c.Request.URL.Path, "/api/") || !hasBody(c.Request) {
			c.Next()
			return
		}
		want := bodyTypes[c.FullPath()]
		if want == nil {
			want = []string{"application/json"}
		}
		mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
		for _, w := range want {
			if err == nil && mt == w {
				c.Next()
				return
			}
		}
		abort(c, http.StatusUnsupportedMediaType, "Content-Type must be "+strings.Join(want, " or ")+" for a request with a body", "Content-Type")
	}
}

// hasBody reports whether a request carries a body; a POST without one (an
// action that takes no input) needs no type.
func hasBody(r *http.Request) bool {
	return r.ContentLength > 0 || (r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody)
}
