// Package collect_test runs the Security Hub, CloudTrail and API-call collectors end to
// end: moto as AWS, reached through AssumeRole into two accounts and two regions, a real
// assessment as the plan and the real ledger, on SQLite and PostgreSQL.
package collect_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	sdkhub "github.com/aws/aws-sdk-go-v2/service/securityhub"
	hubtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/assess"
	"github.com/probity-dev/probity/internal/auth"
	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/collect/apicall"
	ctcollect "github.com/probity-dev/probity/internal/collect/cloudtrail"
	"github.com/probity-dev/probity/internal/collect/securityhub"
	"github.com/probity-dev/probity/internal/collect/target"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/jobs"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
	"github.com/probity-dev/probity/internal/store/backendtest"
	"github.com/probity-dev/probity/internal/store/storetest"
)

const (
	acctA = storetest.Account // the assessment's own account, also in its scope
	acctB = "222233334444"
)

var regions = []string{"us-east-1", "eu-west-1"}

// now is the collection's clock: continuous sources collect the window [11:00, 12:00),
// which reads the span [10:45, 11:45) (target.Span); the DAILY API call collects the day.
var now = time.Date(2026, 3, 10, 12, 5, 0, 0, time.UTC)

func TestCollectorsIntoTheLedger(t *testing.T) {
	for _, name := range backendtest.Names {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			moto := mototest.Start(t)
			seed(t, moto)

			st := backendtest.Open(t, name)
			c := storetest.NewControl("monitored")
			kw := func(v string) *probity.SourceKeyword {
				return &probity.SourceKeyword{KeywordInputType: probity.KeywordSelectFromList, KeywordValue: v}
			}
			c.ControlMappingSources = []probity.ControlMappingSource{
				{SourceName: "root keys", SourceSetUpOption: probity.SetUpSystem, SourceType: probity.SourceTypeSecurityHub, SourceKeyword: kw("IAM.1")},
				{SourceName: "new users", SourceSetUpOption: probity.SetUpSystem, SourceType: probity.SourceTypeCloudTrail, SourceKeyword: kw("iam_CreateUser")},
				{SourceName: "users", SourceSetUpOption: probity.SetUpSystem, SourceType: probity.SourceTypeAPICall, SourceKeyword: kw("iam_ListUsers"), SourceFrequency: probity.FrequencyDaily},
			}
			c.Normalize()
			fw := storetest.NewFramework("fw", []*probity.Control{c})
			storetest.Put(t, st, []*probity.Control{c}, []*probity.Framework{fw})
			owner := auth.Principal{Name: "owner", AccountID: acctA, Level: auth.Admin, ARN: "arn:aws:iam::111122223333:role/Owner"}
			plan := &assess.Service{Store: st}
			a, err := plan.Create(ctx, owner, assess.Input{Name: "a", FrameworkID: fw.ID,
				ReportsDestination: probity.Destination{Type: "S3", Destination: "s3://reports-bucket"},
				Scope:              probity.Scope{Accounts: []probity.AWSAccount{{ID: acctA}, {ID: acctB}}},
				Roles:              []probity.Role{{Type: probity.RoleProcessOwner, ARN: owner.ARN}}})
			if err != nil {
				t.Fatal(err)
			}
			box, err := secret.NewBox(make([]byte, secret.KeySize))
			if err != nil {
				t.Fatal(err)
			}
			ledger := evidence.New(st, box)
			ledger.Blobs = evidence.Dir(t.TempDir())

			accounts := &target.Accounts{
				Load:      moto.ConfigFunc(),
				Regions:   regions,
				S3Options: func(o *s3.Options) { o.UsePathStyle = true },
			}
			reg, err := jobs.NewRegistry(
				jobs.Registration{Type: probity.SourceTypeSecurityHub, Collector: &securityhub.Collector{Accounts: accounts}},
				jobs.Registration{Type: probity.SourceTypeCloudTrail, Collector: &ctcollect.Collector{Accounts: accounts}},
				jobs.Registration{Type: probity.SourceTypeAPICall, Collector: &apicall.Collector{Accounts: accounts, Blobs: ledger.Blobs}},
			)
			if err != nil {
				t.Fatal(err)
			}
			svc := &jobs.Service{Plan: plan, Appender: ledger, Collectors: reg, Now: func() time.Time { return now }}
			filter := jobs.Filter{Account: acctA, AssessmentID: a.ID}
			reps, err := svc.CollectNow(ctx, filter)
			if err != nil {
				t.Fatalf("collect: %v (%+v)", err, reps)
			}
			if len(reps) != 6 {
				t.Fatalf("reports = %+v; want 3 sources × 2 accounts", reps)
			}
			for _, r := range reps {
				if r.Outcome != jobs.OutcomeAppended {
					t.Errorf("report %+v: want appended", r)
				}
			}
			// The same windows again: the same evidence, appended nothing.
			reps, err = svc.CollectNow(ctx, filter)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range reps {
				if r.Outcome != jobs.OutcomeDuplicate {
					t.Errorf("second collection %+v: want duplicate", r)
				}
			}

			folders, err := st.EvidenceFolders(ctx, store.FolderPage{AccountID: acctA, AssessmentID: a.ID, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			byName := map[string]probity.EvidenceFolder{}
			for _, f := range folders {
				byName[f.DataSource] = f
			}
			hub, trail, calls := byName["AWS Security Hub"], byName["AWS CloudTrail"], byName["AWS API calls"]
			if len(folders) != 3 ||
				hub.TotalEvidence != 109 || hub.EvidenceByTypeComplianceCheckCount != 109 || hub.EvidenceByTypeComplianceCheckIssuesCount != 2 ||
				trail.TotalEvidence != 4 || trail.EvidenceByTypeUserActivityCount != 4 ||
				calls.TotalEvidence != 2 || calls.EvidenceByTypeConfigurationDataCount != 2 {
				t.Fatalf("folders = %+v\nwant Security Hub 109 checks (2 issues), CloudTrail 4 activities, API calls 2 configurations", folders)
			}
			read := func(f probity.EvidenceFolder) []probity.Evidence {
				evs, err := st.EvidenceByFolder(ctx, store.EvidencePage{AccountID: acctA, AssessmentID: a.ID, FolderID: f.ID, Limit: 500})
				if err != nil {
					t.Fatal(err)
				}
				return evs
			}

			// Security Hub: each finding of IAM.1 updated in the span, of the account and
			// region asked, with its compliance and resource.
			gotHub := map[string]string{}
			fromB := 0
			for _, e := range read(hub) {
				if e.EventSource != securityhub.EventSource || len(e.ResourcesIncluded) != 1 || e.ResourcesIncluded[0].ComplianceCheck != e.ComplianceCheck {
					t.Errorf("Security Hub evidence %+v: want its one resource with the evidence's compliance", e)
				}
				if e.EvidenceAWSAccountID == acctB {
					fromB++
					continue
				}
				gotHub[e.Attributes["findingId"]] = fmt.Sprintf("%s %s %q %s", e.EvidenceAWSAccountID, e.ResourcesIncluded[0].ARN, e.ComplianceCheck, e.Time.Format("15:04"))
			}
			wantHub := map[string]string{
				"a-pass": acctA + ` arn:aws:iam::111122223333:policy/pass "COMPLIANT" 11:00`,
				"a-fail": acctA + ` arn:aws:iam::111122223333:policy/fail "NON_COMPLIANT" 11:30`,
				"a-warn": acctA + ` arn:aws:iam::111122223333:policy/warn "" 10:45`,
				"a-eu":   acctA + ` arn:aws:iam::111122223333:policy/eu "NON_COMPLIANT" 11:10`,
			}
			if !maps.Equal(gotHub, wantHub) || fromB != 105 {
				t.Errorf("Security Hub evidence of %s = %v\nwant %v; and %d of %s, want 105 (two pages)", acctA, gotHub, wantHub, fromB, acctB)
			}

			// CloudTrail: each CreateUser event of iam.amazonaws.com in the files delivered in
			// the span, once, oldest first per account.
			var gotTrail []string
			for _, e := range read(trail) {
				gotTrail = append(gotTrail, fmt.Sprintf("%s %s %s:%s %s %s", e.EvidenceAWSAccountID, e.Attributes["eventID"], e.EventSource, e.EventName, e.IAMID, e.Time.Format("15:04")))
			}
			slices.Sort(gotTrail)
			wantTrail := []string{
				acctA + " e1 iam.amazonaws.com:CreateUser arn:aws:iam::111122223333:user/admin 10:58",
				acctA + " e5 iam.amazonaws.com:CreateUser arn:aws:iam::111122223333:user/admin 11:36",
				acctA + " e8 iam.amazonaws.com:CreateUser arn:aws:iam::111122223333:user/admin 11:15",
				acctB + " f1 iam.amazonaws.com:CreateUser arn:aws:iam::222233334444:user/admin 11:02",
			}
			if !slices.Equal(gotTrail, wantTrail) {
				t.Errorf("CloudTrail evidence =\n%q\nwant\n%q", gotTrail, wantTrail)
			}

			// API call: one ListUsers response per account (IAM is global), kept as a blob.
			gotUsers := map[string][]string{}
			for _, e := range read(calls) {
				if e.EventSource != "iam.amazonaws.com" || e.EventName != "ListUsers" || len(e.Blobs) != 1 || e.Attributes["sha256"] != e.Blobs[0] {
					t.Errorf("API call evidence %+v: want iam ListUsers with one blob", e)
					continue
				}
				rc, err := ledger.Blobs.Open(ctx, e.Blobs[0])
				if err != nil {
					t.Fatal(err)
				}
				var resp struct{ Users []struct{ UserName string } }
				err = json.NewDecoder(rc).Decode(&resp)
				rc.Close()
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range resp.Users {
					gotUsers[e.EvidenceAWSAccountID] = append(gotUsers[e.EvidenceAWSAccountID], u.UserName)
				}
			}
			if want := map[string][]string{acctA: {"alice", "bob"}, acctB: {"carol"}}; !maps.EqualFunc(gotUsers, want, slices.Equal) {
				t.Errorf("ListUsers blobs by account = %v, want %v", gotUsers, want)
			}

			rep, err := ledger.Verify(ctx, a.ID)
			if err != nil || len(rep.Problems) != 0 || rep.Records != 115 {
				t.Fatalf("verify = %+v, %v; want 115 intact records", rep, err)
			}
		})
	}
}

// seed fills moto, in each account reached through AssumeRole, with findings, trail log
// files and users, each meant to be collected or, for a stated reason, not.
func seed(t *testing.T, moto *mototest.Server) {
	ctx := context.Background()
	cfgOf := func(account string) aws.Config {
		cfg, err := awsconf.Role{}.ForAccount(ctx, moto.Config(), account)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	a, b := cfgOf(acctA), cfgOf(acctB)

	// Security Hub.
	finding := func(id, account, region, control, status, updated string) hubtypes.AwsSecurityFinding {
		return hubtypes.AwsSecurityFinding{
			SchemaVersion: aws.String("2018-10-08"), Id: aws.String(id),
			ProductArn:  aws.String("arn:aws:securityhub:" + region + "::product/aws/securityhub"),
			GeneratorId: aws.String("security-control/" + control), AwsAccountId: aws.String(account), Region: aws.String(region),
			Types:     []string{"Software and Configuration Checks"},
			CreatedAt: aws.String("2026-01-01T00:00:00Z"), UpdatedAt: aws.String("2026-03-10T" + updated + "Z"),
			Severity: &hubtypes.Severity{Label: hubtypes.SeverityLabelHigh}, Title: aws.String(control + " check"), Description: aws.String("d"),
			Resources:   []hubtypes.Resource{{Type: aws.String("AwsIamPolicy"), Id: aws.String("arn:aws:iam::" + account + ":policy/" + id[2:])}},
			Compliance:  &hubtypes.Compliance{Status: hubtypes.ComplianceStatus(status), SecurityControlId: aws.String(control)},
			RecordState: hubtypes.RecordStateActive,
		}
	}
	archived := finding("a-archived", acctA, "us-east-1", "IAM.1", "FAILED", "11:00:00")
	archived.RecordState = hubtypes.RecordStateArchived
	importFindings(t, a, "us-east-1",
		finding("a-pass", acctA, "us-east-1", "IAM.1", "PASSED", "11:00:00"),
		finding("a-fail", acctA, "us-east-1", "IAM.1", "FAILED", "11:30:00"),
		finding("a-warn", acctA, "us-east-1", "IAM.1", "WARNING", "10:45:00"),
		finding("a-late", acctA, "us-east-1", "IAM.1", "FAILED", "11:45:00"),   // at the span's end
		finding("a-early", acctA, "us-east-1", "IAM.1", "FAILED", "10:44:59"),  // before the span
		finding("a-iam2", acctA, "us-east-1", "IAM.2", "FAILED", "11:00:00"),   // another control
		finding("a-member", acctB, "us-east-1", "IAM.1", "FAILED", "11:00:00"), // a member's, seen by an administrator
		finding("a-other", acctA, "eu-west-1", "IAM.1", "FAILED", "11:00:00"),  // aggregated from another region
		archived,
	)
	importFindings(t, a, "eu-west-1", finding("a-eu", acctA, "eu-west-1", "IAM.1", "FAILED", "11:10:00"))
	var many []hubtypes.AwsSecurityFinding
	for i := range 105 {
		many = append(many, finding(fmt.Sprintf("b-%03d", i), acctB, "us-east-1", "IAM.1", "PASSED", "11:20:00"))
	}
	importFindings(t, b, "us-east-1", many...)

	// CloudTrail: a multi-region trail in each account, with log files in the real layout.
	rec := func(id, source, name, account, region, at string) map[string]any {
		return map[string]any{
			"eventVersion": "1.08", "eventID": id, "eventTime": "2026-03-10T" + at + "Z",
			"eventSource": source, "eventName": name, "awsRegion": region, "eventType": "AwsApiCall",
			"sourceIPAddress": "192.0.2.1", "userAgent": "aws-cli/2", "recipientAccountId": account,
			"userIdentity":      map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::" + account + ":user/admin", "accountId": account},
			"requestParameters": map[string]any{"userName": "new-" + id},
		}
	}
	trailA := "logs/AWSLogs/" + acctA + "/CloudTrail/"
	putTrail(t, a, "trail-a", "logs", map[string][]map[string]any{
		trailA + "us-east-1/2026/03/10/" + acctA + "_CloudTrail_us-east-1_20260310T1100Z_aaa.json.gz": {
			rec("e1", "iam.amazonaws.com", "CreateUser", acctA, "us-east-1", "10:58:00"),
			rec("e2", "iam.amazonaws.com", "ListUsers", acctA, "us-east-1", "10:58:30"),    // another action
			rec("e4", "other.amazonaws.com", "CreateUser", acctA, "us-east-1", "10:59:00"), // another service
		},
		trailA + "us-east-1/2026/03/10/" + acctA + "_CloudTrail_us-east-1_20260310T1140Z_bbb.json.gz": {
			rec("e5", "iam.amazonaws.com", "CreateUser", acctA, "us-east-1", "11:36:00"),
			rec("e1", "iam.amazonaws.com", "CreateUser", acctA, "us-east-1", "10:58:00"), // delivered twice
		},
		// Delivered at the span's end, and before its start: other windows'.
		trailA + "us-east-1/2026/03/10/" + acctA + "_CloudTrail_us-east-1_20260310T1145Z_ccc.json.gz": {rec("e6", "iam.amazonaws.com", "CreateUser", acctA, "us-east-1", "11:41:00")},
		trailA + "us-east-1/2026/03/10/" + acctA + "_CloudTrail_us-east-1_20260310T1044Z_ddd.json.gz": {rec("e7", "iam.amazonaws.com", "CreateUser", acctA, "us-east-1", "10:40:00")},
		trailA + "eu-west-1/2026/03/10/" + acctA + "_CloudTrail_eu-west-1_20260310T1120Z_eee.json.gz": {rec("e8", "iam.amazonaws.com", "CreateUser", acctA, "eu-west-1", "11:15:00")},
		// Digest files are not logs.
		"logs/AWSLogs/" + acctA + "/CloudTrail-Digest/us-east-1/2026/03/10/" + acctA + "_CloudTrail-Digest_us-east-1_main_us-east-1_20260310T1100Z.json.gz": {rec("e9", "iam.amazonaws.com", "CreateUser", acctA, "us-east-1", "11:00:00")},
	})
	putTrail(t, b, "trail-b", "", map[string][]map[string]any{
		"AWSLogs/" + acctB + "/CloudTrail/us-east-1/2026/03/10/" + acctB + "_CloudTrail_us-east-1_20260310T1105Z_fff.json.gz": {
			rec("f1", "iam.amazonaws.com", "CreateUser", acctB, "us-east-1", "11:02:00"),
		},
	})

	// IAM users, for ListUsers.
	for cfg, users := range map[*aws.Config][]string{&a: {"alice", "bob"}, &b: {"carol"}} {
		for _, u := range users {
			if _, err := iam.NewFromConfig(*cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func importFindings(t *testing.T, cfg aws.Config, region string, fs ...hubtypes.AwsSecurityFinding) {
	client := sdkhub.NewFromConfig(cfg, func(o *sdkhub.Options) { o.Region = region })
	for len(fs) > 0 {
		n := min(len(fs), 100)
		out, err := client.BatchImportFindings(context.Background(), &sdkhub.BatchImportFindingsInput{Findings: fs[:n]})
		if err != nil || aws.ToInt32(out.FailedCount) != 0 {
			t.Fatalf("BatchImportFindings: %v %+v", err, out)
		}
		fs = fs[n:]
	}
}

// putTrail creates the bucket, a multi-region trail delivering to it, and the gzipped
// log files {"Records": [...]} at their keys.
func putTrail(t *testing.T, cfg aws.Config, bucket, prefix string, files map[string][]map[string]any) {
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	in := &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String(bucket), IsMultiRegionTrail: aws.Bool(true)}
	if prefix != "" {
		in.S3KeyPrefix = aws.String(prefix)
	}
	if _, err := cloudtrail.NewFromConfig(cfg).CreateTrail(ctx, in); err != nil {
		t.Fatal(err)
	}
	for key, recs := range files {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if err := json.NewEncoder(zw).Encode(map[string]any{"Records": recs}); err != nil {
			t.Fatal(err)
		}
		zw.Close()
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(buf.Bytes()),
			ContentType: aws.String("application/json"), ContentEncoding: aws.String("gzip"), StorageClass: s3types.StorageClassStandard}); err != nil {
			t.Fatal(err)
		}
	}
}
