package sns

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/probity-dev/probity/internal/backoff"
	"github.com/probity-dev/probity/internal/notify"
)

// Publisher publishes messages to whichever SNS topic each names, in the background: the
// topics of accounts' settings (snsTopic), which are data, not configured targets. One
// worker delivers them in order, each retried with backoff; failures are logged, never
// returned to the sender, since the event a message reports has happened.
type Publisher struct {
	load  func(ctx context.Context, region string) (aws.Config, error)
	opt   notify.DispatchOptions
	queue *notify.Queue[published]

	mu      sync.Mutex
	clients map[string]*awssns.Client // by region
}

type published struct {
	topic string
	m     notify.Message
}

// NewPublisher returns a Publisher that reaches SNS with the configuration load returns
// for each topic's region, loaded when a message first goes to that region, so that a
// server whose accounts set no topic needs no AWS configuration. A load that fails is
// logged with the message it held up, and tried again for the next. opt's Attempts,
// Backoff, MaxBackoff, QueueSize and Logger apply as they do to a Dispatcher; Registerer
// is not used.
func NewPublisher(load func(ctx context.Context, region string) (aws.Config, error), opt notify.DispatchOptions) *Publisher {
	opt = opt.WithDefaults()
	p := &Publisher{load: load, opt: opt, clients: map[string]*awssns.Client{}}
	p.queue = notify.NewQueue(opt.QueueSize, p.deliver)
	return p
}

// Publish queues m for the topic. It never blocks: past the queue's size the message is
// dropped and logged (it is kept as a notification regardless).
func (p *Publisher) Publish(topicARN string, m notify.Message) {
	if !p.queue.Put(published{topicARN, m}) {
		p.opt.Logger.Warn("SNS notification dropped: queue full", "topic", topicARN, "source", m.Source)
	}
}

// Start delivers queued messages until ctx is done; Wait waits for that.
func (p *Publisher) Start(ctx context.Context) { p.queue.Start(ctx) }

// Wait returns nil once a started Publisher has stopped, after the context given to
// Start ended, or an error when ctx ends first.
func (p *Publisher) Wait(ctx context.Context) error {
	select {
	case <-p.queue.Stopped():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("SNS notification delivery did not stop: %w", ctx.Err())
	}
}

func (p *Publisher) deliver(ctx context.Context, item published) {
	a, err := arn.Parse(item.topic)
	if err != nil || a.Service != "sns" || !topicName.MatchString(a.Resource) {
		p.opt.Logger.Error("SNS notification not delivered: not a topic ARN", "topic", item.topic)
		return
	}
	client, err := p.client(ctx, a.Region)
	if err != nil {
		p.opt.Logger.Error("SNS notification not delivered: AWS configuration", "topic", item.topic, "err", err)
		return
	}
	t := &Topic{client: client, arn: item.topic}
	err = backoff.Retry(ctx, p.opt.RetryPolicy(func(attempt int, err error, wait time.Duration) {
		p.opt.Logger.Warn("SNS notification failed; retrying", "topic", item.topic, "attempt", attempt, "in", wait, "err", err)
	}), func(ctx context.Context) error { return t.Notify(ctx, item.m) })
	if err != nil {
		p.opt.Logger.Error("SNS notification not delivered", "topic", item.topic, "source", item.m.Source, "err", err)
	}
}

func (p *Publisher) client(ctx context.Context, region string) (*awssns.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.clients[region]; c != nil {
		return c, nil
	}
	cfg, err := p.load(ctx, region)
	if err != nil {
		return nil, err
	}
	c := awssns.NewFromConfig(cfg, func(o *awssns.Options) {
		if region != "" {
			o.Region = region
		}
	})
	p.clients[region] = c
	return c, nil
}
