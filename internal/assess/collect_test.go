package assess_test

import (
	"context"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/store/backendtest"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// TestCollections lists the data sources of active assessments for the job runner:
// none of an INACTIVE assessment, none of an INACTIVE control.
func TestCollections(t *testing.T) {
	for _, name := range backendtest.Names {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := backendtest.Open(t, name)
			c, fw, in := assessable(t, st, "collected")
			p := owner
			s := &assess.Service{Store: st}
			active, err := s.Create(ctx, p, in)
			if err != nil {
				t.Fatal(err)
			}
			stopped, err := s.Create(ctx, p, in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.UpdateStatus(ctx, p, stopped.ID, probity.AssessmentInactive); err != nil {
				t.Fatal(err)
			}
			got, err := s.Collections(ctx, assess.CollectionFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].AssessmentID != active.ID || got[0].Source.SourceType != probity.SourceTypeConfig ||
				got[0].ControlID != c.ID || got[0].ControlName != c.Name || got[0].ControlSetID != fw.ControlSets[0].ID ||
				got[0].Account != storetest.Account || len(got[0].Scope.Accounts) != 1 || got[0].Scope.Accounts[0].ID != storetest.Account {
				t.Fatalf("collections = %+v", got)
			}
			for _, f := range []struct {
				filter assess.CollectionFilter
				want   int
			}{
				{assess.CollectionFilter{Account: storetest.Account, AssessmentID: active.ID}, 2},
				{assess.CollectionFilter{AssessmentID: active.ID}, 2},
				{assess.CollectionFilter{AssessmentID: stopped.ID}, 0},
				{assess.CollectionFilter{Account: storetest.Account, AssessmentID: stopped.ID}, 0},
				{assess.CollectionFilter{Account: "444455556666"}, 0},
				{assess.CollectionFilter{Account: "444455556666", AssessmentID: active.ID}, 0},
			} {
				if got, err := s.Collections(ctx, f.filter); err != nil || len(got) != f.want {
					t.Errorf("Collections(%+v) = %d collections, %v; want %d", f.filter, len(got), err, f.want)
				}
			}
			set := active.ControlSets[0].ID
			if _, err := s.UpdateControl(ctx, p, active.ID, set, c.ID, probity.ControlInactive, ""); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.Collections(ctx, assess.CollectionFilter{}); len(got) != 0 {
				t.Fatalf("an INACTIVE control still collects: %+v", got)
			}
		})
	}
}

// TestManualEvidenceNeedsBlobs: a server started without a blob store refuses manual
// evidence and uploads with a message for its operator, not an internal error.
func TestManualEvidenceNeedsBlobs(t *testing.T) {
	s := &assess.Service{}
	p := auth.Principal{Name: "owner", AccountID: storetest.Account, Level: auth.Admin}
	_, err := s.ImportEvidence(context.Background(), p, "a", "s", "c", []assess.ManualEvidence{{TextResponse: "attested"}})
	if probity.ErrorCode(err) != probity.EINVALID || !strings.Contains(err.Error(), "--blobs") {
		t.Errorf("ImportEvidence without blobs = %v, want EINVALID naming --blobs", err)
	}
	_, err = s.Upload(context.Background(), storetest.Account, "u", "f.txt", strings.NewReader("x"))
	if probity.ErrorCode(err) != probity.EINVALID {
		t.Errorf("Upload without blobs = %v, want EINVALID", err)
	}
}
