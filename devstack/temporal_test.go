package devstack

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// requireTemporal returns the CLI path, skipping the test when it has not
// been built, except in CI, where `make test` builds it first.
func requireTemporal(t *testing.T) string {
	t.Helper()
	bin, err := FindTemporalBinary()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Temporal CLI missing in CI: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return bin
}

func TestTemporalInMemoryHeadless(t *testing.T) {
	requireTemporal(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmp, err := StartTemporal(ctx, TemporalOptions{Headless: true, Namespace: "cxtest", Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tmp.Stop() })
	if tmp.UIURL() != "" {
		t.Errorf("UIURL = %q for headless server", tmp.UIURL())
	}

	c, err := client.Dial(client.Options{HostPort: tmp.Address(), Namespace: "cxtest"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
	c.Close()
	if err != nil {
		t.Fatal(err)
	}

	if err := tmp.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", tmp.Address(), time.Second); err == nil {
		conn.Close()
		t.Errorf("frontend %s still accepting connections after Stop", tmp.Address())
	}
}

func TestTemporalSQLiteWithUI(t *testing.T) {
	requireTemporal(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dbFile := filepath.Join(t.TempDir(), "sub", "temporal.db")
	tmp, err := StartTemporal(ctx, TemporalOptions{DBFile: dbFile, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tmp.Stop() })
	if tmp.UIURL() == "" {
		t.Fatal("no UI URL")
	}
	resp, err := http.Get(tmp.UIURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("UI answered %s", resp.Status)
	}
	if err := tmp.Stop(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dbFile); err != nil || st.Size() == 0 {
		t.Errorf("SQLite file %s: %v", dbFile, err)
	}
}

func TestFindTemporalBinaryEnv(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "temporal")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvTemporalBin, fake)
	if got, err := FindTemporalBinary(); err != nil || got != fake {
		t.Errorf("FindTemporalBinary() = %q, %v; want %q", got, err, fake)
	}
	t.Setenv(EnvTemporalBin, filepath.Join(dir, "missing"))
	if _, err := FindTemporalBinary(); err == nil {
		t.Error("want an error for a missing $" + EnvTemporalBin)
	}
}

func TestModuleRoot(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if !declaresModule(filepath.Join(root, "go.mod"), modulePath) {
		t.Errorf("%s is not the cxflow module root", root)
	}
	if filepath.Base(root) == "devstack" {
		t.Errorf("ModuleRoot stopped at the package dir %s", root)
	}
}

const temporalHelperEnv = "DEVSTACK_TEST_TEMPORAL_LAUNCHER"

func TestTemporalHelperLauncher(t *testing.T) {
	if os.Getenv(temporalHelperEnv) == "" {
		t.Skip("helper process for TestTemporalDiesWithLauncher")
	}
	tmp, err := StartTemporal(context.Background(), TemporalOptions{Headless: true})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println("READY", tmp.proc.cmd.Process.Pid)
	time.Sleep(time.Minute) // killed long before this
	os.Exit(1)
}

func TestTemporalDiesWithLauncher(t *testing.T) {
	requireTemporal(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestTemporalHelperLauncher$")
	cmd.Env = append(os.Environ(), temporalHelperEnv+"=1")
	pid := runHelperUntilReady(t, cmd)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	deadline := time.Now().Add(15 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			syscall.Kill(-pid, syscall.SIGKILL)
			t.Fatalf("temporal server %d still running 15s after its launcher was killed", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
