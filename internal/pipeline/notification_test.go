package pipeline

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/botocoretest"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
)

// modelPattern returns the pattern botocore's Audit Manager model gives the shape of a
// member of a structure (see botocoretest.Decode for a machine without botocore).
func modelPattern(t *testing.T, structure, member string) *regexp.Regexp {
	t.Helper()
	var m struct {
		Shapes map[string]struct {
			Pattern string
			Members map[string]struct{ Shape string }
		}
	}
	botocoretest.Decode(t, &m)
	shape := m.Shapes[m.Shapes[structure].Members[member].Shape]
	if shape.Pattern == "" {
		t.Fatalf("the model gives %s.%s no pattern", structure, member)
	}
	return regexp.MustCompile(shape.Pattern)
}

// TestNotificationIDsMatchTheModel stores the outcomes of reconciles on each backend
// and checks every id against the model's pattern for Notification.id, and that its
// time part is the notification's event time.
func TestNotificationIDsMatchTheModel(t *testing.T) {
	pattern := modelPattern(t, "Notification", "id")
	backends := []struct {
		name string
		open func(t *testing.T) store.Store
	}{
		{"sqlite", func(t *testing.T) store.Store { return openStore(t, "") }},
		{"postgres", func(t *testing.T) store.Store {
			st, err := postgres.Open(context.Background(), pgtest.DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			src := &staticSource{name: "a"}
			clock := time.Date(2025, 3, 4, 5, 6, 7, 891_000_000, time.UTC)
			p, err := New(Config{Sources: []Source{src}, Store: st, Now: func() time.Time { return clock }})
			if err != nil {
				t.Fatal(err)
			}
			// Each step changes the outcome, so each is stored.
			for i, files := range []map[string]string{
				{"controls/a.yaml": control("A")},
				{"controls/a.yaml": control("A"), "controls/b.yaml": control("B")},
				{"controls/a.yaml": badSourceType, "controls/b.yaml": control("B")},
			} {
				src.set(strconv.Itoa(i), files)
				if err := p.reconcileSource(ctx, p.runners[0], true); err != nil {
					t.Fatal(err)
				}
				clock = clock.Add(time.Second)
			}
			notes, err := st.Notifications(ctx, probity.DefaultPartition.AccountID, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(notes) != 3 {
				t.Fatalf("stored %d notifications, want 3", len(notes))
			}
			seen := map[string]bool{}
			for _, n := range notes {
				if !pattern.MatchString(n.ID) {
					t.Errorf("notification id %q does not match the model's %s", n.ID, pattern)
				}
				if want := strconv.FormatInt(n.EventTime.UnixMilli(), 10) + "_"; !strings.HasPrefix(n.ID, want) {
					t.Errorf("notification id %q does not start with its event time %s", n.ID, want)
				}
				if seen[n.ID] {
					t.Errorf("notification id %q given twice", n.ID)
				}
				seen[n.ID] = true
			}
		})
	}
}
