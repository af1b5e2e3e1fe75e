package workflows

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/cxflow/cxflow/payloadcrypt"
)

// TestReplayRecordedHistories replays histories recorded from real runs (the
// integration tests write them with CXFLOW_RECORD_HISTORIES=1). A change to the
// workflow that would break complaints already running fails here: guard it
// with workflow.GetVersion and keep the old histories.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories to replay")
	// Histories recorded since payload encryption use the integration tests'
	// fixed key; older ones are plain and pass through the codec unchanged.
	kr, err := payloadcrypt.NewKeyring("it", map[string][]byte{"it": bytes.Repeat([]byte{7}, 32)})
	require.NoError(t, err)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: kr.DataConverter()})
			require.NoError(t, err)
			Register(r)
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
	}
}

// The replayer must see the workflow exactly as production registers it.
var _ Registry = worker.NewWorkflowReplayer()
