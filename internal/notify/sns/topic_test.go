package sns

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/notify/notifytest"
)

func TestTargets(t *testing.T) {
	env := notify.Env{AWSConfig: func(context.Context) (aws.Config, error) { return aws.Config{Region: "us-east-1"}, nil }}
	notifytest.RunTargetCases(t, Kind(), env, []notifytest.TargetCase{
		{Name: "sns", Targets: []string{"sns:arn:aws:sns:eu-west-1:123456789012:outcomes"}, Want: ""},
		{Name: "sns not an arn", Targets: []string{"sns:outcomes"}, Want: "want sns:arn:aws:sns"},
		{Name: "sns with a query", Targets: []string{"sns:arn:aws:sns:eu-west-1:123456789012:outcomes?token=s3cret"}, Want: "want sns:arn:aws:sns"},
		{Name: "sns with user info", Targets: []string{"sns:u:s3cret@example.com"}, Want: "want sns:arn:aws:sns"},
	})
}

func TestSNS(t *testing.T) {
	m := mototest.Start(t)
	ctx := context.Background()
	cfg := m.Config()
	topic, err := awssns.NewFromConfig(cfg).CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("outcomes")})
	if err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(cfg)
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("inbox")})
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:sqs:" + mototest.Region + ":123456789012:inbox"
	if _, err := awssns.NewFromConfig(cfg).Subscribe(ctx, &awssns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	tg := notifytest.Open(t, Kind(), "sns:"+aws.ToString(topic.TopicArn), notify.Env{AWSConfig: m.ConfigFunc()})
	if err := tg.Notifier.Notify(ctx, notifytest.Sample); err != nil {
		t.Fatal(err)
	}
	out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, WaitTimeSeconds: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 {
		t.Fatalf("%d messages, want 1", len(out.Messages))
	}
	var env struct{ Subject, Message string }
	if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &env); err != nil {
		t.Fatal(err)
	}
	if env.Message != notifytest.Sample.Text || !strings.HasPrefix(env.Subject, "Probity catalog: 1 file(s) failed") {
		t.Errorf("got subject %q message %q", env.Subject, env.Message)
	}
}

func TestSNSSubjectAndTruncate(t *testing.T) {
	if got := snsSubject("Probity: ü\nnext " + strings.Repeat("x", 200)); len(got) != 99 || strings.ContainsAny(got, "\nü") {
		t.Errorf("snsSubject = %q (%d)", got, len(got))
	}
	text := strings.Repeat("line of text\n", 100)
	got := truncate(text, 500)
	if len(got) > 500 || !strings.HasSuffix(got, "more line(s) left out") {
		t.Errorf("truncate = %q", got)
	}
	// One long line of two-byte characters is cut between characters.
	for _, max := range []int{500, 501} {
		if got := truncate(strings.Repeat("é", 400), max); len(got) > max || !utf8.ValidString(got) {
			t.Errorf("truncate of a long line to %d bytes = %d bytes, valid UTF-8 %v", max, len(got), utf8.ValidString(got))
		}
	}
}
