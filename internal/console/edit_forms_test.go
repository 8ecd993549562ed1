package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/console"
	"github.com/probity-dev/probity/internal/console/consoletest"
)

// sourceView is what the forms set of a data source.
type sourceView struct {
	Name, Type, Keyword, Description, Trouble string
	KeptID                                    bool
}

func sourcesOf(c *probity.Control, old []probity.ControlMappingSource) []sourceView {
	ids := map[string]bool{}
	for _, s := range old {
		ids[s.SourceID] = true
	}
	var out []sourceView
	for _, s := range c.ControlMappingSources {
		v := sourceView{Name: s.SourceName, Type: string(s.SourceType), Description: s.SourceDescription, Trouble: s.TroubleshootingText, KeptID: ids[s.SourceID]}
		if s.SourceKeyword != nil {
			v.Keyword = s.SourceKeyword.KeywordValue
		}
		out = append(out, v)
	}
	return out
}

// TestControlForm: an editor makes a custom control with data sources, then changes one
// source, removes another and adds a third; each source's errors come back next to its
// own fields, what was typed kept; a control a file manages has no form.
func TestControlForm(t *testing.T) {
	run(t, console.Config{}, func(t *testing.T, e *consoletest.Env) {
		c := e.SignIn(t, auth.Editor)
		form := url.Values{"name": {"Backups tested"}, "description": {"Restore drills."}, "sources": {"3"},
			"name-0": {"Backup plan rule"}, "type-0": {"AWS_Config"}, "keyword-0": {"BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK"},
			"description-0": {"Plans exist."}, "troubleshooting-0": {"Create a plan."},
			"name-1": {"Drill report"}, "type-1": {"MANUAL"},
			"name-2": {""}, "type-2": {"AWS_Cloudtrail"}} // the blank row
		r := c.Post("/ui/controls/new", form)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("new control: %d\n%s", r.Status, r.Body)
		}
		id := strings.TrimSuffix(strings.TrimPrefix(r.Location, "/ui/controls/"), "?done=created")
		ctl, err := e.Store.Control(t.Context(), consoletest.Account, id)
		if err != nil {
			t.Fatal(err)
		}
		want := []sourceView{{Name: "Backup plan rule", Type: "AWS_Config", Keyword: "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK", Description: "Plans exist.", Trouble: "Create a plan."},
			{Name: "Drill report", Type: "MANUAL"}}
		if d := cmp.Diff(want, sourcesOf(ctl, nil)); d != "" {
			t.Errorf("new control's sources (-want +got):\n%s", d)
		}

		// The edit form lists both sources and a blank one.
		page := c.Get("/ui/controls/" + id + "/edit")
		checkPage(t, "edit form", page)
		for _, s := range []string{`name="sources" value="3"`, `value="Backup plan rule"`, `value="Drill report"`, `id="remove-1"`, `Add a data source`} {
			if !strings.Contains(page.Body, s) {
				t.Errorf("edit form lacks %s", s)
			}
		}
		old := ctl.ControlMappingSources
		edit := url.Values{"name": {"Backups tested"}, "sources": {"3"},
			"id-0": {old[0].SourceID}, "name-0": {"Backup plan rule"}, "type-0": {"AWS_Security_Hub"}, "keyword-0": {"Backup.1"},
			"id-1": {old[1].SourceID}, "name-1": {"Drill report"}, "type-1": {"MANUAL"}, "remove-1": {"1"},
			"name-2": {"Vault lock"}, "type-2": {"AWS_API_Call"}, "keyword-2": {"backup_DescribeBackupVault"}, "troubleshooting-2": {"Lock the vault."}}
		if r := c.Post("/ui/controls/"+id+"/edit", edit); r.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d\n%s", r.Status, r.Body)
		}
		if ctl, err = e.Store.Control(t.Context(), consoletest.Account, id); err != nil {
			t.Fatal(err)
		}
		want = []sourceView{{Name: "Backup plan rule", Type: "AWS_Security_Hub", Keyword: "Backup.1", KeptID: true},
			{Name: "Vault lock", Type: "AWS_API_Call", Keyword: "backup_DescribeBackupVault", Trouble: "Lock the vault."}}
		if d := cmp.Diff(want, sourcesOf(ctl, old)); d != "" {
			t.Errorf("edited sources (-want +got):\n%s", d)
		}

		// Errors by field: each next to its own row's field, the form as typed.
		for _, tt := range []struct {
			name string
			form url.Values
			has  []string
		}{
			{"keyword missing on the second row", url.Values{"name": {"X"}, "sources": {"2"}, "name-0": {"Ok"}, "type-0": {"MANUAL"},
				"name-1": {"Rule"}, "type-1": {"AWS_Config"}, "description-1": {"typed"}},
				[]string{`id="keyword-1-error"`, `aria-describedby="keyword-1-error"`, ">typed</textarea>"}},
			{"bad keyword", url.Values{"name": {"X"}, "sources": {"1"}, "name-0": {"Rule"}, "type-0": {"AWS_Config"}, "keyword-0": {"no;semicolons"}},
				[]string{`id="keyword-0-error"`, `value="no;semicolons"`}},
			{"a removed row leaves the numbering to the rows shown", url.Values{"name": {"X"}, "sources": {"2"}, "name-0": {"Gone"}, "type-0": {"MANUAL"}, "remove-0": {"1"},
				"name-1": {"Rule"}, "type-1": {"AWS_Config"}},
				[]string{`id="keyword-0-error"`, `value="Rule"`}},
			{"unknown type", url.Values{"name": {"X"}, "sources": {"1"}, "name-0": {"Rule"}, "type-0": {"FAX"}, "keyword-0": {"k"}},
				[]string{`id="type-0-error"`}},
			{"no source", url.Values{"name": {"X"}, "sources": {"1"}}, []string{`id="sources-error"`}},
			{"name too long", url.Values{"name": {strings.Repeat("n", 301)}, "sources": {"1"}, "name-0": {"M"}, "type-0": {"MANUAL"}}, []string{`id="name-error"`}},
		} {
			for _, path := range []string{"/ui/controls/new", "/ui/controls/" + id + "/edit"} {
				r := c.Post(path, tt.form)
				if r.Status != http.StatusBadRequest {
					t.Errorf("%s %s: status %d, want 400", path, tt.name, r.Status)
					continue
				}
				checkPage(t, tt.name, r)
				for _, h := range tt.has {
					if !strings.Contains(r.Body, h) {
						t.Errorf("%s %s: page lacks %s", path, tt.name, h)
					}
				}
			}
		}
		// A control a file manages, and a standard one, have no edit form.
		for _, other := range []string{e.Managed.ID, e.Standard.ID} {
			if r := c.Get("/ui/controls/" + other + "/edit"); r.Status != http.StatusBadRequest {
				t.Errorf("edit form of %s: %d, want 400", other, r.Status)
			}
		}
	})
}

// TestFrameworkForm: an editor renames a custom framework, changes its control sets
// (adds one, drops one, reorders controls), and gets each error next to the set and
// line it is about; a managed or standard framework has no form.
func TestFrameworkForm(t *testing.T) {
	run(t, console.Config{}, func(t *testing.T, e *consoletest.Env) {
		c := e.SignIn(t, auth.Editor)
		path := "/ui/frameworks/" + e.Framework.ID + "/edit"
		page := c.Get(path)
		checkPage(t, "framework form", page)
		for _, s := range []string{`value="Custom framework"`, e.Custom.ID + "\n" + e.Standard.ID, "Add a control set", "AC-2 Account management"} {
			if !strings.Contains(page.Body, s) {
				t.Errorf("form lacks %q", s)
			}
		}
		r := c.Post(path, url.Values{"name": {"Renamed framework"}, "description": {"Two sets."}, "complianceType": {"SOC 2"}, "sets": {"3"},
			"setName-0": {"Set one"}, "controls-0": {e.Standard.ID + "\r\n" + e.Custom.ID + "\r\n"},
			"setName-1": {""}, "controls-1": {""},
			"setName-2": {"Set two"}, "controls-2": {e.Custom.ID}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", r.Status, r.Body)
		}
		f, err := e.Store.Framework(t.Context(), consoletest.Account, e.Framework.ID)
		if err != nil {
			t.Fatal(err)
		}
		type set struct {
			Name     string
			Controls []string
		}
		var got []set
		for _, s := range f.ControlSets {
			got = append(got, set{s.Name, s.Controls})
		}
		want := []set{{"Set one", []string{e.Standard.ID, e.Custom.ID}}, {"Set two", []string{e.Custom.ID}}}
		if d := cmp.Diff(want, got); d != "" || f.Name != "Renamed framework" || f.ComplianceType != "SOC 2" || f.Description != "Two sets." {
			t.Errorf("framework %q %q %q, sets (-want +got):\n%s", f.Name, f.ComplianceType, f.Description, d)
		}
		if f.ControlSets[0].ID != e.Framework.ControlSets[0].ID {
			t.Errorf("Set one's id changed: %s, was %s", f.ControlSets[0].ID, e.Framework.ControlSets[0].ID)
		}

		unknown := probity.NewID()
		for _, tt := range []struct {
			name string
			form url.Values
			has  []string
		}{
			{"not an id on line 2 of the second set", url.Values{"name": {"F"}, "sets": {"2"}, "setName-0": {"A"}, "controls-0": {e.Custom.ID},
				"setName-1": {"B"}, "controls-1": {e.Custom.ID + "\nnot-an-id"}}, []string{`id="controls-1-error"`, "Line 2: must be a UUID", "not-an-id</textarea>"}},
			{"unknown control", url.Values{"name": {"F"}, "sets": {"1"}, "setName-0": {"A"}, "controls-0": {unknown}},
				[]string{`id="controls-0-error"`, "Line 1: no control in your library has the id " + unknown}},
			{"set without a name", url.Values{"name": {"F"}, "sets": {"1"}, "controls-0": {e.Custom.ID}}, []string{`id="setName-0-error"`}},
			{"duplicate set names", url.Values{"name": {"F"}, "sets": {"2"}, "setName-0": {"A"}, "controls-0": {e.Custom.ID}, "setName-1": {"A"}, "controls-1": {e.Standard.ID}},
				[]string{`id="setName-1-error"`}},
			{"set without controls", url.Values{"name": {"F"}, "sets": {"1"}, "setName-0": {"A"}}, []string{`id="controls-0-error"`}},
			{"no name", url.Values{"name": {""}, "sets": {"1"}, "setName-0": {"A"}, "controls-0": {e.Custom.ID}}, []string{`id="name-error"`}},
		} {
			r := c.Post(path, tt.form)
			if r.Status != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400\n%s", tt.name, r.Status, r.Body)
				continue
			}
			checkPage(t, tt.name, r)
			for _, h := range tt.has {
				if !strings.Contains(r.Body, h) {
					t.Errorf("%s: page lacks %q", tt.name, h)
				}
			}
		}
	})
}
