package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/redact"
)

// Git is a git repository (https://, ssh:// or file:// URL, with #branch optional),
// polled: each poll fetches the branch and, when its tip moved, reads the tree at the
// tip. The tip commit is the snapshot's Revision, so every change it causes is
// recorded with it. Objects are kept in memory for the life of the process.
type Git struct {
	url      string // without user info; its query may hold a token
	name     string // url with the query's values masked, and #branch
	branch   string // as given after #; empty for the remote's default branch
	resolved string // the default branch, once asked for
	auth     transport.AuthMethod
	interval time.Duration

	repo  *git.Repository
	cache map[plumbing.Hash][]byte // blob contents by hash
	tip   plumbing.Hash
	snap  *Snapshot
}

var _ Source = (*Git)(nil)

// NewGit returns the source for a repository URL, polled every interval. An https URL
// may carry a user and password (or token), used for basic authentication and kept out
// of the name; ssh uses the SSH agent. It returns an EINVALID error for a malformed URL.
func NewGit(rawURL string, interval time.Duration) (*Git, error) {
	base, branch, _ := strings.Cut(rawURL, "#")
	u, err := url.Parse(base)
	if err != nil || u.Host == "" && u.Scheme != "file" {
		return nil, invalidf("catalog source %q: want a git URL (https://, ssh:// or file://, #branch optional)", redact.URL(base))
	}
	g := &Git{branch: branch, interval: interval, cache: map[plumbing.Hash][]byte{}}
	if u.User != nil && (u.Scheme == "https" || u.Scheme == "http") {
		if _, hasPass := u.User.Password(); hasPass && u.Scheme == "http" {
			return nil, invalidf("catalog source %q: a password over plain http would travel in clear; use https", redact.URL(base))
		}
		pass, _ := u.User.Password()
		g.auth = &githttp.BasicAuth{Username: u.User.Username(), Password: pass}
		u.User = nil
	}
	if u.User != nil {
		// ssh: keep the user for the transport, never a password in the name.
		if _, hasPass := u.User.Password(); hasPass {
			return nil, invalidf("catalog source %q: put ssh credentials in the SSH agent, not in the URL", redact.URL(base))
		}
	}
	g.url = u.String()
	g.name = redact.URL(g.url)
	if branch != "" {
		g.name += "#" + branch
	}
	return g, nil
}

// Name returns the URL without credentials and with the values of its query masked
// (redact.URL), with #branch when one was given: a new token keeps the name.
func (g *Git) Name() string { return g.name }

// Snapshot implements Source. Its errors never quote the token of the URL's query.
func (g *Git) Snapshot(ctx context.Context) (*Snapshot, error) {
	snap, err := g.snapshot(ctx)
	return snap, redact.Error(err, g.url)
}

func (g *Git) snapshot(ctx context.Context) (*Snapshot, error) {
	if g.repo == nil {
		repo, err := git.Init(memory.NewStorage(), nil)
		if err != nil {
			return nil, err
		}
		if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{g.url}}); err != nil {
			return nil, err
		}
		g.repo = repo
	}
	remote, err := g.repo.Remote("origin")
	if err != nil {
		return nil, err
	}
	branch := g.branch
	if branch == "" {
		if g.resolved == "" {
			if g.resolved, err = g.defaultBranch(ctx, remote); err != nil {
				return nil, err
			}
		}
		branch = g.resolved
	}
	local := plumbing.NewRemoteReferenceName("origin", branch)
	spec := config.RefSpec("+" + plumbing.NewBranchReferenceName(branch).String() + ":" + local.String())
	// Only the tip matters: a shallow fetch keeps the history out of memory.
	err = remote.FetchContext(ctx, &git.FetchOptions{RefSpecs: []config.RefSpec{spec}, Auth: g.auth, Tags: git.NoTags, Force: true, Depth: 1})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil, fmt.Errorf("fetch %s: %w", g.Name(), err)
	}
	ref, err := g.repo.Reference(local, true)
	if err != nil {
		return nil, fmt.Errorf("%s: branch %s: %w", g.name, branch, err)
	}
	if g.snap != nil && ref.Hash() == g.tip {
		return g.snap, nil
	}
	commit, err := g.repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, err
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{Revision: commit.Hash.String()}
	next := map[plumbing.Hash][]byte{}
	err = tree.Files().ForEach(func(f *object.File) error {
		if !isCatalogPath(f.Name) {
			return nil
		}
		data, ok := g.cache[f.Hash]
		if !ok {
			r, err := f.Reader()
			if err != nil {
				return err
			}
			data, err = io.ReadAll(io.LimitReader(r, doc.MaxFileSize+1))
			r.Close()
			if err != nil {
				return fmt.Errorf("read %s: %w", f.Name, err)
			}
		}
		next[f.Hash] = data
		snap.Files = append(snap.Files, File{Path: f.Name, Data: data, Revision: f.Hash.String()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortFiles(snap.Files)
	g.cache, g.tip, g.snap = next, ref.Hash(), snap
	// The objects of this tip are read; start the next fetch from empty storage so that
	// a long-running server does not keep every version it ever fetched.
	g.repo = nil
	return snap, nil
}

// defaultBranch asks the remote which branch its HEAD points at.
func (g *Git) defaultBranch(ctx context.Context, remote *git.Remote) (string, error) {
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: g.auth})
	if err != nil {
		return "", fmt.Errorf("list %s: %w", g.name, err)
	}
	var head *plumbing.Reference
	for _, r := range refs {
		if r.Name() == plumbing.HEAD {
			head = r
		}
	}
	if head == nil {
		return "", fmt.Errorf("%s has no HEAD: name a branch with #BRANCH", g.name)
	}
	if head.Type() == plumbing.SymbolicReference && head.Target().IsBranch() {
		return head.Target().Short(), nil
	}
	for _, r := range refs {
		if r.Name().IsBranch() && r.Hash() == head.Hash() {
			return r.Name().Short(), nil
		}
	}
	return "", fmt.Errorf("%s: cannot tell the default branch: name one with #BRANCH", g.name)
}

// Watch implements Source: it asks for a snapshot every interval; the snapshot tells
// whether the tip moved.
func (g *Git) Watch(ctx context.Context, sig *Signal) error {
	return poll(ctx, sig, g.interval)
}

// poll signals a change every interval until ctx ends.
func poll(ctx context.Context, sig *Signal, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	sig.Healthy()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			sig.Changed(nil)
		}
	}
}
