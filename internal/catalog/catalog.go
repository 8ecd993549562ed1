// Package catalog reads controls and frameworks kept as files (YAML or JSON), checks
// them with exact positions, and plans and applies them to the library.
//
// The flow is Load (files -> documents and diagnostics), MakePlan (documents + library
// -> changes) and Apply (the plan, in one transaction). Export writes a library back out
// as files that load to the same thing.
package catalog

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// Catalog is the valid documents of one set of files.
type Catalog struct {
	Controls   []*Document
	Frameworks []*Document
	Rules      []*Document // custom rules, each compiled
	Mappings   []*Document // finding mappings
}

// Load reads every file. It returns the documents of the valid files and the problems of
// the others, all of them, sorted; a file with any problem contributes no document. A
// File with a Problem (one that was not read) is reported as such. Names must be unique
// within the files: each duplicate is reported in both files. Framework references are
// left to MakePlan, which knows the library.
func Load(files []doc.File) (*Catalog, doc.Diagnostics) {
	cat, diags, _ := loadFiles(files, nil, nil, nil, nil, nil, false)
	return cat, diags
}

// LoadCached is Load that takes every file whose path, content and problem are as they
// were in c's previous load from that load instead of parsing it again, with the same
// documents and problems. Afterwards c holds exactly these files. The documents of a
// cached load are shared with later loads and must not be modified.
func LoadCached(files []doc.File, c *Cache) (*Catalog, doc.Diagnostics) {
	cat, diags, _ := loadFiles(files, nil, nil, nil, nil, c, false)
	return cat, diags
}

// LoadCachedKnown is LoadCached with the library at hand, as in LoadKnown: a control file
// that has not changed since the catalog last wrote its control stands for that control
// (from an outline, a stand-in holding little more than its name) instead of being
// parsed, so that c holds small documents for the unchanged files of a large catalog.
// A stand-in c kept is taken again only while lib still records its file for the same
// control with the same content; otherwise the file is parsed. Unlike LoadCached, the
// documents are not those of Load (MakePlan plans them the same, or refuses a stand-in
// with ErrLibraryMoved when lib is not the library they were loaded against). A nil lib
// makes it LoadCached.
func LoadCachedKnown(files []doc.File, c *Cache, lib *store.Library) (*Catalog, doc.Diagnostics) {
	cat, diags, _ := loadFiles(files, nil, nil, lib, nil, c, false)
	return cat, diags
}

// LoadCachedKnownFrom is LoadCachedKnown for files whose bytes are read only when
// needed: files hold each file's path and problem but no bytes, sums[i] is the SHA-256
// of file i's bytes, and read(i) returns file i with its bytes (with that sum: the
// caller checks). A file that c holds with the same path, problem and sum is taken from
// c without being read; every other file is read, decoded and dropped, so that neither
// the load nor c holds the catalog's bytes. A stand-in whose bytes were dropped reads
// them again, only to place a problem, with c.Reread. It returns the first error of
// read, and then no catalog.
func LoadCachedKnownFrom(files []doc.File, sums [][sha256.Size]byte, read func(int) (doc.File, error), c *Cache, lib *store.Library) (*Catalog, doc.Diagnostics, error) {
	return loadFiles(files, sums, read, lib, nil, c, true)
}

// LoadKnown is Load with the library at hand: a control file that has not changed since
// the catalog last wrote its control is read from that control instead of parsed, which
// makes planning an unchanged catalog cheap; and, as in Check, every framework's
// references are resolved against the files and lib in the same pass. A nil lib makes
// it Load.
//
// LoadKnown takes the files: it sets each file's Data to nil once it no longer needs it
// (as soon as the file is read, unless it names custom rules), so that a large catalog's
// bytes are not held beside the library and the documents.
func LoadKnown(files []doc.File, lib *store.Library) (*Catalog, doc.Diagnostics) {
	cat, diags, _ := loadFiles(files, nil, nil, lib, lib, nil, true)
	return cat, diags
}

// LoadKnownFrom is LoadKnown reading the files of l as it goes: each file is read,
// decoded and, unless it names custom rules, dropped, so that only the files being
// decoded are held, never the whole catalog's bytes. It returns the first error of
// reading a file (as doc.ReadPaths would have), and then no catalog.
func LoadKnownFrom(l *doc.Listing, lib *store.Library) (*Catalog, doc.Diagnostics, error) {
	return loadFiles(make([]doc.File, l.Len()), nil, l.Read, lib, lib, nil, true)
}

// CheckFrom is Check reading the files of l as it goes, as LoadKnownFrom does.
func CheckFrom(l *doc.Listing, lib *store.Library) (*Catalog, doc.Diagnostics, error) {
	if lib == nil {
		lib = &store.Library{}
	}
	return loadFiles(make([]doc.File, l.Len()), nil, l.Read, nil, lib, nil, true)
}

// Check is Load for reporting every problem of a set of files in one run: each file is
// parsed in full, and in the same pass the references of every framework file, valid or
// not, are resolved against the names of the controls that the files define (whether or
// not those files have other problems) and then against lib (nil means an empty
// library). So a framework's field errors and its references to missing controls are
// reported together. Like LoadKnown, Check takes the files: it sets the Data of each
// file that names no custom rule to nil once read.
func Check(files []doc.File, lib *store.Library) (*Catalog, doc.Diagnostics) {
	if lib == nil {
		lib = &store.Library{}
	}
	cat, diags, _ := loadFiles(files, nil, nil, nil, lib, nil, true)
	return cat, diags
}

// loadFiles reads the files, taking unchanged controls from known (may be nil), resolving
// references against resolveIn (nil: not at all), and taking unchanged files from cache
// (may be nil). With release, it sets the Data of every file that names no custom rule
// to nil once read. When read is set, files holds only room for the files (or, with
// sums, each file's path and problem): each is read by read(i) just before it is
// decoded (release must be set, so that the bytes go once decoded), and the first error
// of read is returned. sums, when set, are the SHA-256 of each file's bytes: a file the
// cache holds with that sum is not read at all.
func loadFiles(files []doc.File, sums [][sha256.Size]byte, read func(int) (doc.File, error), known, resolveIn *store.Library, cache *Cache, release bool) (*Catalog, doc.Diagnostics, error) {
	cat := &Catalog{}
	var diags doc.Diagnostics
	byDigest := knownControls(known)
	// Files are independent until names are compared: decode them on every core. Files
	// read here are opened by more workers, to overlap the waits of opening them.
	results := make([]fileResult, len(files))
	workers := runtime.GOMAXPROCS(0)
	var readErrs []error
	if read != nil {
		workers = max(workers, 8)
		readErrs = make([]error, len(files))
	}
	var keptSums [][sha256.Size]byte // what the cache compares each file by
	if cache != nil {
		keptSums = sums
		if keptSums == nil {
			keptSums = make([][sha256.Size]byte, len(files))
		}
	}
	parallel(len(files), workers, func(i int) {
		r := &results[i]
		readFile := func() bool {
			files[i], readErrs[i] = read(i)
			return readErrs[i] == nil
		}
		if read != nil && sums == nil && !readFile() {
			return
		}
		if cache != nil && sums == nil {
			keptSums[i] = sha256.Sum256(files[i].Data)
		}
		if cache.lookup(files[i], keptSums, i, r, byDigest) {
			// A parsed control that the outline now records for its file is kept as its
			// stand-in from now on, so the cache does not hold it whole.
			if d := r.doc; d != nil && d.Kind == KindControl && !d.known && known.Outline() {
				if c := byDigest[d.Digest]; c != nil {
					r.doc = fromKnown(files[i], d.Digest, c, true)
					r.outline = outline{control: c.Name, ruleRefs: r.doc.RuleRefs}
					if sums != nil {
						r.doc.from = cache // its bytes were not read
					}
				}
			}
			return
		}
		if read != nil && sums != nil && !readFile() {
			return
		}
		if sums != nil && files[i].Problem == "" && sha256.Sum256(files[i].Data) != sums[i] {
			readErrs[i] = fmt.Errorf("%s: changed while being read", files[i].Path)
			return
		}
		if files[i].Problem != "" {
			r.diags = doc.Diagnostics{{Path: files[i].Path, Reason: files[i].Problem}}
			return
		}
		digest := fileDigest(files[i])
		if c := byDigest[digest]; c != nil {
			r.doc = fromKnown(files[i], digest, c, known.Outline())
			r.outline = outline{control: c.Name, ruleRefs: r.doc.RuleRefs}
			if sums != nil {
				// Kept by the cache beyond this load: read again through it.
				r.doc.data, r.doc.from = nil, cache
			} else if read != nil && len(r.doc.RuleRefs) == 0 {
				// Only a duplicate name needs the file again: read it then.
				r.doc.data, r.doc.reread = nil, func() []byte {
					f, err := read(i)
					if err != nil || fileDigest(f) != digest {
						return nil
					}
					return f.Data
				}
			}
		} else {
			r.doc, r.diags, r.outline = decodeFile(files[i])
			if r.doc != nil {
				r.doc.Digest = digest
			}
		}
		// Only placing a rule reference below reads the file again (a known document
		// keeps its own reference to the bytes, for placing its name).
		if release && len(r.outline.ruleRefs) == 0 {
			files[i].Data = nil
		}
	})
	if err := errors.Join(readErrs...); err != nil {
		return nil, nil, err
	}
	cache.keep(files, keptSums, results)
	for _, r := range results {
		dc := r.doc
		diags = append(diags, r.diags...)
		switch {
		case dc == nil:
		case dc.Kind == KindControl:
			cat.Controls = append(cat.Controls, dc)
		case dc.Kind == KindRule:
			cat.Rules = append(cat.Rules, dc)
		case dc.Kind == KindMapping:
			cat.Mappings = append(cat.Mappings, dc)
		default:
			cat.Frameworks = append(cat.Frameworks, dc)
		}
	}
	cat.Controls = dropDuplicates(cat.Controls, "control", &diags)
	cat.Frameworks = dropDuplicates(cat.Frameworks, "framework", &diags)
	cat.Rules = dropDuplicates(cat.Rules, "rule", &diags)
	cat.Mappings = dropDuplicates(cat.Mappings, "mapping", &diags)
	// A known document's file is parsed again only to place a problem: a duplicate name,
	// reported above, or a rule reference, which MakePlan may report. Without rule
	// references it is not needed any more, and dropping it frees the catalog's bytes.
	for _, dc := range cat.Controls {
		if dc.known && len(dc.RuleRefs) == 0 && cache == nil { // a cached document may be placed again
			dc.data, dc.reread = nil, nil
		}
	}
	if resolveIn != nil {
		// A name that two files define is reported as a duplicate, not also as missing:
		// any control file that got as far as its name counts.
		declared := map[string]*probity.Control{}
		for _, r := range results {
			if r.outline.control != "" {
				declared[r.outline.control] = declaredInFiles
			}
		}
		ix := indexLibrary(resolveIn)
		declaredRules := map[string]bool{}
		for _, r := range results {
			if r.outline.rule != "" {
				declaredRules[r.outline.rule] = true
			}
		}
		for i, r := range results {
			for _, ref := range r.outline.refs {
				if _, reason := resolve(ref, declared, ix, nil); reason != "" {
					diags = append(diags, ref.problem(files[i].Path, reason))
				}
			}
			for _, ref := range r.outline.controlNames {
				if reason := resolveControlName(ref, declared, ix, nil); reason != "" {
					diags = append(diags, ref.problem(files[i].Path, reason))
				}
			}
			for _, ref := range r.outline.ruleRefs {
				if reason := resolveRule(ref, declaredRules, ix.rules, nil); reason != "" {
					diags = append(diags, placeRuleRef(files[i], ref).problem(files[i].Path, reason))
				}
			}
		}
	}
	diags.Sort()
	return cat, diags, nil
}

// declaredInFiles stands in declared for every control a file defines: resolving a reference
// to one needs only that it is there (its id is empty, as a new control's).
var declaredInFiles = &probity.Control{}

// fileResult is what loading made of one file.
type fileResult struct {
	doc     *Document
	diags   doc.Diagnostics
	outline outline
}

// dropDuplicates reports every document whose name another document also uses, and
// returns the others.
func dropDuplicates(docs []*Document, what string, diags *doc.Diagnostics) []*Document {
	byName := map[string][]*Document{}
	for _, d := range docs {
		byName[d.Name()] = append(byName[d.Name()], d)
	}
	dup := map[*Document]bool{}
	for name, ds := range byName {
		if len(ds) < 2 {
			continue
		}
		for _, d := range ds {
			d.placeName()
		}
		for _, d := range ds {
			var others []string
			for _, o := range ds {
				if o != d {
					others = append(others, fmt.Sprintf("%s:%d:%d", o.Path, o.namePos.Line, o.namePos.Col))
				}
			}
			slices.Sort(others)
			*diags = append(*diags, doc.Diagnostic{Path: d.Path, Pos: d.namePos, Field: "name",
				Reason: fmt.Sprintf("%s name %q is also defined in %s", what, name, strings.Join(others, ", "))})
			dup[d] = true
		}
	}
	return slices.DeleteFunc(docs, func(d *Document) bool { return dup[d] })
}

// placeName finds where a known document's name is, by parsing its file after all.
func (dc *Document) placeName() {
	if !dc.known {
		return
	}
	dc.namePos = doc.Pos{Line: 1, Col: 1}
	if parsed, _, _ := decodeFile(dc.file()); parsed != nil {
		dc.namePos = parsed.namePos
	}
}

// file returns the document's file, its bytes as fileData gives them.
func (dc *Document) file() doc.File { return doc.File{Path: dc.Path, Data: dc.fileData()} }

// fileData returns a known document's file: the bytes it kept, else read again when it
// can be (nil when the file has changed since, or cannot be read).
func (dc *Document) fileData() []byte {
	switch {
	case dc.data != nil:
		return dc.data
	case dc.reread != nil:
		return dc.reread()
	case dc.from != nil && dc.from.Reread != nil:
		if data := dc.from.Reread(dc.Path); fileDigest(doc.File{Path: dc.Path, Data: data}) == dc.Digest {
			return data
		}
	}
	return nil
}

// Name returns the name of the control, framework, rule or mapping the document defines.
func (dc *Document) Name() string {
	switch {
	case dc.stubID != "":
		return dc.stubName
	case dc.Control != nil:
		return dc.Control.Name
	case dc.Rule != nil:
		return dc.Rule.Name
	case dc.Mapping != nil:
		return dc.Mapping.Name
	}
	return dc.Framework.Name
}

// parallel calls fn(i) for every i below n on up to workers goroutines and returns when
// all calls have.
func parallel(n, workers int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		})
	}
	wg.Wait()
}
