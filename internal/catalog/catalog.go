// Package catalog reads controls and frameworks kept as files (YAML or JSON), checks
// them with exact positions, and plans and applies them to the library.
//
// The flow is Load (files -> documents and diagnostics), MakePlan (documents + library
// -> changes) and Apply (the plan, in one transaction). Export writes a library back out
// as files that load to the same thing.
package catalog

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/probity-dev/probity/internal/store"
)

// Catalog is the valid documents of one set of files.
type Catalog struct {
	Controls   []*Document
	Frameworks []*Document
}

// Load reads every file. It returns the documents of the valid files and the problems of
// the others, all of them, sorted; a file with any problem contributes no document.
// Names must be unique within the files: each duplicate is reported in both files.
func Load(files []File) (*Catalog, Diagnostics) {
	return LoadKnown(files, nil)
}

// LoadKnown is Load with the library at hand: a control file that has not changed since
// the catalog last wrote its control is read from that control instead of parsed, which
// makes planning an unchanged catalog cheap. lib may be nil.
func LoadKnown(files []File, lib *store.Library) (*Catalog, Diagnostics) {
	cat := &Catalog{}
	var diags Diagnostics
	type result struct {
		doc   *Document
		diags Diagnostics
	}
	known := knownControls(lib)
	// Files are independent until names are compared: decode them on every core.
	results := make([]result, len(files))
	parallel(len(files), runtime.GOMAXPROCS(0), func(i int) {
		digest := fileDigest(files[i])
		if c := known[digest]; c != nil {
			results[i].doc = fromKnown(files[i], digest, c)
			return
		}
		results[i].doc, results[i].diags = decodeFile(files[i])
		if results[i].doc != nil {
			results[i].doc.Digest = digest
		}
	})
	for _, r := range results {
		doc := r.doc
		diags = append(diags, r.diags...)
		switch {
		case doc == nil:
		case doc.Kind == KindControl:
			cat.Controls = append(cat.Controls, doc)
		default:
			cat.Frameworks = append(cat.Frameworks, doc)
		}
	}
	cat.Controls = dropDuplicates(cat.Controls, "control", &diags)
	cat.Frameworks = dropDuplicates(cat.Frameworks, "framework", &diags)
	diags.Sort()
	return cat, diags
}

// dropDuplicates reports every document whose name another document also uses, and
// returns the others.
func dropDuplicates(docs []*Document, what string, diags *Diagnostics) []*Document {
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
			*diags = append(*diags, Diagnostic{Path: d.Path, Pos: d.namePos, Field: "name",
				Reason: fmt.Sprintf("%s name %q is also defined in %s", what, name, strings.Join(others, ", "))})
			dup[d] = true
		}
	}
	return slices.DeleteFunc(docs, func(d *Document) bool { return dup[d] })
}

// placeName finds where a known document's name is, by parsing its file after all.
func (doc *Document) placeName() {
	if !doc.known {
		return
	}
	doc.namePos = Pos{1, 1}
	if parsed, _ := decodeFile(File{Path: doc.Path, Data: doc.data}); parsed != nil {
		doc.namePos = parsed.namePos
	}
}

// Name returns the name of the control or framework the document defines.
func (doc *Document) Name() string {
	if doc.Control != nil {
		return doc.Control.Name
	}
	return doc.Framework.Name
}
