package standard

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/probity-dev/probity/internal/confpack"
	"github.com/probity-dev/probity/internal/oscal"
)

// content is the open data that ships in the binary, gzipped, with its licences: NIST's
// OSCAL catalogs and baselines (public domain) and AWS's conformance packs (CC0), as
// docs/decisions/0095-standard-content.md records.
//
//go:embed content
var content embed.FS

// builtinCatalogs lists the shipped catalogs and the profiles of each.
var builtinCatalogs = []struct {
	catalog  string
	profiles []string
}{
	{"content/nist/sp800-53r5-catalog.json.gz", []string{
		"content/nist/sp800-53r5-low-baseline.json.gz",
		"content/nist/sp800-53r5-moderate-baseline.json.gz",
		"content/nist/sp800-53r5-high-baseline.json.gz",
		"content/nist/sp800-53r5-privacy-baseline.json.gz",
	}},
	{"content/nist/csf2-catalog.xml.gz", nil},
	{"content/nist/sp800-171r3-catalog.xml.gz", nil},
}

// Builtin returns the content that ships in the binary, read afresh (the caller may
// change it). It reads nothing but the binary. An error means the binary is broken.
func Builtin() (*Content, error) {
	out := &Content{}
	for _, b := range builtinCatalogs {
		doc, err := readBuiltin(b.catalog)
		if err != nil {
			return nil, err
		}
		o := FromCatalog(doc.Catalog)
		for _, p := range b.profiles {
			pd, err := readBuiltin(p)
			if err != nil {
				return nil, err
			}
			// Shipped profiles import the catalog shipped with them.
			if err := o.AddProfile(pd.Profile, func(string) (*oscal.Document, error) { return doc, nil }); err != nil {
				return nil, fmt.Errorf("built-in %s: %w", p, err)
			}
		}
		out.Add(&o.Content)
	}
	packs, err := fs.Glob(content, "content/packs/*.yaml.gz")
	if err != nil {
		return nil, err
	}
	for _, name := range packs {
		data, err := gunzip(name)
		if err != nil {
			return nil, err
		}
		p, err := confpack.Decode(strings.TrimSuffix(path.Base(name), ".gz"), data)
		if err != nil {
			return nil, fmt.Errorf("built-in: %w", err)
		}
		out.Add(FromPack(p))
	}
	return out, nil
}

func readBuiltin(name string) (*oscal.Document, error) {
	data, err := gunzip(name)
	if err != nil {
		return nil, err
	}
	doc, err := oscal.Decode(strings.TrimSuffix(path.Base(name), ".gz"), data)
	if err != nil {
		return nil, fmt.Errorf("built-in: %w", err)
	}
	return doc, nil
}

func gunzip(name string) ([]byte, error) {
	b, err := content.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("built-in %s: %w", name, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("built-in %s: %w", name, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("built-in %s: %w", name, err)
	}
	return data, nil
}
