package catalog

import (
	"slices"
	"testing"

	"github.com/probity-dev/probity/internal/doc"
)

// TestConsumeTakesTheDocuments checks that with Options.Consume the controls a plan
// writes are its documents' own (no second copy of the catalog is held) and the catalog
// lets go of its control documents, and without it neither, so that a catalog planned
// without Consume can be planned again.
func TestConsumeTakesTheDocuments(t *testing.T) {
	files := []doc.File{
		{Path: "controls/a.yaml", Data: []byte("name: A\ndescription: first\ntags: {Owner: me}\n")},
		{Path: "controls/b.yaml", Data: []byte("name: B\ndatasources:\n  - sourceName: C\n    sourceType: AWS_Config\n    sourceKeyword: {keywordValue: S3_BUCKET_VERSIONING_ENABLED}\n")},
	}
	for _, consume := range []bool{false, true} {
		cat, diags := Load(slices.Clone(files))
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		docs := slices.Clone(cat.Controls)
		plan, err := MakePlan(cat, nil, Options{Consume: consume})
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.putControls) != len(docs) {
			t.Fatalf("consume=%v: %d controls to write, want %d", consume, len(plan.putControls), len(docs))
		}
		if kept := len(cat.Controls) > 0; kept == consume {
			t.Errorf("consume=%v: the catalog kept %d control documents", consume, len(cat.Controls))
		}
		for i, c := range plan.putControls {
			if taken := c == docs[i].Control; taken != consume {
				t.Errorf("consume=%v: control %s is the document's own: %v", consume, c.Name, taken)
			}
		}
		if !consume {
			for _, d := range cat.Controls {
				if d.Control.ID != "" || d.Control.ControlSources != "" && d.Control.ControlMappingSources[0].SourceID != "" {
					t.Errorf("the plan changed document %s", d.Path)
				}
			}
		}
	}
}
