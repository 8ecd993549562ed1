package mototest

import (
	"os/exec"
	"syscall"
)

// diesWithParent makes the kernel kill cmd's process when the process that started it
// dies, so that a test binary killed by its timeout leaves no emulator behind. Linux
// ties the signal to the thread that started the child; Go keeps its threads unless a
// goroutine exits while locked to one, which tests here do not do.
func diesWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
