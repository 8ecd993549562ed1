package standard_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/oscal"
	"github.com/probity-dev/probity/internal/sharedtest"
	"github.com/probity-dev/probity/internal/standard"
)

func decodeFile(t testing.TB, path string) *oscal.Document {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := oscal.Decode(filepath.Base(path), b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func frameworkSize(f *probity.Framework) int {
	n := 0
	for _, cs := range f.ControlSets {
		n += len(cs.Controls)
	}
	return n
}

// TestNISTCounts imports the NIST catalogs and baselines from ../shared/data/nist-oscal
// (skipped when absent) and checks the counts NIST publishes.
func TestNISTCounts(t *testing.T) {
	dir := sharedtest.Dir(t, "nist-oscal")
	t.Run("800-53 r5 and baselines", func(t *testing.T) {
		cat := decodeFile(t, filepath.Join(dir, "NIST_SP-800-53_rev5.0.1_catalog@a849dbc.json")).Catalog
		o := standard.FromCatalog(cat)
		if got := len(o.Controls); got != 1189 {
			t.Errorf("controls = %d, want 1189", got)
		}
		if o.Withdrawn != 182 {
			t.Errorf("withdrawn = %d, want 182", o.Withdrawn)
		}
		if got := frameworkSize(o.Frameworks[0]); got != 1189-182 {
			t.Errorf("catalog framework holds %d controls, want %d", got, 1189-182)
		}
		for _, b := range []struct {
			name string
			want int
		}{{"LOW", 149}, {"MODERATE", 287}, {"HIGH", 370}, {"PRIVACY", 96}} {
			p := decodeFile(t, filepath.Join(dir, "NIST_SP-800-53_rev5_"+b.name+"-baseline_profile.json")).Profile
			if err := o.AddProfile(p, func(string) (*oscal.Document, error) { return &oscal.Document{Catalog: cat}, nil }); err != nil {
				t.Fatal(err)
			}
			f := o.Frameworks[len(o.Frameworks)-1]
			if got := frameworkSize(f); got != b.want {
				t.Errorf("%s baseline: %d controls, want %d", b.name, got, b.want)
			}
		}
	})
	for _, c := range []struct {
		file              string
		active, withdrawn int
	}{
		{"NIST_CSF_v2.0_catalog@develop-3b3cdee.xml", 106, 79},
		{"NIST_SP800-171_rev3_catalog@develop-3b3cdee.xml", 97, 33},
	} {
		t.Run(c.file, func(t *testing.T) {
			o := standard.FromCatalog(decodeFile(t, filepath.Join(dir, c.file)).Catalog)
			if got := len(o.Controls) - o.Withdrawn; got != c.active {
				t.Errorf("current controls = %d, want %d", got, c.active)
			}
			if o.Withdrawn != c.withdrawn {
				t.Errorf("withdrawn = %d, want %d", o.Withdrawn, c.withdrawn)
			}
			if got := frameworkSize(o.Frameworks[0]); got != c.active {
				t.Errorf("catalog framework holds %d controls, want %d", got, c.active)
			}
			for _, ctl := range o.Controls {
				if err := ctl.Validate(); err != nil {
					t.Fatalf("%s: %v", ctl.Name, err)
				}
			}
			for _, ctl := range o.Controls[:3] {
				t.Logf("%s\n%s", ctl.Name, ctl.Description)
			}
		})
	}
}
