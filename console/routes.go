package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/complaint"
)

// route is one console page. Patterns are paths whose ":name" segments
// become gin params: "/surveys/cycles/:id".
type route struct {
	method  string // http.MethodGet or http.MethodPost
	pattern string
	// public pages need no sign-in (a customer's survey link).
	public bool
	handle gin.HandlerFunc
}

// area is one part of the console: its pages and its entry in the menu.
// Each area registers itself from its own file, so areas grow independently.
type area struct {
	name string
	// routes lists the area's pages.
	routes func(cs *Console) []route
	// nav is the menu entry: a message key and a path, shown to those whom
	// allowed lets in (nil: no menu entry).
	nav     string
	href    string
	allowed func(a complaint.Actor) bool
	// order places the entry in the menu.
	order int
}

var areas []area

// register adds an area; the menu is ordered by area.order.
func register(a area) {
	areas = append(areas, a)
	slices.SortStableFunc(areas, func(x, y area) int { return x.order - y.order })
}

// navItem is one menu entry.
type navItem struct {
	Key, Href string
	Active    bool
}

// menu lists the entries the actor may see; the one whose address is the
// longest match of the path is marked active.
func menu(a complaint.Actor, path string) []navItem {
	var out []navItem
	active, best := -1, 0
	for _, ar := range areas {
		if ar.nav == "" || (ar.allowed != nil && !ar.allowed(a)) {
			continue
		}
		if (path == ar.href || (ar.href != "/" && strings.HasPrefix(path, ar.href+"/"))) && len(ar.href) > best {
			active, best = len(out), len(ar.href)
		}
		out = append(out, navItem{Key: ar.nav, Href: ar.href})
	}
	if active >= 0 {
		out[active].Active = true
	}
	return out
}

// Page is one console page as the server registers it: a Gin route whose
// handlers never call c.Next(), so that where the JSON API answers programs
// at the same address (a customer's /public/ link), the API's handler can
// run the page's handlers for browsers and stop.
type Page struct {
	Method, Path string
	Handlers     gin.HandlersChain
}

// Pages are the console's routes. The server registers those no API route
// holds; Serve runs the others for browsers.
func (cs *Console) Pages() []Page {
	h := cs.headers()
	out := []Page{
		{http.MethodGet, "/static/*file", gin.HandlersChain{cs.static}},
		{http.MethodGet, "/login", gin.HandlersChain{h, cs.loginPage}},
		{http.MethodPost, "/login", gin.HandlersChain{h, cs.sameOrigin, cs.loginPost}},
		{http.MethodPost, "/logout", gin.HandlersChain{h, cs.sameOrigin, cs.logout}},
	}
	for i := range cs.routes {
		r := &cs.routes[i]
		out = append(out, Page{r.method, r.pattern, append(gin.HandlersChain{h}, cs.chain(r)...)})
	}
	return out
}

// Serve runs the page at the request's route, for a browser at an address
// the JSON API holds too, and reports whether there is one.
func (cs *Console) Serve(c *gin.Context) bool {
	i, ok := cs.byRoute[c.Request.Method+" "+c.FullPath()]
	if !ok {
		return false
	}
	for _, h := range append(gin.HandlersChain{cs.headers()}, cs.chain(&cs.routes[i])...) {
		h(c)
		if c.IsAborted() {
			break
		}
	}
	return true
}

// chain is the handlers a route runs: form posts are checked for
// their origin, private pages for a session.
func (cs *Console) chain(r *route) []gin.HandlerFunc {
	var h []gin.HandlerFunc
	if r.method == http.MethodPost {
		h = append(h, cs.sameOrigin)
	}
	if !r.public {
		h = append(h, cs.signedIn)
	}
	return append(h, r.handle)
}

// refuse renders a refusal as the error page.
func (cs *Console) refuse(c *gin.Context, r *Refusal) {
	p := cs.base(c, "error.title")
	p.Error = explain(p.Lang, r)
	cs.render(c, r.Status, "error.html", p)
}

// WantsHTML reports whether a request comes from a browser page rather than
// an API client: a GET that accepts HTML, or a form post. Customers' links
// (/public/…) answer browsers with the console's pages and API clients
// with JSON, at the same address.
func WantsHTML(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return strings.Contains(r.Header.Get("Accept"), "text/html")
	case http.MethodPost:
		ct := r.Header.Get("Content-Type")
		return strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")
	}
	return false
}

// Status renders the error page of an HTTP status the server decided on
// before any console handler ran (429 from the rate limits).
func (cs *Console) Status(c *gin.Context, status int) {
	cs.headers()(c)
	cs.refuse(c, &Refusal{Status: status})
}
