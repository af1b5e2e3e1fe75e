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

func TestSLARulesMatchByClassAndSeverity(t *testing.T) {
	p, err := LoadPolicy(writePolicy(t, `{
		"version": "classes",
		"sla": [
			{"step": "validation", "classes": ["A"], "target": "2h", "clock": "working", "warn_at": 0.5,
			 "escalation": [{"level": "general_manager", "after": "0s", "notify": ["总经理", "市场部"]}]},
			{"step": "validation", "severities": ["major", "extraordinary"], "target": "4h", "clock": "working"},
			{"step": "validation", "target": "8h", "clock": "working", "warn_at": 0.8}
		]
	}`))
	require.NoError(t, err)
	a := p.SLA(StepValidation, ClassA, SeverityMajor)
	require.Equal(t, 2*time.Hour, a.Target.Std(), "the first matching rule wins")
	require.Equal(t, []string{"总经理", "市场部"}, a.Escalation[0].Recipients())
	require.Equal(t, 4*time.Hour, p.SLA(StepValidation, ClassC, SeverityMajor).Target.Std())
	c := p.SLA(StepValidation, ClassC, SeverityMinor)
	require.Equal(t, 8*time.Hour, c.Target.Std())
	require.Equal(t, p.Escalation, c.Escalation, "a rule without its own chain uses the policy's")
	require.Equal(t, []string{"department_head"}, c.Escalation[0].Recipients())
	// A step no rule names counts calendar time against step_limits.
	fallback := p.SLA(StepReview, ClassC, SeverityMinor)
	require.Equal(t, ClockCalendar, fallback.Clock)
	require.Equal(t, 72*time.Hour, fallback.Target.Std())
}

func TestSLARulesAreValidated(t *testing.T) {
	for name, body := range map[string]string{
		"unknown clock":  `{"sla": [{"step": "plan", "target": "1h", "clock": "lunar"}]}`,
		"warn_at 1":      `{"sla": [{"step": "plan", "target": "1h", "clock": "working", "warn_at": 1}]}`,
		"zero target":    `{"sla": [{"step": "plan", "target": "0s", "clock": "working"}]}`,
		"unknown class":  `{"sla": [{"step": "plan", "classes": ["Z"], "target": "1h", "clock": "working"}]}`,
		"bad escalation": `{"sla": [{"step": "plan", "target": "1h", "clock": "working", "escalation": [{"level": "ceo", "after": "0s"}]}]}`,
	} {
		_, err := LoadPolicy(writePolicy(t, body))
		require.Error(t, err, name)
	}
	require.Equal(t, `"1h30m"`, string(must(Duration(90*time.Minute).MarshalJSON())))
	require.Equal(t, `"8h"`, string(must(Duration(8*time.Hour).MarshalJSON())))
	require.Equal(t, `"30s"`, string(must(Duration(30*time.Second).MarshalJSON())))
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// A list in the file replaces the default list whole: a rule it gives does not
// inherit fields from the default rule at the same position.
func TestPolicyListsReplaceDefaults(t *testing.T) {
	p, err := LoadPolicy(writePolicy(t, `{"sla": [{"step": "validation", "target": "4h", "clock": "calendar"}]}`))
	require.NoError(t, err)
	require.Len(t, p.SLARules, 1)
	require.Zero(t, p.SLARules[0].WarnAt, "no warning unless the file asks for one")
	require.Len(t, p.Escalation, 3, "lists the file leaves out keep their defaults")
}
