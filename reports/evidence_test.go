package reports

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
)

// timelineActions reads every Action* string constant of complaint/view.go, so
// an action added there without a clause fails this test.
func timelineActions(t *testing.T) map[string]string {
	f, err := parser.ParseFile(token.NewFileSet(), "../complaint/view.go", nil, 0)
	require.NoError(t, err)
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			vs := sp.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Action") || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					out[n.Name] = v
				}
			}
		}
	}
	return out
}

func TestEveryComplaintActionMapsToAClause(t *testing.T) {
	actions := timelineActions(t)
	require.GreaterOrEqual(t, len(actions), 20)
	for name, v := range actions {
		cs := ClausesFor(SourceComplaint, v)
		if len(cs) == 0 {
			t.Errorf("complaint.%s (%q) maps to no clause", name, v)
		}
		for _, c := range cs {
			require.Equal(t, "ISO 10002:2018", c.Standard, name)
		}
	}
	// The constants known when the table was written.
	for _, a := range []string{complaint.ActionRecorded, complaint.ActionValidated, complaint.ActionNotFounded, complaint.ActionAssigned,
		complaint.ActionRootCause, complaint.ActionPlanned, complaint.ActionApproved, complaint.ActionRefused, complaint.ActionExecuted,
		complaint.ActionSatisfied, complaint.ActionUnsatisfied, complaint.ActionReviewed, complaint.ActionEscalated, complaint.ActionClosed,
		complaint.ActionReopened, complaint.ActionWarned, complaint.ActionPaused, complaint.ActionResumed, complaint.ActionExtended,
		complaint.ActionRescheduled} {
		require.NotEmpty(t, ComplaintClauses[a], a)
	}
	require.Len(t, ComplaintClauses, len(actions), "the table names no action complaint/view.go lacks")
	require.Equal(t, "ISO 10002:2018 8.2 Receipt of complaint", ClausesFor(SourceComplaint, complaint.ActionRecorded)[0].String())
	for _, a := range []string{"sampled", "issued", "reminded", "escalated", "closed"} {
		require.NotEmpty(t, ClausesFor(SourceSurveyCycle, a), a)
		require.Equal(t, "ISO 10004:2018", ClausesFor(SourceSurveyCycle, a)[0].Standard)
	}
	for _, c := range allClauses() {
		require.NotEmpty(t, c.Number)
		require.NotEmpty(t, c.Title)
	}
}

func TestAuditEvidenceFinishAndTables(t *testing.T) {
	e := AuditEvidence{Period: Quarter(2026, 1), Events: []EvidenceEvent{
		{At: time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC), Source: SourceComplaint, Reference: "TS-2026-000001", Seq: 1, Action: complaint.ActionRecorded, ActorName: "王芳"},
		{At: time.Date(2026, 1, 6, 1, 0, 0, 0, time.UTC), Source: SourceSurveyCycle, Reference: "c1", Seq: 1, Action: "sampled"},
		{At: time.Date(2026, 1, 7, 1, 0, 0, 0, time.UTC), Source: SourceSurveyCycle, Reference: "c1", Seq: 2, Action: "something_new"},
	}}
	e.Finish()
	require.Equal(t, "2026-01-01", e.FromDate)
	require.Equal(t, "2026-03-31", e.ToDate)
	require.Equal(t, 1, e.Unmapped)
	require.Empty(t, e.Events[2].Clauses)
	counted := 0
	for _, c := range e.Clauses {
		counted += c.Events
	}
	require.Equal(t, 2, counted)
	tables := e.Tables(English)
	require.Len(t, tables, 2)
	require.Len(t, tables[1].Rows, 3)
	require.Equal(t, "2026-01-05 09:00:00", tables[1].Rows[0][0])
	require.Contains(t, tables[1].Rows[0][9], "8.2 Receipt of complaint")
}

func TestParseLabelAndScheduledPeriods(t *testing.T) {
	p, err := ParseLabel("2026Q2")
	require.NoError(t, err)
	require.Equal(t, Quarter(2026, 2), p)
	p, err = ParseLabel("2026h2")
	require.NoError(t, err)
	require.Equal(t, "2026-07-01", p.FirstDate())
	p, err = ParseLabel("2025")
	require.NoError(t, err)
	require.Equal(t, "2025-12-31", p.LastDate())
	p, err = ParseLabel("2026-03")
	require.NoError(t, err)
	require.Equal(t, "2026-03-31", p.LastDate())
	for _, bad := range []string{"", "2026Q5", "Q1", "2026-13", "2026-01-01"} {
		_, err := ParseLabel(bad)
		require.Error(t, err, bad)
	}
	at := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 8, 0, 0, 0, Location) }
	require.Equal(t, []string{"2025Q4", "2025H2"}, ScheduledPeriods(at(2026, 1)))
	require.Equal(t, []string{"2026Q1"}, ScheduledPeriods(at(2026, 4)))
	require.Equal(t, []string{"2026Q2", "2026H1"}, ScheduledPeriods(at(2026, 7)))
	require.Equal(t, []string{"2026Q3"}, ScheduledPeriods(at(2026, 10)))
}
