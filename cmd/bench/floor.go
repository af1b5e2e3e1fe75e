package main

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The engine floor: the cheapest workflow that takes Updates the way the
// complaint workflow does (one at a time, each waited for until completed),
// with no validator, no timer, no local activity and no database. The gap
// between its latency and a cxflow step is what cxflow itself costs. The floor
// runs on the stack's Temporal client, so its payloads go through the same
// encrypting data converter as the complaint workflow's.
const (
	floorTaskQueue = "cxflow-bench-floor"
	floorWorkflow  = "BenchFloor"
	floorUpdate    = "bump"
)

// benchFloor counts Updates and ends after the expected number.
func benchFloor(ctx workflow.Context, updates int) (int, error) {
	n := 0
	if err := workflow.SetUpdateHandler(ctx, floorUpdate, func(workflow.Context) (int, error) {
		n++
		return n, nil
	}); err != nil {
		return 0, err
	}
	err := workflow.Await(ctx, func() bool { return n >= updates && workflow.AllHandlersFinished(ctx) })
	return n, err
}

// startFloorWorker polls the floor's own task queue with default options, as
// the cxflow worker uses on its queue.
func startFloorWorker(tc client.Client) (worker.Worker, error) {
	w := worker.New(tc, floorTaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(benchFloor, workflow.RegisterOptions{Name: floorWorkflow})
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start floor worker: %w", err)
	}
	return w, nil
}

// floorDriver runs one floor workflow: an update-with-start, then as many
// Updates as a complaint has steps.
type floorDriver struct {
	tc    client.Client
	runID string // keeps workflow IDs unique across phases
}

// floorOps names the recorded calls, like lifecycle for the API.
var floorOps = []string{"start+update", "update"}

func (d *floorDriver) run(ctx context.Context, i int, steps int, rec [][]time.Duration) (string, error) {
	id := fmt.Sprintf("bench-floor:%s:%d", d.runID, i)
	// Started the way the API creates a complaint: update-with-start, so the
	// first Update travels with the start and the floor's "start" compares
	// with cxflow's "create".
	began := time.Now()
	start := d.tc.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID: id, TaskQueue: floorTaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}, floorWorkflow, steps+1)
	h, err := d.tc.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName: floorUpdate, WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var n int
	if err == nil {
		err = h.Get(ctx, &n)
	}
	if err != nil {
		return id, fmt.Errorf("start: %w", err)
	}
	if n != 1 {
		return id, fmt.Errorf("start: counter is %d", n)
	}
	rec[0] = append(rec[0], time.Since(began))
	for k := 1; k <= steps; k++ {
		began := time.Now()
		h, err := d.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   id,
			UpdateName:   floorUpdate,
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, &n)
		}
		took := time.Since(began)
		if err != nil {
			return id, fmt.Errorf("update %d: %w", k, err)
		}
		if n != k+1 {
			return id, fmt.Errorf("update %d: counter is %d", k, n)
		}
		rec[1] = append(rec[1], took)
	}
	return id, nil
}
