package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
)

// TestServeWithDirectoryCatalog runs serve with a watched directory: a file written
// after start shows up through the API, /healthz reports the source, and the outcome is
// in ListNotifications.
func TestServeWithDirectoryCatalog(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "controls"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, "--catalog", dir, "--region", "eu-west-1", "--account-id", "123456789012")
	c := am.New(am.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(s.URL), RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: testRootID, SecretAccessKey: testRootSecret}, nil
		}),
	})
	control := "name: From the directory\ndatasources:\n  - sourceName: Config\n    sourceType: AWS_Config\n    sourceKeyword: {keywordInputType: SELECT_FROM_LIST, keywordValue: S3_BUCKET_VERSIONING_ENABLED}\n"
	if err := os.WriteFile(filepath.Join(dir, "controls", "c.yaml"), []byte(control), 0o644); err != nil {
		t.Fatal(err)
	}
	var found *types.ControlMetadata
	for deadline := time.Now().Add(20 * time.Second); found == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		out, err := c.ListControls(ctx, &am.ListControlsInput{ControlType: types.ControlTypeCustom})
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range out.ControlMetadataList {
			if aws.ToString(m.Name) == "From the directory" {
				found = &out.ControlMetadataList[i]
			}
		}
	}
	if found == nil {
		t.Fatalf("the control written to the catalog directory never appeared:\n%s", s.Stderr)
	}
	if arn := aws.ToString(found.Arn); !strings.HasPrefix(arn, "arn:aws:auditmanager:eu-west-1:123456789012:control/") {
		t.Fatalf("ARN %q does not carry the served region and account", arn)
	}

	resp, err := http.Get(s.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz = %d %s", resp.StatusCode, body)
	}

	notes, err := c.ListNotifications(ctx, &am.ListNotificationsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(notes.Notifications) == 0 || !strings.Contains(aws.ToString(notes.Notifications[0].Description), "From the directory") {
		t.Fatalf("ListNotifications = %+v", notes.Notifications)
	}
}

func TestServePipelineFlags(t *testing.T) {
	code, _, errOut := cli(t, nil, "serve", "--listen", "127.0.0.1:0", "--db", "sqlite:"+filepath.Join(t.TempDir(), "x.db"), "--notify", "webhook:http://127.0.0.1:1/")
	if code != ExitUsage || !strings.Contains(errOut, "need at least one --catalog source") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = cli(t, nil, "serve", "--listen", "127.0.0.1:0", "--db", "sqlite:"+filepath.Join(t.TempDir(), "x.db"), "--catalog", t.TempDir(), "--notify", "pigeon:coop")
	if code != ExitUsage || !strings.Contains(errOut, "pigeon") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	// Targets from the environment are checked like flags.
	env := map[string]string{"PROBITY_CATALOG": t.TempDir(), "PROBITY_NOTIFY": "webhook:http://127.0.0.1:1/ carrier:pigeon"}
	code, _, errOut = cli(t, env, "serve", "--listen", "127.0.0.1:0", "--db", "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	if code != ExitUsage || !strings.Contains(errOut, "carrier") {
		t.Fatalf("PROBITY_NOTIFY: exit %d, stderr %q", code, errOut)
	}
}

// TestServeHealthzHidesDetails runs serve with a catalog source that cannot be read:
// /healthz answers 503 without saying which source or why, while the API still serves.
func TestServeHealthzHidesDetails(t *testing.T) {
	missing := "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "secret-repository.git"))
	s := startServe(t, "--catalog", missing)
	resp, err := http.Get(s.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || string(body) != "unavailable\n" {
		t.Fatalf("/healthz = %d %q; want 503 \"unavailable\" without details", resp.StatusCode, body)
	}
	if _, err := s.Root().ListControls(context.Background(), &am.ListControlsInput{ControlType: types.ControlTypeCustom}); err != nil {
		t.Fatalf("the API does not serve while the catalog is down: %v", err)
	}
}
