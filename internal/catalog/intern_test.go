package catalog

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
)

// TestDocumentsShareRepeatedValues checks that the documents of a catalog hold a short
// value that repeats across files (a source type, a tag) once, and a long one (a
// description) as each file wrote it.
func TestDocumentsShareRepeatedValues(t *testing.T) {
	long := strings.Repeat("a long description ", 5)
	file := func(name string) doc.File {
		return doc.File{Path: "controls/" + name + ".yaml", Data: []byte("name: " + name + "\ndescription: " + long +
			"\ntags: {Family: AC}\ndatasources:\n  - sourceName: Config rule\n    sourceType: AWS_Config\n" +
			"    sourceKeyword: {keywordInputType: SELECT_FROM_LIST, keywordValue: S3_BUCKET_VERSIONING_ENABLED}\n")}
	}
	cat, diags := Load([]doc.File{file("A"), file("B")})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	a, b := cat.Controls[0].Control, cat.Controls[1].Control
	same := func(x, y string) bool { return unsafe.StringData(x) == unsafe.StringData(y) }
	sa, sb := a.ControlMappingSources[0], b.ControlMappingSources[0]
	for what, pair := range map[string][2]string{
		"source name":   {sa.SourceName, sb.SourceName},
		"source type":   {string(sa.SourceType), string(sb.SourceType)},
		"keyword":       {sa.SourceKeyword.KeywordValue, sb.SourceKeyword.KeywordValue},
		"keyword input": {string(sa.SourceKeyword.KeywordInputType), string(sb.SourceKeyword.KeywordInputType)},
		"tag value":     {a.Tags["Family"], b.Tags["Family"]},
	} {
		if !same(pair[0], pair[1]) {
			t.Errorf("%s %q is held twice", what, pair[0])
		}
	}
	for k := range a.Tags {
		for k2 := range b.Tags {
			if !same(k, k2) {
				t.Errorf("tag key %q is held twice", k)
			}
		}
	}
	if a.Description != strings.TrimSpace(long) || same(a.Description, b.Description) {
		t.Errorf("descriptions %q: shared %v, want each its own", a.Description, same(a.Description, b.Description))
	}
}

// TestStandInSharesTheRecordedDigest checks that a document read from the library's
// record of its file holds the file digest the record holds, not a copy: serve keeps a
// stand-in for every unchanged file of a large catalog.
func TestStandInSharesTheRecordedDigest(t *testing.T) {
	f := doc.File{Path: "controls/a.yaml", Data: []byte("name: A\n")}
	digest := fileDigest(f)
	c := &probity.Control{ID: "11111111-2222-3333-4444-555555555555", Name: "A", Type: probity.ControlTypeCustom,
		SourceDigest: strings.Clone(digest) + "/" + strings.Repeat("0", 64)}
	for _, outline := range []bool{false, true} {
		dc := fromKnown(f, digest, c, outline)
		if dc.Digest != digest || unsafe.StringData(dc.Digest) != unsafe.StringData(c.SourceDigest) {
			t.Errorf("outline=%v: digest %q is a copy of the record's", outline, dc.Digest)
		}
	}
}
