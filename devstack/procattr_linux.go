package devstack

import "syscall"

// setDeathSignal asks the kernel to send sig to the child when its parent
// dies, so a launcher killed with SIGKILL takes its services with it.
func setDeathSignal(attr *syscall.SysProcAttr, sig syscall.Signal) {
	attr.Pdeathsig = sig
}
