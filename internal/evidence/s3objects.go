package evidence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/probity-dev/probity"
)

// S3Objects reads the S3 objects that manual evidence names (s3ResourcePath), with the
// AWS configuration Config loads on first use (internal/awsconf's, in serve).
type S3Objects struct {
	// Config returns the AWS configuration; it is called once, on the first read.
	Config func(ctx context.Context) (aws.Config, error)
	// Options adjusts the S3 client (path-style addressing for emulators); may be nil.
	Options func(*s3.Options)

	mu     sync.Mutex
	client *s3.Client
}

func (o *S3Objects) s3(ctx context.Context) (*s3.Client, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.client != nil {
		return o.client, nil
	}
	cfg, err := o.Config(ctx)
	if err != nil {
		return nil, err
	}
	var opts []func(*s3.Options)
	if o.Options != nil {
		opts = append(opts, o.Options)
	}
	o.client = s3.NewFromConfig(cfg, opts...)
	return o.client, nil
}

// ReadObject returns the object's bytes. A missing bucket or key is an ENOTFOUND error,
// a refusal (AccessDenied) EUNAUTHORIZED, any other failure an EINVALID error naming the
// object and S3's error code.
func (o *S3Objects) ReadObject(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	c, err := o.s3(ctx)
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		return out.Body, nil
	}
	url := "s3://" + bucket + "/" + key
	var api smithy.APIError
	if !errors.As(err, &api) {
		return nil, probity.Errorf(probity.EINVALID, "%s could not be read: %v", url, err)
	}
	switch api.ErrorCode() {
	case "NoSuchKey", "NoSuchBucket", "NotFound":
		return nil, probity.NotFound("s3Object", url)
	case "AccessDenied", "Forbidden":
		return nil, probity.Errorf(probity.EUNAUTHORIZED, "Probity may not read %s (S3 says %s).", url, api.ErrorCode())
	}
	return nil, probity.Errorf(probity.EINVALID, "%s could not be read: S3 says %s.", url, api.ErrorCode())
}
