package workflows

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/cxflow/cxflow/payloadcrypt"
)

// TestReplayRecordedHistories replays histories recorded from real runs (the
// integration tests write them with CXFLOW_RECORD_HISTORIES=1). A change to the
// workflow that would break workflows already running fails here: guard it
// with workflow.GetVersion and keep the old histories.
//
// It also names what it replays: every registered workflow type needs at least
// one recorded history, and every workflow.GetVersion branch in this package's
// code one history that took it, so a new workflow type or a new version
// cannot arrive without the history that guards it.
func TestReplayRecordedHistories(t *testing.T) {
	histories := recordedHistories(t)
	t.Run("every workflow type", func(t *testing.T) {
		for _, name := range registeredWorkflowTypes(t) {
			assert.True(t, slices.ContainsFunc(histories, func(h recorded) bool { return h.workflowType == name }),
				"workflow type %s has no recorded history in testdata/histories: record one (docs/development.md, Replay guard)", name)
		}
	})
	t.Run("every version branch", func(t *testing.T) {
		checkVersionBranches(t, histories)
	})
	for _, h := range histories {
		t.Run(h.file, func(t *testing.T) {
			r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{DataConverter: historyConverter(t)})
			require.NoError(t, err)
			Register(r)
			require.NoError(t, r.ReplayWorkflowHistoryWithOptions(nil, h.history, h.options()))
		})
	}
}

// The replayer must see the workflow exactly as production registers it.
var _ Registry = worker.NewWorkflowReplayer()

// recorded is one history of testdata/histories.
type recorded struct {
	file         string
	workflowType string
	workflowID   string
	history      *historypb.History
}

// options replay the history under its recorded workflow ID (when the server
// recorded it), which the workflows use in IDs they derive, e.g. of a child.
func (h recorded) options() worker.ReplayWorkflowHistoryOptions {
	return worker.ReplayWorkflowHistoryOptions{OriginalExecution: workflow.Execution{ID: h.workflowID}}
}

func recordedHistories(t *testing.T) []recorded {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories to replay")
	var out []recorded
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		h, err := client.HistoryFromJSON(bytes.NewReader(b), client.HistoryJSONOptions{})
		require.NoError(t, err, f)
		require.NotEmpty(t, h.Events, f)
		started := h.Events[0].GetWorkflowExecutionStartedEventAttributes()
		require.NotNil(t, started, "%s does not start with WorkflowExecutionStarted", f)
		out = append(out, recorded{file: filepath.Base(f), workflowType: started.GetWorkflowType().GetName(),
			workflowID: started.GetWorkflowId(), history: h})
	}
	return out
}

// historyConverter decodes the recorded payloads. Histories recorded since
// payload encryption use the integration tests' fixed key; older ones are
// plain and pass through the codec unchanged.
func historyConverter(t *testing.T) converter.DataConverter {
	t.Helper()
	kr, err := payloadcrypt.NewKeyring("it", map[string][]byte{"it": bytes.Repeat([]byte{7}, 32)})
	require.NoError(t, err)
	return kr.DataConverter()
}

// typeRecorder is a Registry that only notes the names registered.
type typeRecorder []string

func (r *typeRecorder) RegisterWorkflowWithOptions(_ any, options workflow.RegisterOptions) {
	*r = append(*r, options.Name)
}

// registeredWorkflowTypes are the workflow types Register registers.
func registeredWorkflowTypes(t *testing.T) []string {
	t.Helper()
	var names typeRecorder
	Register(&names)
	require.NotEmpty(t, names)
	require.NotContains(t, names, "", "Register names every workflow type")
	return names
}

// versionCall is a workflow.GetVersion call in this package's code.
type versionCall struct {
	pos      string
	changeID string
	min, max workflow.Version
}

// checkVersionBranches asks for recorded histories of the branches of each
// workflow.GetVersion call: one with the marker of its maxSupported version
// (what new workflows take) and, when minSupported is workflow.DefaultVersion,
// one without the marker of a workflow type whose other histories have it
// (code that ran before the call was added). Versions in between were the
// newest once; their histories, recorded then, are kept, but not asked for.
func checkVersionBranches(t *testing.T, histories []recorded) {
	calls := versionCalls(t)
	dc := historyConverter(t)
	marked := map[string]map[workflow.Version][]string{} // change ID → version → workflow types
	unmarked := map[string]map[string]int{}              // change ID → workflow type → histories without it
	for _, c := range calls {
		marked[c.changeID], unmarked[c.changeID] = map[workflow.Version][]string{}, map[string]int{}
	}
	for _, h := range histories {
		seen := map[string]bool{}
		for _, e := range h.history.Events {
			a := e.GetMarkerRecordedEventAttributes()
			if e.GetEventType() != enumspb.EVENT_TYPE_MARKER_RECORDED || a.GetMarkerName() != "Version" {
				continue
			}
			// The SDK's version marker: details "change-id" and "version".
			var id string
			var v workflow.Version
			require.NoError(t, dc.FromPayloads(a.GetDetails()["change-id"], &id), h.file)
			require.NoError(t, dc.FromPayloads(a.GetDetails()["version"], &v), h.file)
			// A marker of a call the code no longer has is left to the replay.
			if marked[id] != nil {
				marked[id][v] = append(marked[id][v], h.workflowType)
				seen[id] = true
			}
		}
		for id := range unmarked {
			if !seen[id] {
				unmarked[id][h.workflowType]++
			}
		}
	}
	for _, c := range calls {
		assert.NotEmpty(t, marked[c.changeID][c.max], "%s: no recorded history took version %d of %q", c.pos, c.max, c.changeID)
		if c.min != workflow.DefaultVersion {
			continue
		}
		old := 0
		for _, types := range marked[c.changeID] {
			for _, wt := range types {
				old += unmarked[c.changeID][wt]
			}
		}
		assert.NotZero(t, old, "%s: no recorded history of %q's workflow type ran before the change (workflow.DefaultVersion)", c.pos, c.changeID)
	}
}

// versionCalls finds the workflow.GetVersion calls in this package's non-test
// files; their change ID and versions must be literals or constants.
func versionCalls(t *testing.T) []versionCall {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	consts := map[string]ast.Expr{}
	var parsed []*ast.File
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		parsed = append(parsed, file)
		for _, d := range file.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							consts[n.Name] = vs.Values[i]
						}
					}
				}
			}
		}
	}
	literal := func(e ast.Expr) string {
		if id, ok := e.(*ast.Ident); ok && consts[id.Name] != nil {
			e = consts[id.Name]
		}
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind == token.STRING {
				s, err := strconv.Unquote(e.Value)
				require.NoError(t, err)
				return s
			}
			return e.Value
		case *ast.SelectorExpr:
			if e.Sel.Name == "DefaultVersion" {
				return strconv.Itoa(int(workflow.DefaultVersion))
			}
		}
		return ""
	}
	version := func(pos string, e ast.Expr) workflow.Version {
		v, err := strconv.Atoi(literal(e))
		require.NoError(t, err, "%s: a GetVersion version must be a literal, a constant or workflow.DefaultVersion", pos)
		return workflow.Version(v)
	}
	var calls []versionCall
	for _, file := range parsed {
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "GetVersion" || len(call.Args) != 4 {
				return true
			}
			pos := fset.Position(call.Pos()).String()
			c := versionCall{pos: pos, changeID: literal(call.Args[1]), min: version(pos, call.Args[2]), max: version(pos, call.Args[3])}
			require.NotEmpty(t, c.changeID, "%s: a GetVersion change ID must be a literal or a constant", pos)
			calls = append(calls, c)
			return true
		})
	}
	return calls
}
