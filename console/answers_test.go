package console

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// jsonAnswer is an API answer with v as its JSON body.
func jsonAnswer(t *testing.T, status int, v any) Answer {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return Answer{Status: status, Body: b}
}

// refusalAnswer is the API's error answer.
func refusalAnswer(status int, msg, field string) Answer {
	b, _ := json.Marshal(map[string]string{"error": msg, "field": field})
	return Answer{Status: status, Body: b}
}

// noMissing fails on an untranslated string.
func noMissing(t *testing.T, what, body string) {
	t.Helper()
	if strings.Contains(body, Missing) {
		t.Errorf("%s: untranslated %s", what, regexp.MustCompile(Missing+`[^⟧]*`).FindString(body))
	}
}

// do sends a request to the console, signed in (as the fake's actor) or as
// a customer with no session, and does not follow redirects.
func do(t *testing.T, srv *httptest.Server, method, path string, form url.Values, lang string, signedIn bool) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if signedIn {
		req.AddCookie(&http.Cookie{Name: "s", Value: "u"})
	}
	req.AddCookie(&http.Cookie{Name: LangCookie, Value: lang})
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
