package console

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/org"
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

// match finds the route for the method and path and its params. Where two
// patterns match, the one with more literal segments wins
// ("/complaints/new" over "/complaints/:id").
func match(routes []route, method, path string) (*route, gin.Params) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best *route
	var bestParams gin.Params
	bestLit := -1
	for i := range routes {
		r := &routes[i]
		if r.method != method {
			continue
		}
		ps := strings.Split(strings.Trim(r.pattern, "/"), "/")
		if len(ps) != len(segs) {
			continue
		}
		lit, ok := 0, true
		var params gin.Params
		for j, p := range ps {
			switch {
			case strings.HasPrefix(p, ":"):
				if segs[j] == "" {
					ok = false
				}
				params = append(params, gin.Param{Key: p[1:], Value: segs[j]})
			case p == segs[j]:
				lit++
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok && lit > bestLit {
			best, bestParams, bestLit = r, params, lit
		}
	}
	return best, bestParams
}

// chain is the handlers a matched route runs: form posts are checked for
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

// hasAny reports whether the actor holds any of the roles (the areas'
// menu entries mirror the API's role checks with it).
func hasAny(a complaint.Actor, roles []org.Role) bool {
	return slices.ContainsFunc(roles, a.Has)
}
