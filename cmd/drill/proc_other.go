//go:build !linux

package main

import (
	"errors"
	"syscall"
	"time"
)

// The drill finds a stack's processes through /proc and reaps them as a
// child subreaper: Linux only.
var errLinuxOnly = errors.New("the power-cut drill runs on Linux only (it finds the stack's processes in /proc)")

func becomeSubreaper() error                                     { return errLinuxOnly }
func powerCut(root, skip int) ([]proc, error)                    { return nil, errLinuxOnly }
func awaitGone(ps []proc, skip int, timeout time.Duration) error { return errLinuxOnly }
func reapOrphans(skip int) []proc                                { return nil }
func treeOf(root int) []proc                                     { return nil }
func deathSignal(attr *syscall.SysProcAttr)                      {}
