package main

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cxflow/cxflow/devstack"
)

type report struct {
	opts    options
	stack   *stack
	cx      *phase
	cxHist  []history
	cxTypes map[string]typeTotal
	floor   *phase
	flHist  []history
	flTypes map[string]typeTotal
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func perSec(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func writeReport(w io.Writer, r report) {
	p := func(format string, args ...any) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf(format, args...), " "))
	}
	o := r.opts

	p("cxflow benchmark, %s", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	p("  machine   %s", machine())
	p("  code      %s", codeVersion())
	p("  stack     PostgreSQL %s (temp dir, fsync=off) · Temporal dev server %s (in memory, headless) · worker + API in this process · payloads AES-256-GCM encrypted",
		orUnknown(r.stack.pgVersion), orUnknown(r.stack.temporalVersion))
	p("  workload  %d complaints × (create + %d steps) over HTTP · concurrency %d · warm-up %d · estimated loss 5000 (slight: department head approval only)",
		o.n, stepsPerComplaint, o.conc, o.warmup)
	p("")

	floorStart, floorUpd, floorUnit := summarize(r.floor.ops[0]), summarize(r.floor.ops[1]), summarize(r.floor.units)
	cxSteps := summarize(concat(r.cx.ops[1:]...))

	p("cxflow lifecycles (HTTP with Bearer session → Gin → permission check → Temporal Update → local-activity write → read-back from PostgreSQL)")
	p("  wall time       %9.2f s", r.cx.wall.Seconds())
	p("  lifecycles/s    %9.2f", perSec(len(r.cx.ids), r.cx.wall))
	p("  requests/s      %9.1f   (create + steps)", perSec(r.cx.calls(), r.cx.wall))
	p("  closed          %5d / %d   errors %d", len(r.cx.ids), r.cx.n, r.cx.errors)
	cpuRows(p, r.cx)
	p("")
	// The last column compares each row with its floor counterpart: create
	// with the floor's update-with-start, a step with a bare Update.
	latencyHeader(p, "p50 ÷ floor p50")
	for i, op := range lifecycle {
		ref := floorUpd.p50
		if i == 0 {
			ref = floorStart.p50
		}
		latencyRow(p, op.name, summarize(r.cx.ops[i]), ref)
	}
	latencyRow(p, fmt.Sprintf("all %d steps", stepsPerComplaint), cxSteps, floorUpd.p50)
	latencyRow(p, "whole lifecycle", summarize(r.cx.units), floorUnit.p50)
	errorSample(p, r.cx)
	p("")

	p("engine floor (trivial workflow, own task queue, same encrypting client; bare Update: no validator, timer, activity or database)")
	p("  wall time       %9.2f s", r.floor.wall.Seconds())
	p("  updates/s       %9.1f   (%d workflows × %d Updates)", perSec(len(r.floor.ops[1]), r.floor.wall), r.floor.n, stepsPerComplaint)
	p("  calls/s         %9.1f   (update-with-starts + Updates)", perSec(r.floor.calls(), r.floor.wall))
	p("  completed       %5d / %d   errors %d", len(r.floor.ids), r.floor.n, r.floor.errors)
	cpuRows(p, r.floor)
	p("")
	latencyHeader(p, "")
	latencyRow(p, floorOps[0], floorStart, 0)
	latencyRow(p, floorOps[1], floorUpd, 0)
	latencyRow(p, "whole workflow", floorUnit, 0)
	errorSample(p, r.floor)
	p("")
	if floorUpd.p50 > 0 {
		p("  cxflow step p50 / floor Update p50 = %.2f ms / %.2f ms = %.1f×", ms(cxSteps.p50), ms(floorUpd.p50), float64(cxSteps.p50)/float64(floorUpd.p50))
		p("  lifecycles/s vs floor workflows/s  = %.2f vs %.2f", perSec(len(r.cx.ids), r.cx.wall), perSec(len(r.floor.ids), r.floor.wall))
		p("")
	}

	p("histories (GetWorkflowHistory of %d closed complaints and %d finished floor workflows, evenly sampled;", len(r.cxHist), len(r.flHist))
	p("           bytes are the protobuf size of the events)")
	p("  %-16s %8s %8s %8s %10s %10s", "per workflow", "events", "min", "max", "bytes", "max bytes")
	histRow(p, "complaint", r.cxHist)
	histRow(p, "floor workflow", r.flHist)
	if h, ok := longest(r.cxHist); ok {
		p("  longest: %s, %d events, %d bytes", h.id, h.events, h.bytes)
	}
	p("")
	p("  by event type, mean per workflow   %16s %16s", "complaint", "floor")
	p("  %-34s %7s %8s %7s %8s", "", "events", "bytes", "events", "bytes")
	types := slices.Sorted(maps.Keys(r.cxTypes))
	for _, t := range slices.Sorted(maps.Keys(r.flTypes)) {
		if _, ok := r.cxTypes[t]; !ok {
			types = append(types, t)
		}
	}
	for _, t := range types {
		c, f := r.cxTypes[t], r.flTypes[t]
		p("    %-32s %7s %8s %7s %8s", t, mean(c.events, len(r.cxHist), 1), mean(c.bytes, len(r.cxHist), 0),
			mean(f.events, len(r.flHist), 1), mean(f.bytes, len(r.flHist), 0))
	}
}

// cpuRows shows where the machine's CPU time went during the phase.
func cpuRows(p func(string, ...any), ph *phase) {
	if len(ph.cpu) == 0 {
		return
	}
	avail := ph.wall * time.Duration(runtime.NumCPU())
	p("  CPU time, of %d CPUs × %.2f s = %.2f s:", runtime.NumCPU(), ph.wall.Seconds(), avail.Seconds())
	for _, c := range ph.cpu {
		p("    %-38s %7.2f s %6.1f%%", c.group, c.used.Seconds(), 100*c.used.Seconds()/avail.Seconds())
	}
}

func latencyHeader(p func(string, ...any), extra string) {
	p("  %-16s %6s %8s %8s %8s %8s %8s  %s", "latency, ms", "calls", "mean", "p50", "p95", "p99", "max", extra)
}

func latencyRow(p func(string, ...any), name string, d dist, floorP50 time.Duration) {
	if d.n == 0 {
		p("  %-16s %6d", name, 0)
		return
	}
	ratio := ""
	if floorP50 > 0 {
		ratio = fmt.Sprintf("%8.1f×", float64(d.p50)/float64(floorP50))
	}
	p("  %-16s %6d %8.2f %8.2f %8.2f %8.2f %8.2f  %s", name, d.n, ms(d.mean), ms(d.p50), ms(d.p95), ms(d.p99), ms(d.max), ratio)
}

func errorSample(p func(string, ...any), ph *phase) {
	for _, e := range ph.sample {
		p("  error: %s", e)
	}
}

func histRow(p func(string, ...any), name string, hs []history) {
	if len(hs) == 0 {
		p("  %-16s %8s", name, "-")
		return
	}
	ev, by := 0, 0
	minEv, maxEv, maxBy := hs[0].events, 0, 0
	for _, h := range hs {
		ev += h.events
		by += h.bytes
		minEv, maxEv, maxBy = min(minEv, h.events), max(maxEv, h.events), max(maxBy, h.bytes)
	}
	p("  %-16s %8.1f %8d %8d %10.0f %10d", name, float64(ev)/float64(len(hs)), minEv, maxEv, float64(by)/float64(len(hs)), maxBy)
}

func longest(hs []history) (history, bool) {
	if len(hs) == 0 {
		return history{}, false
	}
	best := hs[0]
	for _, h := range hs[1:] {
		if h.events > best.events || (h.events == best.events && h.bytes > best.bytes) {
			best = h
		}
	}
	return best, true
}

func mean(total, n, decimals int) string {
	if n == 0 || total == 0 {
		return "-"
	}
	return strconv.FormatFloat(float64(total)/float64(n), 'f', decimals, 64)
}

func orUnknown(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// machine describes the computer: CPUs, model and memory where Linux tells.
func machine() string {
	parts := []string{fmt.Sprintf("%d CPUs (GOMAXPROCS %d)", runtime.NumCPU(), runtime.GOMAXPROCS(0))}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		parts = append(parts, v)
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		if kb, err := strconv.Atoi(strings.TrimSuffix(v, " kB")); err == nil {
			parts = append(parts, fmt.Sprintf("%.1f GiB RAM", float64(kb)/(1<<20)))
		}
	}
	parts = append(parts, runtime.GOOS+"/"+runtime.GOARCH, runtime.Version())
	return strings.Join(parts, " · ")
}

// codeVersion names the commit measured, when git can tell.
func codeVersion() string {
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		if root, err := devstack.ModuleRoot(); err == nil {
			cmd.Dir = root
		}
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	rev, err := git("rev-parse", "--short", "HEAD")
	if err != nil || rev == "" {
		return "unknown commit"
	}
	if dirty, err := git("status", "--porcelain", "--untracked-files=no"); err == nil && dirty != "" {
		return "commit " + rev + " with uncommitted changes"
	}
	return "commit " + rev
}

// procField returns the first "name: value" line's value in a /proc file.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
