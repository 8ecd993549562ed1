package inventory_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/mototest"
)

// TestTrailBuckets seeds moto with two trails: "audited" delivers to a bucket with server
// access logging and no public access, "exposed" to a bucket without logging whose
// policy lets everyone read objects. It collects the snapshot and checks
// CLOUDTRAIL_S3_BUCKET_ACCESS_LOGGING and CLOUDTRAIL_S3_BUCKET_PUBLIC_ACCESS_PROHIBITED,
// which judge each trail by its bucket's CI in the same snapshot.
func TestTrailBuckets(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	s := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for _, b := range []string{"access-logs", "audited-logs", "exposed-logs"} {
		in := &s3.CreateBucketInput{Bucket: aws.String(b)}
		if b == "access-logs" {
			in.ACL = "log-delivery-write" // the log delivery group may write there
		}
		_, err := s.CreateBucket(ctx, in)
		must(t, err)
	}
	_, err := s.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("audited-logs"), BucketLoggingStatus: &s3types.BucketLoggingStatus{
		LoggingEnabled: &s3types.LoggingEnabled{TargetBucket: aws.String("access-logs"), TargetPrefix: aws.String("ct/")}}})
	must(t, err)
	_, err = s.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("exposed-logs"), Policy: aws.String(`{"Version":"2012-10-17",` +
		`"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::exposed-logs/*"}]}`)})
	must(t, err)
	ct := cloudtrail.NewFromConfig(cfg)
	for name, bucket := range map[string]string{"audited": "audited-logs", "exposed": "exposed-logs"} {
		_, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(bucket), IsMultiRegionTrail: aws.Bool(true)})
		must(t, err)
	}
	_, _, raw := collectTypes(t, m, "123456789012")
	got := map[string]string{}
	for _, id := range []string{"CLOUDTRAIL_S3_BUCKET_ACCESS_LOGGING", "CLOUDTRAIL_S3_BUCKET_PUBLIC_ACCESS_PROHIBITED"} {
		for res, c := range ruleResults(t, raw, id, nil) {
			got[id+" "+res] = c
		}
	}
	if diff := cmp.Diff(map[string]string{
		"CLOUDTRAIL_S3_BUCKET_ACCESS_LOGGING audited":           "COMPLIANT",
		"CLOUDTRAIL_S3_BUCKET_ACCESS_LOGGING exposed":           "NON_COMPLIANT",
		"CLOUDTRAIL_S3_BUCKET_PUBLIC_ACCESS_PROHIBITED audited": "COMPLIANT",
		"CLOUDTRAIL_S3_BUCKET_PUBLIC_ACCESS_PROHIBITED exposed": "NON_COMPLIANT",
	}, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}
