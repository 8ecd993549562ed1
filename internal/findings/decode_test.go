package findings_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/findings"
	"github.com/probity-dev/probity/internal/sharedtest"
)

// sample returns a published sample with its placeholders filled in: the samples name
// the account as <account_uid>, which no import accepts.
func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedtest.Dir(t, "findings"), name))
	if err != nil {
		t.Fatal(err)
	}
	return fill(string(b))
}

func fill(s string) string {
	return strings.NewReplacer("<account_uid>", "111122223333", "<region>", "eu-west-1",
		"<resource_uid>", "arn:aws:iam::111122223333:root", "<finding_uid>", "prowler-finding-1").Replace(s)
}

func TestDecodeSamples(t *testing.T) {
	for _, tc := range []struct {
		file, format string
		n            int
		first        findings.Finding
	}{
		{"prowler_example_output_aws.ocsf.json", findings.FormatOCSF, 5, findings.Finding{
			Provider: "prowler", CheckID: "accessanalyzer_enabled", Account: "111122223333", Region: "eu-west-1",
			Status: findings.StatusFail, Time: time.Date(2025, 2, 14, 14, 27, 3, 913874000, time.UTC)}},
		{"prowler_example_output_aws.csv", findings.FormatCSV, 4, findings.Finding{
			Provider: "prowler", CheckID: "accessanalyzer_enabled", Account: "111122223333", Region: "eu-west-1",
			Status: findings.StatusFail, Time: time.Date(2025, 2, 14, 14, 27, 3, 913874000, time.UTC)}},
		{"securityhub_sample_control_findings_asff.json", findings.FormatASFF, 5, findings.Finding{
			Provider: "securityhub", CheckID: "CloudTrail.2", Account: "123456789012", Region: "us-east-2",
			Status: findings.StatusFail, Time: time.Date(2021, 9, 28, 16, 10, 0, 93000000, time.UTC)}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			format, fs, err := findings.Decode(strings.NewReader(sample(t, tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			if format != tc.format || len(fs) != tc.n {
				t.Fatalf("got %s with %d findings, want %s with %d", format, len(fs), tc.format, tc.n)
			}
			got := fs[0]
			if got.Provider != tc.first.Provider || got.CheckID != tc.first.CheckID || got.Account != tc.first.Account ||
				got.Region != tc.first.Region || got.Status != tc.first.Status || !got.Time.Equal(tc.first.Time) {
				t.Errorf("first finding = %+v, want %+v", got, tc.first)
			}
			if len(got.Requirements) == 0 || len(got.Resources) == 0 {
				t.Errorf("first finding has requirements %v and resources %v", got.Requirements, got.Resources)
			}
		})
	}
}

func TestDecodeRequirements(t *testing.T) {
	_, fs, err := findings.Decode(strings.NewReader(sample(t, "prowler_example_output_aws.ocsf.json")))
	if err != nil {
		t.Fatal(err)
	}
	if !hasReq(fs[0], "CIS-3.0", "1.20") {
		t.Errorf("OCSF unmapped.compliance: %v has no CIS-3.0 1.20", fs[0].Requirements)
	}
	_, fs, err = findings.Decode(strings.NewReader(sample(t, "prowler_example_output_aws.csv")))
	if err != nil {
		t.Fatal(err)
	}
	if !hasReq(fs[0], "KISA-ISMS-P-2023", "2.6.4") || !hasReq(fs[0], "CIS-3.0", "1.20") {
		t.Errorf("CSV COMPLIANCE: %v", fs[0].Requirements)
	}
	asff := `[{"SchemaVersion":"2018-10-08","Id":"f1","ProductArn":"arn:aws:securityhub:us-east-1::product/aws/securityhub",
	  "AwsAccountId":"111122223333","UpdatedAt":"2024-01-02T03:04:05Z",
	  "Compliance":{"Status":"PASSED","SecurityControlId":"S3.1","RelatedRequirements":["NIST.800-53.r5 AC-3(7)","PCI DSS 1.2.1"],
	  "AssociatedStandards":[{"StandardsId":"standards/nist-800-53/v/5.0.0"}]}}]`
	_, fs, err = findings.Decode(strings.NewReader(asff))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []findings.Requirement{{"NIST.800-53.r5", "AC-3(7)"}, {"PCI", "DSS 1.2.1"}, {"standards/nist-800-53/v/5.0.0", "S3.1"}} {
		if !hasReq(fs[0], want.Framework, want.ID) {
			t.Errorf("ASFF: %v has no %v", fs[0].Requirements, want)
		}
	}
	ocsf := `[{"class_uid":2003,"metadata":{"product":{"name":"Scanner X"},"event_code":"c1"},"time":1704164645000,
	  "cloud":{"account":{"uid":"111122223333"}},"compliance":{"status":"Warning","standards":["CIS"],"requirements":["2.1"]}}]`
	_, fs, err = findings.Decode(strings.NewReader(ocsf))
	if err != nil {
		t.Fatal(err)
	}
	if f := fs[0]; f.Provider != "scanner x" || f.Status != findings.StatusWarning || !hasReq(f, "CIS", "2.1") ||
		!f.Time.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("OCSF compliance object: %+v", f)
	}
}

func hasReq(f findings.Finding, fw, id string) bool {
	for _, r := range f.Requirements {
		if r.Framework == fw && r.ID == id {
			return true
		}
	}
	return false
}

// TestDecodeRefusesBadFiles feeds each format a file with a malformed record among good
// ones: the file is refused whole, and every problem is named by record and field.
func TestDecodeRefusesBadFiles(t *testing.T) {
	ocsfOK := `{"metadata":{"product":{"uid":"prowler"},"event_code":"c1"},"status_code":"PASS","time":1739539623,"cloud":{"account":{"uid":"111122223333"}}}`
	asffOK := `{"SchemaVersion":"2018-10-08","AwsAccountId":"111122223333","GeneratorId":"g","UpdatedAt":"2024-01-02T03:04:05Z","Compliance":{"Status":"PASSED"}}`
	csvHead := "TIMESTAMP;ACCOUNT_UID;FINDING_UID;PROVIDER;CHECK_ID;CHECK_TITLE;STATUS;RESOURCE_TYPE;RESOURCE_UID;REGION;COMPLIANCE\n"
	csvOK := "2025-02-14 14:27:03;111122223333;f1;aws;c1;t;PASS;Other;r;eu-west-1;CIS-3.0: 1.20\n"
	for _, tc := range []struct {
		name, in string
		want     []string // the fields' names and messages, in order
	}{
		{"ocsf placeholders as published", "", []string{"record 1 cloud.account.uid"}},
		{"ocsf bad status and account", "[" + ocsfOK + `,{"metadata":{"product":{"uid":"p"},"event_code":"c"},"status_code":"MAYBE","time":1,"cloud":{"account":{"uid":"12"}}}]`,
			[]string{"record 2 status_code: must be PASS", "record 2 cloud.account.uid: must be a 12-digit"}},
		{"ocsf missing check and time", "[" + ocsfOK + "," + ocsfOK + `,{"metadata":{"product":{"uid":"p"}},"status_code":"FAIL","cloud":{"account":{"uid":"111122223333"}}}]`,
			[]string{"record 3 metadata.event_code: is required", "record 3 time: is required"}},
		{"ocsf wrong type", "[" + ocsfOK + `,{"metadata":{"event_code":7}}]`, []string{"record 2 metadata.event_code: must be string"}},
		{"ocsf bad time_dt", `[{"metadata":{"product":{"uid":"p"},"event_code":"c"},"status_code":"PASS","time_dt":"yesterday","cloud":{"account":{"uid":"111122223333"}}}]`,
			[]string{"record 1 time_dt: must be an ISO 8601 time"}},
		{"json syntax", "[" + ocsfOK + ",{\"metadata\":}]", []string{"record 2: not valid JSON"}},
		{"json truncated", "[" + ocsfOK + "," + ocsfOK[:40], []string{"record 2: the file ends inside the record"}},
		{"json not findings", `[{"hello":1}]`, []string{"record 1: is neither an OCSF finding"}},
		{"json object", `{"Items":[]}`, []string{"file: must be a JSON array of findings or an object with a Findings array"}},
		{"asff missing status", "[" + asffOK + `,{"SchemaVersion":"2018-10-08","AwsAccountId":"111122223333","GeneratorId":"g","UpdatedAt":"2024-01-02T03:04:05Z"}]`,
			[]string{"record 2 Compliance.Status: is required"}},
		{"asff bad time and account", `{"Findings":[` + asffOK + `,{"SchemaVersion":"2018-10-08","AwsAccountId":"x","UpdatedAt":"soon","Compliance":{"Status":"FAILED"}}]}`,
			[]string{"record 2 UpdatedAt: must be an RFC 3339 time", "record 2 AwsAccountId: must be a 12-digit", "record 2 GeneratorId: is required"}},
		{"csv bad rows", csvHead + csvOK + "2025-02-14;111122223333;f2;aws;c1;t;LOST;Other;r;eu-west-1;\n" + csvOK + "x;1;f3;aws;;t;FAIL;Other;r;eu-west-1;CIS 1.20\n",
			[]string{"record 2 STATUS: must be PASS", "record 4 TIMESTAMP: must be a time", "record 4 ACCOUNT_UID: must be a 12-digit", "record 4 CHECK_ID: is required", "record 4 COMPLIANCE: \"CIS 1.20\" must be FRAMEWORK"}},
		{"csv short row", csvHead + csvOK + "a;b\n", []string{"record 2: has 2 fields, the header 11"}},
		{"csv bad quote", csvHead + csvOK + "2025-02-14;\"1111;f;aws;c;t;PASS;O;r;e;\n", []string{"record 2: not valid CSV"}},
		{"csv wrong header", "a,b,c\n1,2,3\n", []string{"header: has no TIMESTAMP column"}},
		{"empty", "  \n", []string{"the findings file is empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in == "" {
				b, err := os.ReadFile(filepath.Join(sharedtest.Dir(t, "findings"), "prowler_example_output_aws.ocsf.json"))
				if err != nil {
					t.Fatal(err)
				}
				in = string(b)
			}
			_, fs, err := findings.Decode(strings.NewReader(in))
			if fs != nil {
				t.Errorf("got %d findings from a bad file, want none", len(fs))
			}
			if probity.ErrorCode(err) != probity.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			msg := err.Error()
			at := 0
			for _, w := range tc.want {
				i := strings.Index(msg[at:], w)
				if i < 0 {
					t.Fatalf("error %q lacks %q (in order)", msg, w)
				}
				at += i + len(w)
			}
		})
	}
}
