package integration

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/client"
)

func collectHistory(iter client.HistoryEventIterator) (*historypb.History, error) {
	h := &historypb.History{}
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			return nil, err
		}
		h.Events = append(h.Events, e)
	}
	return h, nil
}

// recordHistory keeps the history of a workflow (its latest run, finished or
// still running: the replayer replays a partial history too) as
// workflows/testdata/histories/<name>.json for the replay test
// (workflows/replay_test.go), when CXFLOW_RECORD_HISTORIES is set. Payloads
// stay encrypted with the tests' fixed key, which the replay test knows.
//
// It never overwrites: when <name>.json exists it logs that and keeps the old
// file. A recorded history is the shape of workflows that may still be running
// on the old code; a re-run must not silently replace it with the new shape.
// To record a new shape, give the call a new name; delete an old file only
// when no workflow of that shape can be running any more.
func recordHistory(t *testing.T, name, workflowID string) {
	t.Helper()
	recordRunHistory(t, name, workflowID, "")
}

// recordRunHistory is recordHistory of one run of a workflow that continued
// as new (its latest run when runID is empty).
func recordRunHistory(t *testing.T, name, workflowID, runID string) {
	t.Helper()
	if os.Getenv("CXFLOW_RECORD_HISTORIES") == "" {
		return
	}
	path := filepath.Join("..", "workflows", "testdata", "histories", name+".json")
	if _, err := os.Stat(path); err == nil {
		t.Logf("history %s exists: kept, not recorded again (pick a new name for a new shape)", path)
		return
	}
	ctx := context.Background()
	iter := stack.client.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	hist, err := collectHistory(iter)
	require.NoError(t, err)
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	// O_EXCL: a file that appeared since the check above is kept as well.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		t.Logf("history %s exists: kept, not recorded again", path)
		return
	}
	require.NoError(t, err)
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
	}
	require.NoError(t, err)
	t.Logf("history of %s recorded in %s (%d events)", workflowID, path, len(hist.Events))
}
