package amapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/amapi"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/keys"
	"github.com/probity-dev/probity/internal/library"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// TestImportFindings posts a findings file to POST /probity/findings, signed like any
// operation: its findings land as evidence of the control their requirement id names, a
// second post adds nothing, a bad file is a ValidationException naming the record and
// field, a viewer key is refused, and a body over the API's usual limit is accepted up to
// the findings limit.
func TestImportFindings(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			c := storetest.NewControl("AC-3(7) Role-based Access Control")
			c.AccountID = "000000000000"
			fw := storetest.NewFramework("fw", []*probity.Control{c})
			fw.AccountID = "000000000000"
			storetest.Put(t, st, []*probity.Control{c}, []*probity.Framework{fw})
			root := auth.Principal{Name: "root", AccountID: "000000000000", Level: auth.Admin, ARN: "arn:aws:iam::000000000000:root"}
			svc := &assess.Service{Store: st}
			a, err := svc.Create(ctx, root, assess.Input{Name: "a", FrameworkID: fw.ID,
				ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
				Scope:              probity.Scope{Accounts: []probity.AWSAccount{{ID: "111122223333"}}},
				Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: root.ARN}}})
			if err != nil {
				t.Fatal(err)
			}
			box, err := secret.NewBox(make([]byte, secret.KeySize))
			if err != nil {
				t.Fatal(err)
			}
			h, err := amapi.New(amapi.Config{
				Library: &library.Service{Store: st},
				Keys:    &keys.Manager{Root: &keys.Root{ID: rootID, Secret: rootSecret, AccountID: "000000000000"}},
				Ledger:  evidence.New(st, box),
			})
			if err != nil {
				t.Fatal(err)
			}
			finding := func(id, status string) string {
				return `{"SchemaVersion":"2018-10-08","Id":"` + id + `","ProductArn":"arn:aws:securityhub:us-east-1::product/aws/securityhub",
				  "GeneratorId":"g","AwsAccountId":"111122223333","UpdatedAt":"2026-11-30T03:04:05Z",
				  "Compliance":{"Status":"` + status + `","RelatedRequirements":["NIST.800-53.r5 AC-3(7)"]}}`
			}
			file := "[" + finding("f1", "PASSED") + "," + finding("f2", "FAILED") + "]"

			r := send(t, h, "POST", "/probity/findings", []byte(file))
			if r.Status != http.StatusOK || r.Body["evidence"] != 2.0 || r.Body["assessments"] != 1.0 {
				t.Fatalf("import: %d %s", r.Status, r.Raw)
			}
			r = send(t, h, "POST", "/probity/findings", []byte(file))
			if r.Status != http.StatusOK || r.Body["evidence"] != 0.0 || r.Body["duplicate"] != 2.0 {
				t.Fatalf("second import: %d %s", r.Status, r.Raw)
			}
			folders, err := st.EvidenceFolders(ctx, store.FolderPage{AccountID: "000000000000", AssessmentID: a.ID, Limit: 10})
			if err != nil || len(folders) != 1 || folders[0].TotalEvidence != 2 || folders[0].EvidenceByTypeComplianceCheckIssuesCount != 1 {
				t.Fatalf("folders = %+v, %v; want one folder with 2 evidence, 1 issue", folders, err)
			}

			bad := "[" + finding("f3", "PASSED") + `,{"SchemaVersion":"2018-10-08","AwsAccountId":"x","GeneratorId":"g","UpdatedAt":"soon","Compliance":{"Status":"FAILED"}}]`
			r = send(t, h, "POST", "/probity/findings", []byte(bad))
			if r.Status != http.StatusBadRequest || r.Type != "ValidationException" || !strings.Contains(r.Raw, "record 2") {
				t.Errorf("bad file: %d %s %s", r.Status, r.Type, r.Raw)
			}
			// Larger than the API's usual 2 MiB, within the findings limit: padded JSON.
			big := "[" + finding("f1", "PASSED") + strings.Repeat(" ", amapi.DefaultMaxBodyBytes) + "]"
			if r = send(t, h, "POST", "/probity/findings", []byte(big)); r.Status != http.StatusOK {
				t.Errorf("a %d-byte file: %d %s", len(big), r.Status, r.Raw)
			}
		})
	}
}
