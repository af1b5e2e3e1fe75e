package main

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CPU accounting from /proc (Linux; elsewhere the report leaves it out).
// Every process is charged to this program or to the direct child it descends
// from: the Temporal dev server, or the PostgreSQL postmaster with its backends.

// userHZ is the unit of /proc/<pid>/stat times; 100 on every Linux platform Go supports.
const userHZ = 100

const selfGroup = "bench process (API, worker, client)"

type procStat struct {
	pid, ppid int
	comm      string
	// own is utime+stime; reaped adds the times of waited-for children (cutime+cstime).
	own, reaped time.Duration
}

func readStat(path string) (procStat, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return procStat{}, false
	}
	s := string(b)
	// comm is in parentheses and may contain spaces: split around the last ')'.
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return procStat{}, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(s[:open]))
	if err != nil {
		return procStat{}, false
	}
	f := strings.Fields(s[end+1:]) // f[0] is field 3 (state)
	if len(f) < 15 {
		return procStat{}, false
	}
	num := func(i int) int64 { n, _ := strconv.ParseInt(f[i], 10, 64); return n }
	tick := func(n int64) time.Duration { return time.Duration(n) * time.Second / userHZ }
	return procStat{
		pid: pid, ppid: int(num(1)), comm: s[open+1 : end],
		own:    tick(num(11) + num(12)), // utime, stime (fields 14, 15)
		reaped: tick(num(13) + num(14)), // cutime, cstime (fields 16, 17)
	}, true
}

// cpuSample is CPU time used so far, by group; the machine's busy and idle
// totals are under busyKey and idleKey.
type cpuSample map[string]time.Duration

const (
	busyKey = "\x00busy"
	idleKey = "\x00idle"
)

// machineCPU reads the machine-wide totals from /proc/stat's "cpu" line.
func machineCPU(s cpuSample) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return
	}
	var busy, idle int64
	// user nice system idle iowait irq softirq steal (guest time is inside user).
	for i, v := range f[1:min(len(f), 9)] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i == 3 || i == 4 {
			idle += n
		} else {
			busy += n
		}
	}
	s[busyKey] = time.Duration(busy) * time.Second / userHZ
	s[idleKey] = time.Duration(idle) * time.Second / userHZ
}

// sampleCPU returns nil where /proc is not available.
func sampleCPU() cpuSample {
	self := os.Getpid()
	me, ok := readStat("/proc/self/stat")
	if !ok {
		return nil
	}
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	all := map[int]procStat{}
	for _, p := range paths {
		if st, ok := readStat(p); ok {
			all[st.pid] = st
		}
	}
	// Our own reaped children (initdb, psql probes) ran before the measurement.
	s := cpuSample{selfGroup: me.own}
	machineCPU(s)
	for _, st := range all {
		// Walk up to the ancestor whose parent is this program.
		top, cur := 0, st
		for range 64 {
			if cur.ppid == self {
				top = cur.pid
				break
			}
			parent, ok := all[cur.ppid]
			if !ok {
				break
			}
			cur = parent
		}
		if top == 0 {
			continue
		}
		name := all[top].comm
		if name == "temporal" {
			name = "Temporal dev server"
		} else if name == "postgres" {
			name = "PostgreSQL"
		}
		s[name] += st.own + st.reaped
	}
	return s
}

// cpuUse is the CPU time each group used between two samples.
type cpuUse struct {
	group string
	used  time.Duration
}

const (
	otherGroup = "other processes on the machine"
	idleGroup  = "idle"
)

// cpuBetween lists our groups, largest first, then the rest of the machine's
// busy time and its idle time when /proc/stat was readable.
func cpuBetween(before, after cpuSample) []cpuUse {
	if before == nil || after == nil {
		return nil
	}
	var out []cpuUse
	var ours time.Duration
	for g, t := range after {
		if g == busyKey || g == idleKey {
			continue
		}
		out = append(out, cpuUse{g, t - before[g]})
		ours += t - before[g]
	}
	slices.SortFunc(out, func(a, b cpuUse) int { return cmp.Compare(b.used, a.used) })
	if _, ok := after[busyKey]; ok {
		out = append(out,
			cpuUse{otherGroup, max(0, after[busyKey]-before[busyKey]-ours)},
			cpuUse{idleGroup, after[idleKey] - before[idleKey]})
	}
	return out
}
