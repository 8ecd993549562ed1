// Package sns notifies an Amazon SNS topic: sns:TOPIC_ARN.
package sns

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/redact"
)

// maxSNSMessage stays below SNS's 256 KiB limit on a message.
const maxSNSMessage = 250_000

// topicName is what SNS allows as a topic name.
var topicName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}(\.fifo)?$`)

// Kind returns the kind of target sns:TOPIC_ARN.
func Kind() notify.Kind {
	return notify.Kind{Scheme: "sns", Usage: "sns:TOPIC_ARN", Open: open}
}

// Topic publishes to an SNS topic.
type Topic struct {
	client *awssns.Client
	arn    string
}

var _ notify.Notifier = (*Topic)(nil)

// open opens sns:TOPIC_ARN. The client uses the topic's region, with the configuration
// of env.LoadAWSConfig. It returns an EINVALID error for a target that is not an SNS
// topic's ARN, and an error when the configuration cannot be loaded.
func open(ctx context.Context, target string, env notify.Env) (notify.Notifier, string, error) {
	topicARN := strings.TrimPrefix(target, "sns:")
	a, err := arn.Parse(topicARN)
	if err != nil || a.Service != "sns" || !topicName.MatchString(a.Resource) {
		return nil, "", probity.Errorf(probity.EINVALID, "notify target %q: want sns:arn:aws:sns:REGION:ACCOUNT:TOPIC", redact.URL(target))
	}
	cfg, err := env.LoadAWSConfig(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("notify %s: load AWS configuration: %w", target, err)
	}
	client := awssns.NewFromConfig(cfg, func(o *awssns.Options) {
		if a.Region != "" {
			o.Region = a.Region
		}
	})
	return &Topic{client: client, arn: topicARN}, target, nil
}

// Notify publishes m's text with its subject, cut to fit SNS's limits. It returns the
// SDK's error, wrapped with the topic, when the message was not published.
func (t *Topic) Notify(ctx context.Context, m notify.Message) error {
	_, err := t.client.Publish(ctx, &awssns.PublishInput{
		TopicArn: aws.String(t.arn),
		Subject:  aws.String(snsSubject(m.Subject)),
		Message:  aws.String(truncate(m.Text, maxSNSMessage)),
	})
	if err != nil {
		return fmt.Errorf("publish to %s: %w", t.arn, err)
	}
	return nil
}

// snsSubject makes s acceptable as an SNS subject: printable ASCII on one line, under
// 100 characters.
func snsSubject(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7f:
			b = append(b, byte(r))
		case r == '\n' || r == '\t':
			b = append(b, ' ')
		default:
			b = append(b, '?')
		}
	}
	if len(b) > 99 {
		b = append(b[:96], "..."...)
	}
	if len(b) == 0 {
		return "Probity"
	}
	return string(b)
}

// truncate cuts text at a line boundary so that it fits in max bytes, saying how many
// lines were left out.
func truncate(text string, max int) string {
	if len(text) <= max {
		return text
	}
	cut := strings.LastIndexByte(text[:max-64], '\n')
	if cut < 0 {
		// One long line: cut it at a character boundary, never inside a UTF-8 sequence.
		cut = max - 64
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
	}
	rest := strings.Count(text[cut:], "\n")
	return text[:cut] + fmt.Sprintf("\n... %d more line(s) left out", rest)
}
