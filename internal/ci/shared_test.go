package ci

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedDir returns the AWS Config reference data, ../shared/data/aws-config beside the
// module root ($PROBITY_SHARED overrides ../shared, for checkouts elsewhere), or skips.
func SharedDir(t testing.TB) string {
	t.Helper()
	root := os.Getenv("PROBITY_SHARED")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared")
	}
	dir := filepath.Join(root, "data", "aws-config")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("reference data %s is absent (it sits beside the module as ../shared, or set PROBITY_SHARED); skipping", dir)
	}
	return dir
}
