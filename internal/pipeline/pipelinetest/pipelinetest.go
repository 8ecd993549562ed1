// Package pipelinetest holds what the tests of the catalog pipeline and of its sources
// share: catalog files, a store, a Sender that keeps messages, and a wait on a
// condition. It does not import the pipeline, so the pipeline's own tests use it too.
package pipelinetest

import (
	"context"
	"fmt"
	"log/slog"
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

// Control returns a valid control file named name.
func Control(name string) string {
	return fmt.Sprintf("name: %s\ndescription: about %s\ndatasources:\n  - sourceName: Manual\n    sourceType: MANUAL\n", name, name)
}

// Framework returns a valid framework file with one control set of the controls.
func Framework(name string, controls ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\ncontrolSets:\n  - name: Set\n    controls:\n", name)
	for _, c := range controls {
		fmt.Fprintf(&b, "      - %s\n", c)
	}
	return b.String()
}

// BadSourceType is a control whose second data source has a misspelt type, at 7:5.
const BadSourceType = `name: A
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

// OpenStore returns a SQLite store in a temp dir, closed when the test ends; path lets a
// test open it again.
func OpenStore(t *testing.T, path string) *sqlstore.DB {
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

// Names returns "Control:NAME" and "Framework:NAME" for what the library holds, with
// the owner: "Control:A@src". It fails the test when the library cannot be read.
func Names(t *testing.T, st store.Store) []string {
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
	for _, r := range lib.Rules {
		out = append(out, "Rule:"+r.Name+"@"+r.ManagedBy)
	}
	slices.Sort(out)
	return out
}

// HasAll returns a condition for WaitFor: the library holds every one of want (as
// Names shows them).
func HasAll(t *testing.T, st store.Store, want ...string) func() bool {
	return func() bool {
		got := Names(t, st)
		for _, w := range want {
			if !slices.Contains(got, w) {
				return false
			}
		}
		return true
	}
}

// WaitFor polls cond until it holds. It sets no bound of its own, since how long the
// work takes depends on the machine: the test binary's -timeout is the bound, and
// shortly before it passes WaitFor fails, naming what it waited for.
func WaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline, bounded := t.Deadline()
	for !cond() {
		if bounded && time.Until(deadline) < 5*time.Second {
			t.Fatalf("still waiting for %s when the test binary's -timeout was near", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WriteFile writes data to path, making its folders; it fails the test on error.
func WriteFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Inbox is a pipeline Sender that keeps messages.
type Inbox struct {
	mu   sync.Mutex
	msgs []notify.Message
}

// Send keeps m.
func (b *Inbox) Send(m notify.Message) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, m)
}

// All returns the messages kept so far.
func (b *Inbox) All() []notify.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.msgs)
}

// Find returns the first message whose text holds every part, or nil.
func (b *Inbox) Find(parts ...string) *notify.Message {
	for _, m := range b.All() {
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

// Logger returns the logger of the pipelines of tests: warnings and worse on stderr, or
// the level PROBITY_TEST_LOG names (debug shows more).
func Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: LogLevel}))
}

// LogLevel is the level of Logger.
var LogLevel = func() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("PROBITY_TEST_LOG"))); err != nil {
		return slog.LevelWarn
	}
	return l
}()
