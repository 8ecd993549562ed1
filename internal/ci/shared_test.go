package ci

import (
	"testing"

	"github.com/probity-dev/probity/internal/sharedtest"
)

// SharedDir returns the AWS Config reference data, ../shared/data/aws-config beside the
// module root ($PROBITY_SHARED overrides ../shared, for checkouts elsewhere), or skips.
func SharedDir(t testing.TB) string { return sharedtest.Dir(t, "aws-config") }
