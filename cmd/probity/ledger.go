package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

// blobOptions say where evidence files live and how S3 is addressed.
type blobOptions struct {
	// url is --blobs: a directory or s3://BUCKET/PREFIX; empty means the default.
	url string
	// pathStyle is --s3-path-style: address S3 as ENDPOINT/BUCKET/KEY, as S3-compatible
	// stores (MinIO, Ceph) need. It applies to every S3 call evidence and reports make.
	pathStyle bool
}

// blobsFlag adds --blobs and --s3-path-style to cmd, read into p. The path style
// defaults to $PROBITY_S3_PATH_STYLE (true, 1 or yes turn it on).
func blobsFlag(cmd *cobra.Command, env Env, p *blobOptions) {
	cmd.Flags().StringVar(&p.url, "blobs", "", "blob store of evidence files: a directory or s3://BUCKET/PREFIX (default $PROBITY_BLOBS, else DB.blobs next to a SQLite library)")
	def := false
	switch strings.ToLower(env.Getenv("PROBITY_S3_PATH_STYLE")) {
	case "1", "true", "yes":
		def = true
	}
	cmd.Flags().BoolVar(&p.pathStyle, "s3-path-style", def, "address S3 as ENDPOINT/BUCKET/KEY for evidence files, manual evidence and reports, as S3-compatible stores need (default $PROBITY_S3_PATH_STYLE)")
}

// s3Options returns the AWS options of S3 clients for evidence files and reports.
func (b blobOptions) s3Options() awsconf.Options { return awsconf.Options{PathStyle: b.pathStyle} }

// s3Client returns an S3 client with the standard AWS configuration, addressed as b says.
func (b blobOptions) s3Client(ctx context.Context) (*s3.Client, error) {
	o := b.s3Options()
	cfg, err := awsconf.Load(ctx, o)
	if err != nil {
		return nil, err
	}
	return s3.NewFromConfig(cfg, o.S3Options), nil
}

// openLedger returns the evidence ledger on st, its checkpoints signed with a key sealed
// by box, and its files in the blob store that blobs names: a directory, or
// s3://BUCKET/PREFIX reached with the standard AWS configuration. Without blobs it uses
// $PROBITY_BLOBS, else the directory DB.blobs next to a SQLite library; on PostgreSQL
// without either, the ledger has no blob store (evidence without files only).
func openLedger(ctx context.Context, env Env, db dbSpec, st store.Store, box *secret.Box, b blobOptions, log *slog.Logger) (*evidence.Ledger, error) {
	l := evidence.New(st, box)
	blobs := b.url
	if log != nil {
		l.Log = log.With("component", "ledger")
	}
	if blobs == "" {
		blobs = env.Getenv("PROBITY_BLOBS")
	}
	if blobs == "" && strings.HasPrefix(db.URL, "sqlite:") {
		blobs = strings.TrimPrefix(db.URL, "sqlite:") + ".blobs"
	}
	switch {
	case blobs == "":
		if log != nil {
			log.Warn("no blob store (--blobs or PROBITY_BLOBS): manual evidence and evidence files are refused")
		}
	case strings.HasPrefix(blobs, "s3://"):
		bucket, prefix, err := evidence.ParseBucketURL(blobs)
		if err != nil {
			return nil, exitWith(ExitUsage, err)
		}
		client, err := b.s3Client(ctx)
		if err != nil {
			return nil, fmt.Errorf("blob store %s: %w", blobs, err)
		}
		l.Blobs = &evidence.Bucket{S3: client, Name: bucket, Prefix: prefix}
	default:
		l.Blobs = evidence.Dir(blobs)
	}
	return l, nil
}

// objects returns the reader of the S3 objects manual evidence names, addressed as b says.
func (b blobOptions) objects() *evidence.S3Objects {
	o := b.s3Options()
	return &evidence.S3Objects{
		Config:  func(ctx context.Context) (aws.Config, error) { return awsconf.Load(ctx, o) },
		Options: o.S3Options,
	}
}
