//go:build unix

package doc

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/catalog/catalogtest"
)

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReadPathsReadsOnlyRegularFiles builds a folder of documents with an entry of every kind
// and checks what is read and what is reported, with and without following links: a
// link's target is never read unless it is a regular file inside the folder and links
// are followed, and nothing blocks.
func TestReadPathsReadsOnlyRegularFiles(t *testing.T) {
	outside := t.TempDir()
	write(t, filepath.Join(outside, "credentials.yaml"), "aws_access_key_id: AKIAEXAMPLE\naws_secret_access_key: secret\n")
	write(t, filepath.Join(outside, "more", "controls", "x.yaml"), "name: X\n")
	write(t, filepath.Join(outside, "docs", "README.md"), "no catalog files here\n")

	root := filepath.Join(t.TempDir(), "cat")
	c := func(p string) string { return filepath.Join(root, "controls", p) }
	write(t, c("a.yaml"), "name: A\n")
	write(t, filepath.Join(root, "shared", "b.yml"), "kind: Control\nname: B\n")
	symlink(t, filepath.Join(outside, "credentials.yaml"), c("creds.yaml"))
	symlink(t, "../shared/b.yml", c("b.yaml"))
	symlink(t, "a.yaml", c("again.yaml"))
	symlink(t, "nowhere.yaml", c("broken.yaml"))
	symlink(t, filepath.Join(outside, "more"), filepath.Join(root, "more"))
	symlink(t, filepath.Join(outside, "docs"), filepath.Join(root, "docs"))
	symlink(t, filepath.Join(root, "shared"), filepath.Join(root, "inside"))
	catalogtest.Mkfifo(t, c("p.yaml"))
	symlink(t, "p.yaml", c("to-pipe.yaml"))
	l, err := net.Listen("unix", c("s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	link := "not a regular file (symbolic link); only regular files are read, and links only with --follow-symlinks"
	outOf := "not a regular file (symbolic link out of the catalog folder); links are never followed out of it"
	folder := "not a regular file (symbolic link to a folder); folders behind links are not read"
	pipe := "not a regular file (named pipe); only regular files are read"
	tests := []struct {
		follow bool
		want   map[string]string // path below root -> data, or "!" and the problem
	}{
		{false, map[string]string{
			"controls/a.yaml":       "name: A\n",
			"controls/again.yaml":   "!" + link,
			"controls/b.yaml":       "!" + link,
			"controls/broken.yaml":  "!not a regular file (symbolic link to nothing); only regular files are read",
			"controls/creds.yaml":   "!" + outOf,
			"controls/p.yaml":       "!" + pipe,
			"controls/s.yaml":       "!not a regular file (socket); only regular files are read",
			"controls/to-pipe.yaml": "!" + link,
			"inside":                "!" + folder,
			"more":                  "!" + outOf,
			"shared/b.yml":          "kind: Control\nname: B\n",
		}},
		{true, map[string]string{
			"controls/a.yaml":       "name: A\n",
			"controls/again.yaml":   "name: A\n",
			"controls/b.yaml":       "kind: Control\nname: B\n",
			"controls/broken.yaml":  "!not a regular file (symbolic link to nothing); only regular files are read",
			"controls/creds.yaml":   "!" + outOf,
			"controls/p.yaml":       "!" + pipe,
			"controls/s.yaml":       "!not a regular file (socket); only regular files are read",
			"controls/to-pipe.yaml": "!not a regular file (symbolic link to named pipe); only regular files are read",
			"inside":                "!" + folder,
			"more":                  "!" + outOf,
			"shared/b.yml":          "kind: Control\nname: B\n",
		}},
	}
	for _, tt := range tests {
		files, err := ReadPaths([]string{root}, ReadOptions{FollowSymlinks: tt.follow})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range files {
			rel := strings.TrimPrefix(f.Path, filepath.ToSlash(root)+"/")
			got[rel] = string(f.Data)
			if f.Problem != "" {
				got[rel] = "!" + f.Problem
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("follow %v: files (-want +got):\n%s", tt.follow, diff)
		}
	}
}

// TestReadPathsNamedSpecialFile checks that a file named on the command line is read
// through a link in its name, but only when it is a regular file.
func TestReadPathsNamedSpecialFile(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.yaml"), "kind: Control\nname: A\n")
	symlink(t, filepath.Join(dir, "a.yaml"), filepath.Join(dir, "named.yaml"))
	catalogtest.Mkfifo(t, filepath.Join(dir, "p.yaml"))
	files, err := ReadPaths([]string{filepath.Join(dir, "named.yaml"), filepath.Join(dir, "p.yaml"), "/dev/null"}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []File{
		{Path: filepath.ToSlash(filepath.Join(dir, "named.yaml")), Data: []byte("kind: Control\nname: A\n")},
		{Path: filepath.ToSlash(filepath.Join(dir, "p.yaml")), Problem: "not a regular file (named pipe); only regular files are read"},
		{Path: "/dev/null", Problem: "not a regular file (device); only regular files are read"},
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}

// TestReadRegularChecksTheOpenedFile stands for a file swapped for a named pipe or a link
// between the walk and the open: the type is checked on what was opened, and opening
// does not wait for a writer.
func TestReadRegularChecksTheOpenedFile(t *testing.T) {
	dir := t.TempDir()
	catalogtest.Mkfifo(t, filepath.Join(dir, "p.yaml"))
	write(t, filepath.Join(dir, "a.yaml"), "name: A\n")
	symlink(t, "a.yaml", filepath.Join(dir, "link.yaml"))
	for _, tt := range []struct{ name, problem string }{
		{"p.yaml", "not a regular file (named pipe); only regular files are read"},
		{"link.yaml", "not a regular file (symbolic link); only regular files are read"},
	} {
		data, problem, err := readRegular(filepath.Join(dir, tt.name), true)
		if err != nil || problem != tt.problem || data != nil {
			t.Errorf("%s: got %q, %q, %v; want problem %q", tt.name, data, problem, err, tt.problem)
		}
	}
}
