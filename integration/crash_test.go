package integration

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cxflow/cxflow/complaint"
)

// workerProcess runs cmd/worker as a separate OS process on its own task queue,
// so the test can kill it the way a crash would.
type workerProcess struct {
	t     *testing.T
	bin   string
	queue string
	cmd   *exec.Cmd
	log   *os.File
}

func buildWorker(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(stack.dir, "worker")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	out, err := exec.Command("go", "build", "-o", bin, "github.com/cxflow/cxflow/cmd/worker").CombinedOutput()
	require.NoError(t, err, "build worker: %s", out)
	return bin
}

func (w *workerProcess) start() {
	w.t.Helper()
	w.cmd = exec.Command(w.bin)
	w.cmd.Env = append(os.Environ(),
		"TEMPORAL_ADDRESS="+stack.cfg.TemporalAddress,
		"TEMPORAL_NAMESPACE=default",
		"CXFLOW_TASK_QUEUE="+w.queue,
		"DATABASE_URL="+stack.cfg.DatabaseURL,
		"CXFLOW_LOG_LEVEL=warn",
	)
	w.cmd.Env = append(w.cmd.Env, stack.env...)
	w.cmd.Stdout, w.cmd.Stderr = w.log, w.log
	require.NoError(w.t, w.cmd.Start())
}

// kill ends the worker with SIGKILL: no graceful shutdown, in-flight tasks lost.
func (w *workerProcess) kill() {
	w.t.Helper()
	require.NoError(w.t, w.cmd.Process.Signal(syscall.SIGKILL))
	_ = w.cmd.Wait()
}

func TestWorkerKilledMidLifecycleLosesNothing(t *testing.T) {
	logFile, err := os.Create(filepath.Join(stack.dir, "crash-worker.log"))
	require.NoError(t, err)
	defer logFile.Close()
	w := &workerProcess{t: t, bin: buildWorker(t), queue: "cxflow-crash", log: logFile}
	w.start()
	defer func() {
		if w.cmd.ProcessState == nil {
			w.kill()
		}
	}()
	// An API on the crash test's own task queue, served only by the worker process.
	apiSrv := httptest.NewServer(newAPI(w.queue).Handler())
	defer apiSrv.Close()
	post := func(path string, body any) response { return call(t, apiSrv.URL, http.MethodPost, path, body) }

	r := post("/api/v1/complaints", intake(5_000))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var c complaint.Complaint
	r.json(t, &c)
	for _, s := range steps[:3] {
		r := post("/api/v1/complaints/"+c.ID+"/"+s.path, s.body)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", s.path, r.body)
	}

	// Kill the worker, then send the next step while no worker runs: the request
	// waits for the workflow. A new worker process picks the workflow up and
	// the request completes.
	w.kill()
	var planResp response
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		planResp = post("/api/v1/complaints/"+c.ID+"/plan", steps[3].body)
	}()
	time.Sleep(500 * time.Millisecond)
	w.start()
	wg.Wait()
	require.Equal(t, http.StatusOK, planResp.status, "%s", planResp.body)

	// Kill it again right after a step, and finish the lifecycle on a third process.
	r = post("/api/v1/complaints/"+c.ID+"/approval", steps[4].body)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	w.kill()
	w.start()
	for _, s := range steps[5:] {
		r := post("/api/v1/complaints/"+c.ID+"/"+s.path, s.body)
		require.Equal(t, http.StatusOK, r.status, "%s: %s", s.path, r.body)
	}

	got := get(t, c.ID)
	require.Equal(t, complaint.StepClosed, got.Status)
	require.Equal(t, c.Number, got.Number, "the number survives the crashes")
	require.Len(t, got.Timeline, 10, "each step recorded exactly once")
	for i, e := range got.Timeline {
		require.Equal(t, i+1, e.Seq)
	}
	ctx := context.Background()
	var events, numbers int
	require.NoError(t, stack.pool.QueryRow(ctx, `SELECT count(*) FROM complaint_events WHERE complaint_id = $1`, c.ID).Scan(&events))
	require.NoError(t, stack.pool.QueryRow(ctx, `SELECT count(*) FROM complaint_numbers WHERE complaint_id = $1`, c.ID).Scan(&numbers))
	require.Equal(t, 10, events)
	require.Equal(t, 1, numbers)
	var final complaint.Complaint
	require.NoError(t, stack.client.GetWorkflow(ctx, complaint.WorkflowID(c.ID), "").Get(ctx, &final))
	require.Equal(t, complaint.ResolutionResolved, final.Resolution)
}
