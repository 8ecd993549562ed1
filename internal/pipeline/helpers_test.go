package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/sqlite"
	"github.com/probity-dev/probity/internal/store/sqlstore"
)

// control returns a valid control file named name.
func control(name string) string {
	return fmt.Sprintf("name: %s\ndescription: about %s\ndatasources:\n  - sourceName: Manual\n    sourceType: MANUAL\n", name, name)
}

// framework returns a valid framework file with one control set of the controls.
func framework(name string, controls ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\ncontrolSets:\n  - name: Set\n    controls:\n", name)
	for _, c := range controls {
		fmt.Fprintf(&b, "      - %s\n", c)
	}
	return b.String()
}

// badSourceType is a control whose second data source has a misspelt type, at 7:5.
const badSourceType = `name: A
datasources:
  - sourceName: Manual
    sourceType: MANUAL
  - sourceName: Config
    sourceSetUpOption: System_Controls_Mapping
    sourceType: AWS_Confg
    sourceKeyword:
      keywordInputType: SELECT_FROM_LIST
      keywordValue: S3_BUCKET_VERSIONING_ENABLED
`

// openStore returns a SQLite store in a temp dir; path lets a test open it again.
func openStore(t *testing.T, path string) *sqlstore.DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "probity.db")
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// names returns "Control:NAME" and "Framework:NAME" for what the library holds, with
// the owner: "Control:A@src".
func names(t *testing.T, st store.Store) []string {
	t.Helper()
	lib, err := st.Library(context.Background(), probity.DefaultPartition.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range lib.Controls {
		out = append(out, "Control:"+c.Name+"@"+c.ManagedBy)
	}
	for _, f := range lib.Frameworks {
		out = append(out, "Framework:"+f.Name+"@"+f.ManagedBy)
	}
	slices.Sort(out)
	return out
}

// waitFor polls cond until it holds. It sets no bound of its own, since how long the
// work takes depends on the machine: the test binary's -timeout is the bound, and
// shortly before it passes waitFor fails, naming what it waited for.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline, bounded := t.Deadline()
	for !cond() {
		if bounded && time.Until(deadline) < 5*time.Second {
			t.Fatalf("still waiting for %s when the test binary's -timeout was near", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

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

// inbox is a Sender that keeps messages.
type inbox struct {
	mu   sync.Mutex
	msgs []notify.Message
}

func (b *inbox) Send(m notify.Message) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, m)
}

func (b *inbox) all() []notify.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.msgs)
}

// find returns the first message whose text holds every part, or nil.
func (b *inbox) find(parts ...string) *notify.Message {
	for _, m := range b.all() {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(m.Text, p)
		}
		if ok {
			return &m
		}
	}
	return nil
}

// testLogLevel is the level of the pipelines' logs in tests; PROBITY_TEST_LOG=debug
// shows more.
var testLogLevel = func() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("PROBITY_TEST_LOG"))); err != nil {
		return slog.LevelWarn
	}
	return l
}()
