// Package storetest is the conformance suite every store backend runs, so that the
// backends cannot drift apart.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

// Opener returns a new, empty store, closed when the test ends. Calling it twice in one
// test must return two handles on the same database.
type Opener func(t *testing.T) store.Store

// Run runs every conformance test against the backend.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Empty", testEmpty},
		{"ControlRoundTrip", testControlRoundTrip},
		{"LibraryOutline", testLibraryOutline},
		{"ControlNameUniquePerType", testControlNameUniquePerType},
		{"FrameworkRoundTrip", testFrameworkRoundTrip},
		{"FrameworkUnknownControl", testFrameworkUnknownControl},
		{"DeleteControlInUse", testDeleteControlInUse},
		{"DeleteMissing", testDeleteMissing},
		{"RollbackOnError", testRollbackOnError},
		{"UpdatesAreSerialised", testUpdatesAreSerialised},
		{"UpdatePanicIsError", testUpdatePanicIsError},
		{"UpdateCancelledBeforeRun", testUpdateCancelledBeforeRun},
		{"ConcurrentWritersAllCommit", testConcurrentWritersAllCommit},
		{"ViewSeesOneSnapshot", testViewSeesOneSnapshot},
		{"AccountsAreApart", testAccountsAreApart},
		{"ReopenKeepsData", testReopenKeepsData},
		{"Notifications", testNotifications},
		{"ListPages", testListPages},
		{"AccessKeys", testAccessKeys},
		{"Accounts", testAccounts},
		{"ShareRequests", testShareRequests},
		{"CatalogFiles", testCatalogFiles},
		{"Assessments", testAssessments},
		{"ChangeLogsAndDelegations", testChangeLogsAndDelegations},
		{"AssessmentAccess", testAssessmentAccess},
		{"AccessKeyARN", testAccessKeyARN},
		{"LibraryRevision", testLibraryRevision},
		{"Evidence", testEvidence},
		{"EvidenceUploads", testEvidenceUploads},
		{"SigningKeys", testSigningKeys},
		{"CustomRules", testCustomRules},
		{"FindingMappings", testFindingMappings},
		{"AssessmentReports", testAssessmentReports},
		{"Sessions", testSessions},
		{"FindControls", testFindControls},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

var t0 = time.Date(2026, 11, 29, 10, 0, 0, 123456789, time.UTC)

// Account owns what NewControl and NewFramework make.
const Account = "111122223333"

// NewControl returns a valid custom control with the name, for tests.
func NewControl(name string) *probity.Control {
	c := &probity.Control{
		ID:          probity.NewID(),
		Type:        probity.ControlTypeCustom,
		Name:        name,
		Description: "description of " + name,
		ControlMappingSources: []probity.ControlMappingSource{{
			SourceName: "Config rule", SourceType: probity.SourceTypeConfig, SourceFrequency: "DAILY",
			SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: "S3_BUCKET_VERSIONING_ENABLED"},
		}, probity.ManualAttestation()},
		Tags:          map[string]string{"Owner": "security", "CIS": "3.1"},
		CreatedAt:     t0,
		CreatedBy:     "tester",
		LastUpdatedAt: t0.Add(time.Second),
		LastUpdatedBy: "tester",
		ManagedBy:     "files",
		SourceDigest:  "digest of " + name,
	}
	c.AccountID = Account
	c.ARN = probity.DefaultPartition.In(Account).ARN("control", c.ID)
	c.Normalize()
	return c
}

// NewFramework returns a valid custom framework with one control set per group.
func NewFramework(name string, groups ...[]*probity.Control) *probity.Framework {
	f := &probity.Framework{
		ID: probity.NewID(), Type: probity.FrameworkTypeCustom, Name: name,
		Description: "framework " + name, ComplianceType: "CIS",
		Tags:      map[string]string{"Team": "grc"},
		CreatedAt: t0, LastUpdatedAt: t0, CreatedBy: "tester", LastUpdatedBy: "tester",
	}
	f.AccountID = Account
	f.ARN = probity.DefaultPartition.In(Account).ARN("assessmentFramework", f.ID)
	for i, g := range groups {
		cs := probity.ControlSet{Name: fmt.Sprintf("Set %d", i+1)}
		for _, c := range g {
			cs.Controls = append(cs.Controls, c.ID)
		}
		f.ControlSets = append(f.ControlSets, cs)
	}
	f.Normalize()
	return f
}

// Put writes controls and frameworks to s in one Update of the library; it fails the
// test on error.
func Put(t testing.TB, s store.Store, cs []*probity.Control, fs []*probity.Framework) {
	t.Helper()
	err := s.Update(context.Background(), store.LockLibrary, func(tx store.Tx) error {
		if err := tx.PutControls(context.Background(), cs); err != nil {
			return err
		}
		return tx.PutFrameworks(context.Background(), fs)
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := probity.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func testEmpty(t *testing.T, open Opener) {
	s := open(t)
	lib, err := s.Library(context.Background(), Account)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Controls)+len(lib.Frameworks) != 0 {
		t.Fatalf("new store holds %d controls and %d frameworks", len(lib.Controls), len(lib.Frameworks))
	}
	_, err = s.Control(context.Background(), Account, probity.NewID())
	wantCode(t, err, probity.ENOTFOUND)
	_, err = s.Framework(context.Background(), Account, probity.NewID())
	wantCode(t, err, probity.ENOTFOUND)
}

func testControlRoundTrip(t *testing.T, open Opener) {
	s := open(t)
	c := NewControl("Encrypt data at rest — ünïcode")
	Put(t, s, []*probity.Control{c}, nil)
	got, err := s.Control(context.Background(), Account, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Fatalf("control changed on the way through the store (-put +got):\n%s", diff)
	}

	// Putting again by id replaces the whole control.
	c2 := *c
	c2.Description, c2.Tags, c2.ControlMappingSources = "", nil, c.ControlMappingSources[1:]
	c2.Normalize()
	Put(t, s, []*probity.Control{&c2}, nil)
	lib, err := s.Library(context.Background(), Account)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Controls) != 1 {
		t.Fatalf("library holds %d controls, want 1", len(lib.Controls))
	}
	if diff := cmp.Diff(c2, lib.Controls[0]); diff != "" {
		t.Fatalf("replaced control (-put +got):\n%s", diff)
	}
}

func testControlNameUniquePerType(t *testing.T, open Opener) {
	s := open(t)
	a := NewControl("Same name")
	Put(t, s, []*probity.Control{a}, nil)
	b := NewControl("Same name")
	err := s.Update(context.Background(), store.LockLibrary, func(tx store.Tx) error {
		return tx.PutControls(context.Background(), []*probity.Control{b})
	})
	wantCode(t, err, probity.ECONFLICT)

	b.Type = probity.ControlTypeStandard
	Put(t, s, []*probity.Control{b}, nil)
	lib, _ := s.Library(context.Background(), Account)
	if len(lib.Controls) != 2 {
		t.Fatalf("library holds %d controls, want 2 (one per type)", len(lib.Controls))
	}
}

func testFrameworkRoundTrip(t *testing.T, open Opener) {
	s := open(t)
	var cs []*probity.Control
	for i := range 5 {
		cs = append(cs, NewControl(fmt.Sprintf("control %d", i)))
	}
	f := NewFramework("CIS-like", cs[:3], cs[2:])
	Put(t, s, cs, []*probity.Framework{f})
	got, err := s.Framework(context.Background(), Account, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, got); diff != "" {
		t.Fatalf("framework changed on the way through the store (-put +got):\n%s", diff)
	}

	// Replacing the framework replaces its control sets whole.
	f2 := *f
	f2.ControlSets = []probity.ControlSet{{Name: "Only", Controls: []string{cs[4].ID, cs[0].ID}}}
	f2.Normalize()
	Put(t, s, nil, []*probity.Framework{&f2})
	lib, err := s.Library(context.Background(), Account)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib.Frameworks) != 1 {
		t.Fatalf("library holds %d frameworks, want 1", len(lib.Frameworks))
	}
	if diff := cmp.Diff(f2, lib.Frameworks[0]); diff != "" {
		t.Fatalf("replaced framework (-put +got):\n%s", diff)
	}
}

func testFrameworkUnknownControl(t *testing.T, open Opener) {
	s := open(t)
	ghost := NewControl("never stored")
	err := s.Update(context.Background(), store.LockLibrary, func(tx store.Tx) error {
		return tx.PutFrameworks(context.Background(), []*probity.Framework{NewFramework("F", []*probity.Control{ghost})})
	})
	wantCode(t, err, probity.EINVALID)
	lib, _ := s.Library(context.Background(), Account)
	if len(lib.Frameworks) != 0 {
		t.Fatal("a failed update left a framework behind")
	}
}

func testDeleteControlInUse(t *testing.T, open Opener) {
	s := open(t)
	a, b := NewControl("a"), NewControl("b")
	f := NewFramework("F", []*probity.Control{a})
	Put(t, s, []*probity.Control{a, b}, []*probity.Framework{f})
	err := s.Update(context.Background(), store.LockLibrary, func(tx store.Tx) error {
		return tx.DeleteControls(context.Background(), Account, []string{b.ID, a.ID})
	})
	wantCode(t, err, probity.ECONFLICT)
	if _, err := s.Control(context.Background(), Account, b.ID); err != nil {
		t.Fatalf("control b is gone after a failed delete: %v", err)
	}

	// Deleting the framework first frees the control.
	err = s.Update(context.Background(), store.LockLibrary, func(tx store.Tx) error {
		if err := tx.DeleteFrameworks(context.Background(), Account, []string{f.ID}); err != nil {
			return err
		}
		return tx.DeleteControls(context.Background(), Account, []string{a.ID, b.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	lib, _ := s.Library(context.Background(), Account)
	if len(lib.Controls)+len(lib.Frameworks) != 0 {
		t.Fatalf("library not empty after deletes: %+v", lib)
	}
}

func testDeleteMissing(t *testing.T, open Opener) {
	s := open(t)
	a := NewControl("a")
	Put(t, s, []*probity.Control{a}, nil)
	err := s.Update(context.Background(), store.LockLibrary, func(tx store.Tx) error {
		return tx.DeleteControls(context.Background(), Account, []string{a.ID, probity.NewID()})
	})
	wantCode(t, err, probity.ENOTFOUND)
	if _, err := s.Control(context.Background(), Account, a.ID); err != nil {
		t.Fatalf("a failed delete removed a control: %v", err)
	}
	err = s.Update(context.Background(), store.LockLibrary, func(tx store.Tx) error {
		return tx.DeleteFrameworks(context.Background(), Account, []string{probity.NewID()})
	})
	wantCode(t, err, probity.ENOTFOUND)
}

func testRollbackOnError(t *testing.T, open Opener) {
	s := open(t)
	boom := errors.New("boom")
	err := s.Update(context.Background(), store.LockLibrary, func(tx store.Tx) error {
		if err := tx.PutControls(context.Background(), []*probity.Control{NewControl("a")}); err != nil {
			return err
		}
		// Reads in the transaction see its writes.
		lib, err := tx.Library(context.Background(), Account)
		if err != nil {
			return err
		}
		if len(lib.Controls) != 1 {
			return fmt.Errorf("transaction sees %d controls, want 1", len(lib.Controls))
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	lib, _ := s.Library(context.Background(), Account)
	if len(lib.Controls) != 0 {
		t.Fatal("a rolled-back update left a control behind")
	}
}

// testUpdatesAreSerialised has writers that each read the library and add a control named
// after what they saw: only serialised transactions give distinct names.
func testUpdatesAreSerialised(t *testing.T, open Opener) {
	s1, s2 := open(t), open(t)
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		s := s1
		if i%2 == 1 {
			s = s2
		}
		wg.Go(func() {
			errs <- s.Update(context.Background(), store.LockLibrary, func(tx store.Tx) error {
				lib, err := tx.Library(context.Background(), Account)
				if err != nil {
					return err
				}
				return tx.PutControls(context.Background(), []*probity.Control{NewControl(fmt.Sprintf("n%d", len(lib.Controls)))})
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent update: %v", err)
		}
	}
	lib, _ := s1.Library(context.Background(), Account)
	if len(lib.Controls) != writers {
		t.Fatalf("library holds %d controls after %d serialised writers", len(lib.Controls), writers)
	}
}

// testViewSeesOneSnapshot commits a write while a View is open: the View's reads before
// and after it agree, and a read outside sees the write.
func testViewSeesOneSnapshot(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	first := NewControl("before the view")
	Put(t, s, []*probity.Control{first}, nil)
	late := NewControl("during the view")
	err := s.View(ctx, func(r store.Reader) error {
		lib, err := r.Library(ctx, Account)
		if err != nil {
			return err
		}
		if len(lib.Controls) != 1 {
			return fmt.Errorf("view sees %d controls at first, want 1", len(lib.Controls))
		}
		Put(t, s, []*probity.Control{late}, nil)
		if _, err := s.Control(ctx, Account, late.ID); err != nil {
			return fmt.Errorf("a read outside the view misses the committed write: %w", err)
		}
		lib, err = r.Library(ctx, Account)
		if err != nil {
			return err
		}
		if len(lib.Controls) != 1 {
			return fmt.Errorf("view sees %d controls after a concurrent commit, want still 1", len(lib.Controls))
		}
		_, err = r.Control(ctx, Account, late.ID)
		if probity.ErrorCode(err) != probity.ENOTFOUND {
			return fmt.Errorf("view reads the control committed after it began: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testReopenKeepsData(t *testing.T, open Opener) {
	s := open(t)
	c := NewControl("kept")
	Put(t, s, []*probity.Control{c}, nil)
	again := open(t) // runs the migrations a second time
	if _, err := again.Control(context.Background(), Account, c.ID); err != nil {
		t.Fatalf("second handle: %v", err)
	}
}

// write runs fn in a write transaction of its own that takes no lock.
func write(s store.Store, fn func(tx store.Tx) error) error {
	return s.Update(context.Background(), store.LockNone, fn)
}

// testLibraryOutline checks that LibraryOutline returns every control of the library,
// in its order, with its identity, its owner, the catalog's record and the content
// digest of what was last written, by every kind of write (create, update), and the data
// sources of every control that names a custom rule.
func testLibraryOutline(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	a, b, std := NewControl("A"), NewControl("B"), NewControl("Standard one")
	std.Type, std.AccountID, std.ManagedBy = probity.ControlTypeStandard, "", ""
	b.ControlMappingSources[0].SourceKeyword.KeywordValue = probity.CustomRulePrefix + "versioned"
	Put(t, s, []*probity.Control{a, b, std}, nil)
	a.Description = "changed by the API"
	Put(t, s, []*probity.Control{a}, nil)

	lib, err := s.Library(ctx, Account)
	if err != nil {
		t.Fatal(err)
	}
	outline, err := s.LibraryOutline(ctx, Account)
	if err != nil {
		t.Fatal(err)
	}
	if !outline.Outline() || lib.Outline() {
		t.Fatalf("Outline(): %v for the outline, %v for the library", outline.Outline(), lib.Outline())
	}
	if len(outline.Controls) != len(lib.Controls) || len(outline.ContentDigests) != len(lib.Controls) {
		t.Fatalf("outline of %d controls (%d digests), library of %d", len(outline.Controls), len(outline.ContentDigests), len(lib.Controls))
	}
	for i, c := range lib.Controls {
		o := outline.Controls[i]
		want := probity.Control{ID: c.ID, Type: c.Type, Name: c.Name, AccountID: c.AccountID, ManagedBy: c.ManagedBy, SourceDigest: c.SourceDigest}
		if c.Name == "B" {
			want.ControlMappingSources = c.ControlMappingSources
		}
		if diff := cmp.Diff(want, o); diff != "" {
			t.Errorf("outline of %s (-want +got):\n%s", c.Name, diff)
		}
		if got := outline.ContentDigests[c.ID]; got != probity.ContentDigest(&c) {
			t.Errorf("content digest of %s: %q, want %q", c.Name, got, probity.ContentDigest(&c))
		}
	}
	if diff := cmp.Diff(lib.Frameworks, outline.Frameworks); diff != "" {
		t.Errorf("frameworks (-library +outline):\n%s", diff)
	}
}
