package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"
)

// unitFunc runs unit i (a complaint lifecycle or a floor workflow), appending
// each call's latency to rec[kind]; it returns the workflow's ID.
type unitFunc func(ctx context.Context, i int, rec [][]time.Duration) (string, error)

// phase is the outcome of running n units on conc goroutines.
type phase struct {
	n, conc int
	wall    time.Duration
	ops     [][]time.Duration // per call kind
	units   []time.Duration   // whole unit, successful ones only
	ids     []string          // workflow IDs of successful units, in unit order
	errors  int
	sample  []string // the first few error messages
	cpu     []cpuUse // CPU time used during the phase, by process group
}

func (p *phase) calls() int {
	n := 0
	for _, o := range p.ops {
		n += len(o)
	}
	return n
}

// runPhase runs units 0..n-1 with conc of them in flight at a time.
func runPhase(ctx context.Context, n, conc, kinds int, unit unitFunc) *phase {
	p := &phase{n: n, conc: conc, ops: make([][]time.Duration, kinds)}
	ids := make([]string, n)
	jobs := make(chan int)
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	cpuBefore := sampleCPU()
	began := time.Now()
	for range conc {
		wg.Go(func() {
			rec := make([][]time.Duration, kinds)
			var units []time.Duration
			for i := range jobs {
				t0 := time.Now()
				id, err := unit(ctx, i, rec)
				if err != nil {
					mu.Lock()
					p.errors++
					if len(p.sample) < 5 {
						p.sample = append(p.sample, fmt.Sprintf("#%d %s: %v", i, id, err))
					}
					mu.Unlock()
					continue
				}
				units = append(units, time.Since(t0))
				ids[i] = id
			}
			mu.Lock()
			for k := range rec {
				p.ops[k] = append(p.ops[k], rec[k]...)
			}
			p.units = append(p.units, units...)
			mu.Unlock()
		})
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	p.wall = time.Since(began)
	p.cpu = cpuBetween(cpuBefore, sampleCPU())
	for _, id := range ids {
		if id != "" {
			p.ids = append(p.ids, id)
		}
	}
	return p
}

// dist summarises latencies.
type dist struct {
	n                  int
	p50, p95, p99, max time.Duration
	mean               time.Duration
}

func summarize(ds []time.Duration) dist {
	s := slices.Clone(ds)
	slices.Sort(s)
	d := dist{n: len(s)}
	if len(s) == 0 {
		return d
	}
	var sum time.Duration
	for _, v := range s {
		sum += v
	}
	d.mean = sum / time.Duration(len(s))
	d.p50, d.p95, d.p99, d.max = rank(s, 0.50), rank(s, 0.95), rank(s, 0.99), s[len(s)-1]
	return d
}

// rank is the nearest-rank percentile of sorted values.
func rank(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func concat(parts ...[]time.Duration) []time.Duration {
	var all []time.Duration
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

// history is one workflow's event history, measured.
type history struct {
	id     string
	events int
	bytes  int // sum of the events' protobuf sizes
}

// typeTotal is what one event type adds up to over several histories.
type typeTotal struct{ events, bytes int }

// histories waits for each workflow to finish and measures its history. types
// totals the events by type over all of them.
func histories(ctx context.Context, tc client.Client, ids []string) ([]history, map[string]typeTotal, error) {
	types := map[string]typeTotal{}
	var out []history
	for _, id := range ids {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := tc.GetWorkflow(wctx, id, "").Get(wctx, nil)
		cancel()
		if err != nil {
			return out, types, fmt.Errorf("wait for %s to finish: %w", id, err)
		}
		h := history{id: id}
		it := tc.GetWorkflowHistory(ctx, id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return out, types, fmt.Errorf("history of %s: %w", id, err)
			}
			size := proto.Size(ev)
			h.events++
			h.bytes += size
			t := types[ev.GetEventType().String()]
			t.events++
			t.bytes += size
			types[ev.GetEventType().String()] = t
		}
		out = append(out, h)
	}
	return out, types, nil
}

// spread picks k of ids, evenly spaced (all of them when k <= 0 or k >= len).
func spread(ids []string, k int) []string {
	if k <= 0 || k >= len(ids) {
		return ids
	}
	out := make([]string, k)
	for i := range k {
		out[i] = ids[i*len(ids)/k]
	}
	return out
}
