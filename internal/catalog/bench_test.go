package catalog

import (
	"testing"

	"github.com/probity-dev/probity/internal/catalog/catalogtest"
	"github.com/probity-dev/probity/internal/doc"
)

// BenchmarkLoad measures reading and checking a catalog of 10,000 controls and 200
// frameworks of 50 controls each (the reference size).
func BenchmarkLoad(b *testing.B) {
	dir, err := catalogtest.Write(b.TempDir(), catalogtest.Spec{Controls: 10000, Frameworks: 200, PerFramework: 50, Revision: "1"})
	if err != nil {
		b.Fatal(err)
	}
	files, err := doc.ReadPaths([]string{dir}, doc.ReadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, diags := Load(files); len(diags) > 0 {
			b.Fatal(diags)
		}
	}
}
