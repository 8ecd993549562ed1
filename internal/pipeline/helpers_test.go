package pipeline

import (
	"context"
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
