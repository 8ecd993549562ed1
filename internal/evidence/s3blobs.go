package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/probity-dev/probity"
)

// Bucket is a Blobs in an S3 bucket (s3://BUCKET/PREFIX): the blob with digest D is the
// object PREFIX/D. S3 writes an object whole or not at all.
type Bucket struct {
	S3     *s3.Client
	Name   string
	Prefix string // without a trailing slash; may be empty
}

var _ Blobs = (*Bucket)(nil)

// ParseBucketURL returns the bucket and prefix of s3://BUCKET/PREFIX, or an EINVALID error.
func ParseBucketURL(u string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	bucket, prefix, _ = strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return "", "", probity.Errorf(probity.EINVALID, "blob store %q: must be s3://BUCKET/PREFIX", u)
	}
	return bucket, strings.Trim(prefix, "/"), nil
}

func (b *Bucket) key(digest string) string {
	if b.Prefix == "" {
		return digest
	}
	return b.Prefix + "/" + digest
}

// Put implements Blobs. The bytes are spooled to a temporary file first: their digest
// names the object, and S3 needs their length.
func (b *Bucket) Put(ctx context.Context, r io.Reader) (string, int64, error) {
	tmp, err := os.CreateTemp("", "probity-blob-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", 0, fmt.Errorf("blob store: %w", err)
	}
	digest := hex.EncodeToString(h.Sum(nil))
	_, err = b.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.Name), Key: aws.String(b.key(digest)),
		Body: tmp, ContentLength: aws.Int64(n)})
	if err != nil {
		return "", 0, fmt.Errorf("blob store: put %s: %w", digest, err)
	}
	return digest, n, nil
}

// Open implements Blobs.
func (b *Bucket) Open(ctx context.Context, digest string) (io.ReadCloser, error) {
	if !probity.IsSHA256Hex(digest) {
		return nil, probity.NotFound("blob", digest)
	}
	out, err := b.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(b.key(digest))})
	var nsk *types.NoSuchKey
	var api smithy.APIError
	if errors.As(err, &nsk) || errors.As(err, &api) && api.ErrorCode() == "NotFound" {
		return nil, probity.NotFound("blob", digest)
	}
	if err != nil {
		return nil, fmt.Errorf("blob store: get %s: %w", digest, err)
	}
	return out.Body, nil
}
