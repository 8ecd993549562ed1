package catalog

import (
	"context"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
)

// TestSettledDocuments checks Options.Settled: a settled document is counted unchanged
// without being compared only while MakePlan plans against Options.Library itself; a
// document not settled, or any document against another library, is compared.
func TestSettledDocuments(t *testing.T) {
	ctx := context.Background()
	st := backends[0].open(t)
	files := []doc.File{
		{Path: "controls/a.yaml", Data: []byte("name: A\ndescription: first\n")},
		{Path: "controls/b.yaml", Data: []byte("name: B\ndescription: first\n")},
	}
	cat, diags := Load(files)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	lib, err := st.Library(ctx, probity.DefaultPartition.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Apply(ctx, st, cat, Options{Library: lib})
	if err != nil {
		t.Fatal(err)
	}
	after, rev, ok := plan.Library()
	if !ok {
		t.Fatal("no library after Apply")
	}
	// Both files change. Settling the new A's document is a lie that shows whether it
	// was compared.
	changed, diags := Load([]doc.File{
		{Path: "controls/a.yaml", Data: []byte("name: A\ndescription: second\n")},
		{Path: "controls/b.yaml", Data: []byte("name: B\ndescription: second\n")},
	})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	settled := map[*Document]bool{changed.Controls[0]: true}
	opt := Options{Library: after, LibraryRevision: rev, Settled: settled}
	plan, err = MakePlan(changed, after, opt)
	if err != nil || plan.Count(Update) != 1 || plan.Changes[0].Name != "B" || plan.Unchanged != 1 {
		t.Fatalf("against Options.Library: %+v, %v; want B updated, A settled", plan, err)
	}
	reread, err := st.Library(ctx, probity.DefaultPartition.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	plan, err = MakePlan(changed, reread, opt)
	if err != nil || plan.Count(Update) != 2 {
		t.Fatalf("against another library: %+v, %v; want both updated", plan, err)
	}
}
