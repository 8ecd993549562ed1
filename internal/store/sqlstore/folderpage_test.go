package sqlstore_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/sqlstore"
)

// TestFolderPagesSeekTheCursor checks that a page of evidence folders after a cursor is
// read from the cursor's place in the index, on both backends and for both listings (of
// the assessment, of one control): the cursor is part of the index's search condition,
// not a filter over every folder before it, so that a page deep in a long list costs what
// the first does.
func TestFolderPagesSeekTheCursor(t *testing.T) {
	after := store.FolderCursor{Date: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), ID: "0b4e2c6a-9d4f-4e0a-8a38-2f1c7b5e9d10"}
	pages := map[string]store.FolderPage{
		"assessment": {AccountID: "111122223333", AssessmentID: "a", After: after, Limit: 50},
		"control":    {AccountID: "111122223333", AssessmentID: "a", ControlSetID: "s", ControlID: "c", After: after, Limit: 50},
	}
	// SQLite names the row value in its search; PostgreSQL's index condition names day.
	seeks := map[bool]*regexp.Regexp{
		true:  regexp.MustCompile(`SEARCH f USING (COVERING )?INDEX evidence_folders_\w+ \([^)]*\(day,id\)>\(\?,\?\)\)`),
		false: regexp.MustCompile(`(?m)^\s*Index Cond: .*\bday\b`),
	}
	backends(t, func(t *testing.T, s *sqlstore.DB) {
		for name, p := range pages {
			plan, err := s.ExplainFolderPage(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			sqlite := regexp.MustCompile(`SEARCH|SCAN`).MatchString(plan)
			if !seeks[sqlite].MatchString(plan) {
				t.Errorf("%s: the plan does not seek to the cursor in the index:\n%s", name, plan)
			}
		}
	})
}
