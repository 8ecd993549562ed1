package sqlstore

import (
	testflag "flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/probity-dev/probity"
)

var updateGolden = testflag.Bool("update", false, "rewrite testdata/assessment_body.json")

// storedAssessment has every member that the body keeps, with nil and empty slices both.
func storedAssessment() *probity.Assessment {
	at := time.Date(2025, 7, 1, 12, 30, 0, 123456789, time.UTC)
	return &probity.Assessment{
		ARN: "arn:aws:auditmanager:us-east-1:111122223333:assessment/0123abcd-0123-4567-89ab-0123456789ab", Description: "quarterly",
		ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports/q3"},
		Scope: probity.Scope{Accounts: []probity.AWSAccount{{ID: "111122223333", EmailAddress: "a@example.com", Name: "prod"}, {ID: "333333333333"}},
			Services: []string{"s3"}},
		Roles:     []probity.Role{{Type: probity.RoleProcessOwner, ARN: "arn:aws:iam::111122223333:role/Owner"}},
		Framework: probity.AssessmentFrameworkRef{ID: "fw", ARN: "arn:fw", Name: "Baseline", Description: "d", Logo: "logo", ComplianceType: "CIS"},
		ControlSets: []probity.AssessmentControlSet{
			{ID: "Storage", Name: "Storage", Status: probity.ControlSetUnderReview, SystemEvidenceCount: 3, ManualEvidenceCount: 1,
				Controls: []probity.AssessmentControl{{
					ID: "c1", Name: "Versioning", Description: "about", Status: probity.ControlReviewed, Response: "AUTOMATE",
					DataSources: []probity.ControlMappingSource{
						{SourceID: "s1", SourceName: "versioning", SourceDescription: "sd", SourceSetUpOption: probity.SetUpOption("System_Controls_Mapping"),
							SourceType: probity.SourceType("AWS_Config"), SourceFrequency: probity.SourceFrequency("DAILY"), TroubleshootingText: "t",
							SourceKeyword: &probity.SourceKeyword{KeywordInputType: probity.KeywordInputType("SELECT_FROM_LIST"), KeywordValue: "S3_BUCKET_VERSIONING_ENABLED"}},
						{SourceID: "s2", SourceName: "attest", SourceType: probity.SourceType("MANUAL")},
					},
					Comments:        []probity.ControlComment{{AuthorName: "owner", Body: "seen \"it\"", PostedAt: at}},
					EvidenceSources: []string{"AWS Config"}, EvidenceCount: 7, AssessmentReportEvidenceCount: 2,
				}, {ID: "c2", Name: "Policy", Status: probity.ControlUnderReview, Response: "MANUAL", EvidenceSources: []string{}}}},
			{ID: "Governance", Name: "Governance", Status: probity.ControlSetActive},
		},
		Tags: map[string]string{"team": "grc"},
	}
}

// TestAssessmentBodyFormat: the body is written in the stored format (the golden file,
// which migration 0060's code wrote) and reads back to the same assessment; renaming a
// domain member changes neither, since the rows name the stored members themselves.
func TestAssessmentBodyFormat(t *testing.T) {
	a := storedAssessment()
	got, err := encodeAssessment(a)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "assessment_body.json")
	if *updateGolden {
		if err := os.WriteFile(golden, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got+"\n" != string(want) {
		t.Errorf("encoded body\n%s\nwant the stored format\n%s", got, want)
	}
	back, err := decodeAssessmentBody(string(want))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, a) {
		t.Errorf("read back\n%+v\nwant\n%+v", back, a)
	}
}
