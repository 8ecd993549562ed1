package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probity-dev/probity/internal/pgtest"
)

// cli runs the program in-process and returns its exit code and output.
func cli(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }})
	return code, stdout.String(), stderr.String()
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, data := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestValidateExitCodes(t *testing.T) {
	bad := writeFiles(t, map[string]string{
		"controls/a.yaml": "name: A\ndatasources:\n  - sourceName: M\n    sourceType: MANUL\n",
		"controls/b.yaml": "nme: B\n",
	})
	// A framework with a field error of its own that also names a missing control, and
	// folders named in capitals.
	refs := writeFiles(t, map[string]string{
		"Controls/a.yaml":   "name: A\nnme: x\n",
		"FRAMEWORKS/f.yaml": "name: F\ncomplianceTyp: CIS\ncontrolSets:\n  - name: S\n    controls: [A, Missing]\n",
	})
	tests := []struct {
		name       string
		args       []string
		code       int
		out, err   string // substrings
		exactLines []string
	}{
		{name: "valid", args: []string{"validate", "../../examples"}, code: 0, out: "1 control(s) and 1 framework(s) are valid."},
		{name: "invalid", args: []string{"validate", bad}, code: 1, exactLines: []string{
			filepath.ToSlash(bad) + "/controls/a.yaml:4:5: datasources[0].sourceType: must be one of AWS_Cloudtrail, AWS_Config, AWS_Security_Hub, AWS_API_Call, MANUAL, Common_Control, Core_Control",
			filepath.ToSlash(bad) + "/controls/b.yaml:1:1: name: is required",
			filepath.ToSlash(bad) + "/controls/b.yaml:1:1: nme: unknown key (did you mean name?)",
			"probity: 3 problem(s) in 2 file(s); nothing was applied",
		}},
		{name: "field errors and missing references together", args: []string{"validate", refs}, code: 1, exactLines: []string{
			filepath.ToSlash(refs) + "/Controls/a.yaml:2:1: nme: unknown key (did you mean name?)",
			filepath.ToSlash(refs) + "/FRAMEWORKS/f.yaml:2:1: complianceTyp: unknown key (did you mean complianceType?)",
			filepath.ToSlash(refs) + `/FRAMEWORKS/f.yaml:5:19: controlSets[0].controls[1]: no control is named "Missing"`,
			"probity: 3 problem(s) in 2 file(s); nothing was applied",
		}},
		{name: "no arguments", args: []string{"validate"}, code: 2, err: "requires at least 1 arg"},
		{name: "unknown flag", args: []string{"validate", "--nope", "x"}, code: 2, err: "unknown flag"},
		{name: "missing path", args: []string{"validate", filepath.Join(bad, "nowhere")}, code: 2, err: "no such file"},
		{name: "no files", args: []string{"validate", t.TempDir()}, code: 1, err: "no .yaml, .yml or .json files"},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, err: "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, nil, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.err) {
				t.Fatalf("stdout %q should contain %q; stderr %q should contain %q", out, tt.out, errOut, tt.err)
			}
			if tt.exactLines != nil {
				if got := strings.Split(strings.TrimSpace(errOut), "\n"); strings.Join(got, "\n") != strings.Join(tt.exactLines, "\n") {
					t.Fatalf("stderr:\n%s\nwant:\n%s", errOut, strings.Join(tt.exactLines, "\n"))
				}
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Fatalf("stderr holds a stack trace:\n%s", errOut)
			}
		})
	}
}

// TestPlanApplyExport walks the whole cycle on each backend: plan, apply, re-apply, the
// detailed exit code, export and re-apply of the export, prune and its refusal.
func TestPlanApplyExport(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			db := "sqlite:" + filepath.Join(t.TempDir(), "lib.db")
			if backend == "postgres" {
				db = pgtest.DSN(t)
			}
			env := map[string]string{"PROBITY_DB": db}
			run := func(want int, args ...string) string {
				t.Helper()
				code, out, errOut := cli(t, env, args...)
				if code != want {
					t.Fatalf("probity %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
				}
				return out + errOut
			}

			out := run(2, "plan", "--detailed-exitcode", "../../examples")
			if !strings.Contains(out, "Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged.") {
				t.Fatalf("plan output:\n%s", out)
			}
			var plan struct {
				Changes []struct{ Action, Kind, Name, Path string }
			}
			if err := json.Unmarshal([]byte(run(0, "plan", "--json", "../../examples")), &plan); err != nil || len(plan.Changes) != 2 {
				t.Fatalf("plan --json: %v %+v", err, plan)
			}
			if c := plan.Changes[0]; c.Action != "create" || c.Kind != "Control" || c.Name != "DataSecurity-PublicAccessProhibited" || c.Path != "../../examples/controls/example-control.yaml" {
				t.Fatalf("first change %+v", c)
			}
			if out := run(0, "apply", "../../examples"); !strings.Contains(out, "Applied: 2 created, 0 updated, 0 deleted.") {
				t.Fatalf("apply output:\n%s", out)
			}
			if out := run(0, "apply", "../../examples"); !strings.Contains(out, "No changes.") {
				t.Fatalf("second apply output:\n%s", out)
			}
			run(0, "plan", "--detailed-exitcode", "../../examples")
			// No changes is an empty list, not null.
			if out := run(0, "plan", "--json", "../../examples"); !strings.Contains(out, `"changes": [],`) {
				t.Fatalf("plan --json without changes:\n%s", out)
			}

			exported := t.TempDir()
			if out := run(0, "export", exported); !strings.Contains(out, "Exported 2 file(s)") {
				t.Fatalf("export output:\n%s", out)
			}
			run(0, "plan", "--detailed-exitcode", "--prune", exported)

			// A changed description is an update of that member only.
			changed := writeFiles(t, map[string]string{
				"controls/c.yaml":   strings.Replace(readFile(t, "../../examples/controls/example-control.yaml"), "description: Information", "description: Changed information", 1),
				"frameworks/f.yaml": readFile(t, "../../examples/frameworks/example-framework.yaml"),
			})
			if out := run(2, "plan", "--detailed-exitcode", changed); !strings.Contains(out, `~ control "DataSecurity-PublicAccessProhibited" (`+changed+`/controls/c.yaml): description`) {
				t.Fatalf("plan of a changed description:\n%s", out)
			}

			// One broken file stops the whole apply: the valid change beside it waits too.
			out = run(1, "apply", writeFiles(t, map[string]string{
				"controls/c.yaml":   strings.Replace(readFile(t, "../../examples/controls/example-control.yaml"), "description: Information", "description: Changed information", 1),
				"controls/bad.yaml": "name: Bad\ndatasources:\n  - sourceName: X\n    sourceType: AWS_Config\n",
			}))
			if !strings.Contains(out, "/controls/bad.yaml:3:5: datasources[0].sourceKeyword.keywordValue: is required for sourceType AWS_Config") {
				t.Fatalf("apply with a broken file:\n%s", out)
			}
			run(0, "plan", "--detailed-exitcode", "../../examples")

			// Pruning the control the framework uses is refused, and nothing is applied.
			onlyFramework := writeFiles(t, map[string]string{"frameworks/f.yaml": readFile(t, "../../examples/frameworks/example-framework.yaml")})
			out = run(1, "apply", "--prune", onlyFramework)
			if !strings.Contains(out, `controlSets[0].controls[0]: control "DataSecurity-PublicAccessProhibited" is no longer defined in the files and would be deleted`) {
				t.Fatalf("refused prune output:\n%s", out)
			}
			run(1, "plan", "--detailed-exitcode", "--prune", onlyFramework)
			run(0, "plan", "--detailed-exitcode", "../../examples")

			// An empty catalog never prunes everything by accident.
			empty := writeFiles(t, map[string]string{"README.md": "no catalog here"})
			run(1, "apply", "--prune", empty)
			run(0, "plan", "--detailed-exitcode", "--prune", "../../examples")
		})
	}
}

func TestDatabaseFlag(t *testing.T) {
	code, _, errOut := cli(t, nil, "plan", "--db", "mysql://x", "../../examples")
	if code != 2 || !strings.Contains(errOut, "--db must be sqlite:PATH or a postgres:// URL") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	code, _, _ = cli(t, nil, "plan", "--detailed-exitcode", "--db", "mysql://x", "../../examples")
	if code != 1 {
		t.Fatalf("with --detailed-exitcode a usage error exits %d, want 1", code)
	}
	// The flag wins over the environment.
	db := filepath.Join(t.TempDir(), "flag.db")
	code, _, errOut = cli(t, map[string]string{"PROBITY_DB": "mysql://x"}, "apply", "--db", "sqlite:"+db, "../../examples")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("--db was not used: %v", err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
