package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/overlay"
)

// Error is every error response's body.
type Error struct {
	Error string `json:"error"`
	// Field names the request field at fault, for 400s.
	Field string `json:"field,omitempty"`
}

func abort(c *gin.Context, status int, msg, field string) {
	c.Set(auditErrorKey, msg)
	c.AbortWithStatusJSON(status, Error{Error: msg, Field: field})
}

// bindJSON decodes the body strictly; a failure is answered with a 400 naming
// the field where it can. timeField names the body's one time field, since
// encoding/json does not say which field a time failed to parse in.
func bindJSON(c *gin.Context, v any, timeField string) bool {
	data, err := io.ReadAll(c.Request.Body)
	if err == nil {
		// v may hold defaults: lists the body gives replace them whole.
		overlay.Prepare(data, v)
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
		if err == nil && dec.More() {
			err = errors.New("body must hold a single JSON object")
		}
	}
	if err == nil {
		return true
	}
	var (
		syntax  *json.SyntaxError
		typ     *json.UnmarshalTypeError
		tooBig  *http.MaxBytesError
		timeErr *time.ParseError
	)
	switch {
	case errors.As(err, &tooBig):
		abort(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is larger than %d bytes", tooBig.Limit), "")
	case errors.Is(err, io.EOF):
		abort(c, http.StatusBadRequest, "body is empty; a JSON object is required", "")
	case errors.As(err, &syntax):
		abort(c, http.StatusBadRequest, fmt.Sprintf("body is not valid JSON (at byte %d): %v", syntax.Offset, syntax), "")
	case errors.As(err, &typ):
		abort(c, http.StatusBadRequest, fmt.Sprintf("%s must be a %s, not %s", typ.Field, typ.Type, typ.Value), typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		abort(c, http.StatusBadRequest, fmt.Sprintf("unknown field %q", name), name)
	case errors.As(err, &timeErr) || strings.HasPrefix(err.Error(), "Time.UnmarshalJSON"):
		abort(c, http.StatusBadRequest, timeField+" must be an RFC 3339 time, e.g. 2026-03-02T09:00:00+08:00", timeField)
	default:
		abort(c, http.StatusBadRequest, "body: "+err.Error(), "")
	}
	return false
}

// fieldError answers a FieldError with a 400.
func fieldError(c *gin.Context, err error) {
	var fe *complaint.FieldError
	if errors.As(err, &fe) {
		abort(c, http.StatusBadRequest, fe.Error(), fe.Field)
		return
	}
	abort(c, http.StatusBadRequest, err.Error(), "")
}

// retryAfterSeconds is what a 503 asks a client to wait before retrying.
const retryAfterSeconds = 5

// statusOf is the status each refusal code answers with.
var statusOf = map[app.Code]int{
	app.Invalid: http.StatusBadRequest, app.Forbidden: http.StatusForbidden, app.NotFound: http.StatusNotFound,
	app.Conflict: http.StatusConflict, app.Unavailable: http.StatusServiceUnavailable,
}

// fail answers an operation's error: a refusal (app.Error) with the status
// its code stands for, anything else as our own failure to do op.
func (s *Server) fail(c *gin.Context, op string, err error) {
	e, ok := app.As(err)
	if !ok {
		s.internal(c, op, err)
		return
	}
	status := statusOf[e.Code]
	if status == 0 {
		s.internal(c, op, err)
		return
	}
	if e.Code == app.Unavailable {
		c.Header("Retry-After", strconv.Itoa(retryAfterSeconds))
	}
	abort(c, status, e.Message, e.Field)
}

func (s *Server) internal(c *gin.Context, op string, err error) {
	s.log.Error("request failed", "op", op, "err", err)
	abort(c, http.StatusInternalServerError, "internal error while trying to "+op, "")
}

// idempotencyKey reads the request's Idempotency-Key ("" without one); a
// key too long is refused with a 400 naming the header.
func idempotencyKey(c *gin.Context) (string, bool) {
	key := c.GetHeader("Idempotency-Key")
	if utf8.RuneCountInString(key) > maxIdempotencyKey {
		abort(c, http.StatusBadRequest, "Idempotency-Key must be at most 200 characters", "Idempotency-Key")
		return "", false
	}
	return key, true
}

// valid answers a 400 for a validation error — naming its field when it
// names one — and reports whether err was nil.
func valid(c *gin.Context, err error) bool {
	if err == nil {
		return true
	}
	fieldError(c, err)
	return false
}
