//go:build !linux

package mototest

import "os/exec"

// diesWithParent does nothing where the kernel cannot kill a child with its parent.
func diesWithParent(*exec.Cmd) {}
