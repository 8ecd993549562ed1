package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	es "github.com/aws/aws-sdk-go-v2/service/elasticsearchservice"
	estypes "github.com/aws/aws-sdk-go-v2/service/elasticsearchservice/types"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	ostypes "github.com/aws/aws-sdk-go-v2/service/opensearch/types"
)

// describeBatch is how many domains one DescribeDomains or DescribeElasticsearchDomains
// call may name.
const describeBatch = 5

// openSearchMembers are the members of an AWS::OpenSearch::Domain configuration: AWS
// Config records the domain with the property names of CloudFormation's
// AWS::OpenSearchService::Domain, so DescribeDomains' DomainId is Id and ARN is Arn,
// and status-only members (Processing, Endpoint...) are left out.
var openSearchMembers = map[string]string{
	"DomainId": "Id", "ARN": "Arn", "DomainName": "DomainName", "EngineVersion": "EngineVersion",
	"ClusterConfig": "ClusterConfig", "EBSOptions": "EBSOptions", "VPCOptions": "VPCOptions",
	"DomainEndpointOptions": "DomainEndpointOptions", "AccessPolicies": "AccessPolicies",
	"SnapshotOptions": "SnapshotOptions", "CognitoOptions": "CognitoOptions",
	"EncryptionAtRestOptions": "EncryptionAtRestOptions", "NodeToNodeEncryptionOptions": "NodeToNodeEncryptionOptions",
	"AdvancedOptions": "AdvancedOptions", "LogPublishingOptions": "LogPublishingOptions",
	"AdvancedSecurityOptions": "AdvancedSecurityOptions", "OffPeakWindowOptions": "OffPeakWindowOptions",
	"SoftwareUpdateOptions": "SoftwareUpdateOptions", "IPAddressType": "IPAddressType",
	"ServiceSoftwareOptions": "ServiceSoftwareOptions",
}

// elasticsearchRenames are the members of an AWS::Elasticsearch::Domain configuration
// that AWS Config spells otherwise than the first-letter rule of configJSON gives.
var elasticsearchRenames = map[string]string{"aRN": "arn", "eBSOptions": "ebsoptions", "eBSEnabled": "ebsenabled",
	"vPCOptions": "vpcoptions", "vPCId": "vpcid", "tLSSecurityPolicy": "tlssecurityPolicy"}

// collectSearchDomains records OpenSearch Service domains as AWS Config does, by
// engine: a domain running OpenSearch is an AWS::OpenSearch::Domain (the domain name as
// resource id; DescribeDomains with CloudFormation's member names, the access policy
// as an object and the tags as a Tags list of {Key, Value}); a domain running
// Elasticsearch is an AWS::Elasticsearch::Domain (the domain id, ACCOUNT/NAME, as
// resource id; DescribeElasticsearchDomains as configuration, the access policy as JSON
// text, the tags in supplementaryConfiguration). The OPENSEARCH_* rules read the first,
// the ELASTICSEARCH_* rules the second.
func collectSearchDomains(ctx context.Context, r *run) error {
	c := opensearch.NewFromConfig(r.cfg)
	out, err := c.ListDomainNames(ctx, &opensearch.ListDomainNamesInput{})
	if err != nil {
		return err
	}
	var osNames, esNames []string
	for _, d := range out.DomainNames {
		if d.EngineType == ostypes.EngineTypeElasticsearch {
			esNames = append(esNames, aws.ToString(d.DomainName))
		} else {
			osNames = append(osNames, aws.ToString(d.DomainName))
		}
	}
	osBatches, esBatches := batches(osNames, describeBatch), batches(esNames, describeBatch)
	ec := es.NewFromConfig(r.cfg)
	return r.each(ctx, len(osBatches)+len(esBatches), func(ctx context.Context, i int) error {
		if i < len(osBatches) {
			return openSearchDomains(ctx, r, c, osBatches[i])
		}
		return elasticsearchDomains(ctx, r, ec, esBatches[i-len(osBatches)])
	})
}

func openSearchDomains(ctx context.Context, r *run, c *opensearch.Client, names []string) error {
	out, err := c.DescribeDomains(ctx, &opensearch.DescribeDomainsInput{DomainNames: names})
	if err != nil {
		return err
	}
	for _, d := range out.DomainStatusList {
		if aws.ToBool(d.Deleted) {
			continue
		}
		tags, err := c.ListTags(ctx, &opensearch.ListTagsInput{ARN: d.ARN})
		if err != nil {
			return err
		}
		conf, err := openSearchConfig(d, tags.TagList)
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(d.ARN), ResourceType: "AWS::OpenSearch::Domain", ResourceID: aws.ToString(d.DomainName),
			ResourceName: aws.ToString(d.DomainName), Zone: "Regional",
			Tags: tagMap(tags.TagList, func(t ostypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
	}
	return nil
}

// openSearchConfig returns the configuration of an AWS::OpenSearch::Domain CI (see
// openSearchMembers), without null members and unset enumerations.
func openSearchConfig(d ostypes.DomainStatus, tags []ostypes.Tag) (json.RawMessage, error) {
	all, err := genericObject(d)
	if err != nil {
		return nil, err
	}
	conf := map[string]any{}
	for from, to := range openSearchMembers {
		if v := dropUnset(all[from]); v != nil {
			conf[to] = v
		}
	}
	conf["AccessPolicies"] = map[string]any{}
	if p := aws.ToString(d.AccessPolicies); p != "" {
		var doc any
		if err := json.Unmarshal([]byte(p), &doc); err != nil {
			return nil, err
		}
		conf["AccessPolicies"] = doc
	}
	if _, ok := conf["LogPublishingOptions"]; !ok {
		conf["LogPublishingOptions"] = map[string]any{}
	}
	list := make([]map[string]string, 0, len(tags))
	for _, t := range tags {
		list = append(list, map[string]string{"Key": aws.ToString(t.Key), "Value": aws.ToString(t.Value)})
	}
	conf["Tags"] = list
	return json.Marshal(conf)
}

// dropUnset returns v without null or "" members (the SDK's unset pointers and
// enumerations), at every depth.
func dropUnset(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if x == nil || x == "" {
				delete(t, k)
				continue
			}
			t[k] = dropUnset(x)
		}
	case []any:
		for i, x := range t {
			t[i] = dropUnset(x)
		}
	}
	return v
}

func elasticsearchDomains(ctx context.Context, r *run, c *es.Client, names []string) error {
	out, err := c.DescribeElasticsearchDomains(ctx, &es.DescribeElasticsearchDomainsInput{DomainNames: names})
	if err != nil {
		return err
	}
	for _, d := range out.DomainStatusList {
		if aws.ToBool(d.Deleted) {
			continue
		}
		tags, err := c.ListTags(ctx, &es.ListTagsInput{ARN: d.ARN})
		if err != nil {
			return err
		}
		conf, err := configJSON(d)
		if err != nil {
			return err
		}
		if conf, err = renameMembers(conf, elasticsearchRenames); err != nil {
			return err
		}
		sup := map[string]json.RawMessage{}
		if sup["Tags"], err = configJSON(nonNil(tags.TagList)); err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(d.ARN), ResourceType: "AWS::Elasticsearch::Domain", ResourceID: aws.ToString(d.DomainId),
			ResourceName: aws.ToString(d.DomainName), Zone: "Regional",
			Tags: tagMap(tags.TagList, func(t estypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf, Supplementary: sup})
	}
	return nil
}

// batches splits s into slices of at most n.
func batches(s []string, n int) [][]string {
	var out [][]string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}
