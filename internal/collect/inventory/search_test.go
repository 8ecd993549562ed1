package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	es "github.com/aws/aws-sdk-go-v2/service/elasticsearchservice"
	estypes "github.com/aws/aws-sdk-go-v2/service/elasticsearchservice/types"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	ostypes "github.com/aws/aws-sdk-go-v2/service/opensearch/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestSearchDomains seeds a hardened and a default OpenSearch domain and a default
// Elasticsearch domain in moto, collects a snapshot, and checks each domain's CI
// (type by engine, resource id, ARN, tags, the members AWS Config records in each
// dialect) and every OPENSEARCH_* and ELASTICSEARCH_* rule on them.
func TestSearchDomains(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	const logGroup = "arn:aws:logs:" + region + ":" + account + ":log-group:search"
	c := opensearch.NewFromConfig(cfg)
	_, err := c.CreateDomain(ctx, &opensearch.CreateDomainInput{DomainName: aws.String("secure"), EngineVersion: aws.String("OpenSearch_2.11"),
		ClusterConfig:               &ostypes.ClusterConfig{InstanceCount: aws.Int32(3), ZoneAwarenessEnabled: aws.Bool(true)},
		NodeToNodeEncryptionOptions: &ostypes.NodeToNodeEncryptionOptions{Enabled: aws.Bool(true)},
		EncryptionAtRestOptions:     &ostypes.EncryptionAtRestOptions{Enabled: aws.Bool(true)},
		DomainEndpointOptions:       &ostypes.DomainEndpointOptions{EnforceHTTPS: aws.Bool(true), TLSSecurityPolicy: ostypes.TLSSecurityPolicyPolicyMinTls12201907},
		AdvancedSecurityOptions: &ostypes.AdvancedSecurityOptionsInput{Enabled: aws.Bool(true), InternalUserDatabaseEnabled: aws.Bool(true),
			MasterUserOptions: &ostypes.MasterUserOptions{MasterUserName: aws.String("admin"), MasterUserPassword: aws.String("Correct-Horse-1")}},
		LogPublishingOptions: map[string]ostypes.LogPublishingOption{
			"AUDIT_LOGS":          {Enabled: aws.Bool(true), CloudWatchLogsLogGroupArn: aws.String(logGroup)},
			"ES_APPLICATION_LOGS": {Enabled: aws.Bool(true), CloudWatchLogsLogGroupArn: aws.String(logGroup)}},
		VPCOptions:     &ostypes.VPCOptions{SubnetIds: []string{"subnet-1"}, SecurityGroupIds: []string{"sg-1"}},
		AccessPolicies: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"es:*","Resource":"*"}]}`),
		TagList:        []ostypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	must(t, err)
	_, err = c.CreateDomain(ctx, &opensearch.CreateDomainInput{DomainName: aws.String("plain"), EngineVersion: aws.String("OpenSearch_2.11")})
	must(t, err)
	_, err = es.NewFromConfig(cfg).CreateElasticsearchDomain(ctx, &es.CreateElasticsearchDomainInput{DomainName: aws.String("legacy"),
		ElasticsearchVersion: aws.String("7.10"), TagList: []estypes.Tag{{Key: aws.String("team"), Value: aws.String("search")}}})
	must(t, err)

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	var items []*ci.Item
	dec := ci.NewDecoder(&buf)
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		if it.ResourceType == "AWS::OpenSearch::Domain" || it.ResourceType == "AWS::Elasticsearch::Domain" {
			items = append(items, it)
		}
	}

	type domain struct {
		Type, ID, ARN, Name, Zone string
		Tags                      map[string]string
		Conf                      map[string]any // the members the rules and AWS Config's examples show
		Supplementary             string
	}
	arn := "arn:aws:es:" + region + ":" + account + ":domain/"
	got := map[string]domain{}
	for _, it := range items {
		var conf map[string]any
		must(t, json.Unmarshal(it.Configuration, &conf))
		keep := map[string]any{}
		for _, k := range []string{"Id", "Arn", "DomainName", "EngineVersion", "ClusterConfig", "NodeToNodeEncryptionOptions", "EncryptionAtRestOptions",
			"LogPublishingOptions", "VPCOptions", "AccessPolicies", "Tags", "Endpoint", "Processing",
			"domainId", "domainName", "arn", "elasticsearchVersion", "accessPolicies", "ebsoptions", "encryptionAtRestOptions", "nodeToNodeEncryptionOptions"} {
			if v, ok := conf[k]; ok {
				keep[k] = v
			}
		}
		if dep, ok := conf["DomainEndpointOptions"].(map[string]any); ok {
			keep["EnforceHTTPS"], keep["TLSSecurityPolicy"] = dep["EnforceHTTPS"], dep["TLSSecurityPolicy"]
		}
		if aso, ok := conf["AdvancedSecurityOptions"].(map[string]any); ok {
			keep["AdvancedSecurityEnabled"] = aso["Enabled"]
		}
		if dep, ok := conf["domainEndpointOptions"].(map[string]any); ok {
			keep["tlssecurityPolicy"] = dep["tlssecurityPolicy"]
		}
		sup, _ := json.Marshal(it.Supplementary)
		got[it.ResourceName] = domain{it.ResourceType, it.ResourceID, it.ARN, it.ResourceName, it.AvailabilityZone, it.Tags, keep, string(sup)}
	}
	logs := map[string]any{"CloudWatchLogsLogGroupArn": logGroup, "Enabled": true}
	want := map[string]domain{
		"secure": {"AWS::OpenSearch::Domain", "secure", arn + "secure", "secure", "Regional", map[string]string{"env": "prod"}, map[string]any{
			"Id": account + "/secure", "Arn": arn + "secure", "DomainName": "secure", "EngineVersion": "OpenSearch_2.11",
			"ClusterConfig":               map[string]any{"InstanceType": "t3.small.search", "InstanceCount": 3.0, "DedicatedMasterEnabled": false, "ZoneAwarenessEnabled": true, "WarmEnabled": false, "ColdStorageOptions": map[string]any{"Enabled": false}},
			"NodeToNodeEncryptionOptions": map[string]any{"Enabled": true}, "EncryptionAtRestOptions": map[string]any{"Enabled": true},
			"LogPublishingOptions": map[string]any{"AUDIT_LOGS": logs, "ES_APPLICATION_LOGS": logs},
			"VPCOptions":           map[string]any{"SubnetIds": []any{"subnet-1"}, "SecurityGroupIds": []any{"sg-1"}},
			"AccessPolicies": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow",
				"Principal": map[string]any{"AWS": "arn:aws:iam::123456789012:root"}, "Action": "es:*", "Resource": "*"}}},
			"Tags":         []any{map[string]any{"Key": "env", "Value": "prod"}},
			"EnforceHTTPS": true, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07", "AdvancedSecurityEnabled": true}, "null"},
		"plain": {"AWS::OpenSearch::Domain", "plain", arn + "plain", "plain", "Regional", nil, map[string]any{
			"Id": account + "/plain", "Arn": arn + "plain", "DomainName": "plain", "EngineVersion": "OpenSearch_2.11",
			"ClusterConfig":               map[string]any{"InstanceType": "t3.small.search", "InstanceCount": 1.0, "DedicatedMasterEnabled": false, "ZoneAwarenessEnabled": false, "WarmEnabled": false, "ColdStorageOptions": map[string]any{"Enabled": false}},
			"NodeToNodeEncryptionOptions": map[string]any{"Enabled": false}, "EncryptionAtRestOptions": map[string]any{"Enabled": false},
			"LogPublishingOptions": map[string]any{}, "AccessPolicies": map[string]any{}, "Tags": []any{},
			"EnforceHTTPS": false, "TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07", "AdvancedSecurityEnabled": false}, "null"},
		"legacy": {"AWS::Elasticsearch::Domain", account + "/legacy", arn + "legacy", "legacy", "Regional", map[string]string{"team": "search"}, map[string]any{
			"domainId": account + "/legacy", "domainName": "legacy", "arn": arn + "legacy", "elasticsearchVersion": "7.10", "accessPolicies": "",
			"ebsoptions":              map[string]any{"ebsenabled": false, "iops": nil, "throughput": nil, "volumeSize": nil, "volumeType": ""},
			"encryptionAtRestOptions": map[string]any{"enabled": false, "kmsKeyId": nil}, "nodeToNodeEncryptionOptions": map[string]any{"enabled": false},
			"tlssecurityPolicy": "Policy-Min-TLS-1-0-2019-07"}, `{"Tags":[{"key":"team","value":"search"}]}`},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("domains (-want +got):\n%s", d)
	}

	// Every rule on the three domains, by name; "-" is NOT_APPLICABLE (the other type).
	results := map[string]map[string]string{
		"OPENSEARCH_NODE_TO_NODE_ENCRYPTION_CHECK":    {"secure": "COMPLIANT", "plain": "NON_COMPLIANT", "legacy": "-"},
		"OPENSEARCH_ENCRYPTED_AT_REST":                {"secure": "COMPLIANT", "plain": "NON_COMPLIANT", "legacy": "-"},
		"OPENSEARCH_IN_VPC_ONLY":                      {"secure": "COMPLIANT", "plain": "NON_COMPLIANT", "legacy": "-"},
		"OPENSEARCH_LOGS_TO_CLOUDWATCH":               {"secure": "COMPLIANT", "plain": "NON_COMPLIANT", "legacy": "-"},
		"OPENSEARCH_HTTPS_REQUIRED":                   {"secure": "COMPLIANT", "plain": "NON_COMPLIANT", "legacy": "-"},
		"OPENSEARCH_AUDIT_LOGGING_ENABLED":            {"secure": "COMPLIANT", "plain": "NON_COMPLIANT", "legacy": "-"},
		"OPENSEARCH_ACCESS_CONTROL_ENABLED":           {"secure": "COMPLIANT", "plain": "NON_COMPLIANT", "legacy": "-"},
		"OPENSEARCH_DATA_NODE_FAULT_TOLERANCE":        {"secure": "COMPLIANT", "plain": "NON_COMPLIANT", "legacy": "-"},
		"ELASTICSEARCH_NODE_TO_NODE_ENCRYPTION_CHECK": {"secure": "-", "plain": "-", "legacy": "NON_COMPLIANT"},
		"ELASTICSEARCH_ENCRYPTED_AT_REST":             {"secure": "-", "plain": "-", "legacy": "NON_COMPLIANT"},
		"ELASTICSEARCH_LOGS_TO_CLOUDWATCH":            {"secure": "-", "plain": "-", "legacy": "NON_COMPLIANT"},
		"ELASTICSEARCH_IN_VPC_ONLY":                   {"secure": "-", "plain": "-", "legacy": "NON_COMPLIANT"},
	}
	evalAll(t, items, results)
}

// evalAll evaluates each rule of want on items with its default parameters and
// compares the results by resource name ("-" for NOT_APPLICABLE).
func evalAll(t *testing.T, items []*ci.Item, want map[string]map[string]string) {
	t.Helper()
	evalAllParams(t, items, nil, want)
}

// evalAllParams is evalAll with each rule bound to its parameters in params.
func evalAllParams(t *testing.T, items []*ci.Item, params, want map[string]map[string]string) {
	t.Helper()
	got := map[string]map[string]string{}
	for id := range want {
		rule, err := rules.Get(id)
		must(t, err)
		check, err := rule.Bind(params[id])
		must(t, err)
		got[id] = map[string]string{}
		for _, it := range items {
			res, err := check.EvaluateItem(it, rules.Env{})
			must(t, err)
			c := string(res.ComplianceType)
			if res.ComplianceType == rules.NotApplicable {
				c = "-"
			}
			got[id][it.ResourceName] = c
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rule results (-want +got):\n%s", d)
	}
}
