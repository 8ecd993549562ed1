package s3

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/notify/sns"
	"github.com/probity-dev/probity/internal/pipeline"
	"github.com/probity-dev/probity/internal/pipeline/pipelinetest"
	"github.com/probity-dev/probity/internal/store"
)

var (
	control   = pipelinetest.Control
	framework = pipelinetest.Framework
	openStore = pipelinetest.OpenStore
	names     = pipelinetest.Names
	waitFor   = pipelinetest.WaitFor
	hasAll    = pipelinetest.HasAll
)

const badSourceType = pipelinetest.BadSourceType

const (
	bucket = "catalog-bucket"
	prefix = "catalog/"
)

// world is a bucket whose events go to an SQS queue (with a dead-letter queue), and an
// SNS topic whose messages a test reads back from a subscribed queue.
type world struct {
	moto      *mototest.Server
	s3        *awss3.Client
	sqs       *sqs.Client
	queue     string
	dlq       string
	topic     string
	outcomes  string
	collected []string
	mu        sync.Mutex
}

func newWorld(t *testing.T, m *mototest.Server) *world {
	t.Helper()
	cfg := m.Config()
	w := &world{moto: m, s3: awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true }), sqs: sqs.NewFromConfig(cfg)}
	w.setUp(t)
	return w
}

func (w *world) setUp(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := w.s3.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(bucket)})
	must(err)
	dlq, err := w.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("catalog-dlq")})
	must(err)
	w.dlq = aws.ToString(dlq.QueueUrl)
	redrive, _ := json.Marshal(map[string]string{"deadLetterTargetArn": w.queueARN(t, w.dlq), "maxReceiveCount": "3"})
	q, err := w.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("catalog-events"),
		Attributes: map[string]string{"RedrivePolicy": string(redrive)}})
	must(err)
	w.queue = aws.ToString(q.QueueUrl)
	_, err = w.s3.PutBucketNotificationConfiguration(ctx, &awss3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String(w.queueARN(t, w.queue)),
			Events:   []s3types.Event{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"},
		}}},
	})
	must(err)

	sn := awssns.NewFromConfig(w.moto.Config())
	topic, err := sn.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("catalog-outcomes")})
	must(err)
	w.topic = aws.ToString(topic.TopicArn)
	out, err := w.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("outcomes")})
	must(err)
	w.outcomes = aws.ToString(out.QueueUrl)
	_, err = sn.Subscribe(ctx, &awssns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(w.queueARN(t, w.outcomes)), Attributes: map[string]string{"RawMessageDelivery": "true"}})
	must(err)
}

func (w *world) queueARN(t *testing.T, queue string) string {
	t.Helper()
	out, err := w.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queue), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
}

func (w *world) put(t *testing.T, key, body string) {
	t.Helper()
	_, err := w.s3.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(prefix + key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
}

func (w *world) remove(t *testing.T, key string) {
	t.Helper()
	_, err := w.s3.DeleteObject(context.Background(), &awss3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(prefix + key)})
	if err != nil {
		t.Fatal(err)
	}
}

// notifications returns every SNS message read back so far.
func (w *world) notifications(t *testing.T) []string {
	t.Helper()
	out, err := w.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(w.outcomes), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range out.Messages {
		w.collected = append(w.collected, aws.ToString(m.Body))
		_, _ = w.sqs.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(w.outcomes), ReceiptHandle: m.ReceiptHandle})
	}
	return slices.Clone(w.collected)
}

// waitNotification waits for an SNS message holding every part.
func (w *world) waitNotification(t *testing.T, parts ...string) string {
	t.Helper()
	var found string
	waitFor(t, fmt.Sprintf("a notification with %q", parts), func() bool {
		for _, n := range w.notifications(t) {
			if containsAll(n, parts...) {
				found = n
				return true
			}
		}
		return false
	})
	return found
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// startS3Pipeline runs a pipeline on the bucket (with the queue unless polling) until
// the returned stop is called. The pipeline's metrics go to the returned registry.
func startS3Pipeline(t *testing.T, w *world, st store.Store, polling bool) (*pipeline.Pipeline, *prometheus.Registry, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	queue := w.queue
	if polling {
		queue = ""
	}
	log := pipelinetest.Logger()
	kinds, err := pipeline.NewSourceRegistry([]pipeline.SourceKind{Kind()})
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := kinds.Open(ctx, []string{"s3://" + bucket + "/" + strings.TrimSuffix(prefix, "/")}, pipeline.SourceEnv{
		Queue: queue, PathStyle: true, AWSConfig: w.moto.ConfigFunc(), WaitSeconds: 1, Interval: 300 * time.Millisecond, Logger: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := notify.NewRegistry([]notify.Kind{sns.Kind()})
	if err != nil {
		t.Fatal(err)
	}
	targets, err := reg.Open(ctx, []string{"sns:" + w.topic}, notify.Env{AWSConfig: w.moto.ConfigFunc()})
	if err != nil {
		t.Fatal(err)
	}
	d, err := notify.NewDispatcher(targets, notify.DispatchOptions{Backoff: 100 * time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	d.Start(ctx)
	metrics := prometheus.NewRegistry()
	p, err := pipeline.New(pipeline.Config{Sources: srcs, Store: st, Sender: d, Logger: log, Registerer: metrics,
		RetryMin: 200 * time.Millisecond, RetryMax: time.Second, Debounce: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p.Start(ctx)
	stop := func() { cancel(); p.Wait(context.Background()); d.Wait(context.Background()) }
	t.Cleanup(stop)
	return p, metrics, stop
}

// heldStore is a store whose reconciles the test can hold: from hold to release, a
// reconcile waits at its first read of the store (the library's revision, or the
// source's last good versions), holding the library as a long reconcile does.
type heldStore struct {
	store.Store
	mu   sync.Mutex
	held chan struct{} // closed by release; nil when not held
}

func (s *heldStore) hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held = make(chan struct{})
}

func (s *heldStore) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.held)
	s.held = nil
}

// wait returns once the store is not held, or ctx's error.
func (s *heldStore) wait(ctx context.Context) error {
	s.mu.Lock()
	held := s.held
	s.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (s *heldStore) LibraryRevision(ctx context.Context, account string) (int64, error) {
	if err := s.wait(ctx); err != nil {
		return 0, err
	}
	return s.Store.LibraryRevision(ctx, account)
}

func (s *heldStore) CatalogFiles(ctx context.Context, source string) ([]store.CatalogFile, error) {
	if err := s.wait(ctx); err != nil {
		return nil, err
	}
	return s.Store.CatalogFiles(ctx, source)
}

const s3Source = "s3://" + bucket + "/catalog"

func TestS3Events(t *testing.T) {
	m := mototest.Start(t)
	w := newWorld(t, m)
	dbPath := t.TempDir() + "/probity.db"
	st := &heldStore{Store: openStore(t, dbPath)}
	_, reg, stop := startS3Pipeline(t, w, st, false)
	ctx := context.Background()
	at := "@" + s3Source

	t.Run("framework before its controls", func(t *testing.T) {
		w.put(t, "frameworks/f.yaml", framework("F", "A"))
		w.waitNotification(t, `frameworks/f.yaml:5:9: controlSets[0].controls[0]: no control is named "A"`)
		w.put(t, "controls/a.yaml", control("A"))
		waitFor(t, "A and F", hasAll(t, st, "Control:A"+at, "Framework:F"+at))
		w.waitNotification(t, `created control "A" from controls/a.yaml`)
	})
	t.Run("bad file notified with its position, then fixed", func(t *testing.T) {
		w.put(t, "controls/a.yaml", badSourceType)
		n := w.waitNotification(t, "controls/a.yaml (its last good version stays in effect)",
			"controls/a.yaml:7:5: datasources[1].sourceType: must be one of AWS_Cloudtrail")
		if !strings.Contains(n, "Catalog source: "+s3Source) {
			t.Errorf("notification does not name the source:\n%s", n)
		}
		w.put(t, "controls/a.yaml", control("A")+"testingInformation: fixed\n")
		w.waitNotification(t, `updated control "A" from controls/a.yaml: testingInformation`)
	})
	t.Run("deleting a file in use, then a file", func(t *testing.T) {
		w.remove(t, "controls/a.yaml")
		w.waitNotification(t, `controls/a.yaml: file deleted, but control "A" is still used by framework "F"`)
		w.remove(t, "frameworks/f.yaml")
		w.waitNotification(t, `deleted framework "F" (was in frameworks/f.yaml)`, `deleted control "A" (was in controls/a.yaml)`)
		waitFor(t, "an empty library", func() bool { return len(names(t, st)) == 0 })
	})
	t.Run("multipart upload, copy, spaces and non-ASCII keys", func(t *testing.T) {
		key := prefix + "controls/multi part.yaml"
		mp, err := w.s3.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		part, err := w.s3.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: mp.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte(control("Multipart")))})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.s3.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: mp.UploadId,
			MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the multipart control", hasAll(t, st, "Control:Multipart"+at))

		// Outside the prefix nothing happens; copied in, it is applied.
		staging := "staging/copied.yaml"
		if _, err := w.s3.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(staging), Body: strings.NewReader(control("Copied"))}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s3.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(prefix + "controls/copied.yaml"),
			CopySource: aws.String(url.PathEscape(bucket + "/" + staging))}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the copied control", hasAll(t, st, "Control:Copied"+at))

		w.put(t, "controls/Zugriff prüfen ü+é.yaml", control("Zugriffsprüfung"))
		waitFor(t, "the non-ASCII control", hasAll(t, st, "Control:Zugriffsprüfung"+at))
		w.waitNotification(t, `created control "Zugriffsprüfung" from controls/Zugriff prüfen ü+é.yaml`)
	})
	t.Run("a burst of events while a reconcile runs", func(t *testing.T) {
		// The whole burst arrives while a reconcile holds the library (the test holds
		// it in the store), as a big upload does on a busy server: however long the
		// uploads take, the events are coalesced into at most two reconciles, the one
		// under way and one after it. The 1,000-file burst is in bench/pipeline.
		const n = 100
		waitFor(t, "the queue drained of earlier events", func() bool { return w.queueDepth(t, w.queue) == 0 })
		before := counter(t, reg, "probity_catalog_reconciles_total", "source", s3Source, "result", "ok")
		st.hold()
		held := true
		defer func() {
			if held {
				st.release()
			}
		}()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		for i := range n {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				w.put(t, fmt.Sprintf("bulk/controls/c%04d.yaml", i), control(fmt.Sprintf("Bulk %04d", i)))
			}()
		}
		wg.Wait()
		// Every event is received, and held until the reconcile that applies it.
		waitFor(t, "every event received", func() bool { return w.inFlight(t, w.queue) == n })
		st.release()
		held = false

		waitFor(t, fmt.Sprintf("%d controls", n), func() bool { return len(names(t, st)) == n+3 })
		waitFor(t, "the queue drained", func() bool { return w.queueDepth(t, w.queue) == 0 })
		got := counter(t, reg, "probity_catalog_reconciles_total", "source", s3Source, "result", "ok") - before
		t.Logf("%d events, %v reconciles", n, got)
		if got > 2 {
			t.Errorf("%d events caused %v reconciles; want at most 2", n, got)
		}
		if d := w.queueDepth(t, w.dlq); d != 0 {
			t.Errorf("%d messages went to the dead-letter queue", d)
		}
	})
	t.Run("Probity restarted mid-stream", func(t *testing.T) {
		stop()
		w.put(t, "controls/while-down.yaml", control("While down"))
		w.remove(t, "controls/copied.yaml")
		st2 := openStore(t, dbPath)
		startS3Pipeline(t, w, st2, false)
		waitFor(t, "the changes made while stopped", func() bool {
			got := names(t, st2)
			return slices.Contains(got, "Control:While down"+at) && !slices.Contains(got, "Control:Copied"+at)
		})
	})
}

// inFlight returns how many messages of the queue are received and not yet deleted.
func (w *world) inFlight(t *testing.T, queue string) int {
	t.Helper()
	out, err := w.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queue),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (w *world) queueDepth(t *testing.T, queue string) int {
	t.Helper()
	out, err := w.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queue),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range out.Attributes {
		var k int
		fmt.Sscan(v, &k)
		n += k
	}
	return n
}

func TestS3EmulatorRestart(t *testing.T) {
	m := mototest.Start(t)
	w := newWorld(t, m)
	st := openStore(t, "")
	p, reg, _ := startS3Pipeline(t, w, st, false)
	at := "@" + s3Source
	w.put(t, "controls/a.yaml", control("A"))
	waitFor(t, "A", hasAll(t, st, "Control:A"+at))
	waitFor(t, "healthy", func() bool { return p.Health() == nil })

	m.Stop()
	waitFor(t, "the source reported down", func() bool { return p.Health() != nil })
	if err := p.Health(); !strings.Contains(err.Error(), s3Source) {
		t.Errorf("Health() = %v, want it to name %s", err, s3Source)
	}
	if got := names(t, st); !slices.Contains(got, "Control:A"+at) {
		t.Errorf("library lost A while the emulator was down: %v", got)
	}

	// The emulator comes back empty: the bucket holds what its owners upload again.
	m.Restart(t)
	w.setUp(t)
	w.put(t, "controls/a.yaml", control("A"))
	w.put(t, "controls/b.yaml", control("B"))
	waitFor(t, "A and B after the restart", hasAll(t, st, "Control:A"+at, "Control:B"+at))
	waitFor(t, "healthy again", func() bool { return p.Health() == nil })
	if v := counter(t, reg, "probity_catalog_source_errors_total", "source", s3Source); v == 0 {
		t.Error("source errors were not counted")
	}
}

func TestS3Polling(t *testing.T) {
	m := mototest.Start(t)
	w := newWorld(t, m)
	st := openStore(t, "")
	startS3Pipeline(t, w, st, true)
	at := "@" + s3Source
	w.put(t, "controls/a.yaml", control("A"))
	w.put(t, "frameworks/f.yaml", framework("F", "A"))
	waitFor(t, "A and F", hasAll(t, st, "Control:A"+at, "Framework:F"+at))
	w.put(t, "frameworks/f.yaml", framework("F", "A")+"description: polled\n")
	w.waitNotification(t, `updated framework "F" from frameworks/f.yaml: description`)
	w.remove(t, "frameworks/f.yaml")
	waitFor(t, "F deleted", func() bool { return !slices.Contains(names(t, st), "Framework:F"+at) })
}

// counter returns the value of the metric's series with the label pairs (name, value,
// ...); 0 when it has none yet.
func counter(t *testing.T, reg *prometheus.Registry, metric string, pairs ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != metric {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			match := len(labels) == len(pairs)/2
			for i := 0; i+1 < len(pairs); i += 2 {
				match = match && labels[pairs[i]] == pairs[i+1]
			}
			if match {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
