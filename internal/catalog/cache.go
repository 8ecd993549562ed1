package catalog

import (
	"crypto/sha256"
	"strings"

	"github.com/probity-dev/probity"

	"github.com/probity-dev/probity/internal/doc"
)

// Cache remembers what LoadCached made of each file, so that loading a catalog again
// costs a comparison of each unchanged file's digest instead of its parse. It holds the
// files' digests, not their bytes, and the files of one load at a time (each load
// replaces them); it is for one loader at a time: it is not safe for concurrent use. The
// zero Cache is empty and ready to use.
type Cache struct {
	// Reread, when set, returns the bytes of the file at path as its source holds them
	// now, or nil when it cannot. A stand-in that LoadCachedKnownFrom did not read reads
	// its file with it, only to place a problem, and uses the bytes only when they are
	// still what it was loaded from.
	Reread func(path string) []byte

	files map[string]cachedFile // by path
	load  uint64                // counts the loads kept
}

type cachedFile struct {
	sum     [sha256.Size]byte // of the file's bytes
	problem string
	result  fileResult
	load    uint64 // the load that last kept the file
}

// lookup fills r with the result of f's previous load, when c holds one for f exactly as
// it is now (sums[i] is the digest of f's bytes), and reports whether it did. A stand-in
// (fromKnown from an outline) is taken only while known, the library's controls by file
// digest (knownControls), still has the control it stands for with the content it
// recorded. A nil c holds nothing.
func (c *Cache) lookup(f doc.File, sums [][sha256.Size]byte, i int, r *fileResult, known map[string]*probity.Control) bool {
	if c == nil {
		return false
	}
	cf, ok := c.files[f.Path]
	if !ok || cf.problem != f.Problem || cf.sum != sums[i] {
		return false
	}
	if d := cf.result.doc; d != nil && d.stubID != "" {
		k := known[d.Digest]
		if k == nil || k.ID != d.stubID || !strings.HasSuffix(k.SourceDigest, "/"+d.stubContent) {
			return false
		}
	}
	*r = cf.result
	return true
}

// keep makes c hold the files, by the digests of their bytes, and what they loaded to,
// and nothing else. Documents read from the library's record (LoadKnown) are never
// given to a Cache.
func (c *Cache) keep(files []doc.File, sums [][sha256.Size]byte, results []fileResult) {
	if c == nil {
		return
	}
	// In place, so that a large catalog's cache is not built again beside itself.
	if c.files == nil {
		c.files = make(map[string]cachedFile, len(files))
	}
	c.load++
	for i, f := range files {
		c.files[f.Path] = cachedFile{sum: sums[i], problem: f.Problem, result: results[i], load: c.load}
	}
	for path, cf := range c.files {
		if cf.load != c.load {
			delete(c.files, path)
		}
	}
}
