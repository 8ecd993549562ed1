package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestLoadBalancersAndTables seeds Classic, Application and Network Load Balancers and
// DynamoDB tables in moto, compliant and not, collects a snapshot, and checks the CIs
// (type, id, ARN, name, tags, the members AWS Config records and their spelling) and
// the result of every rule that reads them.
func TestLoadBalancersAndTables(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	const keyARN = "arn:aws:kms:" + region + ":" + account + ":key/k1"

	e := ec2.NewFromConfig(cfg)
	vpc, err := e.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	must(t, err)
	var subnets []string
	for i, az := range []string{"a", "b"} {
		s, err := e.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String([]string{"10.0.1.0/24", "10.0.2.0/24"}[i]), AvailabilityZone: aws.String(region + az)})
		must(t, err)
		subnets = append(subnets, aws.ToString(s.Subnet.SubnetId))
	}
	cert, err := acm.NewFromConfig(cfg).RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("example.com")})
	must(t, err)

	clb := elb.NewFromConfig(cfg)
	_, err = clb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{LoadBalancerName: aws.String("secure"), AvailabilityZones: []string{region + "a", region + "b"},
		Listeners: []elbtypes.Listener{{Protocol: aws.String("HTTPS"), LoadBalancerPort: 443, InstanceProtocol: aws.String("HTTP"), InstancePort: aws.Int32(80), SSLCertificateId: cert.CertificateArn}},
		Tags:      []elbtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	must(t, err)
	_, err = clb.ModifyLoadBalancerAttributes(ctx, &elb.ModifyLoadBalancerAttributesInput{LoadBalancerName: aws.String("secure"), LoadBalancerAttributes: &elbtypes.LoadBalancerAttributes{
		CrossZoneLoadBalancing: &elbtypes.CrossZoneLoadBalancing{Enabled: true},
		AccessLog:              &elbtypes.AccessLog{Enabled: true, S3BucketName: aws.String("elb-logs"), EmitInterval: aws.Int32(5)}}})
	must(t, err)
	_, err = clb.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{LoadBalancerName: aws.String("plain"), AvailabilityZones: []string{region + "a"},
		Listeners: []elbtypes.Listener{{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstanceProtocol: aws.String("HTTP"), InstancePort: aws.Int32(80)}}})
	must(t, err)

	v2 := elbv2.NewFromConfig(cfg)
	alb, err := v2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("alb"), Subnets: subnets, Type: elbv2types.LoadBalancerTypeEnumApplication,
		Tags: []elbv2types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}})
	must(t, err)
	albARN := aws.ToString(alb.LoadBalancers[0].LoadBalancerArn)
	_, err = v2.ModifyLoadBalancerAttributes(ctx, &elbv2.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(albARN), Attributes: []elbv2types.LoadBalancerAttribute{
		{Key: aws.String("deletion_protection.enabled"), Value: aws.String("true")},
		{Key: aws.String("routing.http.drop_invalid_header_fields.enabled"), Value: aws.String("true")},
		{Key: aws.String("routing.http.desync_mitigation_mode"), Value: aws.String("strictest")},
		{Key: aws.String("access_logs.s3.enabled"), Value: aws.String("true")},
		{Key: aws.String("access_logs.s3.bucket"), Value: aws.String("elb-logs")}}})
	must(t, err)
	nlb, err := v2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("nlb"), Subnets: subnets[:1], Type: elbv2types.LoadBalancerTypeEnumNetwork})
	must(t, err)
	nlbARN := aws.ToString(nlb.LoadBalancers[0].LoadBalancerArn)

	ddb := dynamodb.NewFromConfig(cfg)
	for _, name := range []string{"secure", "plain"} {
		in := &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: dynamotypes.BillingModePayPerRequest,
			KeySchema:            []dynamotypes.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: dynamotypes.KeyTypeHash}},
			AttributeDefinitions: []dynamotypes.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: dynamotypes.ScalarAttributeTypeS}}}
		if name == "secure" {
			in.SSESpecification = &dynamotypes.SSESpecification{Enabled: aws.Bool(true), SSEType: dynamotypes.SSETypeKms, KMSMasterKeyId: aws.String(keyARN)}
			in.Tags = []dynamotypes.Tag{{Key: aws.String("data"), Value: aws.String("pii")}}
		}
		_, err := ddb.CreateTable(ctx, in)
		must(t, err)
	}
	_, err = ddb.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("secure"),
		PointInTimeRecoverySpecification: &dynamotypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
	must(t, err)

	inv := &inventory.Inventory{Now: func() time.Time { return time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC) }}
	snap, err := inv.Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	items := map[string]*ci.Item{}
	dec := ci.NewDecoder(&buf)
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		switch it.ResourceType {
		case "AWS::ElasticLoadBalancing::LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::DynamoDB::Table":
			items[it.ResourceType+" "+it.ResourceName] = it
		}
	}

	// The envelope of each CI.
	type envelope struct {
		ID, ARN, Account, Region string
		Tags                     map[string]string
	}
	gotEnv := map[string]envelope{}
	for k, it := range items {
		gotEnv[k] = envelope{it.ResourceID, it.ARN, it.AccountID, it.Region, it.Tags}
	}
	lbARN := "arn:aws:elasticloadbalancing:" + region + ":" + account + ":loadbalancer/"
	tableARN := "arn:aws:dynamodb:" + region + ":" + account + ":table/"
	wantEnv := map[string]envelope{
		"AWS::ElasticLoadBalancing::LoadBalancer secure": {"secure", lbARN + "secure", account, region, map[string]string{"env": "prod"}},
		"AWS::ElasticLoadBalancing::LoadBalancer plain":  {"plain", lbARN + "plain", account, region, nil},
		"AWS::ElasticLoadBalancingV2::LoadBalancer alb":  {albARN, albARN, account, region, map[string]string{"team": "web"}},
		"AWS::ElasticLoadBalancingV2::LoadBalancer nlb":  {nlbARN, nlbARN, account, region, nil},
		"AWS::DynamoDB::Table secure":                    {"secure", tableARN + "secure", account, region, map[string]string{"data": "pii"}},
		"AWS::DynamoDB::Table plain":                     {"plain", tableARN + "plain", account, region, nil},
	}
	if d := cmp.Diff(wantEnv, gotEnv); d != "" {
		t.Errorf("CIs (-want +got):\n%s", d)
	}

	// Members as AWS Config spells them.
	members := func(raw json.RawMessage) map[string]json.RawMessage {
		var m map[string]json.RawMessage
		must(t, json.Unmarshal(raw, &m))
		return m
	}
	if it := items["AWS::ElasticLoadBalancing::LoadBalancer secure"]; it != nil {
		conf := members(it.Configuration)
		for _, k := range []string{"loadBalancerName", "dnsname", "vpcid", "listenerDescriptions", "availabilityZones", "canonicalHostedZoneNameID"} {
			if _, ok := conf[k]; !ok {
				t.Errorf("classic configuration lacks %s: %s", k, it.Configuration)
			}
		}
		for _, k := range []string{"dNSName", "vPCId", "ResultMetadata"} {
			if _, ok := conf[k]; ok {
				t.Errorf("classic configuration has %s", k)
			}
		}
		if !bytes.Contains(it.Configuration, []byte(`"lbcookieStickinessPolicies"`)) {
			t.Errorf("classic configuration lacks policies.lbcookieStickinessPolicies: %s", it.Configuration)
		}
		var attrs struct {
			CrossZoneLoadBalancing struct{ Enabled bool } `json:"crossZoneLoadBalancing"`
			AccessLog              struct {
				Enabled      bool   `json:"enabled"`
				S3BucketName string `json:"s3BucketName"`
			} `json:"accessLog"`
		}
		if err := json.Unmarshal(it.Supplementary["LoadBalancerAttributes"], &attrs); err != nil || !attrs.CrossZoneLoadBalancing.Enabled || !attrs.AccessLog.Enabled || attrs.AccessLog.S3BucketName != "elb-logs" {
			t.Errorf("classic LoadBalancerAttributes = %s (%v)", it.Supplementary["LoadBalancerAttributes"], err)
		}
		if got := string(it.Supplementary["Tags"]); got != `[{"key":"env","value":"prod"}]` {
			t.Errorf("classic Tags = %s", got)
		}
	}
	if it := items["AWS::ElasticLoadBalancingV2::LoadBalancer alb"]; it != nil {
		conf := members(it.Configuration)
		for _, k := range []string{"loadBalancerArn", "dNSName", "vpcId", "type", "state", "availabilityZones"} {
			if _, ok := conf[k]; !ok {
				t.Errorf("elbv2 configuration lacks %s: %s", k, it.Configuration)
			}
		}
		if !bytes.Contains(it.Supplementary["LoadBalancerAttributes"], []byte(`{"key":"deletion_protection.enabled","value":"true"}`)) {
			t.Errorf("elbv2 LoadBalancerAttributes = %s", it.Supplementary["LoadBalancerAttributes"])
		}
	}
	if it := items["AWS::DynamoDB::Table secure"]; it != nil {
		conf := members(it.Configuration)
		for _, k := range []string{"tableName", "tableArn", "tableStatus", "keySchema", "ssedescription", "billingModeSummary"} {
			if _, ok := conf[k]; !ok {
				t.Errorf("table configuration lacks %s: %s", k, it.Configuration)
			}
		}
		if !bytes.Contains(it.Configuration, []byte(`"ssetype":"KMS"`)) || !bytes.Contains(it.Configuration, []byte(`"kmsmasterKeyArn":"`+keyARN+`"`)) {
			t.Errorf("table ssedescription: %s", it.Configuration)
		}
		if !bytes.Contains(it.Supplementary["ContinuousBackupsDescription"], []byte(`"pointInTimeRecoveryStatus":"ENABLED"`)) {
			t.Errorf("ContinuousBackupsDescription = %s", it.Supplementary["ContinuousBackupsDescription"])
		}
	}

	// Every rule that reads these types, with default parameters or the ones given.
	names := map[string]string{}
	for _, it := range items {
		names[it.ResourceID] = it.ResourceName
	}
	params := map[string]map[string]string{"CLB_DESYNC_MODE_CHECK": {"desyncMode": "defensive"}, "ALB_DESYNC_MODE_CHECK": {"desyncMode": "strictest"}}
	want := map[string]map[string]string{
		"ELB_LOGGING_ENABLED":                   {"secure": "COMPLIANT", "plain": "NON_COMPLIANT", "alb": "COMPLIANT", "nlb": "NOT_APPLICABLE"},
		"ELB_TLS_HTTPS_LISTENERS_ONLY":          {"secure": "COMPLIANT", "plain": "NON_COMPLIANT"},
		"ELB_ACM_CERTIFICATE_REQUIRED":          {"secure": "COMPLIANT", "plain": "NOT_APPLICABLE"},
		"ELB_CROSS_ZONE_LOAD_BALANCING_ENABLED": {"secure": "COMPLIANT", "plain": "NON_COMPLIANT"},
		"CLB_MULTIPLE_AZ":                       {"secure": "COMPLIANT", "plain": "NON_COMPLIANT"},
		"CLB_DESYNC_MODE_CHECK":                 {"secure": "COMPLIANT", "plain": "COMPLIANT"},
		"ELB_DELETION_PROTECTION_ENABLED":       {"alb": "COMPLIANT", "nlb": "NON_COMPLIANT"},
		"ALB_HTTP_DROP_INVALID_HEADER_ENABLED":  {"alb": "COMPLIANT", "nlb": "NOT_APPLICABLE"},
		"ALB_DESYNC_MODE_CHECK":                 {"alb": "COMPLIANT", "nlb": "NOT_APPLICABLE"},
		"ELBV2_MULTIPLE_AZ":                     {"alb": "COMPLIANT", "nlb": "NON_COMPLIANT"},
		"DYNAMODB_PITR_ENABLED":                 {"secure": "COMPLIANT", "plain": "NON_COMPLIANT"},
		"DYNAMODB_TABLE_ENCRYPTED_KMS":          {"secure": "COMPLIANT", "plain": "NON_COMPLIANT"},
		"DYNAMODB_TABLE_ENCRYPTION_ENABLED":     {"secure": "COMPLIANT", "plain": "NON_COMPLIANT"},
	}
	got := map[string]map[string]string{}
	for id := range want {
		rule, err := rules.Get(id)
		must(t, err)
		check, err := rule.Bind(params[id])
		must(t, err)
		got[id] = map[string]string{}
		for _, it := range items {
			if !rule.InScope(it.ResourceType) {
				continue
			}
			res, err := check.EvaluateItem(it, rules.Env{})
			must(t, err)
			got[id][names[res.ResourceID]] = string(res.ComplianceType)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
