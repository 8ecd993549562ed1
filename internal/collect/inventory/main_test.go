package inventory_test

import (
	"os"
	"testing"

	"github.com/probity-dev/probity/internal/mototest"
)

// TestMain stops the emulator that the package's tests share (mototest.Shared).
func TestMain(m *testing.M) {
	code := m.Run()
	mototest.StopShared()
	os.Exit(code)
}
