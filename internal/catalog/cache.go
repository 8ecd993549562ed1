package catalog

import (
	"bytes"
	"strings"

	"github.com/probity-dev/probity"

	"github.com/probity-dev/probity/internal/doc"
)

// Cache remembers what LoadCached made of each file, so that loading a catalog again
// costs a comparison of each unchanged file's bytes instead of its parse. It holds the
// files of one load at a time (each load replaces them), and is for one loader at a time:
// it is not safe for concurrent use. The zero Cache is empty and ready to use.
type Cache struct {
	files map[string]cachedFile // by path
	load  uint64                // counts the loads kept
}

type cachedFile struct {
	data    []byte
	problem string
	result  fileResult
	load    uint64 // the load that last kept the file
}

// lookup fills r with the result of f's previous load, when c holds one for f exactly as
// it is now, and reports whether it did. A stand-in (fromKnown from an outline) is taken
// only while known, the library's controls by file digest (knownControls), still has the
// control it stands for with the content it recorded. A nil c holds nothing.
func (c *Cache) lookup(f doc.File, r *fileResult, known map[string]*probity.Control) bool {
	if c == nil {
		return false
	}
	cf, ok := c.files[f.Path]
	if !ok || cf.problem != f.Problem || !bytes.Equal(cf.data, f.Data) {
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

// keep makes c hold the files and what they loaded to, and nothing else. Documents read
// from the library's record (LoadKnown) are never given to a Cache.
func (c *Cache) keep(files []doc.File, results []fileResult) {
	if c == nil {
		return
	}
	// In place, so that a large catalog's cache is not built again beside itself.
	if c.files == nil {
		c.files = make(map[string]cachedFile, len(files))
	}
	c.load++
	for i, f := range files {
		c.files[f.Path] = cachedFile{data: f.Data, problem: f.Problem, result: results[i], load: c.load}
	}
	for path, cf := range c.files {
		if cf.load != c.load {
			delete(c.files, path)
		}
	}
}
