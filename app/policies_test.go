package app

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPolicyErrorField(t *testing.T) {
	for msg, want := range map[string]string{
		`sla[1] (rule 2, step: callback): clock must be working or calendar`: "sla[1]",
		`step_limits: plan is missing`:                                       "step_limits",
		`escalation[0]: unknown level "boss"`:                                "escalation[0]",
		`version is required`:                                                "version",
		`number_prefix is required`:                                          "number_prefix",
		`duration "8x": time: unknown unit "x" in duration "8x"`:             "",
		`something went wrong`:                                               "",
	} {
		require.Equal(t, want, PolicyErrorField(msg), msg)
	}
}
