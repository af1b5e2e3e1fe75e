package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// readProc reads one process; ok is false when it is gone.
func readProc(pid int) (proc, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return proc{}, false
	}
	return parseStat(string(b))
}

// parseStat parses "pid (comm) state ppid pgrp ... starttime ...": comm may
// itself hold spaces and parentheses, so the fields after it are counted from
// its last ')'.
func parseStat(s string) (proc, bool) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 1 || end < open || end+2 >= len(s) {
		return proc{}, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(s[:open]))
	if err != nil {
		return proc{}, false
	}
	// Fields from 3 (state) on; starttime is field 22.
	f := strings.Fields(s[end+2:])
	if len(f) < 20 {
		return proc{}, false
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return proc{}, false
	}
	start, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return proc{}, false
	}
	return proc{pid: pid, ppid: ppid, state: f[0][0], start: start, comm: s[open+1 : end]}, true
}

// allProcs reads every process in /proc.
func allProcs() (map[int]proc, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("read /proc: %w", err)
	}
	out := make(map[int]proc, len(entries))
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProc(pid); ok {
			out[pid] = p
		}
	}
	return out, nil
}

// tree returns root and every live process below it (children of children),
// parents before their children.
func tree(all map[int]proc, root int) []proc {
	children := map[int][]proc{}
	for _, p := range all {
		children[p.ppid] = append(children[p.ppid], p)
	}
	r, ok := all[root]
	if !ok || r.dead() {
		return nil
	}
	out := []proc{r}
	for i := 0; i < len(out); i++ {
		for _, c := range children[out[i].pid] {
			if !c.dead() {
				out = append(out, c)
			}
		}
	}
	return out
}

// becomeSubreaper makes this process the reaper of its orphaned descendants
// (PR_SET_CHILD_SUBREAPER): when a power cut kills the launcher and
// PostgreSQL's postmaster, their children come to us rather than to init, so
// they can still be found, and their zombies are reaped here.
func becomeSubreaper() error {
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		return fmt.Errorf("prctl(PR_SET_CHILD_SUBREAPER): %w", errno)
	}
	return nil
}

// powerCut kills root and every process below it with SIGKILL, all at the
// same instant. The tree is frozen first (SIGSTOP, deepest first, again for
// anything forked meanwhile, until it stands still): a frozen process runs no
// more code, so neither its parent-death signal nor the order of the kills
// lets any of them shut down cleanly. Then every frozen process gets SIGKILL
// in one sweep. It returns the processes killed, once all of them are gone
// (reaped when they were ours); skip is a PID someone else waits for (the
// launcher, whose exec.Cmd reaps it).
func powerCut(root, skip int) ([]proc, error) {
	frozen := map[int]proc{}
	var order []proc
	for round := 0; round < 50; round++ {
		all, err := allProcs()
		if err != nil {
			return order, err
		}
		var fresh []proc
		for _, p := range tree(all, root) {
			if _, ok := frozen[p.pid]; !ok {
				fresh = append(fresh, p)
			}
		}
		// Also whatever was orphaned to us meanwhile (a process whose parent
		// exited on its own between two scans).
		self := os.Getpid()
		for _, p := range all {
			if _, ok := frozen[p.pid]; !ok && p.ppid == self && p.pid != skip && !p.dead() && round > 0 {
				fresh = append(fresh, tree(all, p.pid)...)
			}
		}
		if len(fresh) == 0 {
			if allStopped(order) {
				break
			}
			time.Sleep(2 * time.Millisecond)
			continue
		}
		for i := len(fresh) - 1; i >= 0; i-- {
			p := fresh[i]
			if _, ok := frozen[p.pid]; ok {
				continue
			}
			_ = syscall.Kill(p.pid, syscall.SIGSTOP)
			frozen[p.pid] = p
			order = append(order, p)
		}
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("no process to cut: the launcher (pid %d) is not running", root)
	}
	for _, p := range order {
		_ = syscall.Kill(p.pid, syscall.SIGKILL)
	}
	return order, awaitGone(order, skip, 15*time.Second)
}

// allStopped reports whether every listed process is stopped or gone.
func allStopped(ps []proc) bool {
	for _, p := range ps {
		q, ok := readProc(p.pid)
		if !ok || q.start != p.start || q.dead() {
			continue
		}
		if q.state != 'T' && q.state != 't' {
			return false
		}
	}
	return true
}

// awaitGone waits until every listed process has exited, killing again
// whatever still runs and reaping the zombies that are ours (all but skip).
func awaitGone(ps []proc, skip int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var alive []string
		for _, p := range ps {
			q, ok := readProc(p.pid)
			if !ok || q.start != p.start {
				continue
			}
			if q.dead() {
				if q.ppid == os.Getpid() && p.pid != skip {
					reap(p.pid)
				}
				continue
			}
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
			alive = append(alive, fmt.Sprintf("%d (%s, state %c)", p.pid, q.comm, q.state))
		}
		if len(alive) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still running %s after SIGKILL: %s", timeout, strings.Join(alive, ", "))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// reapOrphans reaps the zombies orphaned to us (all but skip) and reports
// the live processes orphaned to us: after the launcher stopped, none should be.
func reapOrphans(skip int) []proc {
	all, err := allProcs()
	if err != nil {
		return nil
	}
	var live []proc
	for _, p := range all {
		if p.ppid != os.Getpid() || p.pid == skip {
			continue
		}
		if p.dead() {
			reap(p.pid)
			continue
		}
		live = append(live, tree(all, p.pid)...)
	}
	return live
}

func reap(pid int) {
	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
		if !errors.Is(err, syscall.EINTR) {
			return
		}
	}
}

// deathSignal is the launcher's parent-death signal: if the drill itself is
// killed, the launcher stops its stack cleanly.
func deathSignal(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGTERM }

// treeOf returns root and every live process below it.
func treeOf(root int) []proc {
	all, err := allProcs()
	if err != nil {
		return nil
	}
	return tree(all, root)
}
