package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
	"github.com/aws/smithy-go"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/store"
)

const (
	testRootID     = "PRBROOTTESTKEY000001"
	testRootSecret = "root-secret-for-tests-only-0123456789abc"
	testMasterKey  = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	testAccount    = "000000000000"
	testRegion     = "us-east-1"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// apiServer is a `probity serve` running in this process on 127.0.0.1:0.
type apiServer struct {
	URL    string
	DB     string
	Env    Env
	Stderr *syncBuffer
	stop   context.CancelFunc
	exit   chan int
}

func testEnv(vars map[string]string, stdout, stderr io.Writer) Env {
	return Env{Stdout: stdout, Stderr: stderr, Getenv: func(k string) string { return vars[k] }}
}

// startServe starts `probity serve` with a new SQLite library and the test root key, and
// stops it when the test ends.
func startServe(t *testing.T, args ...string) *apiServer {
	t.Helper()
	db := "sqlite:" + filepath.Join(t.TempDir(), "probity.db")
	vars := map[string]string{
		"PROBITY_ROOT_ACCESS_KEY_ID":     testRootID,
		"PROBITY_ROOT_SECRET_ACCESS_KEY": testRootSecret,
		"PROBITY_MASTER_KEY":             testMasterKey,
	}
	s := &apiServer{DB: db, Stderr: &syncBuffer{}, exit: make(chan int, 1)}
	s.Env = testEnv(vars, io.Discard, s.Stderr)
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go func() {
		s.exit <- Run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0", "--db", db}, args...), s.Env)
	}()
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := addr.FindStringSubmatch(s.Stderr.String()); m != nil {
			s.URL = m[1]
			break
		}
		select {
		case code := <-s.exit:
			t.Fatalf("serve exited with %d before listening:\n%s", code, s.Stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", s.Stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Cleanup(func() {
		if s.stop != nil {
			s.Stop(t)
		}
	})
	return s
}

// Stop cancels serve's context (as SIGTERM does) and checks that it exits cleanly.
func (s *apiServer) Stop(t *testing.T) {
	t.Helper()
	s.stop()
	s.stop = nil
	select {
	case code := <-s.exit:
		if code != ExitOK {
			t.Errorf("serve exited with %d:\n%s", code, s.Stderr)
		}
	case <-time.After(30 * time.Second):
		t.Error("serve did not stop within 30s")
	}
}

// Client returns the real Audit Manager SDK client signing with the key.
func (s *apiServer) Client(id, secret string) *am.Client {
	return am.New(am.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(id, secret, ""),
		RetryMaxAttempts: 1,
	})
}

// Root returns a client signing with the root key.
func (s *apiServer) Root() *am.Client { return s.Client(testRootID, testRootSecret) }

// CLI runs a probity subcommand against the server's library and environment.
func (s *apiServer) CLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, Getenv: s.Env.Getenv}
	code := Run(context.Background(), append(args, "--db", s.DB), env)
	return code, out.String(), errb.String()
}

// NewKey makes an access key with `probity keys create` and returns a client for it.
func (s *apiServer) NewKey(t *testing.T, name, role, account string) *am.Client {
	t.Helper()
	code, out, errs := s.CLI(t, "keys", "create", "--json", "--name", name, "--role", role, "--account-id", account)
	if code != ExitOK {
		t.Fatalf("keys create = %d: %s", code, errs)
	}
	var k struct{ AccessKeyID, SecretAccessKey string }
	if err := json.Unmarshal([]byte(out), &k); err != nil {
		t.Fatalf("keys create --json: %v in %q", err, out)
	}
	return s.Client(k.AccessKeyID, k.SecretAccessKey)
}

// wantAPIError checks that err is the API error with the code and HTTP status.
func wantAPIError(t *testing.T, err error, code string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %s (%v), want %s", ae.ErrorCode(), err, code)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("HTTP status of %v is not %d", err, status)
	}
}

// raw sends a request signed at the time with the key (unsigned when id is empty), and
// returns the status, the X-Amzn-ErrorType header and the decoded JSON body.
func raw(t *testing.T, method, url, body, id, secret string, at time.Time, edit func(*http.Request)) (int, string, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if id != "" {
		sum := sha256.Sum256([]byte(body))
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: id, SecretAccessKey: secret},
			req, hex.EncodeToString(sum[:]), "auditmanager", testRegion, at)
		if err != nil {
			t.Fatal(err)
		}
	}
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(b) > 0 && json.Unmarshal(b, &m) != nil {
		t.Fatalf("%s %s: body is not JSON: %q", method, url, b)
	}
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), m
}

// manual is a valid data source for controls made in tests.
func manual(name string) []types.CreateControlMappingSource {
	return []types.CreateControlMappingSource{{SourceName: aws.String(name), SourceType: types.SourceTypeManual}}
}

func createControl(t *testing.T, c *am.Client, name string) *types.Control {
	t.Helper()
	out, err := c.CreateControl(context.Background(), &am.CreateControlInput{Name: aws.String(name), ControlMappingSources: manual("evidence")})
	if err != nil {
		t.Fatalf("CreateControl %q: %v", name, err)
	}
	return out.Control
}

func TestServeControls(t *testing.T) {
	ctx := context.Background()
	s := startServe(t)
	c := s.Root()

	created, err := c.CreateControl(ctx, &am.CreateControlInput{
		Name:               aws.String("S3 versioning"),
		Description:        aws.String("Buckets keep versions"),
		TestingInformation: aws.String("Check the rule"),
		ControlMappingSources: []types.CreateControlMappingSource{{
			SourceName: aws.String("Config rule"), SourceType: types.SourceTypeAwsConfig, SourceFrequency: types.SourceFrequencyDaily,
			SourceKeyword: &types.SourceKeyword{KeywordInputType: types.KeywordInputTypeSelectFromList, KeywordValue: aws.String("S3_BUCKET_VERSIONING_ENABLED")},
		}, {SourceName: aws.String("Attest"), SourceType: types.SourceTypeManual}},
		Tags: map[string]string{"Owner": "security"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctl := created.Control
	if aws.ToString(ctl.Name) != "S3 versioning" || ctl.Type != types.ControlTypeCustom || aws.ToString(ctl.CreatedBy) != "root" ||
		aws.ToString(ctl.ControlSources) != "AWS_Config, MANUAL" || ctl.Tags["Owner"] != "security" || ctl.State != types.ControlStateActive {
		t.Fatalf("created control = %+v", ctl)
	}
	if !strings.HasPrefix(aws.ToString(ctl.Arn), "arn:aws:auditmanager:us-east-1:000000000000:control/") {
		t.Fatalf("arn = %s", aws.ToString(ctl.Arn))
	}
	if d := time.Since(aws.ToTime(ctl.CreatedAt)); d < 0 || d > time.Minute {
		t.Fatalf("createdAt %v is not now", ctl.CreatedAt)
	}
	if ctl.ControlMappingSources[1].SourceSetUpOption != types.SourceSetUpOptionProceduralControlsMapping || ctl.ControlMappingSources[0].SourceId == nil {
		t.Fatalf("derived source members missing: %+v", ctl.ControlMappingSources)
	}

	got, err := c.GetControl(ctx, &am.GetControlInput{ControlId: ctl.Id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Control.Description) != "Buckets keep versions" || len(got.Control.ControlMappingSources) != 2 {
		t.Fatalf("GetControl = %+v", got.Control)
	}

	upd, err := c.UpdateControl(ctx, &am.UpdateControlInput{ControlId: ctl.Id, Name: aws.String("S3 versioning v2"),
		ControlMappingSources: []types.ControlMappingSource{{SourceName: aws.String("Attest"), SourceType: types.SourceTypeManual}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(upd.Control.Name) != "S3 versioning v2" || aws.ToString(upd.Control.ControlSources) != "MANUAL" ||
		upd.Control.Tags["Owner"] != "security" || !aws.ToTime(upd.Control.CreatedAt).Equal(aws.ToTime(ctl.CreatedAt)) {
		t.Fatalf("UpdateControl = %+v", upd.Control)
	}

	t.Run("errors", func(t *testing.T) {
		missing := "0123abcd-0123-4567-89ab-0123456789ab"
		_, err := c.GetControl(ctx, &am.GetControlInput{ControlId: aws.String(missing)})
		wantAPIError(t, err, "ResourceNotFoundException", 404)
		var nf *types.ResourceNotFoundException
		if !errors.As(err, &nf) || aws.ToString(nf.ResourceId) != missing || aws.ToString(nf.ResourceType) != "control" {
			t.Fatalf("not found error = %#v", nf)
		}
		_, err = c.UpdateControl(ctx, &am.UpdateControlInput{ControlId: aws.String(missing), Name: aws.String("x"), ControlMappingSources: []types.ControlMappingSource{{SourceName: aws.String("a"), SourceType: types.SourceTypeManual}}})
		wantAPIError(t, err, "ResourceNotFoundException", 404)
		_, err = c.DeleteControl(ctx, &am.DeleteControlInput{ControlId: aws.String(missing)})
		wantAPIError(t, err, "ResourceNotFoundException", 404)
		_, err = c.GetControl(ctx, &am.GetControlInput{ControlId: aws.String("not-a-uuid")})
		wantAPIError(t, err, "ValidationException", 400)

		// Domain validation reaches the caller as fields with API member paths.
		_, err = c.CreateControl(ctx, &am.CreateControlInput{Name: aws.String(`back\slash`), ControlMappingSources: []types.CreateControlMappingSource{
			{SourceName: aws.String("cfg"), SourceType: types.SourceTypeAwsConfig},
		}})
		wantAPIError(t, err, "ValidationException", 400)
		var ve *types.ValidationException
		errors.As(err, &ve)
		names := map[string]bool{}
		for _, f := range ve.Fields {
			names[aws.ToString(f.Name)] = true
		}
		if ve.Reason != types.ValidationExceptionReasonFieldValidationFailed || !names["name"] || !names["controlMappingSources[0].sourceKeyword.keywordValue"] {
			t.Fatalf("validation error = %+v fields %v", ve, names)
		}
		_, err = c.UpdateControl(ctx, &am.UpdateControlInput{ControlId: ctl.Id, Name: aws.String("x"), ControlMappingSources: []types.ControlMappingSource{{SourceName: aws.String("a"), SourceType: "Carrier_Pigeon"}}})
		wantAPIError(t, err, "ValidationException", 400)

		// A second control of the same name is refused.
		_, err = c.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("S3 versioning v2"), ControlMappingSources: manual("m")})
		wantAPIError(t, err, "ValidationException", 400)

		// Malformed JSON is cannotParse.
		code, typ, body := raw(t, "POST", s.URL+"/controls", `{"name":`, testRootID, testRootSecret, time.Now(), nil)
		if code != 400 || typ != "ValidationException" || body["reason"] != "cannotParse" {
			t.Fatalf("malformed JSON: %d %s %v", code, typ, body)
		}
	})

	t.Run("list", func(t *testing.T) {
		for i := range 4 {
			createControl(t, c, fmt.Sprintf("paged %d", i))
		}
		var names []string
		pages := 0
		p := am.NewListControlsPaginator(c, &am.ListControlsInput{ControlType: types.ControlTypeCustom, MaxResults: aws.Int32(2)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, m := range out.ControlMetadataList {
				names = append(names, aws.ToString(m.Name))
			}
		}
		if len(names) != 5 || pages != 3 {
			t.Fatalf("paged %d pages %v, want 5 controls in 3 pages", pages, names)
		}
		// The standard content that ships in the binary is there from the first start.
		std, err := c.ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeStandard})
		if err != nil || len(std.ControlMetadataList) == 0 || std.NextToken == nil {
			t.Fatalf("Standard controls = %+v, %v; want a full first page of the built-in content", std, err)
		}
		cat, err := c.ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCustom, ControlCatalogId: aws.String("UNCATEGORIZED")})
		if err != nil || len(cat.ControlMetadataList) != 5 {
			t.Fatalf("UNCATEGORIZED = %d, %v; want 5", len(cat.ControlMetadataList), err)
		}
		dom, err := c.ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCore, ControlCatalogId: aws.String("arn:aws:controlcatalog:::domain/x")})
		if err != nil || len(dom.ControlMetadataList) != 0 {
			t.Fatalf("catalog domain = %+v, %v", dom, err)
		}
		for _, n := range []int32{0, 1001} {
			_, err = c.ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCustom, MaxResults: aws.Int32(n)})
			wantAPIError(t, err, "ValidationException", 400)
		}
		_, err = c.ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCustom, NextToken: aws.String("Zm9v")})
		wantAPIError(t, err, "ValidationException", 400)
		_, err = c.ListControls(ctx, &am.ListControlsInput{ControlType: "Bespoke"})
		wantAPIError(t, err, "ValidationException", 400)
		// The SDK will not send a request without controlType; the server refuses it too.
		code, typ, body := raw(t, "GET", s.URL+"/controls", "", testRootID, testRootSecret, time.Now(), nil)
		if code != 400 || typ != "ValidationException" || !strings.Contains(fmt.Sprint(body["fields"]), "controlType") {
			t.Fatalf("without controlType: %d %s %v", code, typ, body)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if _, err := c.DeleteControl(ctx, &am.DeleteControlInput{ControlId: ctl.Id}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetControl(ctx, &am.GetControlInput{ControlId: ctl.Id})
		wantAPIError(t, err, "ResourceNotFoundException", 404)
	})
}

func TestServeFrameworks(t *testing.T) {
	ctx := context.Background()
	s := startServe(t)
	c := s.Root()
	a, b := createControl(t, c, "A"), createControl(t, c, "B")
	set := func(name string, ids ...*string) types.CreateAssessmentFrameworkControlSet {
		cs := types.CreateAssessmentFrameworkControlSet{Name: aws.String(name)}
		for _, id := range ids {
			cs.Controls = append(cs.Controls, types.CreateAssessmentFrameworkControl{Id: id})
		}
		return cs
	}
	out, err := c.CreateAssessmentFramework(ctx, &am.CreateAssessmentFrameworkInput{
		Name: aws.String("Baseline"), Description: aws.String("our baseline"), ComplianceType: aws.String("CIS"),
		ControlSets: []types.CreateAssessmentFrameworkControlSet{set("Identity", a.Id, b.Id), set("Logging", b.Id)},
		Tags:        map[string]string{"Team": "grc"},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := out.Framework
	if f.Type != types.FrameworkTypeCustom || len(f.ControlSets) != 2 || len(f.ControlSets[0].Controls) != 2 ||
		aws.ToString(f.ControlSets[0].Controls[0].Name) != "A" || aws.ToString(f.ControlSources) != "MANUAL" || aws.ToString(f.CreatedBy) != "root" {
		t.Fatalf("created framework = %+v", f)
	}
	got, err := c.GetAssessmentFramework(ctx, &am.GetAssessmentFrameworkInput{FrameworkId: f.Id})
	if err != nil || aws.ToString(got.Framework.Name) != "Baseline" || aws.ToString(got.Framework.ControlSets[1].Id) == "" {
		t.Fatalf("GetAssessmentFramework = %+v, %v", got, err)
	}
	upd, err := c.UpdateAssessmentFramework(ctx, &am.UpdateAssessmentFrameworkInput{
		FrameworkId: f.Id, Name: aws.String("Baseline 2"),
		ControlSets: []types.UpdateAssessmentFrameworkControlSet{{Name: aws.String("All"), Controls: []types.CreateAssessmentFrameworkControl{{Id: a.Id}}}},
	})
	if err != nil || aws.ToString(upd.Framework.Name) != "Baseline 2" || len(upd.Framework.ControlSets) != 1 || upd.Framework.Tags["Team"] != "grc" {
		t.Fatalf("UpdateAssessmentFramework = %+v, %v", upd, err)
	}
	list, err := c.ListAssessmentFrameworks(ctx, &am.ListAssessmentFrameworksInput{FrameworkType: types.FrameworkTypeCustom, MaxResults: aws.Int32(1)})
	if err != nil || len(list.FrameworkMetadataList) != 1 || list.NextToken != nil {
		t.Fatalf("ListAssessmentFrameworks = %+v, %v", list, err)
	}
	if m := list.FrameworkMetadataList[0]; m.ControlsCount != 1 || m.ControlSetsCount != 1 {
		t.Fatalf("framework metadata = %+v", m)
	}
	std, err := c.ListAssessmentFrameworks(ctx, &am.ListAssessmentFrameworksInput{FrameworkType: types.FrameworkTypeStandard})
	low := false
	for _, m := range std.FrameworkMetadataList {
		low = low || aws.ToString(m.Name) == "NIST Special Publication 800-53 Revision 5.1.1 LOW IMPACT BASELINE" && m.ControlsCount == 149
	}
	if err != nil || !low {
		t.Fatalf("standard frameworks = %+v, %v; want the built-in LOW baseline of 149 controls", std, err)
	}

	// A control in use cannot be deleted.
	_, err = c.DeleteControl(ctx, &am.DeleteControlInput{ControlId: a.Id})
	wantAPIError(t, err, "ValidationException", 400)

	missing := aws.String("0123abcd-0123-4567-89ab-0123456789ab")
	_, err = c.CreateAssessmentFramework(ctx, &am.CreateAssessmentFrameworkInput{Name: aws.String("Broken"),
		ControlSets: []types.CreateAssessmentFrameworkControlSet{set("S", missing)}})
	wantAPIError(t, err, "ResourceNotFoundException", 404)
	_, err = c.CreateAssessmentFramework(ctx, &am.CreateAssessmentFrameworkInput{Name: aws.String("Bad"),
		ControlSets: []types.CreateAssessmentFrameworkControlSet{set("under_score", a.Id)}})
	wantAPIError(t, err, "ValidationException", 400)
	_, err = c.GetAssessmentFramework(ctx, &am.GetAssessmentFrameworkInput{FrameworkId: missing})
	wantAPIError(t, err, "ResourceNotFoundException", 404)
	_, err = c.UpdateAssessmentFramework(ctx, &am.UpdateAssessmentFrameworkInput{FrameworkId: missing, Name: aws.String("x"),
		ControlSets: []types.UpdateAssessmentFrameworkControlSet{{Name: aws.String("S"), Controls: []types.CreateAssessmentFrameworkControl{{Id: a.Id}}}}})
	wantAPIError(t, err, "ResourceNotFoundException", 404)
	_, err = c.ListAssessmentFrameworks(ctx, &am.ListAssessmentFrameworksInput{FrameworkType: types.FrameworkTypeCustom, MaxResults: aws.Int32(0)})
	wantAPIError(t, err, "ValidationException", 400)

	if _, err := c.DeleteAssessmentFramework(ctx, &am.DeleteAssessmentFrameworkInput{FrameworkId: f.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAssessmentFramework(ctx, &am.DeleteAssessmentFrameworkInput{FrameworkId: f.Id})
	wantAPIError(t, err, "ResourceNotFoundException", 404)
	if _, err := c.DeleteControl(ctx, &am.DeleteControlInput{ControlId: a.Id}); err != nil {
		t.Fatalf("control no longer in use: %v", err)
	}
}

func TestServeTags(t *testing.T) {
	ctx := context.Background()
	s := startServe(t)
	c := s.Root()
	ctl := createControl(t, c, "tagged")
	if _, err := c.TagResource(ctx, &am.TagResourceInput{ResourceArn: ctl.Arn, Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &am.UntagResourceInput{ResourceArn: ctl.Arn, TagKeys: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.ListTagsForResource(ctx, &am.ListTagsForResourceInput{ResourceArn: ctl.Arn})
	if err != nil || len(got.Tags) != 1 || got.Tags["b"] != "2" {
		t.Fatalf("tags = %v, %v; want b=2", got, err)
	}
	gone := aws.String("arn:aws:auditmanager:us-east-1:000000000000:control/0123abcd-0123-4567-89ab-0123456789ab")
	_, err = c.ListTagsForResource(ctx, &am.ListTagsForResourceInput{ResourceArn: gone})
	wantAPIError(t, err, "ResourceNotFoundException", 404)
	_, err = c.TagResource(ctx, &am.TagResourceInput{ResourceArn: gone, Tags: map[string]string{"a": "1"}})
	wantAPIError(t, err, "ResourceNotFoundException", 404)
	_, err = c.UntagResource(ctx, &am.UntagResourceInput{ResourceArn: gone, TagKeys: []string{"a"}})
	wantAPIError(t, err, "ResourceNotFoundException", 404)
	_, err = c.ListTagsForResource(ctx, &am.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:s3:::not-audit-manager")})
	wantAPIError(t, err, "ValidationException", 400)
	_, err = c.TagResource(ctx, &am.TagResourceInput{ResourceArn: ctl.Arn, Tags: map[string]string{"aws:reserved": "x"}})
	wantAPIError(t, err, "ValidationException", 400)
	// An empty key list removes nothing and succeeds (see internal/amapi TestUntagNothing).
	if _, err = c.UntagResource(ctx, &am.UntagResourceInput{ResourceArn: ctl.Arn, TagKeys: []string{}}); err != nil {
		t.Fatalf("UntagResource with no keys: %v", err)
	}
}

func TestServeSettingsAndAccount(t *testing.T) {
	ctx := context.Background()
	s := startServe(t)
	c := s.Root()
	all, err := c.GetSettings(ctx, &am.GetSettingsInput{Attribute: types.SettingAttributeAll})
	if err != nil || aws.ToString(all.Settings.KmsKey) != "DEFAULT" || aws.ToBool(all.Settings.IsAwsOrgEnabled) {
		t.Fatalf("default settings = %+v, %v", all, err)
	}
	_, err = c.UpdateSettings(ctx, &am.UpdateSettingsInput{
		SnsTopic:                            aws.String("arn:aws:sns:us-east-1:000000000000:audit"),
		DefaultAssessmentReportsDestination: &types.AssessmentReportsDestination{DestinationType: types.AssessmentReportDestinationTypeS3, Destination: aws.String("s3://reports")},
		DefaultProcessOwners:                []types.Role{{RoleType: types.RoleTypeProcessOwner, RoleArn: aws.String("arn:aws:iam::000000000000:role/Owner")}},
		EvidenceFinderEnabled:               aws.Bool(true),
		DeregistrationPolicy:                &types.DeregistrationPolicy{DeleteResources: types.DeleteResourcesAll},
	})
	if err != nil {
		t.Fatal(err)
	}
	one, err := c.GetSettings(ctx, &am.GetSettingsInput{Attribute: types.SettingAttributeDefaultProcessOwners})
	if err != nil || len(one.Settings.DefaultProcessOwners) != 1 || one.Settings.SnsTopic != nil {
		t.Fatalf("one attribute = %+v, %v", one, err)
	}
	all, err = c.GetSettings(ctx, &am.GetSettingsInput{Attribute: types.SettingAttributeAll})
	if err != nil || aws.ToString(all.Settings.SnsTopic) == "" || all.Settings.EvidenceFinderEnablement.EnablementStatus != types.EvidenceFinderEnablementStatusEnabled ||
		all.Settings.DeregistrationPolicy.DeleteResources != types.DeleteResourcesAll {
		t.Fatalf("settings after update = %+v, %v", all.Settings, err)
	}
	_, err = c.UpdateSettings(ctx, &am.UpdateSettingsInput{KmsKey: aws.String("not-a-key")})
	wantAPIError(t, err, "ValidationException", 400)
	_, err = c.GetSettings(ctx, &am.GetSettingsInput{Attribute: "COLOUR"})
	wantAPIError(t, err, "ValidationException", 400)

	st, err := c.GetAccountStatus(ctx, &am.GetAccountStatusInput{})
	if err != nil || st.Status != types.AccountStatusActive {
		t.Fatalf("status = %+v, %v", st, err)
	}
	de, err := c.DeregisterAccount(ctx, &am.DeregisterAccountInput{})
	if err != nil || de.Status != types.AccountStatusInactive {
		t.Fatalf("DeregisterAccount = %+v, %v", de, err)
	}
	if st, _ := c.GetAccountStatus(ctx, &am.GetAccountStatusInput{}); st.Status != types.AccountStatusInactive {
		t.Fatalf("status after deregistration = %s", st.Status)
	}
	re, err := c.RegisterAccount(ctx, &am.RegisterAccountInput{KmsKey: aws.String("arn:aws:kms:us-east-1:000000000000:key/k")})
	if err != nil || re.Status != types.AccountStatusActive {
		t.Fatalf("RegisterAccount = %+v, %v", re, err)
	}
	_, err = c.RegisterAccount(ctx, &am.RegisterAccountInput{DelegatedAdminAccount: aws.String("12")})
	wantAPIError(t, err, "ValidationException", 400)
}

func TestServeCatalogListings(t *testing.T) {
	ctx := context.Background()
	s := startServe(t)
	c := s.Root()
	var all []string
	p := am.NewListKeywordsForDataSourcePaginator(c, &am.ListKeywordsForDataSourceInput{Source: types.DataSourceTypeAwsConfig, MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.Keywords...)
	}
	if len(all) < 300 || !strings.Contains(strings.Join(all, " "), "S3_BUCKET_VERSIONING_ENABLED") {
		t.Fatalf("AWS_Config keywords: %d", len(all))
	}
	_, err := c.ListKeywordsForDataSource(ctx, &am.ListKeywordsForDataSourceInput{Source: "FAX"})
	wantAPIError(t, err, "ValidationException", 400)
	_, err = c.ListKeywordsForDataSource(ctx, &am.ListKeywordsForDataSourceInput{Source: types.DataSourceTypeAwsConfig, MaxResults: aws.Int32(5000)})
	wantAPIError(t, err, "ValidationException", 400)

	svc, err := c.GetServicesInScope(ctx, &am.GetServicesInScopeInput{})
	if err != nil || len(svc.ServiceMetadata) == 0 || aws.ToString(svc.ServiceMetadata[0].Name) == "" {
		t.Fatalf("GetServicesInScope = %+v, %v", svc, err)
	}
	n, err := c.ListNotifications(ctx, &am.ListNotificationsInput{MaxResults: aws.Int32(10)})
	if err != nil || len(n.Notifications) != 0 || n.NextToken != nil {
		t.Fatalf("ListNotifications = %+v, %v", n, err)
	}
	_, err = c.ListNotifications(ctx, &am.ListNotificationsInput{NextToken: aws.String("abc")})
	wantAPIError(t, err, "ValidationException", 400)

	// Stored outcomes (the catalog pipeline writes them) come back newest first, in pages.
	st, err := openStore(ctx, dbSpec{URL: s.DB})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	for i := range 3 {
		n := &probity.Notification{ID: probity.NewID(), AccountID: probity.DefaultPartition.AccountID,
			Description: fmt.Sprintf("reconcile %d", i), EventTime: base.Add(time.Duration(i) * time.Minute), Source: "s3://catalog"}
		err := st.Update(ctx, store.LockNone, func(tx store.Tx) error { return tx.AddNotification(ctx, n) })
		if err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	pages := am.NewListNotificationsPaginator(c, &am.ListNotificationsInput{MaxResults: aws.Int32(2)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range out.Notifications {
			got = append(got, aws.ToString(n.Description)+" "+aws.ToString(n.Source)+" "+n.EventTime.UTC().Format(time.TimeOnly))
		}
	}
	want := []string{"reconcile 2 s3://catalog 10:02:00", "reconcile 1 s3://catalog 10:01:00", "reconcile 0 s3://catalog 10:00:00"}
	if !slices.Equal(got, want) {
		t.Fatalf("ListNotifications pages = %q, want %q", got, want)
	}
}

func TestServeSharing(t *testing.T) {
	ctx := context.Background()
	s := startServe(t)
	sender := s.Root() // account 000000000000
	receiver := s.NewKey(t, "receiver", "admin", "111111111111")
	outsider := s.NewKey(t, "outsider", "admin", "222222222222")
	ctl := createControl(t, sender, "shared control")
	fw, err := sender.CreateAssessmentFramework(ctx, &am.CreateAssessmentFrameworkInput{Name: aws.String("Shared"), Description: aws.String("to share"),
		ControlSets: []types.CreateAssessmentFrameworkControlSet{{Name: aws.String("S"), Controls: []types.CreateAssessmentFrameworkControl{{Id: ctl.Id}}}}})
	if err != nil {
		t.Fatal(err)
	}
	start := func() *types.AssessmentFrameworkShareRequest {
		t.Helper()
		out, err := sender.StartAssessmentFrameworkShare(ctx, &am.StartAssessmentFrameworkShareInput{FrameworkId: fw.Framework.Id,
			DestinationAccount: aws.String("111111111111"), DestinationRegion: aws.String(testRegion), Comment: aws.String("for you")})
		if err != nil {
			t.Fatal(err)
		}
		return out.AssessmentFrameworkShareRequest
	}
	r := start()
	if r.Status != types.ShareRequestStatusActive || aws.ToString(r.SourceAccount) != testAccount || aws.ToInt32(r.CustomControlsCount) != 1 ||
		aws.ToTime(r.ExpirationTime).Sub(aws.ToTime(r.CreationTime)) != 120*24*time.Hour {
		t.Fatalf("share request = %+v", r)
	}
	recv, err := receiver.ListAssessmentFrameworkShareRequests(ctx, &am.ListAssessmentFrameworkShareRequestsInput{RequestType: types.ShareRequestTypeReceived})
	if err != nil || len(recv.AssessmentFrameworkShareRequests) != 1 || aws.ToString(recv.AssessmentFrameworkShareRequests[0].Id) != aws.ToString(r.Id) {
		t.Fatalf("received = %+v, %v", recv, err)
	}
	none, err := outsider.ListAssessmentFrameworkShareRequests(ctx, &am.ListAssessmentFrameworkShareRequestsInput{RequestType: types.ShareRequestTypeReceived})
	if err != nil || len(none.AssessmentFrameworkShareRequests) != 0 {
		t.Fatalf("outsider sees %+v, %v", none, err)
	}
	// Only the recipient can answer, only the sender can revoke.
	_, err = outsider.UpdateAssessmentFrameworkShare(ctx, &am.UpdateAssessmentFrameworkShareInput{RequestId: r.Id, RequestType: types.ShareRequestTypeReceived, Action: types.ShareRequestActionAccept})
	wantAPIError(t, err, "ResourceNotFoundException", 404)
	_, err = receiver.UpdateAssessmentFrameworkShare(ctx, &am.UpdateAssessmentFrameworkShareInput{RequestId: r.Id, RequestType: types.ShareRequestTypeReceived, Action: types.ShareRequestActionRevoke})
	wantAPIError(t, err, "ValidationException", 400)
	acc, err := receiver.UpdateAssessmentFrameworkShare(ctx, &am.UpdateAssessmentFrameworkShareInput{RequestId: r.Id, RequestType: types.ShareRequestTypeReceived, Action: types.ShareRequestActionAccept})
	if err != nil || acc.AssessmentFrameworkShareRequest.Status != types.ShareRequestStatusShared {
		t.Fatalf("accept = %+v, %v", acc, err)
	}
	_, err = receiver.UpdateAssessmentFrameworkShare(ctx, &am.UpdateAssessmentFrameworkShareInput{RequestId: r.Id, RequestType: types.ShareRequestTypeReceived, Action: types.ShareRequestActionDecline})
	wantAPIError(t, err, "ValidationException", 400)

	r2 := start()
	rev, err := sender.UpdateAssessmentFrameworkShare(ctx, &am.UpdateAssessmentFrameworkShareInput{RequestId: r2.Id, RequestType: types.ShareRequestTypeSent, Action: types.ShareRequestActionRevoke})
	if err != nil || rev.AssessmentFrameworkShareRequest.Status != types.ShareRequestStatusRevoked {
		t.Fatalf("revoke = %+v, %v", rev, err)
	}
	r3 := start()
	dec, err := receiver.UpdateAssessmentFrameworkShare(ctx, &am.UpdateAssessmentFrameworkShareInput{RequestId: r3.Id, RequestType: types.ShareRequestTypeReceived, Action: types.ShareRequestActionDecline})
	if err != nil || dec.AssessmentFrameworkShareRequest.Status != types.ShareRequestStatusDeclined {
		t.Fatalf("decline = %+v, %v", dec, err)
	}

	sent, err := sender.ListAssessmentFrameworkShareRequests(ctx, &am.ListAssessmentFrameworkShareRequestsInput{RequestType: types.ShareRequestTypeSent, MaxResults: aws.Int32(2)})
	if err != nil || len(sent.AssessmentFrameworkShareRequests) != 2 || sent.NextToken == nil {
		t.Fatalf("first page of sent = %+v, %v", sent, err)
	}
	sent2, err := sender.ListAssessmentFrameworkShareRequests(ctx, &am.ListAssessmentFrameworkShareRequestsInput{RequestType: types.ShareRequestTypeSent, MaxResults: aws.Int32(2), NextToken: sent.NextToken})
	if err != nil || len(sent2.AssessmentFrameworkShareRequests) != 1 || sent2.NextToken != nil {
		t.Fatalf("second page of sent = %+v, %v", sent2, err)
	}

	_, err = receiver.DeleteAssessmentFrameworkShare(ctx, &am.DeleteAssessmentFrameworkShareInput{RequestId: r2.Id, RequestType: types.ShareRequestTypeSent})
	wantAPIError(t, err, "ResourceNotFoundException", 404)
	if _, err := sender.DeleteAssessmentFrameworkShare(ctx, &am.DeleteAssessmentFrameworkShareInput{RequestId: r2.Id, RequestType: types.ShareRequestTypeSent}); err != nil {
		t.Fatal(err)
	}
	_, err = sender.DeleteAssessmentFrameworkShare(ctx, &am.DeleteAssessmentFrameworkShareInput{RequestId: r2.Id, RequestType: types.ShareRequestTypeSent})
	wantAPIError(t, err, "ResourceNotFoundException", 404)

	for _, in := range []*am.StartAssessmentFrameworkShareInput{
		{FrameworkId: fw.Framework.Id, DestinationAccount: aws.String(testAccount), DestinationRegion: aws.String(testRegion)},
		{FrameworkId: fw.Framework.Id, DestinationAccount: aws.String("111111111111"), DestinationRegion: aws.String("eu-west-1")},
		{FrameworkId: fw.Framework.Id, DestinationAccount: aws.String("1111"), DestinationRegion: aws.String(testRegion)},
	} {
		_, err = sender.StartAssessmentFrameworkShare(ctx, in)
		wantAPIError(t, err, "ValidationException", 400)
	}
	_, err = sender.StartAssessmentFrameworkShare(ctx, &am.StartAssessmentFrameworkShareInput{FrameworkId: aws.String("0123abcd-0123-4567-89ab-0123456789ab"),
		DestinationAccount: aws.String("111111111111"), DestinationRegion: aws.String(testRegion)})
	wantAPIError(t, err, "ResourceNotFoundException", 404)
	_, err = sender.ListAssessmentFrameworkShareRequests(ctx, &am.ListAssessmentFrameworkShareRequestsInput{RequestType: "BOTH"})
	wantAPIError(t, err, "ValidationException", 400)
}

func TestServeRoles(t *testing.T) {
	ctx := context.Background()
	s := startServe(t)
	viewer := s.NewKey(t, "auditor", "viewer", testAccount)
	editor := s.NewKey(t, "pipeline", "editor", testAccount)

	ctl, err := editor.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("by editor"), ControlMappingSources: manual("m")})
	if err != nil {
		t.Fatal(err)
	}
	if by := aws.ToString(ctl.Control.CreatedBy); by != "pipeline" {
		t.Fatalf("createdBy = %q, want the key name pipeline", by)
	}
	if _, err := viewer.GetControl(ctx, &am.GetControlInput{ControlId: ctl.Control.Id}); err != nil {
		t.Fatalf("viewer cannot read: %v", err)
	}
	denied := []struct {
		name string
		call func() error
	}{
		{"viewer CreateControl", func() error {
			_, err := viewer.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("v"), ControlMappingSources: manual("m")})
			return err
		}},
		{"viewer DeleteControl", func() error {
			_, err := viewer.DeleteControl(ctx, &am.DeleteControlInput{ControlId: ctl.Control.Id})
			return err
		}},
		{"viewer TagResource", func() error {
			_, err := viewer.TagResource(ctx, &am.TagResourceInput{ResourceArn: ctl.Control.Arn, Tags: map[string]string{"a": "b"}})
			return err
		}},
		{"editor UpdateSettings", func() error {
			_, err := editor.UpdateSettings(ctx, &am.UpdateSettingsInput{KmsKey: aws.String("DEFAULT")})
			return err
		}},
		{"editor DeregisterAccount", func() error {
			_, err := editor.DeregisterAccount(ctx, &am.DeregisterAccountInput{})
			return err
		}},
		{"editor StartAssessmentFrameworkShare", func() error {
			_, err := editor.StartAssessmentFrameworkShare(ctx, &am.StartAssessmentFrameworkShareInput{FrameworkId: ctl.Control.Id,
				DestinationAccount: aws.String("111111111111"), DestinationRegion: aws.String(testRegion)})
			return err
		}},
	}
	for _, tt := range denied {
		t.Run(tt.name, func(t *testing.T) { wantAPIError(t, tt.call(), "AccessDeniedException", 403) })
	}

	// A deleted key stops working at once.
	if code, _, errs := s.CLI(t, "keys", "delete", "auditor"); code != ExitOK {
		t.Fatalf("keys delete = %d: %s", code, errs)
	}
	_, err = viewer.GetControl(ctx, &am.GetControlInput{ControlId: ctl.Control.Id})
	wantAPIError(t, err, "UnrecognizedClientException", 403)
}

func TestServeSignatures(t *testing.T) {
	ctx := context.Background()
	s := startServe(t)
	_, err := s.Client(testRootID, "wrong-secret").ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCustom})
	wantAPIError(t, err, "InvalidSignatureException", 403)
	_, err = s.Client("PRBNOSUCHKEY00000000", "whatever").ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCustom})
	wantAPIError(t, err, "UnrecognizedClientException", 403)

	url := s.URL + "/controls?controlType=Custom"
	now := time.Now()
	tests := []struct {
		name     string
		method   string
		body     string
		id       string
		at       time.Time
		edit     func(*http.Request)
		wantType string
	}{
		{name: "unsigned", method: "GET", wantType: "MissingAuthenticationTokenException"},
		{name: "skew", method: "GET", id: testRootID, at: now.Add(-16 * time.Minute), wantType: "InvalidSignatureException"},
		{name: "future", method: "GET", id: testRootID, at: now.Add(16 * time.Minute), wantType: "InvalidSignatureException"},
		{name: "tampered body", method: "POST", body: `{"name":"a"}`, id: testRootID, at: now, wantType: "InvalidSignatureException",
			edit: func(r *http.Request) {
				b := `{"name":"b"}`
				r.Body, r.ContentLength = io.NopCloser(strings.NewReader(b)), int64(len(b))
			}},
		{name: "tampered query", method: "GET", id: testRootID, at: now, wantType: "InvalidSignatureException",
			edit: func(r *http.Request) { r.URL.RawQuery = "controlType=Standard" }},
		{name: "date not signed", method: "GET", id: testRootID, at: now, wantType: "IncompleteSignatureException",
			edit: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SignedHeaders=host;x-amz-date", "SignedHeaders=host", 1))
			}},
		{name: "garbage authorization", method: "GET", id: testRootID, at: now, wantType: "IncompleteSignatureException",
			edit: func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 nonsense") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := url
			if tt.method == "POST" {
				u = s.URL + "/controls"
			}
			code, typ, body := raw(t, tt.method, u, tt.body, tt.id, testRootSecret, tt.at, tt.edit)
			if code != 403 || typ != tt.wantType || body["message"] == nil {
				t.Fatalf("got %d %s %v, want 403 %s", code, typ, body, tt.wantType)
			}
			if strings.Contains(fmt.Sprint(body), testRootSecret) {
				t.Fatal("error body reveals the secret")
			}
		})
	}
	// Nothing was created by the refused POST.
	out, err := s.Root().ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCustom})
	if err != nil || len(out.ControlMetadataList) != 0 {
		t.Fatalf("controls after refused requests: %+v, %v", out, err)
	}
	if strings.Contains(s.Stderr.String(), testRootSecret) {
		t.Fatal("the access log reveals the root secret")
	}
}

func TestServeQuotaAndThrottling(t *testing.T) {
	ctx := context.Background()
	s := startServe(t, "--max-custom-controls", "1", "--max-custom-frameworks", "1", "--rate-limit", "8")
	c := s.Root()
	ctl := createControl(t, c, "only one")
	_, err := c.CreateControl(ctx, &am.CreateControlInput{Name: aws.String("two"), ControlMappingSources: manual("m")})
	wantAPIError(t, err, "ServiceQuotaExceededException", 402)
	set := []types.CreateAssessmentFrameworkControlSet{{Name: aws.String("S"), Controls: []types.CreateAssessmentFrameworkControl{{Id: ctl.Id}}}}
	if _, err := c.CreateAssessmentFramework(ctx, &am.CreateAssessmentFrameworkInput{Name: aws.String("f1"), ControlSets: set}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateAssessmentFramework(ctx, &am.CreateAssessmentFrameworkInput{Name: aws.String("f2"), ControlSets: set})
	wantAPIError(t, err, "ServiceQuotaExceededException", 402)

	var throttled error
	for range 20 {
		if _, err := c.RegisterAccount(ctx, &am.RegisterAccountInput{}); err != nil {
			throttled = err
			break
		}
	}
	wantAPIError(t, throttled, "ThrottlingException", 429)
}

func TestServeOperations(t *testing.T) {
	ctx := context.Background()
	s := startServe(t)
	_, err := s.Root().GetOrganizationAdminAccount(ctx, &am.GetOrganizationAdminAccountInput{})
	wantAPIError(t, err, "NotImplementedException", 501)
	if !strings.Contains(err.Error(), "GetOrganizationAdminAccount") {
		t.Fatalf("error %v does not name the operation", err)
	}
	code, typ, body := raw(t, "PATCH", s.URL+"/controls", "", testRootID, testRootSecret, time.Now(), nil)
	if code != 404 || typ != "UnknownOperationException" || body["message"] == nil {
		t.Fatalf("unknown operation: %d %s %v", code, typ, body)
	}
	big := `{"name":"` + strings.Repeat("x", 3<<20) + `"}`
	code, typ, _ = raw(t, "POST", s.URL+"/controls", big, testRootID, testRootSecret, time.Now(), nil)
	if code != 413 || typ != "RequestEntityTooLargeException" {
		t.Fatalf("oversized body: %d %s", code, typ)
	}

	resp, err := http.Get(s.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`probity_api_requests_total{operation="GetOrganizationAdminAccount",status="501"} 1`, `probity_api_request_duration_seconds_bucket{operation="Unknown",status="404"`} {
		if !strings.Contains(string(m), want) {
			t.Fatalf("metrics lack %s", want)
		}
	}
	if log := s.Stderr.String(); !strings.Contains(log, "op=GetOrganizationAdminAccount status=501") {
		t.Fatalf("access log lacks the operation and status:\n%s", log)
	}
}

// TestServeGracefulShutdown stops the server while a request is in flight; the request
// completes and serve exits 0.
func TestServeGracefulShutdown(t *testing.T) {
	s := startServe(t)
	c := s.Root()
	createControl(t, c, "before shutdown")
	// Hold a keep-alive connection with an in-flight request: a large request body sent
	// slowly keeps the handler reading while the server is told to stop.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", s.URL+"/controls", pr)
	body := `{"name":"during shutdown","controlMappingSources":[{"sourceName":"m","sourceType":"MANUAL"}]}`
	sum := sha256.Sum256([]byte(body))
	req.ContentLength = int64(len(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testRootID, SecretAccessKey: testRootSecret},
		req, hex.EncodeToString(sum[:]), "auditmanager", testRegion, time.Now()); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	io.WriteString(pw, body[:10])
	time.Sleep(100 * time.Millisecond) // the server is now reading the body
	stopped := make(chan struct{})
	go func() { s.Stop(t); close(stopped) }()
	time.Sleep(100 * time.Millisecond)
	io.WriteString(pw, body[10:])
	pw.Close()
	if code := <-done; code != 200 {
		t.Fatalf("in-flight request got %d, want 200", code)
	}
	<-stopped
}
