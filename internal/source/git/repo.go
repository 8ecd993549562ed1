// Package git is the catalog source of a git repository, polled:
// https://, http://, ssh:// or file:// URL, #BRANCH optional.
package git

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/pipeline"
	"github.com/probity-dev/probity/internal/redact"
)

// Repo is a git repository (https://, ssh:// or file:// URL, with #branch optional),
// polled: each poll fetches the branch and, when its tip moved, reads the tree at the
// tip. The tip commit is the snapshot's Revision, so every change it causes is
// recorded with it. Objects are kept in memory for the life of the process.
type Repo struct {
	url      string // without user info; its query may hold a token
	name     string // url with the query's values masked, and #branch
	branch   string // as given after #; empty for the remote's default branch
	resolved string // the default branch, once asked for
	auth     transport.AuthMethod
	interval time.Duration

	repo  *gogit.Repository
	cache map[plumbing.Hash][]byte // blob contents by hash
	tip   plumbing.Hash
	snap  *pipeline.Snapshot
}

var _ pipeline.Source = (*Repo)(nil)

// New returns the source for a repository URL, polled every interval. An https URL
// may carry a user and password (or token), used for basic authentication and kept out
// of the name; ssh uses the SSH agent. It returns an EINVALID error for a malformed URL.
func New(rawURL string, interval time.Duration) (*Repo, error) {
	base, branch, _ := strings.Cut(rawURL, "#")
	u, err := url.Parse(base)
	if err != nil || u.Host == "" && u.Scheme != "file" {
		return nil, probity.Errorf(probity.EINVALID, "catalog source %q: want a git URL (https://, ssh:// or file://, #branch optional)", redact.URL(base))
	}
	g := &Repo{branch: branch, interval: interval, cache: map[plumbing.Hash][]byte{}}
	if u.User != nil && (u.Scheme == "https" || u.Scheme == "http") {
		if _, hasPass := u.User.Password(); hasPass && u.Scheme == "http" {
			return nil, probity.Errorf(probity.EINVALID, "catalog source %q: a password over plain http would travel in clear; use https", redact.URL(base))
		}
		pass, _ := u.User.Password()
		g.auth = &githttp.BasicAuth{Username: u.User.Username(), Password: pass}
		u.User = nil
	}
	if u.User != nil {
		// ssh: keep the user for the transport, never a password in the name.
		if _, hasPass := u.User.Password(); hasPass {
			return nil, probity.Errorf(probity.EINVALID, "catalog source %q: put ssh credentials in the SSH agent, not in the URL", redact.URL(base))
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
func (g *Repo) Name() string { return g.name }

// Snapshot implements pipeline.Source. Its errors never quote the token of the URL's query.
func (g *Repo) Snapshot(ctx context.Context) (*pipeline.Snapshot, error) {
	snap, err := g.snapshot(ctx)
	return snap, redact.Error(err, g.url)
}

func (g *Repo) snapshot(ctx context.Context) (*pipeline.Snapshot, error) {
	if g.repo == nil {
		repo, err := gogit.Init(memory.NewStorage(), nil)
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
	err = remote.FetchContext(ctx, &gogit.FetchOptions{RefSpecs: []config.RefSpec{spec}, Auth: g.auth, Tags: gogit.NoTags, Force: true, Depth: 1})
	if err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate) {
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
	snap := &pipeline.Snapshot{Revision: commit.Hash.String()}
	next := map[plumbing.Hash][]byte{}
	err = tree.Files().ForEach(func(f *object.File) error {
		if !pipeline.IsCatalogPath(f.Name) {
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
		snap.Files = append(snap.Files, pipeline.File{Path: f.Name, Data: data, Revision: f.Hash.String()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	pipeline.SortFiles(snap.Files)
	g.cache, g.tip, g.snap = next, ref.Hash(), snap
	// The objects of this tip are read; start the next fetch from empty storage so that
	// a long-running server does not keep every version it ever fetched.
	g.repo = nil
	return snap, nil
}

// defaultBranch asks the remote which branch its HEAD points at.
func (g *Repo) defaultBranch(ctx context.Context, remote *gogit.Remote) (string, error) {
	refs, err := remote.ListContext(ctx, &gogit.ListOptions{Auth: g.auth})
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

// Watch implements pipeline.Source: it asks for a snapshot every interval; the snapshot tells
// whether the tip moved.
func (g *Repo) Watch(ctx context.Context, sig *pipeline.Signal) error {
	return pipeline.Poll(ctx, sig, g.interval)
}
