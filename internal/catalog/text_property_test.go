package catalog

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/store"
)

// The generator mixes ordinary text with what YAML and the domain treat specially:
// white space at either end, quoting and comment characters, non-ASCII letters,
// invisible characters; and, less often, tabs, line breaks of every kind and control
// characters, which the rules allow only in some members or nowhere.
var (
	common  = []rune("aZ9 :#-'\"\\|>{}&*!%@`,?\u00a0\u00e9\u200b\u3000\ufeff\ufffd\U0001F600")
	special = []rune("\t\n\r\x00\x01\x1f\x7f\u0080\u0085\u009f\u2028\u2029\uffff")
)

func randomText(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(7) {
		if r.IntN(12) == 0 {
			b.WriteRune(special[r.IntN(len(special))])
		} else {
			b.WriteRune(common[r.IntN(len(common))])
		}
	}
	return b.String()
}

// randomLibrary returns up to four custom controls and a framework using them, with
// random text in every string member; some break the rules on purpose.
func randomLibrary(r *rand.Rand) *store.Library {
	lib := &store.Library{}
	for i := range 1 + r.IntN(4) {
		c := probity.Control{
			ID: probity.NewID(), Type: probity.ControlTypeCustom, Name: randomText(r) + string(rune('A'+i)),
			Description: randomText(r), TestingInformation: randomText(r), ActionPlanTitle: randomText(r),
			ActionPlanInstructions: randomText(r),
			ControlMappingSources: []probity.ControlMappingSource{{
				SourceName: randomText(r) + "s", SourceType: probity.SourceTypeManual,
				SourceDescription: randomText(r), TroubleshootingText: randomText(r),
			}},
		}
		if r.IntN(2) == 0 {
			c.Tags = map[string]string{"k": randomText(r)}
		}
		lib.Controls = append(lib.Controls, c)
	}
	f := probity.Framework{ID: probity.NewID(), Type: probity.FrameworkTypeCustom, Name: randomText(r) + "F",
		Description: randomText(r) + "d", ComplianceType: randomText(r),
		ControlSets: []probity.ControlSet{{Name: randomText(r) + "S"}}}
	for _, c := range lib.Controls {
		f.ControlSets[0].Controls = append(f.ControlSets[0].Controls, c.ID)
	}
	lib.Frameworks = append(lib.Frameworks, f)
	return lib
}

// TestAcceptedTextExports checks the one set of text rules from both sides: whatever the
// domain accepts (as the API does, with Validate) exports to files that load without a
// diagnostic and plan as no change against the library they came from.
func TestAcceptedTextExports(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 7))
	accepted := 0
	for range 3000 {
		lib := randomLibrary(r)
		valid := &store.Library{}
		for i := range lib.Controls {
			c := &lib.Controls[i]
			if c.Validate() == nil {
				c.Normalize()
				valid.Controls = append(valid.Controls, *c)
			}
		}
		if len(valid.Controls) == 0 {
			continue
		}
		f := lib.Frameworks[0]
		f.ControlSets[0].Controls = nil
		for _, c := range valid.Controls {
			f.ControlSets[0].Controls = append(f.ControlSets[0].Controls, c.ID)
		}
		if f.Validate() == nil {
			f.Normalize()
			valid.Frameworks = append(valid.Frameworks, f)
		}
		names := map[string]bool{}
		for _, c := range valid.Controls {
			names[c.Name] = true
		}
		if len(names) < len(valid.Controls) {
			continue // the API keeps names unique
		}
		accepted++
		dir := t.TempDir()
		if _, err := Export(valid, dir); err != nil {
			t.Fatal(err)
		}
		files, err := doc.ReadPaths([]string{dir}, doc.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cat, diags := Load(files)
		if len(diags) > 0 {
			t.Fatalf("an accepted library exports files that do not validate:\n%v\n%+v", diags, valid)
		}
		plan, err := MakePlan(cat, valid, Options{})
		if err != nil {
			t.Fatalf("plan of the export: %v", err)
		}
		if !plan.Empty() {
			t.Fatalf("the export plans changes %+v for the library it came from:\n%+v", plan.Changes, valid)
		}
	}
	if accepted < 100 {
		t.Fatalf("only %d of the random libraries were valid; the generator needs tuning", accepted)
	}
}
