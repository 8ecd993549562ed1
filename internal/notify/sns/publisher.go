package sns

import (
	"context"
	"fmt"
	"log/slog"
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
	load    func(ctx context.Context, region string) (aws.Config, error)
	opt     notify.DispatchOptions
	queue   chan published
	stopped chan struct{}

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
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Attempts <= 0 {
		opt.Attempts = 6
	}
	if opt.Backoff <= 0 {
		opt.Backoff = time.Second
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = time.Minute
	}
	opt.MaxBackoff = max(opt.MaxBackoff, opt.Backoff)
	if opt.QueueSize <= 0 {
		opt.QueueSize = 256
	}
	return &Publisher{load: load, opt: opt, queue: make(chan published, opt.QueueSize), stopped: make(chan struct{}),
		clients: map[string]*awssns.Client{}}
}

// Publish queues m for the topic. It never blocks: past the queue's size the message is
// dropped and logged (it is kept as a notification regardless).
func (p *Publisher) Publish(topicARN string, m notify.Message) {
	select {
	case p.queue <- published{topicARN, m}:
	default:
		p.opt.Logger.Warn("SNS notification dropped: queue full", "topic", topicARN, "source", m.Source)
	}
}

// Start delivers queued messages until ctx is done; Wait waits for that.
func (p *Publisher) Start(ctx context.Context) {
	go func() {
		defer close(p.stopped)
		for {
			select {
			case <-ctx.Done():
				return
			case item := <-p.queue:
				p.deliver(ctx, item)
			}
		}
	}()
}

// Wait returns nil once a started Publisher has stopped, after the context given to
// Start ended, or an error when ctx ends first.
func (p *Publisher) Wait(ctx context.Context) error {
	select {
	case <-p.stopped:
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
	err = backoff.Retry(ctx, backoff.Policy{Min: p.opt.Backoff, Max: p.opt.MaxBackoff, MaxAttempts: p.opt.Attempts,
		OnRetry: func(attempt int, err error, wait time.Duration) {
			p.opt.Logger.Warn("SNS notification failed; retrying", "topic", item.topic, "attempt", attempt, "in", wait, "err", err)
		}}, func(ctx context.Context) error { return t.Notify(ctx, item.m) })
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
