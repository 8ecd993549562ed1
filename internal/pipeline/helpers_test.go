package pipeline

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sync"

	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/pipeline/pipelinetest"
)

// The helpers that source tests share live in pipelinetest.
var (
	control   = pipelinetest.Control
	framework = pipelinetest.Framework
	openStore = pipelinetest.OpenStore
	names     = pipelinetest.Names
)

const badSourceType = pipelinetest.BadSourceType

// inbox is a Sender that keeps messages.
type inbox struct{ pipelinetest.Inbox }

func (b *inbox) all() []notify.Message                { return b.All() }
func (b *inbox) find(parts ...string) *notify.Message { return b.Find(parts...) }

// staticSource is a source whose files the test sets.
type staticSource struct {
	name string
	mu   sync.Mutex
	snap Snapshot
}

func (s *staticSource) Name() string { return s.name }

func (s *staticSource) set(rev string, files map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap = Snapshot{Revision: rev}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		s.snap.Files = append(s.snap.Files, File{Path: p, Data: []byte(files[p])})
	}
}

func (s *staticSource) Snapshot(context.Context) (*Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := s.snap
	return &snap, nil
}

func (s *staticSource) Watch(ctx context.Context, sig *Signal) error {
	sig.Healthy()
	<-ctx.Done()
	return nil
}

// digestSource is a staticSource that is a Reader: its snapshots hand over each file's
// sum without its bytes, and it records the paths ReadFile reads. change, when set, is
// what the next ReadFile of that path finds instead (a file written after the snapshot).
type digestSource struct {
	*staticSource
	reads  []string
	change map[string]string
}

func (s *digestSource) Snapshot(ctx context.Context) (*Snapshot, error) {
	snap, _ := s.staticSource.Snapshot(ctx)
	snap.Files = slices.Clone(snap.Files)
	for i, f := range snap.Files {
		snap.Files[i].Sum, snap.Files[i].Data = sha256.Sum256(f.Data), nil
	}
	return snap, nil
}

func (s *digestSource) ReadFile(_ context.Context, path string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads = append(s.reads, path)
	if data, ok := s.change[path]; ok {
		delete(s.change, path)
		return []byte(data), nil
	}
	for _, f := range s.snap.Files {
		if f.Path == path {
			return f.Data, nil
		}
	}
	return nil, fmt.Errorf("%s: %w", path, fs.ErrNotExist)
}

// takeReads returns the paths read since the last call, sorted and without repeats.
func (s *digestSource) takeReads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Compact(slices.Sorted(slices.Values(s.reads)))
	s.reads = nil
	return out
}
