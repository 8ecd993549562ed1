package evidence_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/mototest"
)

// TestBlobStores runs the same contract on a directory and on an S3 bucket (moto).
func TestBlobStores(t *testing.T) {
	stores := map[string]func(t *testing.T) evidence.Blobs{
		"dir": func(t *testing.T) evidence.Blobs { return evidence.Dir(t.TempDir()) },
		"s3": func(t *testing.T) evidence.Blobs {
			m := mototest.Start(t)
			client := s3.NewFromConfig(m.Config(), func(o *s3.Options) { o.UsePathStyle = true })
			if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("evidence")}); err != nil {
				t.Fatal(err)
			}
			bucket, prefix, err := evidence.ParseBucketURL("s3://evidence/blobs/")
			if err != nil {
				t.Fatal(err)
			}
			return &evidence.Bucket{S3: client, Name: bucket, Prefix: prefix}
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			b := open(t)
			content := strings.Repeat("evidence file ", 1000)
			sum := sha256.Sum256([]byte(content))
			for range 2 { // storing the same bytes again changes nothing
				d, n, err := b.Put(ctx, strings.NewReader(content))
				if err != nil || d != hex.EncodeToString(sum[:]) || n != int64(len(content)) {
					t.Fatalf("Put = %s, %d, %v", d, n, err)
				}
			}
			r, err := b.Open(ctx, hex.EncodeToString(sum[:]))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(r)
			r.Close()
			if string(got) != content {
				t.Fatalf("Open read %d bytes, want the %d stored", len(got), len(content))
			}
			for _, d := range []string{strings.Repeat("0", 64), "../../etc/passwd", ""} {
				if _, err := b.Open(ctx, d); probity.ErrorCode(err) != probity.ENOTFOUND {
					t.Errorf("Open(%q) = %v, want not found", d, err)
				}
			}
		})
	}
	if _, _, err := evidence.ParseBucketURL("https://x"); probity.ErrorCode(err) != probity.EINVALID {
		t.Errorf("ParseBucketURL(https://x) = %v, want invalid", err)
	}
}
