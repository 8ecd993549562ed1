package awsconf

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/mototest"
)

// motoAccount is the account moto's static test credentials belong to.
const motoAccount = "123456789012"

func TestPartition(t *testing.T) {
	tests := []struct{ region, want string }{
		{"us-east-1", "aws"},
		{"eu-west-1", "aws"},
		{"ap-southeast-7", "aws"},
		{"il-central-1", "aws"},
		{"aws-global", "aws"},
		{"cn-north-1", "aws-cn"},
		{"cn-northwest-1", "aws-cn"},
		{"aws-cn-global", "aws-cn"},
		{"us-gov-west-1", "aws-us-gov"},
		{"us-gov-east-1", "aws-us-gov"},
		{"aws-us-gov-global", "aws-us-gov"},
		{"us-iso-east-1", "aws-iso"},
		{"us-isob-east-1", "aws-iso-b"},
		{"aws-iso-b-global", "aws-iso-b"},
		{"us-isof-south-1", "aws-iso-f"},
		{"eu-isoe-west-1", "aws-iso-e"},
		{"eusc-de-east-1", "aws-eusc"},
		{"aws-mars-global", "aws"},
		{"", "aws"},
	}
	for _, tt := range tests {
		if got := Partition(tt.region); got != tt.want {
			t.Errorf("Partition(%q) = %q, want %q", tt.region, got, tt.want)
		}
	}
}

func TestRoleARN(t *testing.T) {
	tests := []struct {
		role   Role
		region string
		want   string
	}{
		{Role{}, "us-east-1", "arn:aws:iam::111122223333:role/ProbityCollector"},
		{Role{}, "cn-north-1", "arn:aws-cn:iam::111122223333:role/ProbityCollector"},
		{Role{}, "us-gov-west-1", "arn:aws-us-gov:iam::111122223333:role/ProbityCollector"},
		{Role{Name: "AuditReader"}, "eu-central-1", "arn:aws:iam::111122223333:role/AuditReader"},
		{Role{Name: "service-role/AuditReader"}, "us-gov-east-1", "arn:aws-us-gov:iam::111122223333:role/service-role/AuditReader"},
	}
	for _, tt := range tests {
		if got := tt.role.ARN(tt.region, "111122223333"); got != tt.want {
			t.Errorf("%+v.ARN(%q) = %q, want %q", tt.role, tt.region, got, tt.want)
		}
	}
}

func TestRoleValidate(t *testing.T) {
	tests := []struct {
		role Role
		want string // "" for valid
	}{
		{Role{}, ""},
		{Role{Name: "Audit+Reader=,.@_-1", ExternalID: "urn:probity:tenant/42", SessionName: "probity-a.b@c", Duration: time.Hour}, ""},
		{Role{Name: "team/sub/Reader", Duration: 15 * time.Minute}, ""},
		{Role{Name: strings.Repeat("r", 64), ExternalID: "ab", Duration: 12 * time.Hour}, ""},
		{Role{Name: strings.Repeat("r", 65)}, `role name "` + strings.Repeat("r", 65) + `": want at most 64 of A-Z a-z 0-9 + = , . @ _ -, after an optional path (PATH/NAME)`},
		{Role{Name: "Audit Reader"}, `role name "Audit Reader": want at most 64 of A-Z a-z 0-9 + = , . @ _ -, after an optional path (PATH/NAME)`},
		{Role{Name: "/Reader"}, `role name "/Reader": want at most 64 of A-Z a-z 0-9 + = , . @ _ -, after an optional path (PATH/NAME)`},
		{Role{Name: "Reader/"}, `role name "Reader/": want at most 64 of A-Z a-z 0-9 + = , . @ _ -, after an optional path (PATH/NAME)`},
		{Role{ExternalID: "x"}, "external id: want 2 to 1224 of A-Z a-z 0-9 + = , . @ : / _ -"},
		{Role{ExternalID: "has space"}, "external id: want 2 to 1224 of A-Z a-z 0-9 + = , . @ : / _ -"},
		{Role{ExternalID: strings.Repeat("e", 1225)}, "external id: want 2 to 1224 of A-Z a-z 0-9 + = , . @ : / _ -"},
		{Role{SessionName: "p"}, `session name "p": want 2 to 64 of A-Z a-z 0-9 + = , . @ _ -`},
		{Role{SessionName: "probity/x"}, `session name "probity/x": want 2 to 64 of A-Z a-z 0-9 + = , . @ _ -`},
		{Role{Duration: 14 * time.Minute}, "role session duration 14m0s: want 15m to 12h"},
		{Role{Duration: 13 * time.Hour}, "role session duration 13h0m0s: want 15m to 12h"},
		{Role{Duration: -time.Hour}, "role session duration -1h0m0s: want 15m to 12h"},
	}
	for _, tt := range tests {
		err := tt.role.Validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%+v: %v, want valid", tt.role, err)
			}
			continue
		}
		if err == nil || err.Error() != tt.want || probity.ErrorCode(err) != probity.EINVALID {
			t.Errorf("%+v: got %v (code %q), want %q (invalid)", tt.role, err, probity.ErrorCode(err), tt.want)
		}
	}
}

func TestSessionName(t *testing.T) {
	tests := []struct{ host, want string }{
		{"", "probity"},
		{"collector-1", "probity-collector-1"},
		{"ip-10-0-0-1.eu-west-1.compute.internal", "probity-ip-10-0-0-1.eu-west-1.compute.internal"},
		{"my host:8080/é", "probity-my-host-8080--"},
		{strings.Repeat("h", 100), "probity-" + strings.Repeat("h", 56)},
		{strings.Repeat("é", 100), "probity-" + strings.Repeat("-", 56)},
	}
	for _, tt := range tests {
		got := sessionName(tt.host)
		if got != tt.want {
			t.Errorf("sessionName(%q) = %q, want %q", tt.host, got, tt.want)
		}
		if err := (Role{SessionName: got}).Validate(); err != nil {
			t.Errorf("sessionName(%q) = %q, which STS would refuse: %v", tt.host, got, err)
		}
	}
}

// assumed is what moto recorded of one AssumeRole request.
type assumed struct {
	RoleARN     string `json:"role_arn"`
	SessionName string `json:"session_name"`
	ExternalID  string `json:"external_id"`
	Partition   string `json:"partition"`
}

// assumedRoles returns the AssumeRole requests moto has received, from its state dump.
func assumedRoles(t *testing.T, m *mototest.Server) []assumed {
	t.Helper()
	resp, err := http.Get(m.URL + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var data struct {
		STS struct {
			AssumedRole []assumed `json:"AssumedRole"`
		} `json:"sts"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&data); err != nil {
		t.Fatal(err)
	}
	return data.STS.AssumedRole
}

// loadMoto returns the configuration Load gives against moto in region, with moto's
// account's credentials and one attempt per call.
func loadMoto(t *testing.T, m *mototest.Server, region string) aws.Config {
	t.Helper()
	isolate(t, nil)
	cfg, err := Load(context.Background(), Options{Region: region, Endpoint: m.URL, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestForAccount assumes a role in another account against moto and shows that calls
// made with the returned configuration act in that account. Moto does not evaluate
// trust policies, so it neither requires the role to exist nor enforces the external
// id; that the external id, role name and session name reach STS is shown by what moto
// recorded of the AssumeRole request (its /moto-api/data.json state dump), and by the
// assumed identity STS returns.
func TestForAccount(t *testing.T) {
	m := mototest.Start(t)
	ctx := context.Background()
	base := loadMoto(t, m, mototest.Region)
	const other = "111122223333"

	role := Role{Name: "AuditReader", ExternalID: "probity-ext-42", SessionName: "probity-test", Duration: time.Hour}
	cfg, err := role.ForAccount(ctx, base, other)
	if err != nil {
		t.Fatal(err)
	}
	want := []assumed{{RoleARN: "arn:aws:iam::" + other + ":role/AuditReader", SessionName: "probity-test", ExternalID: "probity-ext-42", Partition: "aws"}}
	if diff := cmp.Diff(want, assumedRoles(t, m)); diff != "" {
		t.Fatalf("AssumeRole requests moto received (-want +got):\n%s", diff)
	}

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(id.Arn), "arn:aws:sts::"+other+":assumed-role/AuditReader/probity-test"; got != want {
		t.Errorf("assumed identity %s, want %s", got, want)
	}

	// A queue and a bucket made with the assumed configuration are in the other
	// account, not in the base one.
	q, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("probity-events")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(aws.ToString(q.QueueUrl), "/"+other+"/") {
		t.Errorf("queue URL %s is not in account %s", aws.ToString(q.QueueUrl), other)
	}
	s3opt := Options{PathStyle: true}.S3Options
	if _, err := s3.NewFromConfig(cfg, s3opt).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("probity-evidence")}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		account string
		cfg     aws.Config
		want    int
	}{{other, cfg, 1}, {motoAccount, base, 0}} {
		queues, err := sqs.NewFromConfig(c.cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
		if err != nil {
			t.Fatal(err)
		}
		buckets, err := s3.NewFromConfig(c.cfg, s3opt).ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(queues.QueueUrls) != c.want || len(buckets.Buckets) != c.want {
			t.Errorf("account %s has %d queue(s) and %d bucket(s), want %d of each", c.account, len(queues.QueueUrls), len(buckets.Buckets), c.want)
		}
	}

	// Every call above used the cached credentials: the role was assumed once.
	if n := len(assumedRoles(t, m)); n != 1 {
		t.Errorf("%d AssumeRole requests, want 1 (credentials cached)", n)
	}

	// The zero Role assumes ProbityCollector, without an external id, as probity-HOST.
	m.Reset(t)
	if _, err := (Role{}).ForAccount(ctx, base, other); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	want = []assumed{{RoleARN: "arn:aws:iam::" + other + ":role/ProbityCollector", SessionName: sessionName(host), Partition: "aws"}}
	if diff := cmp.Diff(want, assumedRoles(t, m)); diff != "" {
		t.Errorf("AssumeRole requests for the zero Role (-want +got):\n%s", diff)
	}
}

// TestForAccountPartition shows that the role's ARN, and so the identity assumed,
// follows the partition of the base configuration's region.
func TestForAccountPartition(t *testing.T) {
	m := mototest.Start(t)
	for _, tt := range []struct{ region, partition string }{
		{"us-east-1", "aws"},
		{"cn-north-1", "aws-cn"},
		{"us-gov-west-1", "aws-us-gov"},
	} {
		t.Run(tt.region, func(t *testing.T) {
			m.Reset(t)
			base := loadMoto(t, m, tt.region)
			cfg, err := (Role{SessionName: "probity-test"}).ForAccount(context.Background(), base, "444455556666")
			if err != nil {
				t.Fatal(err)
			}
			roles := assumedRoles(t, m)
			wantARN := "arn:" + tt.partition + ":iam::444455556666:role/ProbityCollector"
			if len(roles) != 1 || roles[0].RoleARN != wantARN || roles[0].Partition != tt.partition {
				t.Errorf("AssumeRole requests %+v, want one for %s in partition %s", roles, wantARN, tt.partition)
			}
			id, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := "arn:" + tt.partition + ":sts::444455556666:assumed-role/ProbityCollector/probity-test"; aws.ToString(id.Arn) != want {
				t.Errorf("assumed identity %s, want %s", aws.ToString(id.Arn), want)
			}
		})
	}
}

func TestForAccountErrors(t *testing.T) {
	m := mototest.Start(t)
	ctx := context.Background()
	base := loadMoto(t, m, mototest.Region)
	noRegion := base.Copy()
	noRegion.Region = ""
	tests := []struct {
		name    string
		role    Role
		base    aws.Config
		account string
		want    string
	}{
		{"short account", Role{}, base, "12345", `AWS account "12345": want 12 digits`},
		{"account with letters", Role{}, base, "11112222333a", `AWS account "11112222333a": want 12 digits`},
		{"account ARN instead of id", Role{}, base, "arn:aws:iam::111122223333:root", `AWS account "arn:aws:iam::111122223333:root": want 12 digits`},
		{"no region", Role{}, noRegion, "111122223333", "assume a role in account 111122223333: no AWS region"},
		{"bad role", Role{Name: "a role"}, base, "111122223333", `role name "a role": want at most 64 of A-Z a-z 0-9 + = , . @ _ -, after an optional path (PATH/NAME)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.role.ForAccount(ctx, tt.base, tt.account)
			if err == nil || err.Error() != tt.want || probity.ErrorCode(err) != probity.EINVALID {
				t.Errorf("got %v (code %q), want %q (invalid)", err, probity.ErrorCode(err), tt.want)
			}
		})
	}
	if n := len(assumedRoles(t, m)); n != 0 {
		t.Errorf("%d AssumeRole requests for invalid input, want none", n)
	}

	// STS failing is reported by ForAccount, with the role it was asked for.
	m.Stop()
	_, err := (Role{}).ForAccount(ctx, base, "111122223333")
	if err == nil || !strings.HasPrefix(err.Error(), "assume role arn:aws:iam::111122223333:role/ProbityCollector: ") ||
		probity.ErrorCode(err) != probity.EINTERNAL {
		t.Errorf("with STS down: %v", err)
	}
}
