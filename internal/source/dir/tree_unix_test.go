//go:build unix

package dir

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/catalog/catalogtest"
	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/pipeline/pipelinetest"
)

// TestDirRefusesLinksAndSpecialFiles checks that the directory source reads only regular
// files: a link to a credentials file and a named pipe fail with a diagnostic that shows
// nothing of what they lead to, the valid file beside them is applied, and a file that
// turns into a named pipe keeps its last good version in effect.
func TestDirRefusesLinksAndSpecialFiles(t *testing.T) {
	ctx := context.Background()
	secret := filepath.Join(t.TempDir(), "credentials.yaml")
	writeFile(t, secret, "aws_access_key_id: AKIAEXAMPLE\n")
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "controls", "x.yaml"), control("X"))
	root := filepath.Join(t.TempDir(), "catalog")
	writeFile(t, filepath.Join(root, "controls", "a.yaml"), control("A"))
	writeFile(t, filepath.Join(root, "controls", "b.yaml"), control("B"))
	if err := os.Symlink(secret, filepath.Join(root, "controls", "creds.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "linked")); err != nil {
		t.Fatal(err)
	}
	catalogtest.Mkfifo(t, filepath.Join(root, "controls", "p.yaml"))

	src, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := src.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range snap.Files {
		got[f.Path] = f.Problem
		if f.Problem == "" {
			data, err := src.ReadFile(ctx, f.Path)
			if err != nil || sha256.Sum256(data) != f.Sum {
				t.Fatalf("ReadFile(%s) = %q, %v; not the sum of the snapshot", f.Path, data, err)
			}
			got[f.Path] = string(data)
		}
	}
	want := map[string]string{
		"controls/a.yaml":     control("A"),
		"controls/b.yaml":     control("B"),
		"controls/creds.yaml": "not a regular file (symbolic link out of the catalog folder); links are never followed out of it",
		"controls/p.yaml":     "not a regular file (named pipe); only regular files are read",
		"linked":              "not a regular file (symbolic link out of the catalog folder); links are never followed out of it",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("snapshot (-want +got):\n%s", diff)
	}

	st := openStore(t, "")
	box := &pipelinetest.Inbox{}
	startPipeline(t, st, box, src)
	at := "@" + root
	var m *notify.Message
	waitFor(t, "the refused files notified", func() bool {
		m = box.Find("controls/p.yaml: not a regular file (named pipe)", "controls/creds.yaml: not a regular file (symbolic link", "linked: not a regular file")
		return m != nil
	})
	if diff := cmp.Diff([]string{"Control:A" + at, "Control:B" + at}, names(t, st)); diff != "" {
		t.Errorf("library (-want +got):\n%s", diff)
	}
	if strings.Contains(m.Text, "aws_") {
		t.Errorf("the notification shows what a link leads to:\n%s", m.Text)
	}

	// b.yaml becomes a named pipe: its last good version stays in effect.
	catalogtest.Mkfifo(t, filepath.Join(root, "controls", "b.yaml"))
	waitFor(t, "b.yaml's last good version kept", func() bool {
		return box.Find("controls/b.yaml (its last good version stays in effect)", "controls/b.yaml: not a regular file (named pipe)") != nil
	})
	if diff := cmp.Diff([]string{"Control:A" + at, "Control:B" + at}, names(t, st)); diff != "" {
		t.Errorf("library after b.yaml became a pipe (-want +got):\n%s", diff)
	}
}
