package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// fraudDetectorKinds are the Amazon Fraud Detector resources AWS Config records for the
// FRAUDDETECTOR_*_TAGGED rules: the list operation and the member of its response that
// holds the resources.
var fraudDetectorKinds = []struct{ resourceType, op, member string }{
	{"AWS::FraudDetector::EntityType", "GetEntityTypes", "entityTypes"},
	{"AWS::FraudDetector::Label", "GetLabels", "labels"},
	{"AWS::FraudDetector::Outcome", "GetOutcomes", "outcomes"},
	{"AWS::FraudDetector::Variable", "GetVariables", "variables"},
}

// collectFraudDetector records Amazon Fraud Detector entity types, labels, outcomes and
// variables (AWS::FraudDetector::*, the ARN as resource id, CloudFormation's primary
// identifier, and the name as resource name) with their list operation's members under
// CloudFormation's names (Name, Description, Arn, DataType...), and their tags
// (ListTagsForResource). The AWS SDK for Go v2 publishes no Fraud Detector client, so
// the calls are made here: JSON 1.1 requests signed with SigV4 through the run's
// configuration (endpoint, credentials, HTTP client), one attempt each. Fraud Detector
// is offered in a few regions only: where its endpoint's name does not resolve, the part
// is recorded as skipped.
func collectFraudDetector(ctx context.Context, r *run) error {
	c := &fraudDetectorClient{cfg: r.cfg}
	var items []Item
	for _, k := range fraudDetectorKinds {
		var token string
		for {
			in := map[string]any{"maxResults": 100}
			if token != "" {
				in["nextToken"] = token
			}
			var out map[string]json.RawMessage
			err := c.call(ctx, k.op, in, &out)
			var dns *net.DNSError
			if errors.As(err, &dns) && dns.IsNotFound {
				r.skip("frauddetector", err) // the service has no endpoint in the region
				return nil
			}
			if err != nil {
				return err
			}
			var list []map[string]any
			if raw, ok := out[k.member]; ok {
				if err := json.Unmarshal(raw, &list); err != nil {
					return fmt.Errorf("frauddetector %s: %w", k.op, err)
				}
			}
			for _, res := range list {
				conf := map[string]any{}
				for name, v := range res {
					conf[strings.ToUpper(name[:1])+name[1:]] = v
				}
				arn, _ := conf["Arn"].(string)
				name, _ := conf["Name"].(string)
				created, _ := conf["CreatedTime"].(string)
				b, err := json.Marshal(dropEmpty(conf))
				if err != nil {
					return err
				}
				items = append(items, Item{ARN: arn, ResourceType: k.resourceType, ResourceID: arn, ResourceName: name, Zone: "Regional",
					Created: created, Configuration: b})
			}
			var next string
			if raw, ok := out["nextToken"]; ok {
				_ = json.Unmarshal(raw, &next)
			}
			if next == "" || next == token {
				break
			}
			token = next
		}
	}
	return r.each(ctx, len(items), func(ctx context.Context, i int) error {
		it := items[i]
		tags, err := c.tags(ctx, it.ARN)
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		it.Tags = tags
		r.add(it)
		return nil
	})
}

// fraudDetector is Amazon Fraud Detector, whose SDK client is not published.
var fraudDetector = jsonAPI{name: "FraudDetector", service: "frauddetector", target: "AWSHawksNestServiceFacade.", version: "1.1"}

// fraudDetectorClient makes Amazon Fraud Detector calls (JSON 1.1, target prefix
// AWSHawksNestServiceFacade) with the run's configuration.
type fraudDetectorClient struct {
	cfg aws.Config
}

// tags returns a resource's tags, every page of ListTagsForResource; nil when none.
func (c *fraudDetectorClient) tags(ctx context.Context, arn string) (map[string]string, error) {
	var tags map[string]string
	var token string
	for {
		in := map[string]any{"resourceARN": arn, "maxResults": 50}
		if token != "" {
			in["nextToken"] = token
		}
		var out struct {
			Tags      []struct{ Key, Value string } `json:"tags"`
			NextToken string                        `json:"nextToken"`
		}
		if err := c.call(ctx, "ListTagsForResource", in, &out); err != nil {
			return nil, err
		}
		for _, t := range out.Tags {
			if tags == nil {
				tags = map[string]string{}
			}
			tags[t.Key] = t.Value
		}
		if out.NextToken == "" || out.NextToken == token {
			return tags, nil
		}
		token = out.NextToken
	}
}

// call makes the operation op with the JSON input in and decodes the response into out
// (jsonCall).
func (c *fraudDetectorClient) call(ctx context.Context, op string, in, out any) error {
	return jsonCall(ctx, c.cfg, fraudDetector, op, in, out)
}
