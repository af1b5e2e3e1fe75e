package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/payloadcrypt"
	"github.com/cxflow/cxflow/workflows"
)

// findings of one run's check.
type findings struct {
	closed   int
	wedged   []string // not closed: number, read-model status, what the workflow waits for
	doubles  []string // a step twice, in the timeline or the history
	missing  []string // a closed complaint without one of its steps
	diverged []string // the read model differs from the workflow
	notes    []string // unexpected but not failing (other timeline actions)
}

func (f *findings) failed() bool {
	return len(f.wedged)+len(f.doubles)+len(f.missing)+len(f.diverged) > 0
}

// verify checks every case once the clients stopped: closed; each step once
// in the read model's timeline and once as an accepted Update in the
// workflow's history; the read model equal to the workflow's state.
func verify(ctx context.Context, st *stack, a *api, cases []*kase) (*findings, error) {
	kr, err := payloadcrypt.NewKeyring("drill", map[string][]byte{"drill": st.key})
	if err != nil {
		return nil, err
	}
	tc, err := client.DialContext(ctx, client.Options{
		HostPort: st.temporalAddr, Namespace: "default", DataConverter: kr.DataConverter(),
		Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		return nil, fmt.Errorf("dial temporal %s: %w", st.temporalAddr, err)
	}
	defer tc.Close()

	f := &findings{}
	type pending struct {
		k    *kase
		view view
	}
	var unequal []pending
	for _, k := range cases {
		if k.id == "" {
			f.wedged = append(f.wedged, fmt.Sprintf("%s: never recorded (last answer: %s)", k.name(), orNone(k.problem)))
			continue
		}
		v, err := read(ctx, a, k.id)
		if err != nil {
			return f, fmt.Errorf("read %s: %w", k.name(), err)
		}
		wf, qerr := workflowState(ctx, tc, k.id)
		if v.Status != complaint.StepClosed {
			var waits string
			if qerr == nil {
				waits = string(wf.Status)
			} else {
				waits = "query failed: " + qerr.Error()
			}
			f.wedged = append(f.wedged, fmt.Sprintf("%s: read model shows %q, workflow waits for %q; last 409: %s; last unexpected answer: %s",
				k.name(), v.Status, waits, orNone(k.last409), orNone(k.problem)))
		} else {
			f.closed++
		}

		// The timeline: each step's action exactly once.
		count := map[string]int{}
		for _, e := range v.Timeline {
			count[e.Action]++
		}
		for _, act := range wantActions {
			switch n := count[act]; {
			case n > 1:
				f.doubles = append(f.doubles, fmt.Sprintf("%s: timeline holds %q %d times", k.name(), act, n))
			case n == 0 && v.Status == complaint.StepClosed:
				f.missing = append(f.missing, fmt.Sprintf("%s: closed without %q in its timeline", k.name(), act))
			}
		}
		for act, n := range count {
			if !slices.Contains(wantActions, act) {
				f.notes = append(f.notes, fmt.Sprintf("%s: timeline holds %q ×%d", k.name(), act, n))
			}
		}

		// The history: each step's Update accepted exactly once.
		updates, err := acceptedUpdates(ctx, tc, complaint.WorkflowID(k.id))
		if err != nil {
			return f, fmt.Errorf("history of %s: %w", k.name(), err)
		}
		for _, u := range wantUpdates {
			switch n := updates[u]; {
			case n > 1:
				f.doubles = append(f.doubles, fmt.Sprintf("%s: Update %q accepted %d times in the workflow's history", k.name(), u, n))
			case n == 0 && u == workflows.UpdateIntake:
				// The workflow records the complaint from its start; the
				// intake Update only waits for that. When a cut lost it,
				// a retried create is answered from the confirmed read
				// model without one: recorded once all the same (the
				// timeline's "recorded" says so).
				f.notes = append(f.notes, fmt.Sprintf("%s: no accepted %q Update in its history (a retried create was answered from the read model)", k.name(), u))
			case n == 0 && v.Status == complaint.StepClosed:
				f.missing = append(f.missing, fmt.Sprintf("%s: closed without an accepted %q Update in its history", k.name(), u))
			}
		}
		for u, n := range updates {
			if !slices.Contains(wantUpdates, u) {
				f.notes = append(f.notes, fmt.Sprintf("%s: history holds Update %q ×%d", k.name(), u, n))
			}
		}

		if qerr != nil || !same(v, wf) {
			unequal = append(unequal, pending{k, v})
		}
	}

	// The read model must come to equal the workflow: at once after an
	// answered step, within the reconciler's grace (5 s) and interval (2 s)
	// otherwise.
	deadline := time.Now().Add(20 * time.Second)
	for len(unequal) > 0 {
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		_ = sleep(ctx, 2*time.Second)
		var still []pending
		for _, u := range unequal {
			v, err := read(ctx, a, u.k.id)
			wf, qerr := workflowState(ctx, tc, u.k.id)
			if err != nil || qerr != nil || !same(v, wf) {
				still = append(still, pending{u.k, v})
			}
		}
		unequal = still
	}
	for _, u := range unequal {
		wf, qerr := workflowState(ctx, tc, u.k.id)
		if qerr != nil {
			f.diverged = append(f.diverged, fmt.Sprintf("%s: the workflow's state could not be queried: %v", u.k.name(), qerr))
			continue
		}
		f.diverged = append(f.diverged, fmt.Sprintf("%s: read model shows %q v%d with %d timeline events, workflow %q v%d with %d",
			u.k.name(), u.view.Status, u.view.Version, len(u.view.Timeline), wf.Status, wf.Version, len(wf.Timeline)))
	}
	sort.Strings(f.notes)
	return f, nil
}

func same(v view, wf complaint.Complaint) bool {
	return v.Status == wf.Status && v.Version == wf.Version && len(v.Timeline) == len(wf.Timeline)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// read reads a complaint, retrying while the API is busy.
func read(ctx context.Context, a *api, id string) (view, error) {
	var last string
	for attempt := 0; attempt < 20; attempt++ {
		r, err := a.do(ctx, http.MethodGet, "/api/v1/complaints/"+id, nil, "")
		switch {
		case err != nil:
			last = err.Error()
		case r.transient():
			last = fmt.Sprintf("%d %s", r.status, r.message())
		case r.status != http.StatusOK:
			return view{}, fmt.Errorf("%d %s", r.status, r.message())
		default:
			var v view
			return v, json.Unmarshal(r.body, &v)
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return view{}, err
		}
	}
	return view{}, errors.New(last)
}

// workflowState is the complaint as its workflow holds it (the "complaint"
// query, answered by the stack's worker; for a closed workflow too).
func workflowState(ctx context.Context, tc client.Client, id string) (complaint.Complaint, error) {
	var c complaint.Complaint
	qctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := tc.QueryWorkflow(qctx, complaint.WorkflowID(id), "", workflows.QueryComplaint)
	if err != nil {
		return c, err
	}
	return c, v.Get(&c)
}

// acceptedUpdates counts the Updates accepted in a workflow's history, by
// name, over every run of it (following continue-as-new back to the first).
// The names are readable without decoding the (encrypted) payloads.
func acceptedUpdates(ctx context.Context, tc client.Client, workflowID string) (map[string]int, error) {
	counts := map[string]int{}
	runID := ""
	for range 1000 {
		it := tc.GetWorkflowHistory(ctx, workflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		previous := ""
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return nil, err
			}
			if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
				previous = a.GetContinuedExecutionRunId()
			}
			if a := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil {
				counts[a.GetAcceptedRequest().GetInput().GetName()]++
			}
		}
		if previous == "" {
			return counts, nil
		}
		runID = previous
	}
	return counts, errors.New("more than 1000 runs")
}

// joinLimited joins up to n lines, saying how many more there are.
func joinLimited(lines []string, n int, indent string) string {
	var b strings.Builder
	for i, l := range lines {
		if i == n {
			fmt.Fprintf(&b, "%s… and %d more\n", indent, len(lines)-n)
			break
		}
		b.WriteString(indent + l + "\n")
	}
	return b.String()
}
