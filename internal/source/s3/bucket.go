// Package s3 is the catalog source of an S3 bucket, or a folder of one:
// s3://BUCKET[/PREFIX]. Changes are learnt from the bucket's event notifications through
// SQS, or by polling.
package s3

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"golang.org/x/sync/errgroup"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/doc"
	"github.com/probity-dev/probity/internal/pipeline"
	"github.com/probity-dev/probity/internal/store"
)

// Options configure a bucket source.
type Options struct {
	Bucket string
	// Prefix is the folder of the catalog in the bucket ("" for the whole bucket); paths
	// are the keys below it.
	Prefix string
	S3     *awss3.Client
	// Queue is the URL of an SQS queue that receives the bucket's event notifications;
	// empty means polling with ListObjectsV2 every Interval.
	Queue    string
	SQS      *sqs.Client
	Interval time.Duration
	// WaitSeconds is the SQS long-poll wait (default 20); VisibilitySeconds how long a
	// received message stays hidden while it is processed (default 300).
	WaitSeconds, VisibilitySeconds int32
	// Fetchers bounds the objects fetched at once (default 16).
	Fetchers int
	Logger   *slog.Logger
}

// Bucket is a bucket, or a folder of one, as a catalog source. Each snapshot lists the
// objects and fetches only those whose ETag changed. Changes are learnt from S3 event
// notifications through SQS, or by polling.
type Bucket struct {
	opt   Options
	mu    sync.Mutex
	cache map[string]pipeline.File // by path; Revision is the ETag
}

var (
	_ pipeline.Source = (*Bucket)(nil)
	_ pipeline.Seeder = (*Bucket)(nil)
)

// New returns the source. It returns an EINVALID error when the bucket or a client is
// missing.
func New(opt Options) (*Bucket, error) {
	if opt.Bucket == "" || opt.S3 == nil || (opt.Queue != "" && opt.SQS == nil) {
		return nil, probity.Errorf(probity.EINVALID, "s3 catalog source: a bucket and clients are required")
	}
	if opt.Prefix != "" && !strings.HasSuffix(opt.Prefix, "/") {
		opt.Prefix += "/"
	}
	if opt.Interval <= 0 {
		opt.Interval = 30 * time.Second
	}
	if opt.WaitSeconds <= 0 {
		opt.WaitSeconds = 20
	}
	if opt.VisibilitySeconds <= 0 {
		opt.VisibilitySeconds = 300
	}
	if opt.Fetchers <= 0 {
		opt.Fetchers = 16
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Bucket{opt: opt, cache: map[string]pipeline.File{}}, nil
}

// Name returns s3://BUCKET, or s3://BUCKET/PREFIX for a folder.
func (s *Bucket) Name() string {
	if s.opt.Prefix == "" {
		return "s3://" + s.opt.Bucket
	}
	return "s3://" + s.opt.Bucket + "/" + strings.TrimSuffix(s.opt.Prefix, "/")
}

// Seed implements pipeline.Seeder: files kept with their ETag are not fetched again.
func (s *Bucket) Seed(files []store.CatalogFile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range files {
		if f.Revision != "" {
			s.cache[f.Path] = pipeline.File{Path: f.Path, Data: f.Data, Revision: f.Revision}
		}
	}
}

// Snapshot implements pipeline.Source.
func (s *Bucket) Snapshot(ctx context.Context) (*pipeline.Snapshot, error) {
	s.mu.Lock()
	cache := s.cache
	s.mu.Unlock()

	var files []pipeline.File
	var fetch []int // indexes into files
	pages := awss3.NewListObjectsV2Paginator(s.opt.S3, &awss3.ListObjectsV2Input{
		Bucket: aws.String(s.opt.Bucket), Prefix: aws.String(s.opt.Prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", s.Name(), err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			path := strings.TrimPrefix(key, s.opt.Prefix)
			if !pipeline.IsCatalogPath(path) {
				continue
			}
			etag := aws.ToString(o.ETag)
			if c, ok := cache[path]; ok && c.Revision == etag {
				files = append(files, c)
				continue
			}
			fetch = append(fetch, len(files))
			files = append(files, pipeline.File{Path: path, Revision: etag})
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opt.Fetchers)
	for _, i := range fetch {
		g.Go(func() error {
			f := &files[i]
			out, err := s.opt.S3.GetObject(gctx, &awss3.GetObjectInput{Bucket: aws.String(s.opt.Bucket), Key: aws.String(s.opt.Prefix + f.Path)})
			if err != nil {
				return fmt.Errorf("get s3://%s/%s%s: %w", s.opt.Bucket, s.opt.Prefix, f.Path, err)
			}
			defer out.Body.Close()
			f.Data, err = io.ReadAll(io.LimitReader(out.Body, doc.MaxFileSize+1))
			if err != nil {
				return fmt.Errorf("get s3://%s/%s%s: %w", s.opt.Bucket, s.opt.Prefix, f.Path, err)
			}
			// The object may have changed since the listing: its own ETag goes with
			// the bytes read.
			f.Revision = aws.ToString(out.ETag)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	next := make(map[string]pipeline.File, len(files))
	for _, f := range files {
		next[f.Path] = f
	}
	s.mu.Lock()
	s.cache = next
	s.mu.Unlock()
	pipeline.SortFiles(files)
	return &pipeline.Snapshot{Files: files}, nil
}

// Watch implements pipeline.Source: with a queue it consumes event notifications, without one
// it polls.
func (s *Bucket) Watch(ctx context.Context, sig *pipeline.Signal) error {
	if s.opt.Queue == "" {
		return pipeline.Poll(ctx, sig, s.opt.Interval)
	}
	for {
		out, err := s.opt.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:            aws.String(s.opt.Queue),
			MaxNumberOfMessages: 10,
			WaitTimeSeconds:     s.opt.WaitSeconds,
			VisibilityTimeout:   s.opt.VisibilitySeconds,
		})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("receive from %s: %w", s.opt.Queue, err)
		}
		sig.Healthy()
		var relevant, other []sqstypes.Message
		for _, m := range out.Messages {
			events, err := parseS3Events(aws.ToString(m.Body))
			if err != nil {
				// Left alone: after the queue's maxReceiveCount it goes to the DLQ.
				s.opt.Logger.Warn("catalog queue message ignored", "queue", s.opt.Queue, "message", aws.ToString(m.MessageId), "err", err)
				continue
			}
			hit := false
			for _, e := range events {
				if e.affects(s.opt.Bucket, s.opt.Prefix) {
					s.opt.Logger.Debug("catalog object event", "event", e.Name, "key", e.Key)
					hit = true
				}
			}
			if hit {
				relevant = append(relevant, m)
			} else {
				other = append(other, m)
			}
		}
		if len(other) > 0 {
			s.deleteMessages(ctx, other)
		}
		if len(relevant) > 0 {
			sig.Changed(func(ctx context.Context, err error) {
				// Only once applied: a failed reconcile leaves the messages to come back,
				// and in the end to the dead-letter queue.
				if err == nil {
					s.deleteMessages(ctx, relevant)
				}
			})
		}
	}
}

// deleteMessages deletes messages in batches of ten. A failure is logged: the message
// comes back and causes one more reconcile, which finds nothing new.
func (s *Bucket) deleteMessages(ctx context.Context, msgs []sqstypes.Message) {
	for len(msgs) > 0 {
		batch := msgs[:min(len(msgs), 10)]
		msgs = msgs[len(batch):]
		entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(batch))
		for i, m := range batch {
			entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle}
		}
		out, err := s.opt.SQS.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(s.opt.Queue), Entries: entries})
		switch {
		case err != nil:
			s.opt.Logger.Warn("delete catalog queue messages", "queue", s.opt.Queue, "err", err)
		case len(out.Failed) > 0:
			s.opt.Logger.Warn("delete catalog queue messages", "queue", s.opt.Queue, "failed", len(out.Failed))
		}
	}
}
