package console

import (
	"encoding/json"
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
