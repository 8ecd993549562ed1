package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/probity-dev/probity/internal/backoff"
	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

const testAccount = "123456789012" // moto's own account

func TestParseSource(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    inventory.Source
		wantErr bool
	}{
		{"", inventory.SourceInventory, false},
		{"inventory", inventory.SourceInventory, false},
		{"config", inventory.SourceConfig, false},
		{"auto", inventory.SourceAuto, false},
		{"Config", "", true},
		{"aws-config", "", true},
	} {
		got, err := inventory.ParseSource(tc.in)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("ParseSource(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestRecorderRecords(t *testing.T) {
	const bucket, user = "AWS::S3::Bucket", "AWS::IAM::User"
	for _, tc := range []struct {
		name         string
		rc           inventory.Recorder
		bucket, user bool
	}{
		{"stopped", inventory.Recorder{AllSupported: true, IncludeGlobal: true}, false, false},
		{"all supported", inventory.Recorder{Recording: true, AllSupported: true}, true, false},
		{"all supported with globals", inventory.Recorder{Recording: true, AllSupported: true, IncludeGlobal: true}, true, true},
		{"inclusion", inventory.Recorder{Recording: true, Types: []string{user}}, false, true},
		{"exclusion", inventory.Recorder{Recording: true, Excluded: []string{bucket}}, false, true},
		{"empty inclusion", inventory.Recorder{Recording: true}, false, false},
	} {
		if got := tc.rc.Records(bucket); got != tc.bucket {
			t.Errorf("%s: Records(bucket) = %v", tc.name, got)
		}
		if got := tc.rc.Records(user); got != tc.user {
			t.Errorf("%s: Records(user) = %v", tc.name, got)
		}
	}
}

// configProxy stands between the collector and moto. It passes every call on, with
// two changes:
//   - moto writes BatchGetResourceConfig's configurationItemCaptureTime and
//     resourceCreationTime as Python's str(datetime) ("2026-12-01 19:33:42.644180+00:00"),
//     which AWS never writes and the Go SDK refuses (awsJson1_1 timestamps are epoch
//     seconds): the proxy writes them as epoch seconds, as AWS does. Nothing else in
//     moto's items is changed.
//   - a test may answer an AWS Config operation itself (answer), to make it fail or to
//     serve a response of AWS's real shape.
type configProxy struct {
	*httptest.Server
	mu     sync.Mutex
	calls  map[string]int
	answer func(op string, body []byte, n int) (status int, resp string, ok bool)
}

var motoTime = regexp.MustCompile(`"(configurationItemCaptureTime|resourceCreationTime)": "([0-9-]+ [0-9:.]+)(\+00:00)?"`)

func newConfigProxy(t testing.TB, m *mototest.Server) *configProxy {
	u, err := url.Parse(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := &configProxy{calls: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0) // calls a failed test abandons
	rp.ModifyResponse = func(resp *http.Response) error {
		if !strings.HasSuffix(resp.Request.Header.Get("X-Amz-Target"), ".BatchGetResourceConfig") {
			return nil
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		b = motoTime.ReplaceAllFunc(b, func(s []byte) []byte {
			g := motoTime.FindSubmatch(s)
			tm, err := time.Parse("2006-01-02 15:04:05.999999", string(g[2]))
			if err != nil {
				return s
			}
			return fmt.Appendf(nil, `"%s": %d`, g[1], tm.Unix())
		})
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Del("Content-Length")
		return nil
	}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		if op, ok := strings.CutPrefix(target, "StarlingDoveService."); ok {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			p.mu.Lock()
			p.calls[op]++
			n, answer := p.calls[op], p.answer
			p.mu.Unlock()
			if answer != nil {
				if status, resp, ok := answer(op, body, n); ok {
					w.Header().Set("Content-Type", "application/x-amz-json-1.1")
					w.WriteHeader(status)
					io.WriteString(w, resp)
					return
				}
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *configProxy) config(m *mototest.Server) aws.Config {
	cfg := m.Config()
	cfg.BaseEndpoint = aws.String(p.URL)
	return cfg
}

func (p *configProxy) count(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[op]
}

// seedConfig creates, in moto's own account: bucket good (block public access on, an
// SSL-only policy, tags), bucket bad (none of them), and the policies admin (* on *) and
// readonly. moto's AWS Config crashes on a bucket ACL that grants AllUsers (its
// to_config_dict expects only s3 group URIs), so no bucket here has a public ACL.
func seedConfig(t *testing.T, cfg aws.Config) {
	t.Helper()
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("good")}))
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bad")}))
	must(s3c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("good"), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))
	must(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("good"), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::good","arn:aws:s3:::good/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)}))
	must(s3c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("good"), Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}}))
	ic := iam.NewFromConfig(cfg)
	must(ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("admin"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))
	must(ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("readonly"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))
}

// startRecorder puts a recorder of group and, when start, starts it.
func startRecorder(t testing.TB, cfg aws.Config, group *cstypes.RecordingGroup, start bool) {
	t.Helper()
	ctx := context.Background()
	c := configservice.NewFromConfig(cfg)
	if _, err := c.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cstypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::" + testAccount + ":role/config"), RecordingGroup: group}}); err != nil {
		t.Fatal(err)
	}
	if !start {
		return
	}
	if _, err := c.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cstypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("good")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
}

// moto's AWS Config implements these types only (S3 buckets, IAM roles and policies,
// SNS topics, the account's block public access): an allSupported recorder would make
// every other type empty in moto, where AWS lists them. The tests record these.
var motoRecorded = &cstypes.RecordingGroup{ResourceTypes: []cstypes.ResourceType{"AWS::S3::Bucket", "AWS::IAM::Policy"}}

func snapshot(t *testing.T, cfg aws.Config, src inventory.Source) (*inventory.Snapshot, error) {
	t.Helper()
	inv := &inventory.Inventory{Source: src, ConfigRetry: &backoff.Policy{MaxAttempts: 3, Wait: func(context.Context, time.Duration) error { return nil }}}
	return inv.Snapshot(context.Background(), cfg, inventory.Options{Account: testAccount, Region: mototest.Region, Global: true})
}

// conclusions evaluates the rules on snap and returns each result by "RULE ARN".
func conclusions(t *testing.T, snap *inventory.Snapshot, ids []string) map[string]string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := snap.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	var checks []*rules.Check
	for _, id := range ids {
		r, err := rules.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		c, err := r.Bind(nil)
		if err != nil {
			t.Fatal(err)
		}
		checks = append(checks, c)
	}
	evs, errs := inventory.EvaluateAll(checks, buf.Bytes(), mototest.Region, rules.Env{Now: time.Now()})
	got := map[string]string{}
	for i, id := range ids {
		if errs[i] != nil {
			t.Fatalf("%s: %v", id, errs[i])
		}
		for _, e := range evs[i] {
			got[id+" "+e.ResourcesIncluded[0].ARN] = e.ComplianceCheck
		}
	}
	return got
}

func typesOf(snap *inventory.Snapshot, status map[string]string) map[string]int {
	n := map[string]int{}
	for _, it := range snap.Items {
		n[it.ResourceType]++
		if status != nil {
			status[it.ResourceType] = it.Status
		}
	}
	return n
}

// TestConfigSourceMatchesInventory collects one account from moto with the inventory
// and with AWS Config recording S3 buckets and IAM policies, and checks that the rules
// conclude the same of every resource: the recorded types from Config, the others
// (security groups, users, the VPC) and every account fact from the inventory.
//
// Compared here are the rules whose inputs moto's AWS Config items carry. moto's S3
// items lack BucketVersioningConfiguration and ServerSideEncryptionConfiguration, which
// AWS Config records, so S3_BUCKET_VERSIONING_ENABLED and
// S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED would differ because of moto alone; they are
// left out rather than made up. moto also names IAM roles by name in
// BatchGetResourceConfig where AWS uses the role id, so results are compared by ARN.
func TestConfigSourceMatchesInventory(t *testing.T) {
	m := mototest.Shared(t)
	p := newConfigProxy(t, m)
	cfg := p.config(m)
	seedConfig(t, cfg)
	startRecorder(t, cfg, motoRecorded, true)

	inv, err := snapshot(t, cfg, inventory.SourceInventory)
	if err != nil {
		t.Fatal(err)
	}
	if p.count("DescribeConfigurationRecorders") != 0 {
		t.Error("the inventory source called AWS Config")
	}
	for _, src := range []inventory.Source{inventory.SourceConfig, inventory.SourceAuto} {
		t.Run(string(src), func(t *testing.T) {
			got, err := snapshot(t, cfg, src)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"AWS::IAM::Policy", "AWS::S3::Bucket"}; !slices.Equal(got.FromConfig, want) {
				t.Errorf("FromConfig = %v, want %v", got.FromConfig, want)
			}
			if len(withoutMotoGaps(got.Skipped)) > 0 {
				t.Errorf("skipped: %+v", got.Skipped)
			}
			status := map[string]string{}
			if g, w := typesOf(got, status), typesOf(inv, nil); !sameJSON(g, w) {
				t.Errorf("items by type: config %v, inventory %v", g, w)
			}
			// moto's AWS Config marks its items ResourceDiscovered; the inventory's are OK.
			if status["AWS::S3::Bucket"] != "ResourceDiscovered" || status["AWS::EC2::SecurityGroup"] != "OK" {
				t.Errorf("item statuses %v: buckets should come from AWS Config, security groups from the inventory", status)
			}
			if !sameJSON(got.Account, inv.Account) {
				t.Errorf("account facts differ:\nconfig    %v\ninventory %v", got.Account, inv.Account)
			}
			ids := []string{"S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", "S3_BUCKET_SSL_REQUESTS_ONLY", "S3_BUCKET_PUBLIC_READ_PROHIBITED",
				"S3_BUCKET_PUBLIC_WRITE_PROHIBITED", "S3_BUCKET_LOGGING_ENABLED", "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
				"IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS", "INCOMING_SSH_DISABLED", "IAM_PASSWORD_POLICY", "ROOT_ACCOUNT_MFA_ENABLED"}
			want, gotC := conclusions(t, inv, ids), conclusions(t, got, ids)
			if !sameJSON(gotC, want) {
				t.Errorf("conclusions differ:\nconfig    %v\ninventory %v", gotC, want)
			}
			for k, v := range map[string]string{
				"S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED arn:aws:s3:::good":                                  "COMPLIANT",
				"S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED arn:aws:s3:::bad":                                   "NON_COMPLIANT",
				"S3_BUCKET_SSL_REQUESTS_ONLY arn:aws:s3:::good":                                               "COMPLIANT",
				"S3_BUCKET_SSL_REQUESTS_ONLY arn:aws:s3:::bad":                                                "NON_COMPLIANT",
				"IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS arn:aws:iam::" + testAccount + ":policy/admin":    "NON_COMPLIANT",
				"IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS arn:aws:iam::" + testAccount + ":policy/readonly": "COMPLIANT",
			} {
				if gotC[k] != v {
					t.Errorf("%s: %q, want %q", k, gotC[k], v)
				}
			}
			for _, it := range got.Items {
				if it.ResourceID == "good" && it.Tags["env"] != "prod" {
					t.Errorf("bucket good from AWS Config: tags %v, want env=prod (from BucketTaggingConfiguration)", it.Tags)
				}
			}
		})
	}
}

// sameJSON reports whether a and b hold the same JSON.
func sameJSON[M any](a, b M) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestConfigSourceFallsBack: where no recorder is recording, auto is the inventory
// and config fails, naming the recorder's state.
func TestConfigSourceFallsBack(t *testing.T) {
	m := mototest.Shared(t)
	p := newConfigProxy(t, m)
	cfg := p.config(m)
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T)
		wantErr string
	}{
		{"no recorder", func(*testing.T) {}, "no configuration recorder"},
		{"recorder stopped", func(t *testing.T) { startRecorder(t, cfg, motoRecorded, false) }, `recorder "default" stopped`},
		{"recorder of other types", func(t *testing.T) {
			startRecorder(t, cfg, &cstypes.RecordingGroup{ResourceTypes: []cstypes.ResourceType{"AWS::QLDB::Ledger"}}, true)
		}, "records none of the types"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m.Reset(t)
			seedConfig(t, cfg)
			tc.setup(t)
			inv, err := snapshot(t, cfg, inventory.SourceInventory)
			if err != nil {
				t.Fatal(err)
			}
			auto, err := snapshot(t, cfg, inventory.SourceAuto)
			if err != nil {
				t.Fatal(err)
			}
			if len(auto.FromConfig) > 0 || len(withoutMotoGaps(auto.Skipped)) > 0 || !sameJSON(typesOf(auto, nil), typesOf(inv, nil)) {
				t.Errorf("auto: from config %v, skipped %v, items %v; want the inventory's %v", auto.FromConfig, auto.Skipped, typesOf(auto, nil), typesOf(inv, nil))
			}
			_, err = snapshot(t, cfg, inventory.SourceConfig)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("config: error %v, want one saying %q", err, tc.wantErr)
			}
		})
	}
}

// awsError is an awsJson1_1 error body.
func awsError(code string) string { return `{"__type":"` + code + `","message":"test"}` }

// TestConfigSourceFailures: a failure of an AWS Config call is reported as any part's:
// an API the role may not call is skipped (and, for the recorders under auto, the
// inventory used); any other failure fails the snapshot, to be retried. Unprocessed
// keys are asked for again.
func TestConfigSourceFailures(t *testing.T) {
	m := mototest.Shared(t)
	p := newConfigProxy(t, m)
	cfg := p.config(m)
	seedConfig(t, cfg)
	startRecorder(t, cfg, motoRecorded, true)
	for _, tc := range []struct {
		name        string
		src         inventory.Source
		op          string
		status      int
		body        string
		wantErr     string
		wantSkipped bool
		wantBuckets int
	}{
		{"recorders denied, auto", inventory.SourceAuto, "DescribeConfigurationRecorders", 400, awsError("AccessDeniedException"), "", true, 2},
		{"recorders denied, config", inventory.SourceConfig, "DescribeConfigurationRecorders", 400, awsError("AccessDeniedException"), "AccessDenied", false, 0},
		{"listing denied", inventory.SourceConfig, "ListDiscoveredResources", 400, awsError("AccessDeniedException"), "", true, 0},
		{"listing throttled", inventory.SourceAuto, "ListDiscoveredResources", 400, awsError("ThrottlingException"), "ListDiscoveredResources", false, 0},
		{"batch fails", inventory.SourceConfig, "BatchGetResourceConfig", 500, awsError("InternalFailure"), "BatchGetResourceConfig", false, 0},
		{"bad configuration", inventory.SourceConfig, "BatchGetResourceConfig", 200,
			`{"baseConfigurationItems":[{"resourceType":"AWS::S3::Bucket","resourceId":"x","configuration":"{not json"}],"unprocessedResourceKeys":[]}`, "AWS::S3::Bucket x: configuration: not JSON", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.mu.Lock()
			p.answer = func(op string, _ []byte, _ int) (int, string, bool) { return tc.status, tc.body, op == tc.op }
			p.mu.Unlock()
			snap, err := snapshot(t, cfg, tc.src)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "config") {
					t.Fatalf("error %v, want one naming config and %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			skipped := slices.ContainsFunc(snap.Skipped, func(s inventory.Skip) bool { return s.Part == "config" })
			if skipped != tc.wantSkipped || len(withoutMotoGaps(snap.Skipped)) > 1 {
				t.Errorf("skipped %+v, want config skipped: %v", snap.Skipped, tc.wantSkipped)
			}
			if n := typesOf(snap, nil)["AWS::S3::Bucket"]; n != tc.wantBuckets {
				t.Errorf("%d buckets, want %d", n, tc.wantBuckets)
			}
		})
	}

	t.Run("unprocessed keys", func(t *testing.T) {
		// The first BatchGetResourceConfig answers nothing and leaves every key
		// unprocessed, as AWS Config does under throttling; the next calls go to moto.
		p.mu.Lock()
		p.answer = func(op string, body []byte, n int) (int, string, bool) {
			if op != "BatchGetResourceConfig" || n > 1 {
				return 0, "", false
			}
			var in struct{ ResourceKeys json.RawMessage }
			json.Unmarshal(body, &in)
			return 200, `{"baseConfigurationItems":[],"unprocessedResourceKeys":` + string(in.ResourceKeys) + `}`, true
		}
		p.calls = map[string]int{}
		p.mu.Unlock()
		snap, err := snapshot(t, cfg, inventory.SourceConfig)
		if err != nil {
			t.Fatal(err)
		}
		if n := typesOf(snap, nil); n["AWS::S3::Bucket"] != 2 || n["AWS::IAM::Policy"] != 2 {
			t.Errorf("items %v, want both buckets and both policies", n)
		}
		if c := p.count("BatchGetResourceConfig"); c != 2 {
			t.Errorf("%d BatchGetResourceConfig calls, want 2 (one batch, asked again)", c)
		}
	})
}

// TestConfigItemsOfAWSShape serves BatchGetResourceConfig as AWS Config answers it (the
// bucket of ../shared's example CI, as the API carries it: configuration and every
// supplementary member as JSON text, the ACL as JSON text inside a JSON string;
// timestamps in epoch seconds; an IAM policy with its URL-encoded document) and checks
// that the rules read the converted items.
func TestConfigItemsOfAWSShape(t *testing.T) {
	m := mototest.Shared(t)
	p := newConfigProxy(t, m)
	cfg := p.config(m)
	startRecorder(t, cfg, &cstypes.RecordingGroup{ResourceTypes: []cstypes.ResourceType{"AWS::S3::Bucket", "AWS::IAM::Policy"}}, true)
	str := func(v any) string {
		b, _ := json.Marshal(v)
		return string(b)
	}
	acl := `{"grantSet":null,"grantList":[{"grantee":"AllUsers","permission":"Read"},{"grantee":{"id":"8ac8","displayName":null},"permission":"FullControl"}],"owner":{"displayName":null,"id":"8ac8"},"isRequesterCharged":false}`
	bucket := map[string]any{
		"version": "1.3", "accountId": testAccount, "configurationItemCaptureTime": 1549956556.288, "configurationItemStatus": "OK",
		"configurationStateId": "1549956556288", "arn": "arn:aws:s3:::public-site", "resourceType": "AWS::S3::Bucket",
		"resourceId": "public-site", "resourceName": "public-site", "awsRegion": mototest.Region, "availabilityZone": "Regional",
		"resourceCreationTime": 1549956105,
		"configuration":        `{"name":"public-site","owner":{"displayName":null,"id":"8ac8"},"creationDate":"2019-02-12T07:21:45.000Z"}`,
		"supplementaryConfiguration": map[string]string{
			"AccessControlList":             str(acl),
			"BucketPolicy":                  `{"policyText":null}`,
			"BucketVersioningConfiguration": `{"status":"Enabled","isMfaDeleteEnabled":null}`,
			"BucketTaggingConfiguration":    `{"tagSets":[{"tags":{"team":"web"}}]}`,
			"IsRequesterPaysEnabled":        "false",
			"Unparsable":                    "not json",
		},
	}
	doc := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	policy := map[string]any{
		"version": "1.3", "accountId": testAccount, "configurationItemCaptureTime": 1549956556, "configurationItemStatus": "OK",
		"arn": "arn:aws:iam::" + testAccount + ":policy/ops", "resourceType": "AWS::IAM::Policy", "resourceId": "ANPAOPS", "resourceName": "ops",
		"awsRegion": "global", "availabilityZone": "Not Applicable",
		"configuration": str(map[string]any{"policyName": "ops", "policyId": "ANPAOPS", "arn": "arn:aws:iam::" + testAccount + ":policy/ops",
			"defaultVersionId": "v1", "attachmentCount": 1, "tags": []map[string]string{{"key": "owner", "value": "ops"}},
			"policyVersionList": []map[string]any{{"document": doc, "versionId": "v1", "isDefaultVersion": true}}}),
		"supplementaryConfiguration": map[string]string{},
	}
	p.answer = func(op string, body []byte, _ int) (int, string, bool) {
		switch op {
		case "ListDiscoveredResources":
			if strings.Contains(string(body), "AWS::S3::Bucket") {
				return 200, `{"resourceIdentifiers":[{"resourceType":"AWS::S3::Bucket","resourceId":"public-site","resourceName":"public-site"}]}`, true
			}
			return 200, `{"resourceIdentifiers":[{"resourceType":"AWS::IAM::Policy","resourceId":"ANPAOPS","resourceName":"ops"}]}`, true
		case "BatchGetResourceConfig":
			var items []any
			if strings.Contains(string(body), "public-site") {
				items = append(items, bucket)
			}
			if strings.Contains(string(body), "ANPAOPS") {
				items = append(items, policy)
			}
			return 200, str(map[string]any{"baseConfigurationItems": items, "unprocessedResourceKeys": []any{}}), true
		}
		return 0, "", false
	}
	snap, err := snapshot(t, cfg, inventory.SourceConfig)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := snap.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	dec := ci.NewDecoder(&buf)
	seen := 0
	for {
		it, err := dec.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch it.ResourceID {
		case "public-site":
			seen++
			b, err := it.Bucket()
			if err != nil {
				t.Fatal(err)
			}
			if b.ACL == nil || len(b.ACL.GrantList) != 2 || !b.ACL.GrantList[0].Public() || b.Versioning == nil || b.Versioning.Status != "Enabled" {
				t.Errorf("bucket view %+v: want the ACL's two grants, the first public, and versioning Enabled", b)
			}
			if it.Status != "OK" || it.Version != "1.3" || it.StateID != "1549956556288" || it.CaptureTime.Unix() != 1549956556 || it.Tags["team"] != "web" {
				t.Errorf("bucket item: status %q version %q state %q captured %v tags %v", it.Status, it.Version, it.StateID, it.CaptureTime, it.Tags)
			}
			var s string
			if err := json.Unmarshal(it.Supplementary["Unparsable"], &s); err != nil || s != "not json" {
				t.Errorf("supplementary value that is not JSON: %s, want it kept as a string", it.Supplementary["Unparsable"])
			}
		case "ANPAOPS":
			seen++
			if it.Tags["owner"] != "ops" || it.Region != "global" {
				t.Errorf("policy item: tags %v region %q", it.Tags, it.Region)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("%d of the 2 items from AWS Config in the snapshot", seen)
	}
	got := conclusions(t, snap, []string{"S3_BUCKET_PUBLIC_READ_PROHIBITED", "S3_BUCKET_VERSIONING_ENABLED", "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS"})
	for k, v := range map[string]string{
		"S3_BUCKET_PUBLIC_READ_PROHIBITED arn:aws:s3:::public-site":                              "NON_COMPLIANT",
		"S3_BUCKET_VERSIONING_ENABLED arn:aws:s3:::public-site":                                  "COMPLIANT",
		"IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS arn:aws:iam::" + testAccount + ":policy/ops": "NON_COMPLIANT",
	} {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}
