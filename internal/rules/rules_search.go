package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// The two resource types of OpenSearch Service domains: AWS Config records a domain
// running OpenSearch as the first (CloudFormation's member names: EngineVersion,
// ClusterConfig, VPCOptions...) and one running Elasticsearch as the second
// (DescribeElasticsearchDomains' names: elasticsearchClusterConfig, vpcoptions...).
const (
	openSearchDomain    = "AWS::OpenSearch::Domain"
	elasticsearchDomain = "AWS::Elasticsearch::Domain"
)

// searchDomain is the part of either domain CI the rules read. JSON member names match
// without regard to case, so one shape reads both dialects; the cluster configuration
// is ClusterConfig in one and elasticsearchClusterConfig in the other.
type searchDomain struct {
	ClusterConfig              *searchCluster `json:"ClusterConfig"`
	ElasticsearchClusterConfig *searchCluster `json:"elasticsearchClusterConfig"`
	VPCOptions                 *struct {
		SubnetIDs []string `json:"SubnetIds"`
		VPCID     string   `json:"VPCId"`
	} `json:"VPCOptions"`
	Endpoints             map[string]string `json:"Endpoints"`
	DomainEndpointOptions struct {
		EnforceHTTPS      bool   `json:"EnforceHTTPS"`
		TLSSecurityPolicy string `json:"TLSSecurityPolicy"`
	} `json:"DomainEndpointOptions"`
	EncryptionAtRestOptions     struct{ Enabled bool } `json:"EncryptionAtRestOptions"`
	NodeToNodeEncryptionOptions struct{ Enabled bool } `json:"NodeToNodeEncryptionOptions"`
	AdvancedSecurityOptions     struct{ Enabled bool } `json:"AdvancedSecurityOptions"`
	LogPublishingOptions        map[string]struct {
		Enabled                   bool   `json:"Enabled"`
		CloudWatchLogsLogGroupArn string `json:"CloudWatchLogsLogGroupArn"`
	} `json:"LogPublishingOptions"`
}

type searchCluster struct {
	InstanceCount        int  `json:"InstanceCount"`
	ZoneAwarenessEnabled bool `json:"ZoneAwarenessEnabled"`
}

// logPublished reports whether the domain publishes the log kind (a LogPublishingOptions
// key) to a log group.
func (d *searchDomain) logPublished(kind string) bool {
	o, ok := d.LogPublishingOptions[kind]
	return ok && o.Enabled && o.CloudWatchLogsLogGroupArn != ""
}

// searchLogKinds maps the logTypes values to LogPublishingOptions keys.
var searchLogKinds = map[string]string{"search": "SEARCH_SLOW_LOGS", "index": "INDEX_SLOW_LOGS", "error": "ES_APPLICATION_LOGS"}

// checkLogTypes is the CheckParams of the *_LOGS_TO_CLOUDWATCH rules: every logTypes
// value is search, index or error (any case).
var checkLogTypes = eachValue("logTypes", func(t string) string {
	if searchLogKinds[strings.ToLower(t)] == "" {
		return fmt.Sprintf("%q is not search, index or error", t)
	}
	return ""
})

// logsToCloudWatch decides the *_LOGS_TO_CLOUDWATCH rules: every log of logTypes is
// published, or, without logTypes, at least one of the search slow, index slow and
// error logs.
func logsToCloudWatch(a Args, d *searchDomain) (Compliance, string, error) {
	want := a.List("logTypes")
	if len(want) == 0 {
		for _, kind := range searchLogKinds {
			if d.logPublished(kind) {
				return Compliant, "", nil
			}
		}
		return NonCompliant, "The domain publishes no search, index or error logs to CloudWatch Logs.", nil
	}
	var missing []string
	for _, t := range want {
		if !d.logPublished(searchLogKinds[strings.ToLower(t)]) {
			missing = append(missing, t)
		}
	}
	return verdict(len(missing) == 0, "The domain does not publish these logs to CloudWatch Logs: "+strings.Join(missing, ", ")+".")
}

// inVPC reports whether the domain's endpoint is in a VPC rather than public.
func (d *searchDomain) inVPC() bool {
	return (d.VPCOptions != nil && (len(d.VPCOptions.SubnetIDs) > 0 || d.VPCOptions.VPCID != "")) || d.Endpoints["vpc"] != ""
}

// searchRule builds a rule on one of the domain types.
func searchRule(id, resourceType, desc string, params []Param, f func(a Args, d *searchDomain) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{resourceType}, Params: params,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			d, err := cfg[searchDomain](it)
			if err != nil {
				return "", "", err
			}
			return f(a, d)
		}}
}

var logTypesParam = []Param{{Name: "logTypes", Type: CSV}}

var searchRules = []*Rule{
	searchRule("OPENSEARCH_NODE_TO_NODE_ENCRYPTION_CHECK", openSearchDomain,
		"OpenSearch domains encrypt traffic between nodes (NodeToNodeEncryptionOptions).", nil,
		func(a Args, d *searchDomain) (Compliance, string, error) {
			return verdict(d.NodeToNodeEncryptionOptions.Enabled, "Node-to-node encryption is off.")
		}),
	searchRule("OPENSEARCH_ENCRYPTED_AT_REST", openSearchDomain,
		"OpenSearch domains are encrypted at rest (EncryptionAtRestOptions).", nil,
		func(a Args, d *searchDomain) (Compliance, string, error) {
			return verdict(d.EncryptionAtRestOptions.Enabled, "Encryption at rest is off.")
		}),
	searchRule("OPENSEARCH_IN_VPC_ONLY", openSearchDomain,
		"OpenSearch domains are in a VPC (VPCOptions with subnets), not behind a public endpoint.", nil,
		func(a Args, d *searchDomain) (Compliance, string, error) {
			return verdict(d.inVPC(), "The domain has a public endpoint.")
		}),
	checked(searchRule("OPENSEARCH_LOGS_TO_CLOUDWATCH", openSearchDomain,
		"OpenSearch domains publish every log of logTypes (search, index, error) to CloudWatch Logs; without logTypes, at least one of them.",
		logTypesParam, logsToCloudWatch), checkLogTypes),
	searchRule("OPENSEARCH_HTTPS_REQUIRED", openSearchDomain,
		"OpenSearch domains enforce HTTPS (DomainEndpointOptions EnforceHTTPS), with a TLS security policy of tlsPolicies when given.",
		[]Param{{Name: "tlsPolicies", Type: CSV}},
		func(a Args, d *searchDomain) (Compliance, string, error) {
			o := d.DomainEndpointOptions
			switch {
			case !o.EnforceHTTPS:
				return NonCompliant, "The domain does not enforce HTTPS.", nil
			case a.Set("tlsPolicies") && !slices.Contains(a.List("tlsPolicies"), o.TLSSecurityPolicy):
				return NonCompliant, "The domain's TLS security policy " + o.TLSSecurityPolicy + " is not in tlsPolicies.", nil
			}
			return Compliant, "", nil
		}),
	searchRule("OPENSEARCH_AUDIT_LOGGING_ENABLED", openSearchDomain,
		"OpenSearch domains publish audit logs (LogPublishingOptions AUDIT_LOGS), to one of cloudWatchLogsLogGroupArnList when given (with or without the trailing :*).",
		[]Param{{Name: "cloudWatchLogsLogGroupArnList", Type: CSV}},
		func(a Args, d *searchDomain) (Compliance, string, error) {
			if !d.logPublished("AUDIT_LOGS") {
				return NonCompliant, "The domain does not publish audit logs.", nil
			}
			if a.Set("cloudWatchLogsLogGroupArnList") {
				got := strings.TrimSuffix(d.LogPublishingOptions["AUDIT_LOGS"].CloudWatchLogsLogGroupArn, ":*")
				if !slices.ContainsFunc(a.List("cloudWatchLogsLogGroupArnList"), func(s string) bool { return strings.TrimSuffix(s, ":*") == got }) {
					return NonCompliant, "The domain's audit log group is not in cloudWatchLogsLogGroupArnList.", nil
				}
			}
			return Compliant, "", nil
		}),
	searchRule("OPENSEARCH_ACCESS_CONTROL_ENABLED", openSearchDomain,
		"OpenSearch domains have fine-grained access control (AdvancedSecurityOptions).", nil,
		func(a Args, d *searchDomain) (Compliance, string, error) {
			return verdict(d.AdvancedSecurityOptions.Enabled, "Fine-grained access control is off.")
		}),
	searchRule("OPENSEARCH_DATA_NODE_FAULT_TOLERANCE", openSearchDomain,
		"OpenSearch domains have at least three data nodes and zone awareness (ClusterConfig).", nil,
		func(a Args, d *searchDomain) (Compliance, string, error) {
			c := d.ClusterConfig
			return verdict(c != nil && c.InstanceCount >= 3 && c.ZoneAwarenessEnabled, "The domain has fewer than three data nodes or no zone awareness.")
		}),
	searchRule("ELASTICSEARCH_NODE_TO_NODE_ENCRYPTION_CHECK", elasticsearchDomain,
		"Elasticsearch domains encrypt traffic between nodes (nodeToNodeEncryptionOptions).", nil,
		func(a Args, d *searchDomain) (Compliance, string, error) {
			return verdict(d.NodeToNodeEncryptionOptions.Enabled, "Node-to-node encryption is off.")
		}),
	searchRule("ELASTICSEARCH_ENCRYPTED_AT_REST", elasticsearchDomain,
		"Elasticsearch domains are encrypted at rest (encryptionAtRestOptions).", nil,
		func(a Args, d *searchDomain) (Compliance, string, error) {
			return verdict(d.EncryptionAtRestOptions.Enabled, "Encryption at rest is off.")
		}),
	checked(searchRule("ELASTICSEARCH_LOGS_TO_CLOUDWATCH", elasticsearchDomain,
		"Elasticsearch domains publish every log of logTypes (search, index, error) to CloudWatch Logs; without logTypes, at least one of them.",
		logTypesParam, logsToCloudWatch), checkLogTypes),
}
