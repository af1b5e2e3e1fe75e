//go:build !linux

package devstack

import "syscall"

// setDeathSignal is a no-op where the kernel has no parent-death signal;
// there a killed launcher can leave its services running, and the next
// start cleans up after them.
func setDeathSignal(attr *syscall.SysProcAttr, sig syscall.Signal) {}
