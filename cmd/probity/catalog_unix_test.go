//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/probity-dev/probity/internal/catalog/catalogtest"
)

// TestValidateReadsOnlyRegularFiles: a link to a credentials file and a named pipe are
// reported at their paths without reading them; --follow-symlinks reads a link that
// stays inside the catalog, and still not the one that leaves it.
func TestValidateReadsOnlyRegularFiles(t *testing.T) {
	secret := writeFiles(t, map[string]string{"credentials.yaml": "aws_access_key_id: AKIAEXAMPLE\n"})
	dir := writeFiles(t, map[string]string{"controls/a.yaml": "name: A\n", "shared/b.yaml": "kind: Control\nname: B\n"})
	if err := os.Symlink(filepath.Join(secret, "credentials.yaml"), filepath.Join(dir, "controls", "creds.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../shared/b.yaml", filepath.Join(dir, "controls", "b.yaml")); err != nil {
		t.Fatal(err)
	}
	catalogtest.Mkfifo(t, filepath.Join(dir, "controls", "p.yaml"))
	at := filepath.ToSlash(dir)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"validate", dir}, []string{
			at + "/controls/b.yaml: not a regular file (symbolic link); only regular files are read, and links only with --follow-symlinks",
			at + "/controls/creds.yaml: not a regular file (symbolic link out of the catalog folder); links are never followed out of it",
			at + "/controls/p.yaml: not a regular file (named pipe); only regular files are read",
			"probity: 3 problem(s) in 3 file(s); nothing was applied",
		}},
		{[]string{"validate", "--follow-symlinks", dir}, []string{
			at + `/controls/b.yaml:2:1: name: control name "B" is also defined in ` + at + "/shared/b.yaml:2:1",
			at + "/controls/creds.yaml: not a regular file (symbolic link out of the catalog folder); links are never followed out of it",
			at + "/controls/p.yaml: not a regular file (named pipe); only regular files are read",
			at + `/shared/b.yaml:2:1: name: control name "B" is also defined in ` + at + "/controls/b.yaml:2:1",
			"probity: 4 problem(s) in 4 file(s); nothing was applied",
		}},
	}
	for _, tt := range tests {
		code, out, errOut := cli(t, nil, tt.args...)
		if code != 1 || strings.TrimSpace(errOut) != strings.Join(tt.want, "\n") {
			t.Errorf("%v: exit %d\nstdout: %s\nstderr:\n%s\nwant:\n%s", tt.args, code, out, errOut, strings.Join(tt.want, "\n"))
		}
		if strings.Contains(errOut, "aws_") {
			t.Errorf("%v: the output shows what a link leads to:\n%s", tt.args, errOut)
		}
	}
}

// TestExportNeverWritesThroughLinks: a link where export writes a file is replaced, not
// written through; a controls or frameworks folder that is a link is refused with
// nothing written.
func TestExportNeverWritesThroughLinks(t *testing.T) {
	env := map[string]string{"PROBITY_DB": "sqlite:" + filepath.Join(t.TempDir(), "lib.db")}
	if code, out, errOut := cli(t, env, "apply", "../../examples"); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	const name = "controls/datasecurity-publicaccessprohibited.yaml"

	// A link at the file export writes.
	victim := filepath.Join(t.TempDir(), "victim.yaml")
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := writeFiles(t, map[string]string{"controls/other.yaml": "name: Other\n"})
	if err := os.Symlink(victim, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := cli(t, env, "export", dir); code != 0 {
		t.Fatalf("export: exit %d\n%s%s", code, out, errOut)
	}
	if got := readFile(t, victim); got != "keep me\n" {
		t.Errorf("export wrote through the link: the file it led to now holds %q", got)
	}
	if info, err := os.Lstat(filepath.Join(dir, name)); err != nil || !info.Mode().IsRegular() {
		t.Errorf("the exported file is not a regular file: %v %v", info, err)
	}
	if got := readFile(t, filepath.Join(dir, name)); !strings.Contains(got, "name: DataSecurity-PublicAccessProhibited") {
		t.Errorf("exported file holds %q", got)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "controls")); len(entries) != 2 {
		t.Errorf("controls holds %d entries after export, want 2 (no temporary file left)", len(entries))
	}

	// A controls or frameworks folder that is a link.
	for _, sub := range []string{"controls", "frameworks"} {
		elsewhere := t.TempDir()
		dir := t.TempDir()
		if err := os.Symlink(elsewhere, filepath.Join(dir, sub)); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := cli(t, env, "export", dir)
		if code != 1 || !strings.Contains(errOut, "refusing to export: "+filepath.Join(dir, sub)+" is a symbolic link") {
			t.Errorf("export with %s a link: exit %d\nstdout: %s\nstderr: %s", sub, code, out, errOut)
		}
		for _, d := range []string{elsewhere, dir} {
			if entries, _ := os.ReadDir(d); len(entries) > 1 || (d == elsewhere && len(entries) > 0) {
				t.Errorf("export with %s a link wrote into %s: %v", sub, d, entries)
			}
		}
	}
}
