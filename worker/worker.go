// Package worker wires cxflow's workflows and activities onto a Temporal worker.
package worker

import (
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/workflows"
)

// New returns a worker for the task queue with every workflow and activity registered.
func New(c client.Client, taskQueue string, acts *activities.Activities) worker.Worker {
	w := worker.New(c, taskQueue, worker.Options{
		// Let in-flight updates finish their database write on shutdown.
		WorkerStopTimeout: 10 * time.Second,
	})
	workflows.Register(w)
	w.RegisterActivity(acts)
	return w
}
