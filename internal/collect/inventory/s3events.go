package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// bucketLifecycleAndEvents adds the bucket's lifecycle rules and event notifications to
// sup as AWS Config records them (the AWS SDK for Java's shapes, as AWS Config's resource
// schema names them):
//   - BucketLifecycleConfiguration {rules: [{id, status, prefix?, filter: {predicate:
//     {type, prefix, operands}}, expirationInDays, expirationDate, expiredObjectDeleteMarker,
//     transitions [{days, date, storageClass}], noncurrentVersionExpirationInDays,
//     noncurrentVersionTransitions, abortIncompleteMultipartUpload}]}, absent when the
//     bucket has none;
//   - BucketNotificationConfiguration {configurations: {ID: {events, type
//     (QueueConfiguration, TopicConfiguration, LambdaConfiguration), queueARN | topicARN |
//     functionARN}}}, with no configurations when the bucket has none.
func bucketLifecycleAndEvents(ctx context.Context, c *s3.Client, bucket *string, sup map[string]json.RawMessage) error {
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucket})
	switch {
	case errorCode(err) == "NoSuchLifecycleConfiguration":
	case err != nil:
		return err
	default:
		rules := make([]map[string]any, 0, len(lc.Rules))
		for _, r := range lc.Rules {
			rules = append(rules, lifecycleRule(r))
		}
		sup["BucketLifecycleConfiguration"] = mustJSON(map[string]any{"rules": rules})
	}
	n, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: bucket})
	if err != nil {
		return err
	}
	configs := map[string]any{}
	add := func(id *string, kind, arnKey, arn string, events []s3types.Event) {
		ev := make([]string, len(events))
		for i, e := range events {
			ev[i] = string(e)
		}
		key := aws.ToString(id)
		if key == "" {
			key = arn
		}
		configs[key] = map[string]any{"events": ev, "type": kind, arnKey: arn}
	}
	for _, q := range n.QueueConfigurations {
		add(q.Id, "QueueConfiguration", "queueARN", aws.ToString(q.QueueArn), q.Events)
	}
	for _, t := range n.TopicConfigurations {
		add(t.Id, "TopicConfiguration", "topicARN", aws.ToString(t.TopicArn), t.Events)
	}
	for _, f := range n.LambdaFunctionConfigurations {
		add(f.Id, "LambdaConfiguration", "functionARN", aws.ToString(f.LambdaFunctionArn), f.Events)
	}
	sup["BucketNotificationConfiguration"] = mustJSON(map[string]any{"configurations": configs})
	return nil
}

// lifecycleRule returns one lifecycle rule in AWS Config's shape.
func lifecycleRule(r s3types.LifecycleRule) map[string]any {
	m := map[string]any{"id": aws.ToString(r.ID), "status": string(r.Status)}
	if r.Prefix != nil { // deprecated, but rules made before filters still carry it
		m["prefix"] = aws.ToString(r.Prefix)
	}
	if f := r.Filter; f != nil {
		var pred map[string]any
		switch {
		case f.And != nil:
			ops := []map[string]any{}
			if f.And.Prefix != nil {
				ops = append(ops, map[string]any{"type": "LifecyclePrefixPredicate", "prefix": aws.ToString(f.And.Prefix)})
			}
			for _, t := range f.And.Tags {
				ops = append(ops, map[string]any{"type": "LifecycleTagPredicate", "tag": map[string]string{"key": aws.ToString(t.Key), "value": aws.ToString(t.Value)}})
			}
			pred = map[string]any{"type": "LifecycleAndOperator", "operands": ops}
		case f.Tag != nil:
			pred = map[string]any{"type": "LifecycleTagPredicate", "tag": map[string]string{"key": aws.ToString(f.Tag.Key), "value": aws.ToString(f.Tag.Value)}}
		default:
			pred = map[string]any{"type": "LifecyclePrefixPredicate", "prefix": aws.ToString(f.Prefix)}
		}
		m["filter"] = map[string]any{"predicate": pred}
	}
	if e := r.Expiration; e != nil {
		if e.Days != nil {
			m["expirationInDays"] = *e.Days
		}
		if e.Date != nil {
			m["expirationDate"] = timeString(e.Date)
		}
		if e.ExpiredObjectDeleteMarker != nil {
			m["expiredObjectDeleteMarker"] = *e.ExpiredObjectDeleteMarker
		}
	}
	transitions := []map[string]any{}
	for _, t := range r.Transitions {
		tm := map[string]any{"storageClass": string(t.StorageClass)}
		if t.Days != nil {
			tm["days"] = *t.Days
		}
		if t.Date != nil {
			tm["date"] = timeString(t.Date)
		}
		transitions = append(transitions, tm)
	}
	m["transitions"] = transitions
	if e := r.NoncurrentVersionExpiration; e != nil && e.NoncurrentDays != nil {
		m["noncurrentVersionExpirationInDays"] = *e.NoncurrentDays
		m["noncurrentVersionExpiration"] = map[string]any{"noncurrentDays": *e.NoncurrentDays, "newerNoncurrentVersions": e.NewerNoncurrentVersions}
	}
	nct := []map[string]any{}
	for _, t := range r.NoncurrentVersionTransitions {
		nct = append(nct, map[string]any{"days": t.NoncurrentDays, "storageClass": string(t.StorageClass)})
	}
	m["noncurrentVersionTransitions"] = nct
	if a := r.AbortIncompleteMultipartUpload; a != nil && a.DaysAfterInitiation != nil {
		m["abortIncompleteMultipartUpload"] = map[string]any{"daysAfterInitiation": *a.DaysAfterInitiation}
	}
	return m
}
