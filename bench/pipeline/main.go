// Command pipeline measures the catalog pipeline against moto's S3/SQS emulator
// (moto_server must be installed):
//
//	go run ./bench/pipeline [-uploads 200] [-interval 1s] [-burst 10000] [-event-burst 1000]
//
// It reports, as a Markdown table, the latency from an S3 upload to the control being
// readable in the library (what the API serves), p50 and p99 over -uploads sequential
// uploads, once with SQS event notifications and once polling every -interval; and the
// time to bring -burst files, uploaded before the pipeline starts, into the library (the
// log line "catalog reconciled ... took=" on stderr is the reconcile alone, without
// listing and fetching the objects); and the time to bring -event-burst files, uploaded
// at once while the pipeline runs with SQS events, into the library, with the number of
// reconciles they caused.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/catalog/catalogtest"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/pipeline"
	s3source "github.com/probity-dev/probity/internal/source/s3"
	"github.com/probity-dev/probity/internal/store/sqlite"
	"github.com/probity-dev/probity/internal/store/sqlstore"
)

func main() {
	uploads := flag.Int("uploads", 200, "sequential uploads per latency run")
	interval := flag.Duration("interval", time.Second, "poll interval of the polling run")
	burst := flag.Int("burst", 10000, "files in the burst run")
	eventBurst := flag.Int("event-burst", 1000, "files in the burst uploaded while the pipeline runs with SQS events")
	flag.Parse()
	if err := run(*uploads, *interval, *burst, *eventBurst); err != nil {
		log.Fatal(err)
	}
}

func run(uploads int, interval time.Duration, burst, eventBurst int) error {
	m, err := mototest.StartProcess()
	if err != nil {
		return err
	}
	defer m.Stop()
	fmt.Println("| measurement | p50 | p99 | max |")
	fmt.Println("|---|---|---|---|")
	for _, polling := range []bool{false, true} {
		if uploads == 0 {
			break
		}
		lat, err := latency(m, uploads, polling, interval)
		if err != nil {
			return err
		}
		name := "upload to visible, SQS events"
		if polling {
			name = fmt.Sprintf("upload to visible, polling every %s", interval)
		}
		fmt.Printf("| %s (%d uploads) | %s | %s | %s |\n", name, uploads, pct(lat, 50), pct(lat, 99), lat[len(lat)-1].Round(time.Millisecond))
	}
	took, upload, err := burstRun(m, burst)
	if err != nil {
		return err
	}
	fmt.Printf("| %d files uploaded in a burst (upload to moto: %s), pipeline start to all visible | %s | | |\n", burst, upload.Round(time.Second), took.Round(time.Millisecond))
	if eventBurst > 0 {
		took, reconciles, err := eventBurstRun(m, eventBurst)
		if err != nil {
			return err
		}
		fmt.Printf("| %d files uploaded at once with SQS events, first upload to all visible (%v reconciles) | %s | | |\n", eventBurst, reconciles, took.Round(time.Millisecond))
	}
	return nil
}

// eventBurstRun uploads n files, 16 at a time, while the pipeline runs with SQS events,
// and returns the time from the first upload until all are visible and the queue is
// drained, and how many reconciles applied them.
func eventBurstRun(m *mototest.Server, n int) (time.Duration, float64, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, err := setUp(ctx, m, true)
	if err != nil {
		return 0, 0, err
	}
	defer e.db.Close()
	reg := prometheus.NewRegistry()
	p, err := e.startWith(ctx, m, time.Hour, false, reg)
	if err != nil {
		return 0, 0, err
	}
	defer p.Wait(context.Background())
	defer cancel()
	for p.Health() != nil { // the first reconcile of the empty bucket is not counted
		time.Sleep(10 * time.Millisecond)
	}
	before := reconciles(reg)
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for i := range n {
		g.Go(func() error {
			_, err := e.s3.PutObject(gctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("controls/c%05d.yaml", i)),
				Body: strings.NewReader(string(catalogtest.Control(i, "event-burst")))})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return 0, 0, err
	}
	if err := e.visible(ctx, n, 30*time.Minute); err != nil {
		return 0, 0, err
	}
	for {
		out, err := e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(e.queue),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
		if err != nil {
			return 0, 0, err
		}
		if out.Attributes["ApproximateNumberOfMessages"] == "0" && out.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start), reconciles(reg) - before, nil
}

// reconciles sums probity_catalog_reconciles_total.
func reconciles(g prometheus.Gatherer) float64 {
	mfs, _ := g.Gather()
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == "probity_catalog_reconciles_total" {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

func pct(d []time.Duration, p int) time.Duration {
	return d[min(len(d)-1, len(d)*p/100)].Round(time.Millisecond)
}

type env struct {
	s3    *s3.Client
	sqs   *sqs.Client
	queue string
	db    *sqlstore.DB
}

// setUp makes a fresh bucket (with events to a queue when events is set) and library.
func setUp(ctx context.Context, m *mototest.Server, events bool) (*env, error) {
	if err := reset(m.URL); err != nil {
		return nil, err
	}
	cfg := m.Config()
	e := &env{s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), sqs: sqs.NewFromConfig(cfg)}
	if _, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		return nil, err
	}
	if events {
		q, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench-events")})
		if err != nil {
			return nil, err
		}
		e.queue = aws.ToString(q.QueueUrl)
		attrs, err := e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			return nil, err
		}
		_, err = e.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
			Bucket: aws.String("bench"),
			NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
				QueueArn: aws.String(attrs.Attributes["QueueArn"]), Events: []s3types.Event{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"},
			}}},
		})
		if err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "probity-bench-")
	if err != nil {
		return nil, err
	}
	e.db, err = sqlite.Open(ctx, filepath.Join(dir, "probity.db"))
	return e, err
}

// start runs the pipeline; its log (warnings, and each reconcile with how long it took
// when verbose) goes to stderr.
func (e *env) start(ctx context.Context, m *mototest.Server, interval time.Duration, verbose bool) (*pipeline.Pipeline, error) {
	return e.startWith(ctx, m, interval, verbose, nil)
}

// startWith is start with the pipeline's metrics registered with reg (nil: nowhere).
func (e *env) startWith(ctx context.Context, m *mototest.Server, interval time.Duration, verbose bool, reg prometheus.Registerer) (*pipeline.Pipeline, error) {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	kinds, err := pipeline.NewSourceRegistry([]pipeline.SourceKind{s3source.Kind()})
	if err != nil {
		return nil, err
	}
	srcs, err := kinds.Open(ctx, []string{"s3://bench"}, pipeline.SourceEnv{
		Queue: e.queue, PathStyle: true, AWSConfig: m.ConfigFunc(), Interval: interval,
	})
	if err != nil {
		return nil, err
	}
	p, err := pipeline.New(pipeline.Config{Sources: srcs, Store: e.db, Registerer: reg,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))})
	if err != nil {
		return nil, err
	}
	p.Start(ctx)
	return p, nil
}

// visible waits until the library holds n custom controls.
func (e *env) visible(ctx context.Context, n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		got, err := e.db.CountControls(ctx, probity.DefaultPartition.AccountID, probity.ControlTypeCustom)
		if err != nil {
			return err
		}
		if got >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d controls visible after %s", got, n, timeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func latency(m *mototest.Server, uploads int, polling bool, interval time.Duration) ([]time.Duration, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, err := setUp(ctx, m, !polling)
	if err != nil {
		return nil, err
	}
	defer e.db.Close()
	p, err := e.start(ctx, m, interval, false)
	if err != nil {
		return nil, err
	}
	defer p.Wait(context.Background())
	defer cancel()
	var out []time.Duration
	for i := range uploads {
		start := time.Now()
		_, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("controls/c%05d.yaml", i)),
			Body: strings.NewReader(string(catalogtest.Control(i, "bench")))})
		if err != nil {
			return nil, err
		}
		if err := e.visible(ctx, i+1, time.Minute); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	slices.Sort(out)
	return out, nil
}

func burstRun(m *mototest.Server, n int) (took, upload time.Duration, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, err := setUp(ctx, m, false)
	if err != nil {
		return 0, 0, err
	}
	defer e.db.Close()
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 32)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("controls/c%05d.yaml", i)),
				Body: strings.NewReader(string(catalogtest.Control(i, "burst")))})
			if err != nil {
				mu.Lock()
				firstErr = err
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, 0, firstErr
	}
	upload = time.Since(start)
	start = time.Now()
	p, err := e.start(ctx, m, time.Hour, true)
	if err != nil {
		return 0, 0, err
	}
	if err := e.visible(ctx, n, 10*time.Minute); err != nil {
		return 0, 0, err
	}
	took = time.Since(start)
	for p.Status()[0].LastReconcile.IsZero() { // let it finish saving and log its time
		time.Sleep(10 * time.Millisecond)
	}
	st, _ := json.Marshal(p.Status())
	fmt.Fprintln(os.Stderr, "status after the burst:", string(st))
	cancel()
	p.Wait(context.Background())
	return took, upload, nil
}

// reset empties the emulator.
func reset(endpoint string) error {
	resp, err := http.Post(endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}
