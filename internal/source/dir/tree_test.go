package dir

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/probity-dev/probity/internal/pipeline"
	"github.com/probity-dev/probity/internal/pipeline/pipelinetest"
	"github.com/probity-dev/probity/internal/store"
)

var (
	control   = pipelinetest.Control
	framework = pipelinetest.Framework
	openStore = pipelinetest.OpenStore
	names     = pipelinetest.Names
	waitFor   = pipelinetest.WaitFor
	hasAll    = pipelinetest.HasAll
	writeFile = pipelinetest.WriteFile
)

const badSourceType = pipelinetest.BadSourceType

// startPipeline runs a pipeline on the sources until the test ends.
func startPipeline(t *testing.T, st store.Store, box *pipelinetest.Inbox, srcs ...pipeline.Source) *pipeline.Pipeline {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p, err := pipeline.New(pipeline.Config{Sources: srcs, Store: st, Sender: box, Logger: pipelinetest.Logger(),
		RetryMin: 100 * time.Millisecond, RetryMax: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p.Start(ctx)
	t.Cleanup(func() { cancel(); p.Wait(context.Background()) })
	return p
}

func TestDir(t *testing.T) {
	root := filepath.Join(t.TempDir(), "catalog")
	writeFile(t, filepath.Join(root, "controls", "a.yaml"), control("A"))
	writeFile(t, filepath.Join(root, ".git", "ignored.yaml"), control("Hidden"))
	src, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t, "")
	box := &pipelinetest.Inbox{}
	p := startPipeline(t, st, box, src)
	at := "@" + root

	waitFor(t, "A", hasAll(t, st, "Control:A"+at))
	// A folder made after the start, several levels deep, is watched too.
	writeFile(t, filepath.Join(root, "team", "new", "controls", "b.yaml"), control("B"))
	writeFile(t, filepath.Join(root, "frameworks", "f.yaml"), framework("F", "A", "B"))
	waitFor(t, "B and F", hasAll(t, st, "Control:B"+at, "Framework:F"+at))
	if got := names(t, st); slices.Contains(got, "Control:Hidden"+at) {
		t.Errorf("a file in a hidden folder was applied: %v", got)
	}

	writeFile(t, filepath.Join(root, "controls", "a.yaml"), badSourceType)
	waitFor(t, "the failure", func() bool { return box.Find("controls/a.yaml:7:5: datasources[1].sourceType") != nil })

	if err := os.Remove(filepath.Join(root, "frameworks", "f.yaml")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "F deleted", func() bool { return !slices.Contains(names(t, st), "Framework:F"+at) })

	// The directory going away is a fault, not an empty catalog.
	moved := root + ".moved"
	if err := os.Rename(root, moved); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the source down", func() bool { return p.Health() != nil })
	if got := names(t, st); !slices.Contains(got, "Control:B"+at) {
		t.Errorf("library lost B while the directory was away: %v", got)
	}
	if err := os.Rename(moved, root); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "controls", "c.yaml"), control("C"))
	waitFor(t, "C after the directory came back", hasAll(t, st, "Control:C"+at, "Control:B"+at))
	waitFor(t, "healthy", func() bool { return p.Health() == nil })
}

// entered is a Tree that says when the pipeline first asks it for a snapshot.
type entered struct {
	*Tree
	once sync.Once
	in   chan struct{}
}

func (e *entered) Snapshot(ctx context.Context) (*pipeline.Snapshot, error) {
	e.once.Do(func() { close(e.in) })
	return e.Tree.Snapshot(ctx)
}

// TestFirstSnapshotWaitsForTheWatch holds the watch's setup before it watches any folder,
// lets the first reconcile ask for its snapshot, and changes the catalog meanwhile. The
// snapshot waits for the watch, so the first reconcile applies the change: had it walked
// the tree before the folder was watched, no walk and no event would have told of it.
func TestFirstSnapshotWaitsForTheWatch(t *testing.T) {
	root := filepath.Join(t.TempDir(), "catalog")
	writeFile(t, filepath.Join(root, "controls", "a.yaml"), control("A"))
	tree, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	reached, release := make(chan struct{}), make(chan struct{})
	var hold sync.Once
	adding = func(dir string) {
		if dir == tree.root {
			hold.Do(func() { close(reached); <-release })
		}
	}
	t.Cleanup(func() { adding = func(string) {} })
	src := &entered{Tree: tree, in: make(chan struct{})}
	st := openStore(t, "")
	startPipeline(t, st, &pipelinetest.Inbox{}, src)
	<-reached
	<-src.in
	writeFile(t, filepath.Join(root, "controls", "c.yaml"), control("C"))
	close(release)
	at := "@" + root
	waitFor(t, "the first reconcile", hasAll(t, st, "Control:A"+at))
	if got := names(t, st); !slices.Contains(got, "Control:C"+at) {
		t.Fatalf("the first reconcile applied %v: the file written while the watch was set up is missing", got)
	}
}
