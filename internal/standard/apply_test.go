package standard_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/oscal"
	"github.com/probity-dev/probity/internal/standard"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// example builds the test catalog and its pattern profile from testdata, as an import
// does: the profile's import resolves to the catalog.
func example(t *testing.T) *standard.OSCAL {
	t.Helper()
	cat := decodeFile(t, filepath.Join("testdata", "catalog.yaml"))
	o := standard.FromCatalog(cat.Catalog)
	p := decodeFile(t, filepath.Join("testdata", "profile.xml")).Profile
	if err := o.AddProfile(p, func(href string) (*oscal.Document, error) { return cat, nil }); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestProfilePatternsAndExcludes: a profile that includes by pattern with child
// controls, adds one control by id and excludes another makes a framework of exactly
// those current controls, by family, withdrawn ones left out.
func TestProfilePatternsAndExcludes(t *testing.T) {
	o := example(t)
	names := map[string]string{}
	for _, c := range o.Controls {
		names[c.ID] = c.Name
	}
	if len(o.Frameworks) != 2 {
		t.Fatalf("%d frameworks, want the catalog's and the profile's", len(o.Frameworks))
	}
	got := map[string][]string{}
	for _, cs := range o.Frameworks[1].ControlSets {
		for _, id := range cs.Controls {
			got[cs.Name] = append(got[cs.Name], names[id])
		}
	}
	want := map[string][]string{
		"Access Control": {"AC-1 Policy", "AC-2 Accounts", "AC-2(1) Accounts | Automation"},
		"Audit":          {"AU-1 Audit Policy"},
	}
	if o.Frameworks[1].Name != "Example Pattern Baseline" || len(got) != len(want) {
		t.Fatalf("framework %q sets %v, want %v", o.Frameworks[1].Name, got, want)
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			t.Errorf("set %s = %q, want %q", k, got[k], v)
		}
	}
	for _, c := range o.Controls {
		if c.Name == "AC-1 Policy" && c.Description != "Disseminate the policy to [Assignment: organization-defined personnel]." {
			t.Errorf("AC-1 description %q", c.Description)
		}
		if c.Name == "AC-2(2) Accounts | Old [withdrawn]" && (c.State != probity.ControlStateEndOfSupport || c.Tags["status"] != "withdrawn") {
			t.Errorf("withdrawn control: state %s, tags %v", c.State, c.Tags)
		}
	}
}

// TestProfileErrors: a profile that cannot be resolved says which import and why.
func TestProfileErrors(t *testing.T) {
	cat := decodeFile(t, filepath.Join("testdata", "catalog.yaml"))
	for _, c := range []struct{ name, profile, want string }{
		{"unknown id", `{"profile":{"metadata":{"title":"P"},"imports":[{"href":"#x","include-controls":[{"with-ids":["zz-9"]}]}]}}`,
			`profile.imports[0].include-controls[0].with-ids[0]: "zz-9" is not a control of the imported catalog`},
		{"bad glob", `{"profile":{"metadata":{"title":"P"},"imports":[{"href":"#x","include-controls":[{"matching":[{"pattern":"[ac"}]}]}]}}`,
			`profile.imports[0].include-controls[0].matching[0].pattern: "[ac" is not a valid glob (use * and ?)`},
		{"nothing selected", `{"profile":{"metadata":{"title":"P"},"imports":[{"href":"#x","include-controls":[{"with-ids":["ac-2.2"]}]}]}}`,
			`profile P selects no current control of "Example Catalog"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := oscal.Decode("p.json", []byte(c.profile))
			if err != nil {
				t.Fatal(err)
			}
			o := standard.FromCatalog(cat.Catalog)
			err = o.AddProfile(p.Profile, func(string) (*oscal.Document, error) { return cat, nil })
			if err == nil || err.Error() != c.want {
				t.Errorf("got %v, want %s", err, c.want)
			}
		})
	}
}

// TestApplyRoundTrip: importing creates the standard entries, every account sees them,
// importing the same content again changes nothing (not even the library revision),
// and a changed catalog updates the same entries in place.
func TestApplyRoundTrip(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		part := probity.DefaultPartition
		sum, err := standard.Apply(ctx, st, &example(t).Content, part, t0)
		if err != nil {
			t.Fatal(err)
		}
		if sum.ControlsCreated != 6 || sum.FrameworksCreated != 2 || sum.Changed() != true {
			t.Fatalf("first import: %s", sum)
		}
		before, err := st.Library(ctx, "111111111111")
		if err != nil {
			t.Fatal(err)
		}
		rev, _ := st.LibraryRevision(ctx, "111111111111")
		sum, err = standard.Apply(ctx, st, &example(t).Content, part, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if sum.Changed() || sum.ControlsUnchanged != 6 || sum.FrameworksUnchanged != 2 {
			t.Fatalf("second import: %s", sum)
		}
		after, _ := st.Library(ctx, "111111111111")
		if rev2, _ := st.LibraryRevision(ctx, "111111111111"); rev2 != rev {
			t.Errorf("library revision moved from %d to %d on an import that changed nothing", rev, rev2)
		}
		if len(after.Controls) != 6 || len(after.Frameworks) != 2 {
			t.Fatalf("account sees %d controls, %d frameworks", len(after.Controls), len(after.Frameworks))
		}
		for i := range after.Controls {
			a, b := before.Controls[i], after.Controls[i]
			if a.ID != b.ID || len(a.Diff(&b)) > 0 || !a.LastUpdatedAt.Equal(b.LastUpdatedAt) || b.Type != probity.ControlTypeStandard || b.AccountID != "" {
				t.Errorf("control %s changed by a repeated import", a.Name)
			}
		}

		o := example(t)
		o.Controls[0].Description = "Changed upstream."
		sum, err = standard.Apply(ctx, st, &o.Content, part, t0.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if sum.ControlsUpdated != 1 || sum.ControlsUnchanged != 5 || sum.FrameworksUnchanged != 2 {
			t.Fatalf("changed import: %s", sum)
		}
		c, err := st.Control(ctx, "222222222222", o.Controls[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Description != "Changed upstream." || !c.CreatedAt.Equal(t0) || !c.LastUpdatedAt.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("updated control: %q created %v updated %v", c.Description, c.CreatedAt, c.LastUpdatedAt)
		}
	})
}

// TestApplyNameConflict: content whose control takes the name of another standard
// control is refused whole, naming it.
func TestApplyNameConflict(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		if _, err := standard.Apply(ctx, st, &example(t).Content, probity.DefaultPartition, t0); err != nil {
			t.Fatal(err)
		}
		o := example(t)
		o.Controls[0].ID = probity.DerivedID("another")
		o.Frameworks = nil
		_, err := standard.Apply(ctx, st, &o.Content, probity.DefaultPartition, t0)
		if probity.ErrorCode(err) != probity.ECONFLICT {
			t.Fatalf("got %v, want a conflict", err)
		}
	})
}

// TestBuiltinApplyIsIdempotent: the shipped content applies to an empty library, and
// applying it again (as every start of serve does) writes nothing.
func TestBuiltinApplyIsIdempotent(t *testing.T) {
	backendtest.Run(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		for i, want := range []bool{true, false} {
			c, err := standard.Builtin()
			if err != nil {
				t.Fatal(err)
			}
			sum, err := standard.Apply(ctx, st, c, probity.DefaultPartition, t0)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Changed() != want {
				t.Errorf("apply %d: %s", i+1, sum)
			}
		}
		lib, err := st.Library(ctx, "111111111111")
		if err != nil {
			t.Fatal(err)
		}
		links := standard.Crosswalk(lib, "ACCESS_KEYS_ROTATED")
		fws := map[string]bool{}
		for _, l := range links {
			fws[l.Framework] = true
		}
		for _, f := range []string{"Operational Best Practices for NIST 800 53 rev 5", "Operational Best Practices for CIS AWS v1.4 Level1"} {
			if !fws[f] {
				t.Errorf("crosswalk of ACCESS_KEYS_ROTATED lacks %s: %v", f, links)
			}
		}
	})
}
