package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/pgtest"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/postgres"
	"github.com/probity-dev/probity/internal/store/sqlite"
)

// oscalSchema compiles NIST's OSCAL 1.1.3 complete JSON Schema (test data of
// internal/oscal), asserting formats too.
func oscalSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "internal", "oscal", "testdata", "oscal_complete_schema-1.1.3.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("oscal_complete_schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("oscal_complete_schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExportOSCALAssessmentResults: on each backend, an assessment with evidence of every
// kind (compliant, non-compliant, inconclusive, manual; multi-line and empty members,
// attributes, resources, files, several days and pages of folders) and a control with
// none exports as assessment-results that the OSCAL schema accepts, with one observation
// per evidence, a finding per control whose status follows its evidence and whose
// remarks hold the reviewers' comments; a document the schema refuses is refused; an
// unknown or another account's assessment exits 1.
func TestExportOSCALAssessmentResults(t *testing.T) {
	schema := oscalSchema(t)
	// The validator bites: a document without its uuid is refused.
	var broken any
	_ = json.Unmarshal([]byte(`{"assessment-results":{"metadata":{"title":"t","last-modified":"2024-01-01T00:00:00Z","version":"1","oscal-version":"1.1.3"},"import-ap":{"href":"#x"},"results":[]}}`), &broken)
	if schema.Validate(broken) == nil {
		t.Fatal("the schema accepts assessment-results without a uuid")
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			var db string
			var st store.Store
			var err error
			if backend == "postgres" {
				db = pgtest.DSN(t)
				st, err = postgres.Open(ctx, db)
			} else {
				path := filepath.Join(t.TempDir(), "lib.db")
				db = "sqlite:" + path
				st, err = sqlite.Open(ctx, path)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			const account = "111122223333"
			p := auth.Principal{Name: "owner", AccountID: account, Level: auth.Editor, ARN: "arn:aws:iam::111122223333:role/Owner"}
			lib := &library.Service{Store: st}
			var ids []string
			for _, name := range []string{"failing", "passing", "inconclusive", "no evidence"} {
				c, err := lib.CreateControl(ctx, p, library.ControlInput{Name: name, Description: "line one\nline two",
					ControlMappingSources: []probity.ControlMappingSource{probity.ManualAttestation()}})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, c.ID)
			}
			fw, err := lib.CreateFramework(ctx, p, library.FrameworkInput{Name: "fw", ControlSets: []probity.ControlSet{
				{Name: "first set", Controls: ids[:2]}, {Name: "second set", Controls: ids[2:]}}})
			if err != nil {
				t.Fatal(err)
			}
			as := &assess.Service{Store: st}
			a, err := as.Create(ctx, p, assess.Input{Name: "audit  2024", FrameworkID: fw.Framework.ID,
				ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
				Scope:              probity.Scope{Accounts: []probity.AWSAccount{{ID: account}}},
				Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: p.ARN}}})
			if err != nil {
				t.Fatal(err)
			}
			sets := a.ControlSets
			if _, err := as.UpdateControl(ctx, p, a.ID, sets[0].ID, ids[0], probity.ControlReviewed, "Root has no MFA.\nFix by Friday."); err != nil {
				t.Fatal(err)
			}
			if _, err := as.UpdateControl(ctx, p, a.ID, sets[0].ID, ids[0], "", "Second look"); err != nil {
				t.Fatal(err)
			}
			bx, err := secret.NewBox(bytes.Repeat([]byte{7}, 32))
			if err != nil {
				t.Fatal(err)
			}
			l := evidence.New(st, bx)
			t0 := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
			appendEv := func(setID, controlID, res string, items ...probity.Evidence) {
				t.Helper()
				for i := range items {
					items[i].ControlSetID, items[i].ControlID = setID, controlID
				}
				if _, err := l.Append(ctx, evidence.Batch{Account: account, AssessmentID: a.ID, Author: "t", Key: evidence.Key{Resource: res}, Items: items}); err != nil {
					t.Fatal(err)
				}
			}
			var failing []probity.Evidence
			// More folders (days) than one page holds, to cross page boundaries.
			for i := range 510 {
				cc := probity.ComplianceCompliant
				if i == 509 {
					cc = probity.ComplianceNonCompliant
				}
				failing = append(failing, probity.Evidence{ControlName: "failing", DataSource: "AWS Config", Time: t0.Add(time.Duration(i) * 24 * time.Hour),
					EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: cc, EvidenceAWSAccountID: account,
					ResourcesIncluded: []probity.EvidenceResource{{ARN: "arn:aws:iam::111122223333:root", ComplianceCheck: cc}, {Value: "value only"}}})
			}
			appendEv(sets[0].ID, ids[0], "a", failing...)
			appendEv(sets[0].ID, ids[1], "b", probity.Evidence{ControlName: "passing", DataSource: "AWS Config", Time: t0,
				EvidenceByType: probity.EvidenceTypeComplianceCheck, ComplianceCheck: probity.ComplianceCompliant,
				Attributes: map[string]string{"rule": "root-mfa", "multi": " a\nb "}})
			appendEv(sets[1].ID, ids[2], "c",
				probity.Evidence{ControlName: "", DataSource: "  \n ", Time: t0, EvidenceByType: probity.EvidenceTypeManual,
					Blobs: []string{strings.Repeat("ab", 32)}},
				probity.Evidence{ControlName: "inconclusive", DataSource: "AWS CloudTrail", Time: t0.Add(time.Minute),
					EvidenceByType: probity.EvidenceTypeUserActivity, EventSource: "iam.amazonaws.com", EventName: "CreateUser", IAMID: "arn:aws:iam::111122223333:user/x"})
			// Another account's assessment is not found.
			env := map[string]string{"PROBITY_DB": db}
			if code, _, errOut := cli(t, env, "export", "oscal", "assessment-results", a.ID, "--account-id", "444455556666"); code != ExitInvalid || !strings.Contains(errOut, "not found") {
				t.Fatalf("another account's assessment: exit %d, %s", code, errOut)
			}
			if code, _, _ := cli(t, env, "export", "oscal", "assessment-results", probity.NewID(), "--account-id", account); code != ExitInvalid {
				t.Fatalf("unknown assessment: exit %d", code)
			}
			out := filepath.Join(t.TempDir(), "ar.json")
			if code, _, errOut := cli(t, env, "export", "oscal", "assessment-results", a.ID, "--account-id", account, "-o", out); code != ExitOK {
				t.Fatalf("export: exit %d, %s", code, errOut)
			}
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Fatalf("the OSCAL schema refuses the export: %v", err)
			}
			var doc struct {
				AR struct {
					Results []struct {
						Title        string
						Observations []struct {
							UUID    string
							Methods []string
						}
						Findings []struct {
							Title               string
							Remarks             string
							RelatedObservations []struct {
								ObservationUUID string `json:"observation-uuid"`
							} `json:"related-observations"`
							Target struct {
								TargetID string `json:"target-id"`
								Status   struct{ State, Reason string }
							}
						}
					}
				} `json:"assessment-results"`
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			r := doc.AR.Results[0]
			if r.Title != "audit 2024" || len(r.Observations) != 513 || len(r.Findings) != 4 {
				t.Fatalf("title %q, %d observations, %d findings", r.Title, len(r.Observations), len(r.Findings))
			}
			seen := map[string]bool{}
			for _, o := range r.Observations {
				seen[o.UUID] = true
			}
			type want struct {
				title, state, reason string
				related              int
				remarks              []string
			}
			for i, w := range []want{
				{"failing", "not-satisfied", "fail", 510, []string{"owner, ", ": Root has no MFA.\nFix by Friday.", ": Second look"}},
				{"passing", "satisfied", "pass", 1, nil},
				{"inconclusive", "not-satisfied", "other", 2, nil},
				{"no evidence", "not-satisfied", "other", 0, nil},
			} {
				f := r.Findings[i]
				if f.Title != w.title || f.Target.Status.State != w.state || f.Target.Status.Reason != w.reason ||
					len(f.RelatedObservations) != w.related || f.Target.TargetID != "control-"+ids[i] {
					t.Errorf("finding %d = %+v, want %+v", i, f, w)
				}
				for _, ro := range f.RelatedObservations {
					if !seen[ro.ObservationUUID] {
						t.Errorf("finding %d names observation %s, which is not in the document", i, ro.ObservationUUID)
					}
				}
				for _, s := range w.remarks {
					if !strings.Contains(f.Remarks, s) {
						t.Errorf("finding %d remarks %q lack %q", i, f.Remarks, s)
					}
				}
			}
		})
	}
}
