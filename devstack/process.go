package devstack

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
)

// child is a started long-running process whose exit can be awaited from
// several goroutines.
type child struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // result of cmd.Wait, valid after done is closed
}

// startChild starts cmd in its own process group with deathSig as its
// parent-death signal.
//
// The kernel delivers the parent-death signal when the *thread* that forked
// the child exits, not the process. The Go runtime may retire threads (for
// example when a goroutine that called LockOSThread returns), so the fork
// happens on a goroutine that keeps its thread locked until the child exits.
func startChild(cmd *exec.Cmd, deathSig syscall.Signal) (*child, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	setDeathSignal(cmd.SysProcAttr, deathSig)

	c := &child{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread: when this goroutine returns the thread is
		// discarded, which is harmless because the child is gone by then.
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		c.err = cmd.Wait()
		close(c.done)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return c, nil
}

// exited reports whether the process has already exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// signalGroup sends sig to the child's whole process group, so helpers it
// spawned go too.
func (c *child) signalGroup(sig syscall.Signal) error {
	return syscall.Kill(-c.cmd.Process.Pid, sig)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. There
// is an unavoidable window before the caller binds it; in practice the kernel
// does not hand out the same ephemeral port again that quickly.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer keeps the last n lines written to it, to quote a failed child's
// output in the error message.
type tailBuffer struct {
	mu    sync.Mutex
	n     int
	lines []string
}

func (t *tailBuffer) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > t.n {
		t.lines = t.lines[len(t.lines)-t.n:]
	}
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// pipeLines forwards each line read from r to the logger and the tail buffer
// until r is closed. level picks the slog level for a line.
func pipeLines(r io.Reader, logger *slog.Logger, level func(line string) slog.Level, stream string, tail *tailBuffer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		tail.add(line)
		logger.Log(context.Background(), level(line), line, "stream", stream)
	}
}

// startPicking starts a server whose free ports are picked before it binds
// them: another process (a parallel test package, say) can take one in
// between, and then the start is tried again with new ports, up to three
// times. With every port chosen by the caller (fixed) there is nothing to
// pick again.
func startPicking[T any](fixed bool, start func() (T, error)) (T, error) {
	var (
		t   T
		err error
	)
	for range 3 {
		t, err = start()
		if err == nil || fixed || !strings.Contains(err.Error(), "address already in use") {
			return t, err
		}
	}
	return t, err
}
