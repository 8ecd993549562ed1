package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestCloudFrontDistributions seeds a distribution that redirects viewers to HTTPS and
// one that allows HTTP in moto, collects the global snapshot, and checks the
// distributions' CIs (id as resource id, ARN, region global, AWS Config's member names)
// and CLOUDFRONT_VIEWER_POLICY_HTTPS and CLOUDFRONT_ACCESSLOGS_ENABLED on them; a
// regional snapshot holds no distribution. moto leaves S3OriginConfig, origin access
// controls and custom certificates out of its answers, so the origin and certificate
// rules are tested on recorded shapes in the rule cases instead; and it writes
// distribution ARNs without the empty region field, so the expected ARNs are moto's.
func TestCloudFrontDistributions(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account = "123456789012"
	c := cloudfront.NewFromConfig(cfg)
	create := func(ref, viewer, logBucket string) (id, arn string) {
		out, err := c.CreateDistribution(ctx, &cloudfront.CreateDistributionInput{DistributionConfig: &cftypes.DistributionConfig{
			CallerReference: aws.String(ref), Comment: aws.String(ref), Enabled: aws.Bool(true),
			Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{Id: aws.String("s3"), DomainName: aws.String(ref + ".s3.amazonaws.com"),
				S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")}}}},
			Logging: &cftypes.LoggingConfig{Enabled: aws.Bool(logBucket != ""), Bucket: aws.String(logBucket), IncludeCookies: aws.Bool(false), Prefix: aws.String("")},
			DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{TargetOriginId: aws.String("s3"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicy(viewer),
				ForwardedValues: &cftypes.ForwardedValues{QueryString: aws.Bool(false), Cookies: &cftypes.CookiePreference{Forward: cftypes.ItemSelectionNone}},
				MinTTL:          aws.Int64(0)},
		}})
		must(t, err)
		return aws.ToString(out.Distribution.Id), aws.ToString(out.Distribution.ARN)
	}
	secure, secureARN := create("secure", "redirect-to-https", "logs.s3.amazonaws.com")
	open, openARN := create("open", "allow-all", "")

	regional, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: mototest.Region})
	must(t, err)
	for _, it := range regional.Items {
		if it.ResourceType == "AWS::CloudFront::Distribution" {
			t.Errorf("regional snapshot holds distribution %s", it.ResourceID)
		}
	}
	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: mototest.Region, Global: true})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	check := func(id string) *rules.Check {
		r, err := rules.Get(id)
		must(t, err)
		c, err := r.Bind(nil)
		must(t, err)
		return c
	}
	https, logs := check("CLOUDFRONT_VIEWER_POLICY_HTTPS"), check("CLOUDFRONT_ACCESSLOGS_ENABLED")
	type dist struct {
		ARN, Region, Viewer, LogBucket, HTTPS, Logs string
	}
	got := map[string]dist{}
	dec := ci.NewDecoder(&buf)
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		if it.ResourceType != "AWS::CloudFront::Distribution" {
			continue
		}
		var conf struct {
			ARN                string `json:"arn"`
			ID                 string `json:"id"`
			DistributionConfig struct {
				DefaultCacheBehavior struct {
					ViewerProtocolPolicy string `json:"viewerProtocolPolicy"`
				} `json:"defaultCacheBehavior"`
				Logging struct {
					Bucket string `json:"bucket"`
				} `json:"logging"`
			} `json:"distributionConfig"`
		}
		must(t, json.Unmarshal(it.Configuration, &conf))
		var top map[string]json.RawMessage
		must(t, json.Unmarshal(it.Configuration, &top))
		for _, k := range []string{"arn", "id", "domainName", "distributionConfig"} {
			if _, ok := top[k]; !ok {
				t.Errorf("%s: configuration lacks %q (AWS Config's spelling)", it.ResourceID, k)
			}
		}
		if conf.ID != it.ResourceID || conf.ARN != it.ARN {
			t.Errorf("%s: configuration id %q arn %q, item arn %q", it.ResourceID, conf.ID, conf.ARN, it.ARN)
		}
		h, err := https.EvaluateItem(it, rules.Env{})
		must(t, err)
		l, err := logs.EvaluateItem(it, rules.Env{})
		must(t, err)
		dc := conf.DistributionConfig
		got[it.ResourceID] = dist{it.ARN, it.Region, dc.DefaultCacheBehavior.ViewerProtocolPolicy, dc.Logging.Bucket,
			string(h.ComplianceType), string(l.ComplianceType)}
	}
	want := map[string]dist{
		secure: {secureARN, "global", "redirect-to-https", "logs.s3.amazonaws.com", "COMPLIANT", "COMPLIANT"},
		open:   {openARN, "global", "allow-all", "", "NON_COMPLIANT", "NON_COMPLIANT"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("distributions (-want +got):\n%s", d)
	}
}
