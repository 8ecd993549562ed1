// Package awsconf builds the aws.Config of every AWS client Probity makes, in one
// place: the SDK's default chain with Probity's overrides (Load, Options), S3's
// addressing (Options.S3Options), and configurations for other accounts reached
// through an assumed role (Role.ForAccount).
package awsconf

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/probity-dev/probity"
)

// Options are Probity's overrides of the SDK's configuration chain. The zero Options
// keep the chain as it is.
type Options struct {
	// Region replaces the region of the chain (AWS_REGION, the profile's region, and
	// last the EC2 instance's region from its metadata service).
	Region string
	// Endpoint, an http or https URL, replaces every service's endpoint: for tests
	// and S3-compatible stores. Without it the SDK honours AWS_ENDPOINT_URL and, for
	// one service, AWS_ENDPOINT_URL_<SERVICE> (AWS_ENDPOINT_URL_S3, say); with it,
	// both are ignored.
	Endpoint string
	// PathStyle addresses S3 buckets in the path (ENDPOINT/BUCKET/KEY) instead of the
	// host name, as most S3-compatible stores need. Only S3Options reads it.
	PathStyle bool
	// MaxAttempts replaces the SDK's number of attempts per call (AWS_MAX_ATTEMPTS,
	// 3 by default); tests against an emulator set 1.
	MaxAttempts int
}

// imdsTimeout bounds the wait for the instance metadata service, which off EC2 may
// not answer at all.
const imdsTimeout = 3 * time.Second

// regionPattern is what a region may look like: a DNS label, as the SDK requires.
var regionPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// Validate returns an EINVALID error when Region is not a region name, Endpoint is not
// an absolute http or https URL, or MaxAttempts is negative.
func (o Options) Validate() error {
	if o.Region != "" && !regionPattern.MatchString(o.Region) {
		return probity.Errorf(probity.EINVALID, "AWS region %q: want a region name such as us-east-1", o.Region)
	}
	if o.Endpoint != "" {
		u, err := url.Parse(o.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return probity.Errorf(probity.EINVALID, "AWS endpoint %q: want an http or https URL such as http://127.0.0.1:9000", o.Endpoint)
		}
	}
	if o.MaxAttempts < 0 {
		return probity.Errorf(probity.EINVALID, "AWS max attempts %d: want 0 (the SDK's default) or more", o.MaxAttempts)
	}
	return nil
}

// Load returns the SDK's default configuration (environment, shared config and
// credentials files, container and instance credentials) with o's overrides. When
// neither o nor the chain names a region, it asks the EC2 instance metadata service
// (IMDS) for a few seconds at most. It returns Validate's error for bad options, an
// EINVALID error when no region is found (every Probity client needs one, S3-compatible
// stores included), and the SDK's error when the chain cannot be read (a broken
// profile, say). Credentials are resolved on the first call, not here.
func Load(ctx context.Context, o Options) (aws.Config, error) {
	if err := o.Validate(); err != nil {
		return aws.Config{}, err
	}
	var lo []func(*config.LoadOptions) error
	if o.Region != "" {
		lo = append(lo, config.WithRegion(o.Region))
	}
	if o.Endpoint != "" {
		lo = append(lo, config.WithBaseEndpoint(o.Endpoint))
	}
	if o.MaxAttempts > 0 {
		lo = append(lo, config.WithRetryMaxAttempts(o.MaxAttempts))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		// Not config.WithEC2IMDSRegion: off EC2 it fails the whole load with the
		// metadata service's error instead of saying that the region is missing.
		ictx, cancel := context.WithTimeout(ctx, imdsTimeout)
		out, err := imds.NewFromConfig(cfg).GetRegion(ictx, nil)
		cancel()
		if err != nil {
			return aws.Config{}, probity.Errorf(probity.EINVALID,
				"no AWS region: set AWS_REGION or a profile's region (the EC2 instance metadata service gave none: %v)", err)
		}
		cfg.Region = out.Region
	}
	if !regionPattern.MatchString(cfg.Region) {
		return aws.Config{}, probity.Errorf(probity.EINVALID, "AWS region %q: want a region name such as us-east-1", cfg.Region)
	}
	return cfg, nil
}

// S3Options sets S3's addressing from o, for s3.NewFromConfig(cfg, o.S3Options).
func (o Options) S3Options(so *s3.Options) {
	so.UsePathStyle = o.PathStyle
}
