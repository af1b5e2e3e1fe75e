package survey

import (
	"github.com/cxflow/cxflow/validate"
)

// FieldError is an input that names the field it is wrong about, so a form or
// an import report can point at the cell to fix.
type FieldError = validate.Error

// Text limits keep records printable on a form and a cycle's history small.
const (
	maxShortText = validate.MaxShortText
	maxLongText  = validate.MaxLongText
)

var (
	fieldErr = validate.Errorf
	within   = validate.Within
	required = validate.Required
	optional = validate.Optional
	firstErr = validate.First
)
