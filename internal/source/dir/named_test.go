package dir

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fsnotify/fsnotify"

	"github.com/probity-dev/probity/internal/pipeline"
)

// TestSnapshotLooksAtNamedPaths checks that while the watch runs, a snapshot looks
// again only at the catalog paths the watch named (files changed, added and removed),
// and walks the whole tree when it cannot know what changed: before the watch, after it
// stopped, after an event that names a folder, or with nothing named (a poll). The
// events are given to note as fsnotify would send them; TestDir runs the real watch.
func TestSnapshotLooksAtNamedPaths(t *testing.T) {
	root := filepath.Join(t.TempDir(), "catalog")
	path := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
	names := map[[sha256.Size]byte]string{} // by the sum of the file that defines each
	write := func(rel, name string) {
		t.Helper()
		writeFile(t, path(rel), control(name))
		names[sha256.Sum256([]byte(control(name)))] = name
	}
	write("controls/a.yaml", "A")
	write("controls/b.yaml", "B")
	d, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	ev := func(rel string, op fsnotify.Op) fsnotify.Event { return fsnotify.Event{Name: path(rel), Op: op} }
	snapshot := func() string {
		t.Helper()
		snap, err := d.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range snap.Files {
			if f.Data != nil {
				t.Fatalf("the snapshot holds the bytes of %s", f.Path)
			}
			out = append(out, f.Path+"="+names[f.Sum])
		}
		return strings.Join(out, " ")
	}
	steps := []struct {
		name   string
		do     func()
		events []fsnotify.Event
		want   string
		walked bool
	}{
		{name: "first snapshot", want: "controls/a.yaml=A controls/b.yaml=B", walked: true},
		{name: "before the watch runs, a change is found by a walk", do: func() { write("controls/a.yaml", "A2") },
			want: "controls/a.yaml=A2 controls/b.yaml=B", walked: true},
		{name: "watching: a named change", do: func() { d.watching = true; write("controls/b.yaml", "B2") },
			events: []fsnotify.Event{ev("controls/b.yaml", fsnotify.Write)},
			want:   "controls/a.yaml=A2 controls/b.yaml=B2"},
		{name: "watching: only named paths are looked at", do: func() { write("controls/a.yaml", "A-unseen"); write("controls/c.yaml", "C") },
			events: []fsnotify.Event{ev("controls/c.yaml", fsnotify.Create)},
			want:   "controls/a.yaml=A2 controls/b.yaml=B2 controls/c.yaml=C"},
		{name: "watching: a named removal; hidden and other names ignored", do: func() {
			os.Remove(path("controls/c.yaml"))
			writeFile(t, path("controls/notes.txt"), "x")
			writeFile(t, path(".git/x.yaml"), control("Hidden"))
		},
			events: []fsnotify.Event{ev("controls/c.yaml", fsnotify.Remove), ev("controls/notes.txt", fsnotify.Create), ev(".git/x.yaml", fsnotify.Create)},
			want:   "controls/a.yaml=A2 controls/b.yaml=B2"},
		{name: "watching: an editor's save, a temporary file renamed over the file, is not walked", do: func() {
			writeFile(t, path("controls/b.yaml.tmp"), control("B-saved"))
			names[sha256.Sum256([]byte(control("B-saved")))] = "B-saved"
			if err := os.Rename(path("controls/b.yaml.tmp"), path("controls/b.yaml")); err != nil {
				t.Fatal(err)
			}
		},
			events: []fsnotify.Event{ev("controls/b.yaml.tmp", fsnotify.Create), ev("controls/b.yaml.tmp", fsnotify.Write),
				ev("controls/b.yaml.tmp", fsnotify.Rename), ev("controls/b.yaml", fsnotify.Create)},
			want: "controls/a.yaml=A2 controls/b.yaml=B-saved"},
		{name: "watching: only a file of another name removed: nothing changed, not walked", do: func() { os.Remove(path("controls/notes.txt")) },
			events: []fsnotify.Event{ev("controls/notes.txt", fsnotify.Remove)},
			want:   "controls/a.yaml=A2 controls/b.yaml=B-saved"},
		{name: "watching: a folder made is walked", do: func() { write("team/controls/d.yaml", "D") },
			events: []fsnotify.Event{ev("team", fsnotify.Create)},
			want:   "controls/a.yaml=A-unseen controls/b.yaml=B-saved team/controls/d.yaml=D", walked: true},
		{name: "watching: a folder of catalog files renamed away is walked", do: func() {
			if err := os.Rename(path("team"), path(".trash")); err != nil {
				t.Fatal(err)
			}
		},
			events: []fsnotify.Event{ev("team", fsnotify.Rename)},
			want:   "controls/a.yaml=A-unseen controls/b.yaml=B-saved", walked: true},
		{name: "watching: a folder named like a file is walked", do: func() { write("x.yaml/controls/e.yaml", "E") },
			events: []fsnotify.Event{ev("x.yaml", fsnotify.Create)},
			want:   "controls/a.yaml=A-unseen controls/b.yaml=B-saved x.yaml/controls/e.yaml=E", walked: true},
		{name: "watching: a folder named like a file renamed away is walked", do: func() {
			if err := os.Rename(path("x.yaml"), path(".trash/x.yaml")); err != nil {
				t.Fatal(err)
			}
		},
			events: []fsnotify.Event{ev("x.yaml", fsnotify.Rename)},
			want:   "controls/a.yaml=A-unseen controls/b.yaml=B-saved", walked: true},
		{name: "watching: another folder made is walked", do: func() { write("more/controls/f.yaml", "F") },
			events: []fsnotify.Event{ev("more", fsnotify.Create)},
			want:   "controls/a.yaml=A-unseen controls/b.yaml=B-saved more/controls/f.yaml=F", walked: true},
		{name: "watching: a folder removed is walked", do: func() { os.RemoveAll(path("more")) },
			events: []fsnotify.Event{ev("more/controls/f.yaml", fsnotify.Remove), ev("more/controls", fsnotify.Remove), ev("more", fsnotify.Remove)},
			want:   "controls/a.yaml=A-unseen controls/b.yaml=B-saved", walked: true},
		{name: "watching: nothing named (a poll) walks", do: func() { write("controls/a.yaml", "A3") },
			want: "controls/a.yaml=A3 controls/b.yaml=B-saved", walked: true},
		{name: "the watch stopped: walks", do: func() { d.watching = false; write("controls/b.yaml", "B3") },
			events: []fsnotify.Event{ev("controls/a.yaml", fsnotify.Write)},
			want:   "controls/a.yaml=A3 controls/b.yaml=B3", walked: true},
	}
	for _, step := range steps {
		if step.do != nil {
			step.do()
		}
		for _, e := range step.events {
			d.note(e)
		}
		walks := d.walks
		if got := snapshot(); got != step.want {
			t.Fatalf("%s: snapshot %s, want %s", step.name, got, step.want)
		}
		if walked := d.walks > walks; walked != step.walked {
			t.Fatalf("%s: walked the tree: %v, want %v", step.name, walked, step.walked)
		}
	}
	var _ pipeline.Source = d
}
