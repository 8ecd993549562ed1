package git

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	waitFor   = pipelinetest.WaitFor
	hasAll    = pipelinetest.HasAll
	writeFile = pipelinetest.WriteFile
)

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

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("git is not installed: CI must run the git source test")
		}
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	runGit(t, repo, "init", "-q", "-b", "main")
	writeFile(t, filepath.Join(repo, "controls", "a.yaml"), control("A"))
	writeFile(t, filepath.Join(repo, "README.md"), "not a catalog file")
	runGit(t, repo, "add", ".")
	runGit(t, repo, "commit", "-q", "-m", "first")
	first := runGit(t, repo, "rev-parse", "HEAD")

	src, err := New("file://"+repo, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t, "")
	box := &pipelinetest.Inbox{}
	startPipeline(t, st, box, src)
	at := "@file://" + repo

	waitFor(t, "A", hasAll(t, st, "Control:A"+at))
	// The notice goes out after the commit that made A visible.
	waitFor(t, "the change notified with commit "+first, func() bool {
		return box.Find(`created control "A" from controls/a.yaml at `+first) != nil
	})

	writeFile(t, filepath.Join(repo, "frameworks", "f.yaml"), framework("F", "A"))
	runGit(t, repo, "add", ".")
	runGit(t, repo, "commit", "-q", "-m", "framework")
	runGit(t, repo, "rm", "-q", "controls/a.yaml")
	runGit(t, repo, "commit", "-q", "-m", "remove a control still in use")
	tip := runGit(t, repo, "rev-parse", "HEAD")
	waitFor(t, "F", hasAll(t, st, "Framework:F"+at, "Control:A"+at))
	waitFor(t, "the in-use failure at the tip", func() bool {
		m := box.Find("Revision: "+tip, `controls/a.yaml: file deleted, but control "A" is still used by framework "F"`)
		return m != nil && m.Revision == tip
	})

	// A branch named after #.
	runGit(t, repo, "checkout", "-q", "-b", "other")
	writeFile(t, filepath.Join(repo, "controls", "o.yaml"), control("O"))
	runGit(t, repo, "add", ".")
	runGit(t, repo, "commit", "-q", "-m", "other")
	branch, err := New("file://"+repo+"#other", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := branch.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Revision != runGit(t, repo, "rev-parse", "other") || len(snap.Files) != 2 {
		t.Errorf("snapshot of #other = %s with %d files", snap.Revision, len(snap.Files))
	}
	if branch.Name() != "file://"+repo+"#other" {
		t.Errorf("Name() = %q", branch.Name())
	}
}

func TestGitNameHidesPassword(t *testing.T) {
	g, err := New("https://user:s3cret@git.example.com/org/catalog.git#main", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Name(); got != "https://git.example.com/org/catalog.git#main" {
		t.Errorf("Name() = %q", got)
	}
}

func TestGitRefusesPasswordsThatWouldLeak(t *testing.T) {
	for _, u := range []string{"http://user:s3cret@git.example.com/catalog.git", "ssh://user:s3cret@git.example.com/catalog.git"} {
		_, err := New(u, time.Minute)
		if err == nil {
			t.Errorf("New(%q) accepted a password it cannot keep safe", u)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("New(%q) error reveals the password: %v", u, err)
		}
	}
	g, err := New("ssh://git@git.example.com/catalog.git", time.Minute)
	if err != nil || strings.Contains(g.Name(), "s3cret") {
		t.Fatalf("ssh URL with a user only: %v", err)
	}
}
