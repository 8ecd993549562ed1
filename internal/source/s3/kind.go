package s3

import (
	"context"
	"net/url"
	"strings"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/pipeline"
	"github.com/probity-dev/probity/internal/redact"
)

// usage is the form of a spec.
const usage = "s3://BUCKET[/PREFIX]"

// Kind returns the kind of catalog source s3://BUCKET[/PREFIX]. The clients use the AWS
// configuration of env.LoadAWSConfig, with path-style addressing when env.PathStyle is
// set; with env.Queue the bucket's events are read from that SQS queue, which needs
// exactly one s3 source, else the bucket is polled every env.Interval.
func Kind() pipeline.SourceKind {
	return pipeline.SourceKind{Schemes: []string{"s3"}, Usage: usage, Validate: validate, Open: open}
}

// validate returns an EINVALID error when a queue is given without exactly one bucket.
func validate(specs []string, env pipeline.SourceEnv) error {
	if env.Queue != "" && len(specs) != 1 {
		return probity.Errorf(probity.EINVALID, "a catalog queue needs exactly one s3:// catalog source, not %d", len(specs))
	}
	return nil
}

// open returns the source of spec. It returns an EINVALID error for a malformed spec and
// an error when the AWS configuration cannot be loaded.
func open(ctx context.Context, spec string, env pipeline.SourceEnv) (pipeline.Source, error) {
	u, err := url.Parse(spec)
	if err != nil || u.Host == "" || u.RawQuery != "" {
		return nil, probity.Errorf(probity.EINVALID, "catalog source %q: want %s", redact.URL(spec), usage)
	}
	cfg, err := env.LoadAWSConfig(ctx)
	if err != nil {
		return nil, err
	}
	opt := Options{
		Bucket: u.Host, Prefix: strings.TrimPrefix(u.Path, "/"), Interval: env.Interval, Logger: env.Logger,
		S3:    awss3.NewFromConfig(cfg, awsconf.Options{PathStyle: env.PathStyle}.S3Options),
		Queue: env.Queue, WaitSeconds: env.WaitSeconds,
	}
	if opt.Queue != "" {
		opt.SQS = sqs.NewFromConfig(cfg)
	}
	b, err := New(opt)
	if err != nil {
		return nil, err
	}
	return b, nil
}
