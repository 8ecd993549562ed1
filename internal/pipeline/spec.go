package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/redact"
)

// SourceOptions are the settings that sources named by strings share.
type SourceOptions struct {
	// Interval is the poll period of git sources and of s3 sources without a queue.
	Interval time.Duration
	// Queue is the SQS queue URL of the one s3 source, when it has one.
	Queue string
	// PathStyle addresses S3 as ENDPOINT/BUCKET/KEY, as many S3-compatible stores need.
	PathStyle bool
	// AWSConfig loads the AWS configuration; nil means the standard chain (AWS_REGION,
	// credentials, AWS_ENDPOINT_URL, ...). Called only when an s3 source is named.
	AWSConfig func(ctx context.Context) (aws.Config, error)
	// WaitSeconds is the SQS long-poll wait (default 20).
	WaitSeconds int32
	Logger      *slog.Logger
}

// OpenSources returns a source for each spec:
//
//	s3://BUCKET[/PREFIX]             an S3 bucket (SQS events with opt.Queue, else polling)
//	https://..., ssh://..., file://...[#BRANCH]   a git repository, polled
//	PATH                             a local directory, watched
//
// It returns an EINVALID error for a malformed spec, for a queue without exactly one s3
// source, and an error when the AWS configuration cannot be loaded.
func OpenSources(ctx context.Context, specs []string, opt SourceOptions) ([]Source, error) {
	if opt.Interval <= 0 {
		opt.Interval = 30 * time.Second
	}
	nS3 := 0
	for _, s := range specs {
		if strings.HasPrefix(s, "s3://") {
			nS3++
		}
	}
	if opt.Queue != "" && nS3 != 1 {
		return nil, invalidf("a catalog queue needs exactly one s3:// catalog source, not %d", nS3)
	}
	var cfg *aws.Config
	var out []Source
	for _, spec := range specs {
		switch {
		case strings.HasPrefix(spec, "s3://"):
			u, err := url.Parse(spec)
			if err != nil || u.Host == "" || u.RawQuery != "" {
				return nil, invalidf("catalog source %q: want s3://BUCKET[/PREFIX]", redact.URL(spec))
			}
			if cfg == nil {
				load := opt.AWSConfig
				if load == nil {
					load = func(ctx context.Context) (aws.Config, error) { return awsconf.Load(ctx, awsconf.Options{}) }
				}
				c, err := load(ctx)
				if err != nil {
					return nil, fmt.Errorf("load AWS configuration: %w", err)
				}
				cfg = &c
			}
			so := S3Options{
				Bucket: u.Host, Prefix: strings.TrimPrefix(u.Path, "/"), Interval: opt.Interval, Logger: opt.Logger,
				S3:    s3.NewFromConfig(*cfg, awsconf.Options{PathStyle: opt.PathStyle}.S3Options),
				Queue: opt.Queue, WaitSeconds: opt.WaitSeconds,
			}
			if so.Queue != "" {
				so.SQS = sqs.NewFromConfig(*cfg)
			}
			src, err := NewS3(so)
			if err != nil {
				return nil, err
			}
			out = append(out, src)
		case strings.HasPrefix(spec, "https://"), strings.HasPrefix(spec, "http://"),
			strings.HasPrefix(spec, "ssh://"), strings.HasPrefix(spec, "file://"):
			src, err := NewGit(spec, opt.Interval)
			if err != nil {
				return nil, err
			}
			out = append(out, src)
		case strings.Contains(spec, "://"):
			return nil, invalidf("catalog source %q: unknown kind; use s3://BUCKET[/PREFIX], a git URL (https://, ssh://, file://) or a directory", redact.URL(spec))
		default:
			src, err := NewDir(spec)
			if err != nil {
				return nil, err
			}
			out = append(out, src)
		}
	}
	return out, nil
}
