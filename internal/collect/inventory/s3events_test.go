package inventory_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestBucketLifecycleAndEvents seeds a bucket with a lifecycle rule and a queue
// notification, and a versioned bucket with neither; it collects a snapshot and checks
// their supplementaryConfiguration BucketLifecycleConfiguration and
// BucketNotificationConfiguration (AWS Config's shapes) and the three rules that read them.
func TestBucketLifecycleAndEvents(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, name := range []string{"managed-bucket", "versioned-bucket"} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		must(t, err)
	}
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("versioned-bucket"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	must(t, err)
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("managed-bucket"),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{ID: aws.String("logs"), Status: s3types.ExpirationStatusEnabled,
			Filter:      &s3types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
			Expiration:  &s3types.LifecycleExpiration{Days: aws.Int32(395)},
			Transitions: []s3types.Transition{{Days: aws.Int32(30), StorageClass: s3types.TransitionStorageClassStandardIa}}}}}})
	must(t, err)
	_, err = sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("events")})
	must(t, err)
	const queueARN = "arn:aws:sqs:" + region + ":" + account + ":events"
	_, err = c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("managed-bucket"),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{Id: aws.String("created"),
			QueueArn: aws.String(queueARN), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}})
	must(t, err)

	items := snapshotItems(t, m, account, region)
	got := map[string][2]string{}
	results := map[string]string{}
	for _, it := range items {
		if it.ResourceType != "AWS::S3::Bucket" {
			continue
		}
		lc, ok := it.Supplementary["BucketLifecycleConfiguration"]
		if !ok {
			lc = []byte("absent")
		}
		got[it.ResourceID] = [2]string{string(lc), string(it.Supplementary["BucketNotificationConfiguration"])}
		for _, id := range []string{"S3_LIFECYCLE_POLICY_CHECK", "S3_VERSION_LIFECYCLE_POLICY_CHECK", "S3_EVENT_NOTIFICATIONS_ENABLED"} {
			rule, err := rules.Get(id)
			must(t, err)
			check, err := rule.Bind(map[string]string{})
			must(t, err)
			res, err := check.EvaluateItem(it, rules.Env{})
			must(t, err)
			results[id+" "+it.ResourceID] = string(res.ComplianceType)
		}
	}
	want := map[string][2]string{
		"managed-bucket": {`{"rules":[{"expirationInDays":395,"filter":{"predicate":{"prefix":"logs/","type":"LifecyclePrefixPredicate"}},"id":"logs",` +
			`"noncurrentVersionTransitions":[],"status":"Enabled","transitions":[{"days":30,"storageClass":"STANDARD_IA"}]}]}`,
			`{"configurations":{"created":{"events":["s3:ObjectCreated:*"],"queueARN":"` + queueARN + `","type":"QueueConfiguration"}}}`},
		"versioned-bucket": {"absent", `{"configurations":{}}`},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("buckets (-want +got):\n%s", d)
	}
	wantResults := map[string]string{
		"S3_LIFECYCLE_POLICY_CHECK managed-bucket": "COMPLIANT", "S3_LIFECYCLE_POLICY_CHECK versioned-bucket": "NON_COMPLIANT",
		"S3_VERSION_LIFECYCLE_POLICY_CHECK managed-bucket": "NOT_APPLICABLE", "S3_VERSION_LIFECYCLE_POLICY_CHECK versioned-bucket": "NON_COMPLIANT",
		"S3_EVENT_NOTIFICATIONS_ENABLED managed-bucket": "COMPLIANT", "S3_EVENT_NOTIFICATIONS_ENABLED versioned-bucket": "NON_COMPLIANT",
	}
	if d := cmp.Diff(wantResults, results); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
}
