package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/probity-dev/probity"
)

// Destination is where reports are kept: an assessment's reports destination. Names are
// destination-relative slash-separated paths ("REPORT-ID/NAME.zip"), never absolute and
// never with "..".
type Destination interface {
	// Create returns a writer for a new object; the object exists, whole, once Close
	// returns nil. A Close error means nothing usable was kept.
	Create(ctx context.Context, name string) (io.WriteCloser, error)
	// Open returns the object's bytes, its size, and a ReaderAt for Verify, or an
	// ENOTFOUND error.
	Open(ctx context.Context, name string) (Object, error)
	// Delete removes the object; a missing object is not an error.
	Delete(ctx context.Context, name string) error
	// URL returns a link to download the object until the time expires, for an S3
	// destination (presigned GET); "" and no error for a local one, whose files the server
	// serves itself.
	URL(ctx context.Context, name string, expires time.Duration) (string, error)
}

// Object is a stored report, open for reading.
type Object interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

// checkName returns an EINVALID error unless name is a clean relative path.
func checkName(name string) error {
	if name == "" || strings.HasPrefix(name, "/") || !fs.ValidPath(name) {
		return probity.Errorf(probity.EINVALID, "report path %q must be a relative path without ..", name)
	}
	return nil
}

// Dir is a Destination in a local directory.
type Dir string

var _ Destination = Dir("")

// Create implements Destination: the bytes go to a temporary file renamed into place on
// Close.
func (d Dir) Create(ctx context.Context, name string) (io.WriteCloser, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	p := filepath.Join(string(d), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, fmt.Errorf("report destination: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".report-*")
	if err != nil {
		return nil, fmt.Errorf("report destination: %w", err)
	}
	return &dirFile{File: f, final: p}, nil
}

type dirFile struct {
	*os.File
	final string
}

func (f *dirFile) Close() error {
	err := f.File.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.File.Name(), f.final)
	}
	if err != nil {
		os.Remove(f.File.Name())
		return fmt.Errorf("report destination: %w", err)
	}
	return nil
}

// Open implements Destination.
func (d Dir) Open(ctx context.Context, name string) (Object, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(string(d), filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, probity.NotFound("report", name)
	} else if err != nil {
		return nil, fmt.Errorf("report destination: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("report destination: %w", err)
	}
	return fileObject{f, st.Size()}, nil
}

type fileObject struct {
	*os.File
	size int64
}

func (o fileObject) Size() int64 { return o.size }

// Delete implements Destination.
func (d Dir) Delete(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	err := os.Remove(filepath.Join(string(d), filepath.FromSlash(name)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("report destination: %w", err)
	}
	return nil
}

// URL implements Destination: a local directory has none.
func (d Dir) URL(ctx context.Context, name string, expires time.Duration) (string, error) {
	return "", checkName(name)
}

// Bucket is a Destination in S3 (s3://BUCKET/PREFIX): the object NAME is PREFIX/NAME.
type Bucket struct {
	S3     *s3.Client
	Name   string
	Prefix string // without a trailing slash; may be empty
	// TempDir holds the objects spooled on their way to and from S3; empty for the
	// system's.
	TempDir string
}

var _ Destination = (*Bucket)(nil)

func (b *Bucket) key(name string) string {
	if b.Prefix == "" {
		return name
	}
	return b.Prefix + "/" + name
}

// Create implements Destination: the zip is spooled to a temporary file, then put whole
// (S3 wants the length) on Close.
func (b *Bucket) Create(ctx context.Context, name string) (io.WriteCloser, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(b.TempDir, "probity-report-*")
	if err != nil {
		return nil, fmt.Errorf("report destination: %w", err)
	}
	return &bucketFile{File: f, ctx: ctx, b: b, key: b.key(name)}, nil
}

type bucketFile struct {
	*os.File
	ctx context.Context
	b   *Bucket
	key string
}

func (f *bucketFile) Close() error {
	defer os.Remove(f.File.Name())
	defer f.File.Close()
	n, err := f.File.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = f.File.Seek(0, io.SeekStart)
	}
	if err == nil {
		_, err = f.b.S3.PutObject(f.ctx, &s3.PutObjectInput{Bucket: aws.String(f.b.Name), Key: aws.String(f.key),
			Body: f.File, ContentLength: aws.Int64(n), ContentType: aws.String("application/zip")})
	}
	if err != nil {
		return f.b.fail("put", f.key, err)
	}
	return nil
}

// Open implements Destination: the object is downloaded to a temporary file, removed on
// Close.
func (b *Bucket) Open(ctx context.Context, name string) (Object, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	out, err := b.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(b.key(name))})
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound") {
			return nil, probity.NotFound("report", name)
		}
		return nil, b.fail("get", b.key(name), err)
	}
	defer out.Body.Close()
	f, err := os.CreateTemp(b.TempDir, "probity-report-*")
	if err != nil {
		return nil, fmt.Errorf("report destination: %w", err)
	}
	os.Remove(f.Name()) // the open file stays readable until closed
	n, err := io.Copy(f, out.Body)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("report destination: get %s: %w", b.key(name), err)
	}
	return fileObject{f, n}, nil
}

// Delete implements Destination.
func (b *Bucket) Delete(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	_, err := b.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.Name), Key: aws.String(b.key(name))})
	if err != nil {
		return b.fail("delete", b.key(name), err)
	}
	return nil
}

// fail returns the error of an S3 call on the key, saying what to fix when S3 answered
// (so that a report's FAILED reason is useful): an ENOTFOUND error when the bucket does
// not exist, an EINVALID error naming the bucket, the operation and S3's error code for
// any other refusal (access denied, another region, a KMS key it may not use...). Errors
// without an answer from S3 (the network) are err wrapped with the operation.
func (b *Bucket) fail(op, key string, err error) error {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return fmt.Errorf("report destination: %s %s: %w", op, key, err)
	}
	code := api.ErrorCode()
	switch code {
	case "NoSuchBucket":
		return probity.Errorf(probity.ENOTFOUND, "The reports destination bucket %q does not exist.", b.Name)
	case "AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken":
		return probity.Errorf(probity.EINVALID, "The reports destination bucket %q refused to %s %s (%s): Probity's AWS credentials need s3:%s on it.",
			b.Name, op, key, code, s3Action[op])
	case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
		return probity.Errorf(probity.EINVALID, "The reports destination bucket %q is in another region than Probity's AWS configuration (%s).", b.Name, code)
	}
	return probity.Errorf(probity.EINVALID, "The reports destination bucket %q refused to %s %s: %s.", b.Name, op, key, code)
}

// s3Action is the IAM action of each operation fail names.
var s3Action = map[string]string{"put": "PutObject", "get": "GetObject", "delete": "DeleteObject"}

// URL implements Destination: a presigned GET valid for expires.
func (b *Bucket) URL(ctx context.Context, name string, expires time.Duration) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	req, err := s3.NewPresignClient(b.S3).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(b.key(name))},
		s3.WithPresignExpires(expires))
	if err != nil {
		return "", fmt.Errorf("report destination: presign %s: %w", b.key(name), err)
	}
	return req.URL, nil
}
