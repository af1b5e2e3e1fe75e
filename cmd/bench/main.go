// Command bench measures cxflow end to end on a throwaway local stack (`make
// bench`). It starts PostgreSQL in a temporary directory, an in-memory
// Temporal dev server, the schema, the demo organisation, the worker and the
// API (as cmd/cxflow does, on free ports, with payload encryption), signs in
// once, drives complaints through their whole lifecycle over HTTP,
// then measures the engine floor: bare Temporal Updates on a trivial workflow,
// the same number and concurrency. The report goes to stdout, progress to
// stderr; everything started is stopped and removed on exit or Ctrl-C.
//
//	go run ./cmd/bench [-n 200] [-c 8] [-warmup 8] [-sample 10] [-log FILE]
//
// See docs/benchmarks.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// stepsPerComplaint is the number of Updates after the intake on the benchmark's path.
const stepsPerComplaint = 8

type options struct {
	n, conc, warmup, sample int
	logPath                 string
	// reportComplaints and reportAnswers size the report benchmark (0: skip it).
	reportComplaints, reportAnswers int
	// converge is how many orphaned read-model rows the reconciler repairs (0: skip it).
	converge int
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 200, "complaints to drive through the full lifecycle (and floor workflows to run)")
	flag.IntVar(&o.conc, "c", 8, "concurrency: lifecycles (and floor workflows) in flight at a time")
	flag.IntVar(&o.warmup, "warmup", 8, "unmeasured lifecycles and floor workflows run first")
	flag.IntVar(&o.sample, "sample", 10, "closed workflows whose histories are measured (0: all)")
	flag.StringVar(&o.logPath, "log", "", "write the stack's logs (JSON) to this file; default: discard them")
	flag.IntVar(&o.reportComplaints, "report-complaints", 100_000, "complaints loaded for the report benchmark (0: skip it)")
	flag.IntVar(&o.reportAnswers, "report-answers", 50_000, "survey answers loaded for the report benchmark")
	flag.IntVar(&o.converge, "converge", 1000, "open complaints whose read-model rows are orphaned and repaired (0: skip it)")
	flag.Parse()
	if o.n < 1 || o.conc < 1 || o.warmup < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "bench: -n and -c must be at least 1, -warmup at least 0, and no arguments")
		flag.Usage()
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func run(o options) error {
	log := slog.New(slog.DiscardHandler)
	if o.logPath != "" {
		f, err := os.Create(o.logPath)
		if err != nil {
			return err
		}
		defer f.Close()
		log = slog.New(slog.NewJSONHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	progress("starting PostgreSQL, Temporal dev server, worker and API ...")
	began := time.Now()
	s, err := startStack(ctx, log)
	if err != nil {
		return interrupted(ctx, err)
	}
	defer func() {
		progress("stopping the stack ...")
		s.close(log)
	}()
	progress("stack up in %s (API %s, Temporal %s)", time.Since(began).Round(time.Millisecond), s.apiURL, s.cfg.TemporalAddress)

	// A worker or API that stops by itself ends the run.
	dctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-s.failed:
			cancel(s.failErr)
		case <-dctx.Done():
		}
	}()
	check := func(p *phase) error {
		if err := context.Cause(dctx); err != nil {
			return interrupted(ctx, err)
		}
		return nil
	}
	// A failing warm-up would fail every measured call the same way: stop early.
	warm := func(what string, p *phase) error {
		if err := check(p); err != nil {
			return err
		}
		if p.errors > 0 {
			return fmt.Errorf("%s warm-up: %d of %d failed; first: %s", what, p.errors, p.n, p.sample[0])
		}
		return nil
	}

	api := newHTTPDriver(s.apiURL, s.token, o.conc)
	cxflowUnit := func(ctx context.Context, _ int, rec [][]time.Duration) (string, error) {
		id, err := api.run(ctx, rec)
		if id != "" {
			id = "complaint:" + id
		}
		return id, err
	}
	if o.warmup > 0 {
		progress("cxflow: warm-up, %d lifecycles ...", o.warmup)
		if err := warm("cxflow", runPhase(dctx, o.warmup, o.conc, len(lifecycle), cxflowUnit)); err != nil {
			return err
		}
	}
	progress("cxflow: %d lifecycles (create + %d steps each), concurrency %d ...", o.n, stepsPerComplaint, o.conc)
	cx := runPhase(dctx, o.n, o.conc, len(lifecycle), cxflowUnit)
	if err := check(cx); err != nil {
		return err
	}

	progress("cxflow: measuring histories ...")
	cxHist, cxTypes, err := histories(dctx, s.tc, spread(cx.ids, o.sample))
	if err != nil {
		return interrupted(ctx, err)
	}

	fw, err := startFloorWorker(s.tc)
	if err != nil {
		return err
	}
	defer fw.Stop()
	fd := &floorDriver{tc: s.tc}
	floorUnit := func(ctx context.Context, i int, rec [][]time.Duration) (string, error) {
		return fd.run(ctx, i, stepsPerComplaint, rec)
	}
	if o.warmup > 0 {
		progress("floor: warm-up, %d workflows ...", o.warmup)
		fd.runID = "warmup"
		if err := warm("floor", runPhase(dctx, o.warmup, o.conc, len(floorOps), floorUnit)); err != nil {
			return err
		}
	}
	progress("floor: %d workflows × %d bare Updates, concurrency %d ...", o.n, stepsPerComplaint, o.conc)
	fd.runID = "run"
	fl := runPhase(dctx, o.n, o.conc, len(floorOps), floorUnit)
	if err := check(fl); err != nil {
		return err
	}
	flHist, flTypes, err := histories(dctx, s.tc, spread(fl.ids, o.sample))
	if err != nil {
		return interrupted(ctx, err)
	}

	writeReport(os.Stdout, report{
		opts: o, stack: s,
		cx: cx, cxHist: cxHist, cxTypes: cxTypes,
		floor: fl, flHist: flHist, flTypes: flTypes,
	})
	if o.converge > 0 {
		progress("read model: %d orphaned rows, waiting for the reconciler ...", o.converge)
		cv, err := runConvergence(dctx, s.pool, api, o.converge, o.conc)
		if err != nil {
			return interrupted(ctx, err)
		}
		cv.write(os.Stdout)
		if cv.left > 0 {
			return fmt.Errorf("%d read-model rows did not converge", cv.left)
		}
	}
	if o.reportComplaints > 0 {
		progress("reports: loading %d complaints and %d answers, then measuring ...", o.reportComplaints, o.reportAnswers)
		rl, err := runReportLoad(dctx, s.pool, o.reportComplaints, o.reportAnswers)
		if err != nil {
			return interrupted(ctx, err)
		}
		rl.write(os.Stdout)
	}
	if n := cx.errors + fl.errors; n > 0 {
		return errors.New(strconv.Itoa(n) + " lifecycles or floor workflows failed (see the report)")
	}
	return nil
}

// interrupted names a Ctrl-C as such rather than as the error it caused.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errors.New("interrupted")
	}
	return err
}
