//go:build unix

package doc

import (
	"errors"
	"syscall"
)

// Flags for opening documents: never wait for a writer (a named pipe), and never
// follow a link in the last element.
const (
	openNonblock = syscall.O_NONBLOCK
	openNofollow = syscall.O_NOFOLLOW
)

// isNofollowError reports whether err is what opening a link with openNofollow returns
// (ELOOP; EMLINK on FreeBSD).
func isNofollowError(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK)
}
