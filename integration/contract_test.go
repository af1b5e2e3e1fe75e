package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	legacyrouter "github.com/getkin/kin-openapi/routers/legacy"
)

// Every call the tests make through call (api, as, anonymous, ...) is checked
// against the OpenAPI document the stack serves at GET /openapi.json: a call
// to a documented path must send a request the document allows (when the API
// accepted it) and get a response the document lists, with its status,
// headers and body; an /api/ operation the API answers with a success must be
// in the document. Other paths the document does not have (console pages,
// /static) are not checked, nor are calls made around call (the console's
// browser pages, e.g. /public/... answered as HTML).

const contentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func init() {
	// The CSV downloads hold several tables of different widths, the imports
	// may be malformed on purpose: both are documented as strings, so neither
	// is parsed as CSV. Workbooks are binary strings.
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder(contentTypeXLSX, openapi3filter.FileBodyDecoder)
}

// contract is the served document and a router over it, loaded on first use.
var contract struct {
	once   sync.Once
	err    error
	doc    *openapi3.T
	router routers.Router
}

// loadContract reads the document the shared test server serves, checks it
// is a valid OpenAPI document and builds a router over it.
func loadContract() (routers.Router, error) {
	contract.once.Do(func() {
		contract.err = func() error {
			resp, err := http.Get(stack.api.URL + "/openapi.json")
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET /openapi.json: %d %s", resp.StatusCode, raw)
			}
			loader := openapi3.NewLoader()
			doc, err := loader.LoadFromData(raw)
			if err != nil {
				return fmt.Errorf("loading the document: %w", err)
			}
			if err := doc.Validate(loader.Context); err != nil {
				return fmt.Errorf("the document is not valid: %w", err)
			}
			// The document's server is "/", the host serving it, which the
			// router cannot match against a full URL: it routes by path alone,
			// whichever test server a call went to.
			routed := *doc
			routed.Servers = nil
			router, err := legacyrouter.NewRouter(&routed)
			if err != nil {
				return fmt.Errorf("routing the document: %w", err)
			}
			contract.doc, contract.router = doc, router
			return nil
		}()
	})
	return contract.router, contract.err
}

// exchange is one HTTP call as the tests made it.
type exchange struct {
	method, url string
	reqHeader   http.Header
	reqBody     []byte
	status      int
	respHeader  http.Header
	respBody    []byte
}

// checkContract reports, with t.Errorf, every way ex departs from the document.
func checkContract(t *testing.T, ex exchange) {
	t.Helper()
	router, err := loadContract()
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	for _, msg := range contractErrors(router, ex) {
		t.Errorf("contract: %s %s answered %d: %s", ex.method, ex.url, ex.status, msg)
	}
}

// contractErrors validates ex against the document behind router. A path the
// document does not have yields nothing. The request is held against the
// document only when the API accepted it (a status below 400): tests send
// invalid requests on purpose, and the API refusing one is what the
// document promises.
func contractErrors(router routers.Router, ex exchange) []string {
	req, err := http.NewRequest(ex.method, ex.url, bytes.NewReader(ex.reqBody))
	if err != nil {
		return []string{err.Error()}
	}
	req.Header = ex.reqHeader.Clone()
	route, pathParams, err := router.FindRoute(req)
	if err != nil {
		var re *routers.RouteError
		if errors.As(err, &re) && (re.Reason == routers.ErrPathNotFound.Error() || re.Reason == routers.ErrMethodNotAllowed.Error()) {
			// An API operation that answers yet is not in the document is
			// a gap in it; a refusal (an unknown path's 404) is not.
			if strings.HasPrefix(req.URL.Path, "/api/") && ex.method != http.MethodOptions && ex.status < 400 {
				return []string{"the document has no such operation (" + re.Reason + ")"}
			}
			return nil
		}
		return []string{"finding the route: " + err.Error()}
	}
	opts := &openapi3filter.Options{
		MultiError:            true,
		IncludeResponseStatus: true,
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc, // tested elsewhere
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.EnableFormatValidation(),
			openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
			openapi3.DisableSchemaErrorDetails(), // a failure names the field and the reason only
		},
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route, Options: opts}
	var out []string
	ctx := context.Background()
	if ex.status < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			out = append(out, "request: "+flatten(err))
		}
	}
	resp := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: ex.status, Header: ex.respHeader, Options: opts,
	}
	resp.SetBodyBytes(ex.respBody)
	if err := openapi3filter.ValidateResponse(ctx, resp); err != nil {
		out = append(out, "response: "+flatten(err))
	}
	return out
}

// flatten writes a (multi) error on one line per cause.
func flatten(err error) string {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		parts := make([]string, 0, len(me))
		for _, e := range me {
			parts = append(parts, flatten(e))
		}
		return strings.Join(parts, "; ")
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

// TestContractCheckCanFail shows the check is not vacuous: responses and
// requests the document does not allow are reported, an allowed one is not,
// and undocumented paths are left alone.
func TestContractCheckCanFail(t *testing.T) {
	router, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	base := stack.api.URL
	jsonHeader := http.Header{"Content-Type": []string{"application/json"}}
	get := func(path string, status int, body string) exchange {
		return exchange{method: http.MethodGet, url: base + path, reqHeader: http.Header{},
			status: status, respHeader: jsonHeader, respBody: []byte(body)}
	}

	// A real answer passes.
	r := api(t, http.MethodGet, "/api/v1/complaints?limit=1", nil)
	if errs := contractErrors(router, get("/api/v1/complaints?limit=1", r.status, string(r.body))); len(errs) > 0 {
		t.Fatalf("a real answer fails the check: %v", errs)
	}

	for name, ex := range map[string]exchange{
		"a body of the wrong type": get("/api/v1/complaints", http.StatusOK, `{"items": "none"}`),
		"a status not listed":      get("/api/v1/complaints", http.StatusTeapot, `{"error": "teapot"}`),
		"a body that is not JSON":  get("/api/v1/complaints", http.StatusOK, `<html></html>`),
		"a content type not listed": {method: http.MethodGet, url: base + "/api/v1/complaints", reqHeader: http.Header{},
			status: http.StatusOK, respHeader: http.Header{"Content-Type": []string{"text/html"}}, respBody: []byte(`{"items": []}`)},
		"an API operation the document does not have": {method: http.MethodGet, url: base + "/api/v1/no-such-thing",
			reqHeader: http.Header{}, status: http.StatusOK, respHeader: jsonHeader, respBody: []byte(`{}`)},
		"an accepted request the document refuses": {method: http.MethodGet, url: base + "/api/v1/complaints?limit=banana",
			reqHeader: http.Header{}, status: http.StatusOK, respHeader: jsonHeader, respBody: r.body},
	} {
		if errs := contractErrors(router, ex); len(errs) == 0 {
			t.Errorf("%s: the check found nothing", name)
		} else {
			t.Logf("%s: %v", name, errs)
		}
	}

	if errs := contractErrors(router, get("/complaints", http.StatusOK, `<html></html>`)); len(errs) > 0 {
		t.Errorf("an undocumented path was checked: %v", errs)
	}
}
