package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"
)

// TestS3PathStyle checks that --s3-path-style (and $PROBITY_S3_PATH_STYLE) makes the S3
// clients of evidence files and reports address ENDPOINT/BUCKET/KEY. The endpoint is a
// local server that records what it is asked: virtual-hosted addressing would put the
// bucket in the host name instead, which no S3-compatible store at an IP address serves.
func TestS3PathStyle(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Host+" "+r.URL.Path)
		mu.Unlock()
	}))
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")

	for _, tc := range []struct {
		name string
		env  string
		args []string
		want bool
	}{
		{"default", "", nil, false},
		{"flag", "", []string{"--s3-path-style"}, true},
		{"environment", "true", nil, true},
		{"environment 1", "1", nil, true},
		{"flag overrides environment", "yes", []string{"--s3-path-style=false"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := Env{Getenv: func(k string) string {
				if k == "PROBITY_S3_PATH_STYLE" {
					return tc.env
				}
				return ""
			}}
			var b blobOptions
			cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
			blobsFlag(cmd, env, &b)
			if err := cmd.ParseFlags(tc.args); err != nil {
				t.Fatal(err)
			}
			if b.pathStyle != tc.want {
				t.Fatalf("pathStyle = %v, want %v", b.pathStyle, tc.want)
			}
			if !tc.want {
				return
			}
			client, err := b.s3Client(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			paths = nil
			mu.Unlock()
			if _, err := client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("evidence"), Key: aws.String("k/1"), Body: strings.NewReader("x")}); err != nil {
				t.Fatal(err)
			}
			host := strings.TrimPrefix(srv.URL, "http://")
			mu.Lock()
			defer mu.Unlock()
			if len(paths) != 1 || paths[0] != host+" /evidence/k/1" {
				t.Fatalf("requests %q, want one to %s /evidence/k/1", paths, host)
			}
		})
	}
}
