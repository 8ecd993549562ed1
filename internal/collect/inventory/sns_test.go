package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestSNSTopics seeds an encrypted and a plain topic in moto, collects a snapshot, and
// checks the topics' CIs (ARN as resource id, name, tags, the attributes with their own
// names as configuration) and SNS_ENCRYPTED_KMS on them.
func TestSNSTopics(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	const keyARN = "arn:aws:kms:" + region + ":" + account + ":key/k1"
	c := sns.NewFromConfig(cfg)
	_, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("secure"), Attributes: map[string]string{"KmsMasterKeyId": keyARN},
		Tags: []snstypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	must(t, err)
	_, err = c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("plain")})
	must(t, err)

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	rule, err := rules.Get("SNS_ENCRYPTED_KMS")
	must(t, err)
	check, err := rule.Bind(nil)
	must(t, err)
	type topic struct {
		ID, ARN, Name, TopicArn, Key, Tags, Result string
		Tagged                                     map[string]string
	}
	got := map[string]topic{}
	dec := ci.NewDecoder(&buf)
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		if it.ResourceType != "AWS::SNS::Topic" {
			continue
		}
		var conf struct{ TopicArn, KmsMasterKeyId string }
		must(t, json.Unmarshal(it.Configuration, &conf))
		res, err := check.EvaluateItem(it, rules.Env{})
		must(t, err)
		got[it.ResourceName] = topic{it.ResourceID, it.ARN, it.ResourceName, conf.TopicArn, conf.KmsMasterKeyId, string(it.Supplementary["Tags"]), string(res.ComplianceType), it.Tags}
	}
	arn := "arn:aws:sns:" + region + ":" + account + ":"
	want := map[string]topic{
		"secure": {arn + "secure", arn + "secure", "secure", arn + "secure", keyARN, `[{"key":"env","value":"prod"}]`, "COMPLIANT", map[string]string{"env": "prod"}},
		"plain":  {arn + "plain", arn + "plain", "plain", arn + "plain", "", `[]`, "NON_COMPLIANT", nil},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("topics (-want +got):\n%s", d)
	}
}
