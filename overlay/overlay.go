// Package overlay decodes JSON over a value that holds defaults: fields the
// JSON leaves out keep their defaults, fields it gives replace them — lists
// included. (encoding/json alone decodes a list element by element over the
// existing ones, so a given list would silently inherit default fields.)
package overlay

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// Decode decodes data over dst (a pointer). Unknown fields are an error, as
// with json.Decoder.DisallowUnknownFields.
func Decode(data []byte, dst any) error {
	Prepare(data, dst)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(dst)
}

// Prepare clears in dst the lists and maps that data gives, for a caller that
// decodes data over dst itself. Malformed data is left to the decoder to report.
func Prepare(data []byte, dst any) {
	var raw any
	if err := json.Unmarshal(data, &raw); err == nil {
		clearGiven(reflect.ValueOf(dst).Elem(), raw)
	}
}

// clearGiven zeroes every list and map the JSON gives, at any depth, so the
// decoder fills them afresh; structs it recurses into, to keep their other defaults.
func clearGiven(v reflect.Value, raw any) {
	obj, ok := raw.(map[string]any)
	if !ok {
		return
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			clearGiven(fv, raw)
			continue
		}
		name := f.Name
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == "-" {
			continue
		} else if tag != "" {
			name = tag
		}
		sub, given := obj[name]
		if !given {
			continue
		}
		switch fv.Kind() {
		case reflect.Slice, reflect.Map:
			fv.Set(reflect.Zero(fv.Type()))
		case reflect.Struct, reflect.Pointer:
			clearGiven(fv, sub)
		}
	}
}
