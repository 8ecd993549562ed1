package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/evidence"
	"github.com/probity-dev/probity/internal/secret"
	"github.com/probity-dev/probity/internal/store"
)

// blobsFlag adds --blobs to cmd, read into p.
func blobsFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "blobs", "", "blob store of evidence files: a directory or s3://BUCKET/PREFIX (default $PROBITY_BLOBS, else DB.blobs next to a SQLite library)")
}

// openLedger returns the evidence ledger on st, its checkpoints signed with a key sealed
// by box, and its files in the blob store that blobs names: a directory, or
// s3://BUCKET/PREFIX reached with the standard AWS configuration. Without blobs it uses
// $PROBITY_BLOBS, else the directory DB.blobs next to a SQLite library; on PostgreSQL
// without either, the ledger has no blob store (evidence without files only).
func openLedger(ctx context.Context, env Env, db dbSpec, st store.Store, box *secret.Box, blobs string, log *slog.Logger) (*evidence.Ledger, error) {
	l := evidence.New(st, box)
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
		o := awsconf.Options{}
		cfg, err := awsconf.Load(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("blob store %s: %w", blobs, err)
		}
		l.Blobs = &evidence.Bucket{S3: s3.NewFromConfig(cfg, o.S3Options), Name: bucket, Prefix: prefix}
	default:
		l.Blobs = evidence.Dir(blobs)
	}
	return l, nil
}
