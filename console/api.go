package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Call is a request to the JSON API, made in-process on behalf of the
// signed-in user (or, on a public page, of the link's holder): the same
// routes, permissions, validation and audit as any API client gets.
type Call struct {
	Method, Path string
	Body         []byte
	Header       http.Header
}

// Answer is the API's response to a Call.
type Answer struct {
	Status int
	Body   []byte
	Header http.Header
}

// refusal is the API's error answer as a Refusal, its message in the
// language (apiWords), or nil for a success.
func (a Answer) refusal(lang string) *Refusal {
	if a.Status < 400 {
		return nil
	}
	var e struct {
		Error string `json:"error"`
		Field string `json:"field"`
	}
	_ = json.Unmarshal(a.Body, &e)
	return &Refusal{Status: a.Status, Message: apiWords(lang, e.Error), Field: e.Field}
}

// getJSON reads an API resource into out.
func (cs *Console) getJSON(c *gin.Context, path string, out any) *Refusal {
	return cs.sendJSON(c, http.MethodGet, path, nil, out, nil)
}

// sendJSON calls the API with in as the JSON body (none when nil) and
// decodes a successful answer into out (ignored when nil).
func (cs *Console) sendJSON(c *gin.Context, method, path string, in, out any, header http.Header) *Refusal {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return &Refusal{Status: http.StatusInternalServerError, Message: fmt.Sprintf("encode %s %s: %v", method, path, err)}
		}
	}
	a := cs.b.API(c, Call{Method: method, Path: path, Body: body, Header: header})
	if r := a.refusal(lang(c)); r != nil {
		return r
	}
	if out != nil && len(bytes.TrimSpace(a.Body)) > 0 {
		if err := json.Unmarshal(a.Body, out); err != nil {
			return &Refusal{Status: http.StatusInternalServerError, Message: fmt.Sprintf("decode %s %s: %v", method, path, err)}
		}
	}
	return nil
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
