package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
)

// step is one state of the sources and what must follow from it.
type step struct {
	source string            // which source the files belong to; "" means "a"
	files  map[string]string // the whole snapshot
	want   []string          // the library afterwards (see names)
	// failures are substrings that the outcome's failure text must hold, in order of
	// the failing files; none means every file is in effect.
	failures []string
	changes  []string // substrings of the outcome text
}

func TestReconcile(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"framework before its controls", []step{
			{files: map[string]string{"frameworks/f.yaml": framework("F", "A")},
				failures: []string{`frameworks/f.yaml (not in effect):`, `frameworks/f.yaml:5:9: controlSets[0].controls[0]: no control is named "A"`}},
			{files: map[string]string{"frameworks/f.yaml": framework("F", "A"), "controls/a.yaml": control("A")},
				want:    []string{"Control:A@a", "Framework:F@a"},
				changes: []string{`created control "A" from controls/a.yaml`, `created framework "F" from frameworks/f.yaml`}},
		}},
		{"bad file keeps its last good version, fix applies", []step{
			{files: map[string]string{"controls/a.yaml": control("A")}, want: []string{"Control:A@a"}},
			{files: map[string]string{"controls/a.yaml": badSourceType, "controls/b.yaml": control("B")},
				want: []string{"Control:A@a", "Control:B@a"},
				failures: []string{"controls/a.yaml (its last good version stays in effect):",
					"controls/a.yaml:7:5: datasources[1].sourceType: must be one of AWS_Cloudtrail"},
				changes: []string{`created control "B"`}},
			{files: map[string]string{"controls/a.yaml": control("A") + "testingInformation: fixed\n", "controls/b.yaml": control("B")},
				want: []string{"Control:A@a", "Control:B@a"}, changes: []string{`updated control "A" from controls/a.yaml: testingInformation`}},
		}},
		{"deleting a file deletes what it defined", []step{
			{files: map[string]string{"controls/a.yaml": control("A"), "controls/b.yaml": control("B")}, want: []string{"Control:A@a", "Control:B@a"}},
			{files: map[string]string{"controls/a.yaml": control("A")}, want: []string{"Control:A@a"},
				changes: []string{`deleted control "B" (was in controls/b.yaml)`}},
		}},
		{"deleting a file still in use keeps it", []step{
			{files: map[string]string{"controls/a.yaml": control("A"), "frameworks/f.yaml": framework("F", "A")}, want: []string{"Control:A@a", "Framework:F@a"}},
			{files: map[string]string{"frameworks/f.yaml": framework("F", "A")}, want: []string{"Control:A@a", "Framework:F@a"},
				failures: []string{`controls/a.yaml: file deleted, but control "A" is still used by framework "F"; its last good version stays in effect`}},
			{files: map[string]string{}, want: nil, changes: []string{`deleted control "A" (was in controls/a.yaml)`, `deleted framework "F" (was in frameworks/f.yaml)`}},
		}},
		{"renaming a control in use keeps the old version", []step{
			{files: map[string]string{"controls/a.yaml": control("A"), "frameworks/f.yaml": framework("F", "A")}, want: []string{"Control:A@a", "Framework:F@a"}},
			{files: map[string]string{"controls/a.yaml": control("A2"), "frameworks/f.yaml": framework("F", "A")}, want: []string{"Control:A@a", "Framework:F@a"},
				failures: []string{`controls/a.yaml: no longer defines a control that is in use: control "A" is still used by framework "F"`}},
		}},
		{"a framework changed to name a missing control keeps its last good version", []step{
			{files: map[string]string{"controls/a.yaml": control("A"), "frameworks/f.yaml": framework("F", "A")}, want: []string{"Control:A@a", "Framework:F@a"}},
			{files: map[string]string{"controls/a.yaml": control("A"), "frameworks/f.yaml": framework("F", "A", "Nope")}, want: []string{"Control:A@a", "Framework:F@a"},
				failures: []string{`frameworks/f.yaml (its last good version stays in effect):`, `no control is named "Nope"`}},
		}},
		{"a new file reusing a name fails, the old one stays", []step{
			{files: map[string]string{"controls/a.yaml": control("A")}, want: []string{"Control:A@a"}},
			{files: map[string]string{"controls/a.yaml": control("A"), "controls/copy.yaml": control("A")}, want: []string{"Control:A@a"},
				failures: []string{`controls/copy.yaml (not in effect):`, `controls/copy.yaml:1:1: name: control name "A" is also defined in controls/a.yaml:1:1`}},
		}},
		{"two sources defining one name", []step{
			{files: map[string]string{"controls/a.yaml": control("A")}, want: []string{"Control:A@a"}},
			{source: "b", files: map[string]string{"controls/a.yaml": control("A"), "controls/b.yaml": control("B")},
				want:     []string{"Control:A@a", "Control:B@b"},
				failures: []string{`controls/a.yaml:1:1: name: control name "A" is already defined by catalog source a`}},
		}},
		{"a framework of one source uses the controls of another", []step{
			{source: "b", files: map[string]string{"frameworks/f.yaml": framework("F", "A")}, failures: []string{`no control is named "A"`}},
			{files: map[string]string{"controls/a.yaml": control("A")}, want: []string{"Control:A@a", "Framework:F@b"}},
		}},
		{"custom rules: a control waits for its rule, a rule that stops compiling keeps its last good version", []step{
			{files: map[string]string{"controls/a.yaml": controlUsingRule("A", "Custom_versioned")},
				failures: []string{`controls/a.yaml (not in effect):`, `controls/a.yaml:8:21: datasources[0].sourceKeyword.keywordValue: no custom rule is named "versioned"`}},
			{files: map[string]string{"controls/a.yaml": controlUsingRule("A", "Custom_versioned"), "rules/v.yaml": ruleVersioned},
				want:    []string{"Control:A@a", "Rule:versioned@a"},
				changes: []string{`created rule "versioned" from rules/v.yaml`, `created control "A" from controls/a.yaml`}},
			{files: map[string]string{"controls/a.yaml": controlUsingRule("A", "Custom_versioned"), "rules/v.yaml": ruleVersioned + "applicable: |\n  nope\n"},
				want:     []string{"Control:A@a", "Rule:versioned@a"},
				failures: []string{`rules/v.yaml (its last good version stays in effect):`, `rules/v.yaml:5:3: applicable: undeclared reference to 'nope'`}},
			{files: map[string]string{"controls/a.yaml": control("A")},
				want: []string{"Control:A@a"}, changes: []string{`deleted rule "versioned" (was in rules/v.yaml)`}},
		}},
	}
	// Every case runs with sources that hand over their files' bytes, and with Readers
	// that hand over sums and are read when needed.
	for _, tt := range tests {
		for _, byDigest := range []bool{false, true} {
			name := tt.name
			if byDigest {
				name += " (by digest)"
			}
			t.Run(name, func(t *testing.T) { testReconcileSteps(t, tt.steps, byDigest) })
		}
	}
}

func testReconcileSteps(t *testing.T, steps []step, byDigest bool) {
	ctx := context.Background()
	st := openStore(t, "")
	srcs := map[string]*staticSource{"a": {name: "a"}, "b": {name: "b"}}
	sources := []Source{srcs["a"], srcs["b"]}
	if byDigest {
		sources = []Source{&digestSource{staticSource: srcs["a"]}, &digestSource{staticSource: srcs["b"]}}
	}
	box := &inbox{}
	p, err := New(Config{Sources: sources, Store: st, Sender: box})
	if err != nil {
		t.Fatal(err)
	}
	runners := map[string]*runner{"a": p.runners[0], "b": p.runners[1]}
	for i, s := range steps {
		name := s.source
		if name == "" {
			name = "a"
		}
		srcs[name].set("", s.files)
		before := len(box.all())
		if err := p.reconcileSource(ctx, runners[name], true); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		// What another source was waiting for is retried.
		for other, r := range runners {
			r.mu.Lock()
			pending := r.pending
			r.pending = false
			r.mu.Unlock()
			if other != name && pending {
				if err := p.reconcileSource(ctx, r, true); err != nil {
					t.Fatal(err)
				}
			}
		}
		if diff := cmp.Diff(s.want, names(t, st)); diff != "" {
			t.Errorf("step %d: library (-want +got):\n%s", i, diff)
		}
		msgs := box.all()[before:]
		text := ""
		if len(msgs) > 0 {
			text = msgs[0].Text
		}
		for _, want := range append(s.failures, s.changes...) {
			if !strings.Contains(text, want) {
				t.Errorf("step %d: outcome lacks %q; it is:\n%s", i, want, text)
			}
		}
		if len(s.failures) == 0 && len(msgs) > 0 && !msgs[0].OK {
			t.Errorf("step %d: unexpected failure:\n%s", i, text)
		}
	}
}

// TestLastGoodSurvivesRestart checks that a file's last good version is kept in the
// store: a new pipeline on the same database keeps it in effect.
func TestLastGoodSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/probity.db"
	src := &staticSource{name: "a"}
	src.set("", map[string]string{"controls/a.yaml": control("A"), "frameworks/f.yaml": framework("F", "A")})
	p, err := New(Config{Sources: []Source{src}, Store: openStore(t, path)})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.reconcileSource(ctx, p.runners[0], true); err != nil {
		t.Fatal(err)
	}

	st := openStore(t, path)
	box := &inbox{}
	p, err = New(Config{Sources: []Source{src}, Store: st, Sender: box})
	if err != nil {
		t.Fatal(err)
	}
	src.set("", map[string]string{"controls/a.yaml": badSourceType, "frameworks/f.yaml": framework("F", "A")})
	if err := p.reconcileSource(ctx, p.runners[0], true); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Control:A@a", "Framework:F@a"}, names(t, st)); diff != "" {
		t.Errorf("library (-want +got):\n%s", diff)
	}
	if box.find("controls/a.yaml (its last good version stays in effect)", "controls/a.yaml:7:5") == nil {
		t.Errorf("no failure notified; got %+v", box.all())
	}
	notes, err := st.Notifications(ctx, probity.DefaultPartition.AccountID, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || notes[0].Source != "a" || !strings.Contains(notes[0].Description, "controls/a.yaml:7:5: datasources[1].sourceType") {
		t.Errorf("stored notifications = %+v", notes)
	}
}

const ruleVersioned = "name: versioned\nresourceTypes: [AWS::S3::Bucket]\ncondition: resource.supplementaryConfiguration.?BucketVersioningConfiguration.status.orValue('') == 'Enabled'\n"

// controlUsingRule is a control whose one data source is the AWS_Config rule keyword.
func controlUsingRule(name, keyword string) string {
	return "name: " + name + "\ndescription: d\ndatasources:\n  - sourceName: s\n    sourceType: AWS_Config\n    sourceKeyword:\n      keywordInputType: SELECT_FROM_LIST\n      keywordValue: " + keyword + "\n"
}

// TestReaderReadsOnlyChangedFiles checks the contract of a Reader source: a reconcile
// reads the bytes of the files that changed since the last one (to parse and save them)
// and of files still failing, and of no other file, whatever changed: a file edited,
// added, made invalid (its last good version stays in effect without the unchanged files
// being read), deleted, or restored. A file whose bytes no longer have the snapshot's sum fails that reconcile
// with an error, and the next snapshot applies it.
func TestReaderReadsOnlyChangedFiles(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, "")
	src := &digestSource{staticSource: &staticSource{name: "a"}}
	box := &inbox{}
	p, err := New(Config{Sources: []Source{src}, Store: st, Sender: box})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"frameworks/f.yaml": framework("F", "A", "B")}
	for _, n := range []string{"A", "B", "C", "D"} {
		files["controls/"+strings.ToLower(n)+".yaml"] = control(n)
	}
	all := []string{"controls/a.yaml", "controls/b.yaml", "controls/c.yaml", "controls/d.yaml", "frameworks/f.yaml"}
	steps := []struct {
		name  string
		do    func()
		reads []string
		want  []string
	}{
		{name: "first reconcile reads every file", reads: all,
			want: []string{"Control:A@a", "Control:B@a", "Control:C@a", "Control:D@a", "Framework:F@a"}},
		{name: "one file edited", do: func() { files["controls/c.yaml"] = control("C") + "testingInformation: t\n" },
			reads: []string{"controls/c.yaml"},
			want:  []string{"Control:A@a", "Control:B@a", "Control:C@a", "Control:D@a", "Framework:F@a"}},
		{name: "one file added", do: func() { files["controls/e.yaml"] = control("E") },
			reads: []string{"controls/e.yaml"},
			want:  []string{"Control:A@a", "Control:B@a", "Control:C@a", "Control:D@a", "Control:E@a", "Framework:F@a"}},
		{name: "one file made invalid", do: func() { files["controls/d.yaml"] = badSourceType },
			reads: []string{"controls/d.yaml"},
			want:  []string{"Control:A@a", "Control:B@a", "Control:C@a", "Control:D@a", "Control:E@a", "Framework:F@a"}},
		// The invalid file is read again while it fails: the version in effect is its
		// last good one, not what the source holds.
		{name: "one file deleted", do: func() { delete(files, "controls/e.yaml") },
			reads: []string{"controls/d.yaml"},
			want:  []string{"Control:A@a", "Control:B@a", "Control:C@a", "Control:D@a", "Framework:F@a"}},
		{name: "the invalid file restored", do: func() { files["controls/d.yaml"] = control("D") + "testingInformation: back\n" },
			reads: []string{"controls/d.yaml"},
			want:  []string{"Control:A@a", "Control:B@a", "Control:C@a", "Control:D@a", "Framework:F@a"}},
		{name: "nothing changed", want: []string{"Control:A@a", "Control:B@a", "Control:C@a", "Control:D@a", "Framework:F@a"}},
	}
	for _, s := range steps {
		if s.do != nil {
			s.do()
		}
		src.set("", files)
		if err := p.reconcileSource(ctx, p.runners[0], true); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if diff := cmp.Diff(s.reads, src.takeReads()); diff != "" {
			t.Errorf("%s: files read (-want +got):\n%s", s.name, diff)
		}
		if diff := cmp.Diff(s.want, names(t, st)); diff != "" {
			t.Errorf("%s: library (-want +got):\n%s", s.name, diff)
		}
	}

	// Written again between the snapshot and the read: that reconcile fails, and the
	// next one applies what the file holds then.
	files["controls/a.yaml"] = control("A") + "testingInformation: one\n"
	src.set("", files)
	src.change = map[string]string{"controls/a.yaml": control("A") + "testingInformation: two\n"}
	if err := p.reconcileSource(ctx, p.runners[0], true); err == nil || !strings.Contains(err.Error(), "controls/a.yaml") {
		t.Fatalf("reconcile of a file changed while read: %v, want an error naming it", err)
	}
	files["controls/a.yaml"] = control("A") + "testingInformation: two\n"
	src.set("", files)
	if err := p.reconcileSource(ctx, p.runners[0], true); err != nil {
		t.Fatal(err)
	}
	lib, err := st.Library(ctx, probity.DefaultPartition.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range lib.Controls {
		if c.Name == "A" && c.TestingInformation != "two" {
			t.Errorf("control A's testingInformation = %q, want the file as read again", c.TestingInformation)
		}
	}
}

// TestWakeOutlivesItsRequest makes a request while the loop settles after a wake, as a
// watch does when a change comes in several events: the request leaves a wake behind, and
// the take that follows has it already. That wake finds nothing to take, so no reconcile
// runs for it (the directory source would walk its whole tree for one).
func TestWakeOutlivesItsRequest(t *testing.T) {
	r := &runner{wake: make(chan struct{}, 1)}
	r.request(false, nil)
	<-r.wake // the loop wakes and settles
	r.request(true, func(context.Context, error) {})
	force, dones, ok := r.take()
	if !ok || !force || len(dones) != 1 {
		t.Fatalf("take after two requests: force %v, %d dones, ok %v; want both taken", force, len(dones), ok)
	}
	select {
	case <-r.wake:
	default:
		t.Fatal("the second request left no wake")
	}
	if _, _, ok := r.take(); ok {
		t.Fatal("the wake left by a request already taken has something to take")
	}
}
