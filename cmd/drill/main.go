// Command drill is the power-cut drill of issue #19 (`make drill`; never part
// of `make test`). Each run starts the real launcher — cmd/cxflow, what `make
// run` runs: PostgreSQL, the Temporal dev server, the worker and the API — on
// a fresh data directory and free ports, has concurrent clients drive
// complaints from intake to closed through the API, and cuts the power while
// they are mid-flight: SIGKILL to the launcher and every process below it at
// the same instant. It then starts the launcher again on the same data and
// ports, and the clients carry on, retrying what got no answer under the same
// Idempotency-Key. After the cuts it checks that every complaint closed, that
// no step happened twice (in the read model's timeline and as an accepted
// Update in the workflow's history), that the read model equals the
// workflow's state and that the clients met no 500, and prints a verdict per
// run and a summary. The exit status is 1 when a run failed.
//
//	go run ./cmd/drill [-runs 3] [-cuts 2] [-complaints 60] [-clients 8] [-timeout 10m] [-seed N] [-keep]
//
// Linux only: the stack's processes are found through /proc.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cxflow/cxflow/demo"
	"github.com/cxflow/cxflow/devstack"
)

type options struct {
	runs, cuts, complaints, clients int
	timeout, startTimeout           time.Duration
	seed                            uint64
	keep                            bool
}

// The user the clients sign in as: created in every run by the demo admin,
// with every role a complaint's path needs, in the department it is assigned to.
const (
	drillUser     = "drill"
	drillPassword = "drill-password-1"
	stopTimeout   = 90 * time.Second
)

func main() {
	var o options
	flag.IntVar(&o.runs, "runs", 3, "runs, each on a fresh stack")
	flag.IntVar(&o.cuts, "cuts", 2, "power cuts per run")
	flag.IntVar(&o.complaints, "complaints", 60, "complaints driven from intake to closed in each run")
	flag.IntVar(&o.clients, "clients", 8, "concurrent clients sharing the complaints")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "per run: a complaint not closed by then is wedged")
	flag.DurationVar(&o.startTimeout, "start-timeout", 3*time.Minute, "how long the launcher may take to become ready")
	flag.Uint64Var(&o.seed, "seed", 0, "seed for the moments of the cuts (0: random)")
	flag.BoolVar(&o.keep, "keep", false, "keep each run's data directory")
	flag.Parse()
	if o.runs < 1 || o.cuts < 0 || o.complaints < 1 || o.clients < 1 || o.timeout <= 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "drill: -runs, -complaints and -clients must be at least 1, -cuts at least 0, -timeout positive; no arguments")
		flag.Usage()
		os.Exit(2)
	}
	os.Exit(run(o))
}

func say(format string, args ...any) {
	fmt.Printf("drill: "+format+"\n", args...)
}

func run(o options) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := becomeSubreaper(); err != nil {
		say("%v", err)
		return 1
	}
	root, err := devstack.ModuleRoot()
	if err != nil {
		say("%v", err)
		return 1
	}
	temporalBin, err := devstack.FindTemporalBinary()
	if err == nil {
		temporalBin, err = filepath.Abs(temporalBin)
	}
	if err != nil {
		say("%v", err)
		return 1
	}
	// The launcher runs in the run's directory, outside the module: it is
	// told where Mailpit is, as it is told where the Temporal CLI is.
	mailpitBin, err := devstack.FindMailpitBinary()
	if err == nil {
		mailpitBin, err = filepath.Abs(mailpitBin)
	}
	if err != nil {
		say("%v", err)
		return 1
	}
	// Parents of the data directories must be traversable by the postgres
	// OS user when running as root (docs/development.md).
	workDir, err := os.MkdirTemp("", "cxflow-drill-")
	if err == nil {
		err = os.Chmod(workDir, 0o755)
	}
	if err != nil {
		say("%v", err)
		return 1
	}
	bin := filepath.Join(workDir, "cxflow")
	say("building the launcher: go build -o %s ./cmd/cxflow", bin)
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/cxflow")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		say("build failed: %v", err)
		os.RemoveAll(workDir)
		return 1
	}
	defer os.Remove(bin)

	seed := o.seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	say("%d runs × %d cuts, %d complaints, %d clients, timeout %s per run, seed %d; logs in %s",
		o.runs, o.cuts, o.complaints, o.clients, o.timeout, seed, workDir)
	rng := rand.New(rand.NewPCG(seed, 0x19))

	var results []*result
	for k := 1; k <= o.runs && ctx.Err() == nil; k++ {
		res := runOnce(ctx, o, k, bin, temporalBin, mailpitBin, workDir, rng)
		res.print(o)
		results = append(results, res)
	}
	return summary(ctx, o, results, workDir)
}

// result is one run's outcome.
type result struct {
	k      int
	cuts   int
	killed int
	// recoveries counts PostgreSQL's crash recoveries: one per cut.
	recoveries int
	restarts   []time.Duration
	closed     int
	f          *findings
	stats      *stats
	repairs    int
	errLines   int
	failures   []string // the drill could not do its part, or a finding outside the checks
	logPath    string
	took       time.Duration
}

func (r *result) pass() bool {
	return len(r.failures) == 0 && r.f != nil && !r.f.failed() &&
		r.stats.serverErrors.Load() == 0 && r.stats.otherClientErrors.Load() == 0
}

func (r *result) print(o options) {
	verdict := "PASS"
	if !r.pass() {
		verdict = "FAIL"
	}
	var wedged, doubles, missing, diverged int
	if r.f != nil {
		wedged, doubles, missing, diverged = len(r.f.wedged), len(r.f.doubles), len(r.f.missing), len(r.f.diverged)
	}
	say("run %d/%d: %s: %d/%d closed, %d/%d cuts, %d wedged, %d steps twice, %d steps missing, %d read models unlike their workflow, "+
		"%d read-model repairs logged by the stack, %d × 5xx other than 503 (took %s)",
		r.k, o.runs, verdict, r.closed, o.complaints, r.cuts, o.cuts, wedged, doubles, missing, diverged,
		r.repairs, r.stats.serverErrors.Load(), r.took.Round(time.Second))
	say("run %d/%d:   clients: %s", r.k, o.runs, r.stats)
	for _, f := range r.failures {
		say("run %d/%d:   failure: %s", r.k, o.runs, f)
	}
	if r.f != nil {
		for _, s := range []struct {
			name  string
			lines []string
		}{{"wedged (not closed within the run's timeout)", r.f.wedged}, {"step twice", r.f.doubles}, {"step missing", r.f.missing}, {"read model unlike workflow", r.f.diverged}, {"note", r.f.notes}} {
			if len(s.lines) > 0 {
				fmt.Printf("drill: run %d/%d:   %s:\n%s", r.k, o.runs, s.name, joinLimited(s.lines, 20, "drill:       "))
			}
		}
	}
	r.stats.mu.Lock()
	if len(r.stats.samples) > 0 {
		fmt.Printf("drill: run %d/%d:   unexpected answers:\n%s", r.k, o.runs, joinLimited(r.stats.samples, 12, "drill:       "))
	}
	r.stats.mu.Unlock()
	say("run %d/%d:   %d processes killed in %d cuts, %d PostgreSQL crash recoveries, restarts took %s; launcher log %s (%d ERROR lines)",
		r.k, o.runs, r.killed, r.cuts, r.recoveries, durations(r.restarts), r.logPath, r.errLines)
}

func summary(ctx context.Context, o options, results []*result, workDir string) int {
	var passed, cuts, closed, wedged, doubles, repairs int
	all := &stats{}
	for _, r := range results {
		if r.pass() {
			passed++
		}
		cuts += r.cuts
		closed += r.closed
		repairs += r.repairs
		if r.f != nil {
			wedged += len(r.f.wedged)
			doubles += len(r.f.doubles)
		}
		all.add(r.stats)
	}
	say("summary: %d/%d runs passed, %d cuts, %d/%d complaints closed, %d wedged, %d steps twice, %d read-model repairs logged by the stack",
		passed, len(results), cuts, closed, len(results)*o.complaints, wedged, doubles, repairs)
	say("summary: clients: %s", all)
	say("summary: logs in %s", workDir)
	if ctx.Err() != nil {
		say("interrupted")
		return 1
	}
	if passed != len(results) || len(results) != o.runs {
		return 1
	}
	return 0
}

// runOnce is one run: a fresh stack, the clients, the cuts, the checks.
func runOnce(ctx context.Context, o options, k int, bin, temporalBin, mailpitBin, workDir string, rng *rand.Rand) *result {
	res := &result{k: k, stats: &stats{}, logPath: filepath.Join(workDir, fmt.Sprintf("run-%d.log", k))}
	began := time.Now()
	defer func() { res.took = time.Since(began) }()
	fail := func(format string, args ...any) *result {
		res.failures = append(res.failures, fmt.Sprintf(format, args...))
		return res
	}
	prefix := fmt.Sprintf("run %d/%d", k, o.runs)

	dir := filepath.Join(workDir, fmt.Sprintf("run-%d", k))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fail("%v", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		return fail("%v", err)
	}
	st, err := newStack(bin, dir, filepath.Join(dir, "data"), res.logPath, temporalBin, mailpitBin, o.startTimeout)
	if err != nil {
		return fail("%v", err)
	}
	defer func() {
		if err := st.stop(stopTimeout); err != nil {
			res.failures = append(res.failures, "stop: "+err.Error())
		}
		res.recoveries = st.crashRecoveries()
		if res.recoveries < res.cuts {
			res.failures = append(res.failures, fmt.Sprintf("PostgreSQL's log shows %d crash recoveries for %d cuts: a cut let it shut down cleanly", res.recoveries, res.cuts))
		}
		res.repairs = countIn(res.logPath, "read model repaired")
		res.errLines = countIn(res.logPath, `"level":"ERROR"`)
		if o.keep {
			say("%s: data kept in %s", prefix, st.dataDir)
		} else if err := os.RemoveAll(dir); err != nil {
			say("%s: remove %s: %v", prefix, dir, err)
		}
	}()
	say("%s: starting the stack: API %s, Temporal %s, data %s", prefix, st.apiURL, st.temporalAddr, st.dataDir)
	t0 := time.Now()
	if err := st.start(ctx); err != nil {
		return fail("start: %v", err)
	}
	say("%s: stack up after %.1fs", prefix, time.Since(t0).Seconds())

	// The clients' user, created through the API by the demo administrator.
	admin := newAPI(st.apiURL, "admin", demo.Password, &stats{})
	if err := admin.login(ctx); err != nil {
		return fail("%v", err)
	}
	r, err := admin.do(ctx, http.MethodPost, "/api/v1/users", mustJSON(map[string]any{
		"username": drillUser, "name": "演练 (drill)", "department": "engineering", "password": drillPassword,
		"roles": []string{"intake_clerk", "market_department", "department_member", "department_head"},
	}), "")
	if err != nil {
		return fail("create the drill user: %v", err)
	}
	if r.status != http.StatusCreated && r.status != http.StatusConflict {
		return fail("create the drill user: %d %s", r.status, r.message())
	}
	a := newAPI(st.apiURL, drillUser, drillPassword, res.stats)
	if err := a.login(ctx); err != nil {
		return fail("%v", err)
	}

	cases := make([]*kase, o.complaints)
	for i := range cases {
		cases[i] = &kase{n: i + 1, key: fmt.Sprintf("drill-%d-%03d", k, i+1)}
	}
	runCtx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	p := &progress{}
	total := int64(o.complaints * pointsPerCase)
	at := cutPoints(rng, o.cuts, int(total))
	driveStart := time.Now()
	driveDone, killerDone := make(chan struct{}), make(chan struct{})

	// The killer: a power cut whenever the clients reach the next cut point,
	// then the launcher again on the same data and ports.
	var killerFailures []string
	go func() {
		defer close(killerDone)
		for j := 0; ; j++ {
			point := int64(math.MaxInt64) // no more cuts: only watch the launcher
			if j < len(at) {
				point = at[j]
			}
			for p.points.Load() < point {
				select {
				case <-driveDone:
					return
				case <-runCtx.Done():
					return
				case <-st.done:
					killerFailures = append(killerFailures, fmt.Sprintf("the launcher exited on its own (%v); last lines of its log:\n%s",
						st.err, tail(st.logPath, 25)))
					cancel()
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
			t := time.Since(driveStart)
			killed, err := st.cut()
			res.cuts++
			res.killed += len(killed)
			say("%s: cut %d/%d at t=%.1fs: SIGKILL to %d processes at once (%s) with %d/%d complaints closed, %d/%d steps done",
				prefix, j+1, o.cuts, t.Seconds(), len(killed), describe(killed), p.closed.Load(), o.complaints, p.points.Load(), total)
			if err != nil {
				killerFailures = append(killerFailures, fmt.Sprintf("cut %d: %v", j+1, err))
			}
			t1 := time.Now()
			if err := st.start(runCtx); err != nil {
				killerFailures = append(killerFailures, fmt.Sprintf("restart after cut %d: %v", j+1, err))
				cancel()
				return
			}
			res.restarts = append(res.restarts, time.Since(t1))
			say("%s: stack back after %.1fs (same data, same ports); the clients carry on", prefix, time.Since(t1).Seconds())
		}
	}()
	// Progress lines while the clients work.
	go func() {
		tick := time.NewTicker(15 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-driveDone:
				return
			case <-tick.C:
				say("%s: t=%.0fs: %d/%d complaints closed, %d/%d steps done", prefix,
					time.Since(driveStart).Seconds(), p.closed.Load(), o.complaints, p.points.Load(), total)
			}
		}
	}()
	say("%s: %d clients drive %d complaints; cuts when %v of %d steps are done", prefix, o.clients, o.complaints, at, total)
	drive(runCtx, a, cases, o.clients, p)
	close(driveDone)
	<-killerDone
	res.failures = append(res.failures, killerFailures...)
	res.closed = int(p.closed.Load()) // as the clients saw it; the check below counts again
	timedOut := runCtx.Err() != nil && ctx.Err() == nil
	say("%s: clients stopped at t=%.1fs: %d/%d complaints closed%s", prefix, time.Since(driveStart).Seconds(),
		p.closed.Load(), o.complaints, map[bool]string{true: " (run timeout)", false: ""}[timedOut])
	if ctx.Err() != nil {
		return fail("interrupted")
	}
	if res.cuts < o.cuts {
		res.failures = append(res.failures, fmt.Sprintf("only %d of %d cuts happened", res.cuts, o.cuts))
	}
	if !st.running() {
		return fail("the stack is not running: nothing to check")
	}

	vctx, vcancel := context.WithTimeout(ctx, 5*time.Minute)
	defer vcancel()
	say("%s: checking every complaint: read model, timeline, workflow history", prefix)
	f, err := verify(vctx, st, a, cases)
	res.f = f
	if f != nil {
		res.closed = f.closed
	}
	if err != nil {
		return fail("check: %v", err)
	}
	return res
}

// durations lists durations to a tenth of a second: "0.9s, 1.2s".
func durations(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.1fs", d.Seconds())
	}
	return strings.Join(parts, ", ")
}
