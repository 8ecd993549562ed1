package pipeline

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// stuckSource blocks in Snapshot or Watch: until its context ends when it heeds it,
// else until the test releases it (as a read blocked in the kernel would).
type stuckSource struct {
	name         string
	inSnapshot   bool // block in Snapshot, else in Watch
	heedsContext bool
	entered      chan struct{}
	enteredOnce  sync.Once
	release      chan struct{}
}

func (s *stuckSource) Name() string { return s.name }

func (s *stuckSource) block(ctx context.Context) {
	s.enteredOnce.Do(func() { close(s.entered) })
	if s.heedsContext {
		<-ctx.Done()
		return
	}
	<-s.release
}

func (s *stuckSource) Snapshot(ctx context.Context) (*Snapshot, error) {
	if s.inSnapshot {
		s.block(ctx)
		return nil, ctx.Err()
	}
	return &Snapshot{}, nil
}

func (s *stuckSource) Watch(ctx context.Context, sig *Signal) error {
	sig.Healthy()
	if !s.inSnapshot {
		s.block(ctx)
		return nil
	}
	<-ctx.Done()
	return nil
}

// TestWaitIsBounded stops a pipeline while a source is in the middle of an operation:
// a source that heeds its context lets Wait return nil; one that does not makes Wait
// give up when its own context ends, naming the source and what it is stuck in.
func TestWaitIsBounded(t *testing.T) {
	tests := []struct {
		name         string
		inSnapshot   bool
		heedsContext bool
		wantErr      string // "" means Wait returns nil
	}{
		{"snapshot heeds its context", true, true, ""},
		{"watch heeds its context", false, true, ""},
		{"snapshot ignores its context", true, false, "catalog source stuck: still reading it"},
		{"watch ignores its context", false, false, "catalog source stuck: still watching it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &stuckSource{name: "stuck", inSnapshot: tt.inSnapshot, heedsContext: tt.heedsContext,
				entered: make(chan struct{}), release: make(chan struct{})}
			defer close(src.release) // lets a goroutine the test gave up on end
			p, err := New(Config{Sources: []Source{src}, Store: openStore(t, "")})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			p.Start(ctx)
			<-src.entered
			cancel()

			// A source that heeds its context needs no bound; one that does not must
			// not hold Wait past the bound.
			wctx := context.Background()
			if tt.wantErr != "" {
				var stop context.CancelFunc
				wctx, stop = context.WithTimeout(wctx, 50*time.Millisecond)
				defer stop()
			}
			err = p.Wait(wctx)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Wait = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Wait = %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}
