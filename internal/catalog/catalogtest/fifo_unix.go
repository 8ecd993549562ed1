//go:build unix

package catalogtest

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// Mkfifo makes a named pipe at p, in place of what was there in one step (it is made
// under a hidden name and renamed), so that a watching source never sees p missing. A
// writer waits on it and closes it as soon as a reader opens it, so that code that blocks
// opening it (the bug the tests guard against) reads an empty file instead of hanging
// the test; the cleanup releases the writer when no reader came. It fails the test when
// the pipe cannot be made.
func Mkfifo(t *testing.T, p string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(p), ".fifo-"+filepath.Base(p))
	if err := syscall.Mkfifo(tmp, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if f, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
	}()
	t.Cleanup(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
			runtime.Gosched()
		}
	})
}
