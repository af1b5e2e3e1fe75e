package complaint

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDefaultPolicyIsValid(t *testing.T) {
	p := DefaultPolicy()
	require.NoError(t, p.Validate())
	require.Equal(t, 8*time.Hour, p.Limit(StepValidation), "000: handle and answer within 8 hours")
	require.Equal(t, 24*time.Hour, p.Limit(StepCallback), "000: callback 24 hours after handling")
}

func writePolicy(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.json")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

func TestLoadPolicyOverridesOnlyWhatItGives(t *testing.T) {
	p, err := LoadPolicy(writePolicy(t, `{
		"version": "acme-2026",
		"step_limits": {"validation": "4h", "callback": "48h"},
		"escalation": [{"level": "department_head", "after": "30m"}, {"level": "general_manager", "after": "2h"}]
	}`))
	require.NoError(t, err)
	require.Equal(t, "acme-2026", p.Version)
	require.Equal(t, 4*time.Hour, p.Limit(StepValidation))
	require.Equal(t, 48*time.Hour, p.Limit(StepCallback))
	require.Equal(t, 4*time.Hour, p.Limit(StepAssignment), "steps not given keep their default")
	require.Len(t, p.Escalation, 2)
	require.Equal(t, "TS", p.NumberPrefix)
}

func TestLoadPolicyRejectsBadFiles(t *testing.T) {
	for name, body := range map[string]string{
		"unknown field":    `{"step_limit": {}}`,
		"bad duration":     `{"step_limits": {"validation": "8 hours"}}`,
		"numeric duration": `{"step_limits": {"validation": 8}}`,
		"unknown step":     `{"step_limits": {"lunch": "1h"}}`,
		"zero limit":       `{"step_limits": {"plan": "0s"}}`,
		"falling levels":   `{"escalation": [{"level": "general_manager", "after": "0s"}, {"level": "department_head", "after": "1h"}]}`,
		"unordered times":  `{"escalation": [{"level": "department_head", "after": "2h"}, {"level": "general_manager", "after": "1h"}]}`,
		"unknown level":    `{"escalation": [{"level": "ceo", "after": "0s"}]}`,
		"ambiguous grades": `{"severity_thresholds": [{"severity": "major", "min_loss": 100}, {"severity": "minor", "min_loss": 200}]}`,
		"unknown severity": `{"approval": {"market_department_from": "huge", "general_manager_from": "major"}}`,
		"empty version":    `{"version": ""}`,
		"not json":         `version: 1`,
	} {
		_, err := LoadPolicy(writePolicy(t, body))
		require.Error(t, err, name)
	}
	_, err := LoadPolicy(filepath.Join(t.TempDir(), "missing.json"))
	require.Error(t, err)
}

func TestLoadPolicyEmptyPathGivesDefaults(t *testing.T) {
	p, err := LoadPolicy("")
	require.NoError(t, err)
	require.Equal(t, DefaultPolicy(), p)
}

// The example in the documentation is the defaults written out; it must load.
func TestDocumentedExamplePolicy(t *testing.T) {
	p, err := LoadPolicy(filepath.Join("..", "docs", "policy.example.json"))
	require.NoError(t, err)
	want := DefaultPolicy()
	want.Version = "acme-2026-01"
	require.Equal(t, want, p)
}
