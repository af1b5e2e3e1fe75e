package integration

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cxflow/cxflow/activities"
	"github.com/cxflow/cxflow/app"
	"github.com/cxflow/cxflow/auth"
	"github.com/cxflow/cxflow/complaint"
	"github.com/cxflow/cxflow/demo"
	"github.com/cxflow/cxflow/devstack"
	"github.com/cxflow/cxflow/migrations"
	"github.com/cxflow/cxflow/org"
	"github.com/cxflow/cxflow/server"
	"github.com/cxflow/cxflow/store"
	"github.com/cxflow/cxflow/worker"
	"github.com/cxflow/cxflow/workflows"
)

// The window of issue #19, reproduced deterministically: a step's read-model
// write has happened, and the workflow task that made it is not yet
// completed on the Temporal server. holdAfterSave is the local activity
// SaveComplaint with a catch: armed for a complaint, it writes, tells the
// test, and waits for the test's go-ahead before it returns — so the test can
// kill Temporal, or the worker, exactly there.
type holdAfterSave struct {
	acts    *activities.Activities
	armed   atomic.Pointer[string]
	written chan struct{}
	release chan struct{}
}

func (h *holdAfterSave) SaveComplaint(ctx context.Context, s activities.Snapshot) error {
	if err := h.acts.SaveComplaint(ctx, s); err != nil {
		return err
	}
	if id := h.armed.Load(); id != nil && *id == s.Complaint.ID && s.Cause != workflows.CauseWorkflow &&
		h.armed.CompareAndSwap(id, nil) {
		close(h.written)
		<-h.release
	}
	return nil
}

func (h *holdAfterSave) arm(id string) {
	h.written, h.release = make(chan struct{}), make(chan struct{})
	h.armed.Store(&id)
}

// installation is cxflow on its own Temporal server (persistent, on a fixed
// port, so it can be killed and started again) and its own database.
type installation struct {
	t        *testing.T
	dbFile   string
	port     int
	temporal *devstack.Temporal
	tc       client.Client
	pool     *pgxpool.Pool
	st       *store.Store
	ops      *app.App
	acts     *activities.Activities
	srv      *httptest.Server
	token    string
}

const crashQueue = "cxflow-crash"

func newInstallation(t *testing.T, database string) *installation {
	t.Helper()
	ctx := context.Background()
	port, err := devstack.FreePort()
	require.NoError(t, err)
	in := &installation{t: t, dbFile: filepath.Join(stack.dir, database+".db"), port: port}
	in.startTemporal()
	t.Cleanup(func() { in.temporal.Stop() })

	require.NoError(t, stack.pg.EnsureDatabase(ctx, database))
	cfg := stack.cfg
	cfg.DatabaseURL = stack.pg.URL(database)
	in.pool, err = cfg.OpenDatabase(ctx)
	require.NoError(t, err)
	t.Cleanup(in.pool.Close)
	require.NoError(t, migrations.Up(ctx, in.pool, stack.log))
	in.st = store.New(in.pool)
	_, err = demo.Seed(ctx, in.st)
	require.NoError(t, err)
	hash, err := auth.HashPassword(testerPassword)
	require.NoError(t, err)
	_, err = in.st.CreateUser(ctx, org.User{ID: uuid.NewString(), Username: "tester", Name: "测试员", Department: "engineering",
		Roles: []org.Role{org.RoleIntakeClerk, org.RoleMarketDepartment, org.RoleDepartmentMember, org.RoleDepartmentHead,
			org.RoleGeneralManager, org.RoleAdministrator}}, hash)
	require.NoError(t, err)

	in.tc, err = client.Dial(client.Options{HostPort: in.temporal.Address(), Namespace: "default", DataConverter: stack.cfg.Secrets.Keyring.DataConverter()})
	require.NoError(t, err)
	t.Cleanup(in.tc.Close)
	policy, err := cfg.Policy()
	require.NoError(t, err)
	in.acts = &activities.Activities{Store: in.st, Temporal: in.tc, Policy: policy, Location: cfg.Location, PublicURL: cfg.PublicURL, Links: cfg.Secrets.Links}
	in.ops = &app.App{Temporal: in.tc, Store: in.st, TaskQueue: crashQueue, Log: stack.log}
	sec := server.SecurityFrom(cfg)
	sec.LoginPerMinute, sec.PublicPerMinute = 10_000, 10_000
	// Short enough that a step waiting on a dead server answers before the
	// server is started again.
	in.srv = httptest.NewServer(server.New(in.tc, in.st, crashQueue, stack.log).WithSecurity(sec).WithUpdateTimeout(5 * time.Second).Handler())
	t.Cleanup(in.srv.Close)
	in.token, err = login(in.srv.URL, "tester", testerPassword)
	require.NoError(t, err)
	return in
}

func (in *installation) startTemporal() {
	var err error
	in.temporal, err = devstack.StartTemporal(context.Background(), devstack.TemporalOptions{
		Headless: true, Logger: stack.log, DBFile: in.dbFile, Port: in.port,
	})
	require.NoError(in.t, err)
}

// worker starts a worker whose SaveComplaint is held by hold; its client is
// tc (the installation's when nil).
func (in *installation) worker(hold *holdAfterSave, tc client.Client) sdkworker.Worker {
	if tc == nil {
		tc = in.tc
	}
	w := worker.New(tc, crashQueue, in.acts)
	if hold != nil {
		hold.acts = in.acts
		w.RegisterActivityWithOptions(hold.SaveComplaint, activity.RegisterOptions{Name: "SaveComplaint", DisableAlreadyRegisteredCheck: true})
	}
	require.NoError(in.t, w.Start())
	in.t.Cleanup(w.Stop)
	return w
}

func (in *installation) call(method, path string, body any, header ...string) response {
	return call(in.t, in.srv.URL, method, path, body, append([]string{"Authorization", "Bearer " + in.token}, header...)...)
}

func (in *installation) complaint(id string) (complaint.Complaint, bool) {
	r := in.call(http.MethodGet, "/api/v1/complaints/"+id, nil)
	require.Equal(in.t, http.StatusOK, r.status, "%s", r.body)
	var c complaint.Complaint
	r.json(in.t, &c)
	var confirmed bool
	require.NoError(in.t, in.pool.QueryRow(context.Background(), `SELECT confirmed FROM complaints WHERE id = $1`, id).Scan(&confirmed))
	return c, confirmed
}

// accepted counts the Updates of a name the workflow's history accepted.
func (in *installation) accepted(id, update string) int {
	ctx := context.Background()
	iter := in.tc.GetWorkflowHistory(ctx, complaint.WorkflowID(id), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for iter.HasNext() {
		e, err := iter.Next()
		require.NoError(in.t, err)
		if a := e.GetWorkflowExecutionUpdateAcceptedEventAttributes(); a != nil && a.GetAcceptedRequest().GetInput().GetName() == update {
			n++
		}
	}
	return n
}

// startStep sends a step in the background; the answer arrives on the channel.
func (in *installation) startStep(id, path string, body any, key string) <-chan response {
	out := make(chan response, 1)
	go func() {
		out <- in.call(http.MethodPost, "/api/v1/complaints/"+id+"/"+path, body, "Idempotency-Key", key)
	}()
	return out
}

func wait[T any](t *testing.T, ch <-chan T, within time.Duration, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(within):
		t.Fatalf("%s: nothing within %s", what, within)
	}
	var zero T
	return zero
}

// TestTemporalKilledAfterTheReadModelWrite: the Temporal server dies after
// the assignment's read-model write and before the task that accepted it is
// completed. The Update is lost; the read model showed it. After the restart
// the case converges to what the workflow recorded, and the same client's
// retry (same Idempotency-Key) finishes the step, once.
func TestTemporalKilledAfterTheReadModelWrite(t *testing.T) {
	in := newInstallation(t, "cxflow_crash_temporal")
	hold := &holdAfterSave{}
	in.worker(hold, nil)
	r := in.call(http.MethodPost, "/api/v1/complaints", intake(5_000))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var c complaint.Complaint
	r.json(t, &c)
	require.Equal(t, http.StatusOK, in.call(http.MethodPost, "/api/v1/complaints/"+c.ID+"/validation", steps[0].body).status)

	hold.arm(c.ID)
	key := uuid.NewString()
	answer := in.startStep(c.ID, "assignment", steps[1].body, key)
	wait(t, hold.written, 30*time.Second, "the assignment's read-model write")
	shown, confirmed := in.complaint(c.ID)
	require.Equal(t, complaint.StepRootCause, shown.Status, "the write is visible before the task completes")
	require.False(t, confirmed)

	in.temporal.Kill()
	close(hold.release)
	lost := wait(t, answer, 30*time.Second, "the lost step's answer")
	require.Equal(t, http.StatusServiceUnavailable, lost.status, "%s", lost.body)

	in.startTemporal()
	reconcile, stop := context.WithCancel(context.Background())
	defer stop()
	go in.ops.RunReconciler(reconcile, 200*time.Millisecond, time.Second)
	require.Eventually(t, func() bool {
		c, confirmed := in.complaint(c.ID)
		return confirmed && c.Status == complaint.StepAssignment
	}, 90*time.Second, 250*time.Millisecond, "the read model converges to the workflow's state")
	got, _ := in.complaint(c.ID)
	require.Zero(t, countActions(got, complaint.ActionAssigned), "the lost step's event is gone")
	require.Zero(t, in.accepted(c.ID, workflows.UpdateAssignment))
	require.Positive(t, in.ops.Repairs())

	r = in.call(http.MethodPost, "/api/v1/complaints/"+c.ID+"/assignment", steps[1].body, "Idempotency-Key", key)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	r.json(t, &got)
	require.Equal(t, complaint.StepRootCause, got.Status)
	require.Equal(t, 1, countActions(got, complaint.ActionAssigned))
	require.Equal(t, 1, in.accepted(c.ID, workflows.UpdateAssignment), "applied once")
	_, confirmed = in.complaint(c.ID)
	require.True(t, confirmed)
}

// TestWorkerKilledAfterTheReadModelWrite: the worker dies after the
// assignment's read-model write, before it reports the task. Temporal gives
// the task to another worker, which applies the Update again; the read model
// holds it once and the client gets its answer.
func TestWorkerKilledAfterTheReadModelWrite(t *testing.T) {
	in := newInstallation(t, "cxflow_crash_worker")
	// The first worker's own connection, cut when it is "killed": every call
	// it makes fails from then on, as if the process were gone.
	var dead atomic.Bool
	cut := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if dead.Load() {
			return status.Error(codes.Unavailable, "worker killed")
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	tc1, err := client.Dial(client.Options{HostPort: in.temporal.Address(), Namespace: "default", DataConverter: stack.cfg.Secrets.Keyring.DataConverter(),
		ConnectionOptions: client.ConnectionOptions{DialOptions: []grpc.DialOption{grpc.WithChainUnaryInterceptor(cut)}}})
	require.NoError(t, err)
	t.Cleanup(tc1.Close)
	hold := &holdAfterSave{}
	w1 := in.worker(hold, tc1)

	r := in.call(http.MethodPost, "/api/v1/complaints", intake(5_000))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	var c complaint.Complaint
	r.json(t, &c)
	require.Equal(t, http.StatusOK, in.call(http.MethodPost, "/api/v1/complaints/"+c.ID+"/validation", steps[0].body).status)

	hold.arm(c.ID)
	answer := in.startStep(c.ID, "assignment", steps[1].body, uuid.NewString())
	wait(t, hold.written, 30*time.Second, "the assignment's read-model write")
	dead.Store(true)
	in.worker(nil, nil)
	close(hold.release)
	go w1.Stop()

	reconcile, stop := context.WithCancel(context.Background())
	defer stop()
	go in.ops.RunReconciler(reconcile, 200*time.Millisecond, time.Second)
	r = wait(t, answer, 60*time.Second, "the step's answer")
	// The API waits 5 s: the task's timeout may outlast it (503, the retry
	// would answer); either way the step is applied exactly once.
	require.Contains(t, []int{http.StatusOK, http.StatusServiceUnavailable}, r.status, "%s", r.body)
	require.Eventually(t, func() bool {
		c, confirmed := in.complaint(c.ID)
		return confirmed && c.Status == complaint.StepRootCause
	}, 60*time.Second, 250*time.Millisecond, "the step lands once another worker takes the task (answer %d %s)", r.status, r.body)
	got, _ := in.complaint(c.ID)
	require.Equal(t, 1, countActions(got, complaint.ActionAssigned), "once: "+strconv.Itoa(len(got.Timeline))+" events")
	require.Equal(t, 1, in.accepted(c.ID, workflows.UpdateAssignment))
}
