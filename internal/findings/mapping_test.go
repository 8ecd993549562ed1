package findings_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/catalog"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/findings"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/storetest"
)

// sampleMapping is a catalog's mapping file: it places the samples' findings by what
// they check, in controls that no requirement id they carry names.
const sampleMapping = `name: samples
rules:
  - provider: securityhub
    checkId: cloudtrail.*
    resourceType: AwsCloudTrail*
    controls: [Trail hygiene]
  - provider: prowler
    checkId: account_*contact*
    controls: [Contact details]
  # The samples' Security Hub findings also name CloudTrail.2 as a requirement: the rule
  # and the requirement together put each finding there once.
  - checkId: CloudTrail.2
    controls: [CloudTrail.2 CloudTrail should have encryption at-rest enabled]
`

// TestImportMappings imports every sample format with a mapping applied through the
// catalog, on both backends: findings land in the controls the mapping names, in the
// assessments of the mapping's account only, with exact counts, and again adds nothing.
func TestImportMappings(t *testing.T) {
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, open(t),
				"Trail hygiene", "Contact details",
				"CloudTrail.2 CloudTrail should have encryption at-rest enabled",
				"Unrelated")
			a := w.assessment(t, "111122223333", "123456789012")

			var fs []findings.Finding
			for _, file := range []string{"securityhub_sample_control_findings_asff.json", "prowler_example_output_aws.ocsf.json", "prowler_example_output_aws.csv"} {
				_, got, err := findings.Decode(strings.NewReader(sample(t, file)))
				if err != nil {
					t.Fatal(err)
				}
				fs = append(fs, got...)
			}
			im := &findings.Importer{Store: w.st, Ledger: w.ledger, Author: "test"}

			// Without the mapping, only the requirement ids place anything.
			before, err := im.Import(ctx, "", fs)
			if err != nil {
				t.Fatal(err)
			}
			if want := (findings.Summary{Findings: 14, Unmapped: 9, Evidence: 5, Assessments: 1}); before != want {
				t.Errorf("import without mappings = %+v, want %+v", before, want)
			}

			// The mapping, applied through the catalog to the assessment's account; another
			// account's mapping of every check must not reach this account's assessment.
			cat, diags := catalog.Load([]doc.File{{Path: "mappings/samples.yaml", Data: []byte(sampleMapping)}})
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			if _, err := catalog.Apply(ctx, w.st, cat, catalog.Options{Partition: probity.DefaultPartition.In(storetest.Account)}); err != nil {
				t.Fatal(err)
			}
			theirs := storetest.NewFindingMapping("theirs")
			theirs.AccountID, theirs.Rules = "999988887777", []probity.MappingRule{{CheckID: "*", Controls: []string{"Unrelated"}}}
			if err := w.st.Update(ctx, store.LockLibrary, func(tx store.Tx) error {
				return tx.PutFindingMappings(ctx, []*probity.FindingMapping{theirs})
			}); err != nil {
				t.Fatal(err)
			}

			sum, err := im.Import(ctx, "", fs)
			if err != nil {
				t.Fatal(err)
			}
			// Trail hygiene: the 4 Security Hub findings about a trail (the fifth is about the
			// account); Contact details: 3 OCSF and 3 CSV findings. The 5 in CloudTrail.2 are
			// those of the first import. Unmapped: the two access analyzer findings (OCSF and
			// CSV) and the OCSF security questions finding.
			if want := (findings.Summary{Findings: 14, Unmapped: 3, Evidence: 10, Duplicate: 5, Assessments: 1}); sum != want {
				t.Errorf("import with the mapping = %+v, want %+v", sum, want)
			}
			folders, err := w.st.EvidenceFolders(ctx, store.FolderPage{AccountID: a.AccountID, AssessmentID: a.ID, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, f := range folders {
				got[f.ControlName] += f.TotalEvidence
			}
			want := map[string]int{"Trail hygiene": 4, "Contact details": 6, "CloudTrail.2 CloudTrail should have encryption at-rest enabled": 5}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("evidence per control (-want +got):\n%s", diff)
			}
			if n := w.records(t, a); n != 15 {
				t.Errorf("the assessment's ledger holds %d records, want 15", n)
			}

			again, err := im.Import(ctx, "", fs)
			if err != nil {
				t.Fatal(err)
			}
			if want := (findings.Summary{Findings: 14, Unmapped: 3, Duplicate: 15}); again != want {
				t.Errorf("re-import = %+v, want %+v", again, want)
			}
		})
	}
}

func TestMatchPattern(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"CloudTrail.2", "cloudtrail.2", true},
		{"CloudTrail.2", "CloudTrail.20", false},
		{"CloudTrail.*", "CloudTrail.20", true},
		{"*", "", true},
		{"", "", true},
		{"", "x", false},
		{"account_*contact*", "account_maintain_current_contact_details", true},
		{"account_*contact*", "account_security_questions_are_registered", false},
		{"*_enabled", "accessanalyzer_enabled", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "acb", false},
		{"ab*ba", "aba", false}, // prefix and suffix must not overlap
		{"Aws*Trail", "AWSCLOUDTRAILTRAIL", true},
	} {
		if got := probity.MatchPattern(tc.pattern, tc.s); got != tc.want {
			t.Errorf("MatchPattern(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
