package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	waftypes "github.com/aws/aws-sdk-go-v2/service/wafv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestWebACLs seeds two regional WAFv2 web ACLs, one logging to a Firehose stream, and
// three load balancers (an Application Load Balancer the logged web ACL protects, an
// unprotected one, a Network Load Balancer); it collects a snapshot and checks the web
// ACL and logging configuration CIs (CloudFormation's member names), the load balancers'
// supplementaryConfiguration WebACL, and WAFV2_LOGGING_ENABLED and ALB_WAF_ENABLED over
// the snapshot.
func TestWebACLs(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	w := wafv2.NewFromConfig(cfg)
	acls := map[string]string{}
	for _, name := range []string{"logged", "silent"} {
		out, err := w.CreateWebACL(ctx, &wafv2.CreateWebACLInput{Name: aws.String(name), Scope: waftypes.ScopeRegional,
			DefaultAction:    &waftypes.DefaultAction{Allow: &waftypes.AllowAction{}},
			VisibilityConfig: &waftypes.VisibilityConfig{SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: aws.String(name)},
			Tags:             []waftypes.Tag{{Key: aws.String("team"), Value: aws.String(name)}}})
		must(t, err)
		acls[name] = aws.ToString(out.Summary.ARN)
	}
	const stream = "arn:aws:firehose:" + region + ":" + account + ":deliverystream/aws-waf-logs-web"
	_, err := w.PutLoggingConfiguration(ctx, &wafv2.PutLoggingConfigurationInput{LoggingConfiguration: &waftypes.LoggingConfiguration{
		ResourceArn: aws.String(acls["logged"]), LogDestinationConfigs: []string{stream}}})
	must(t, err)

	e := ec2.NewFromConfig(cfg)
	vpc, err := e.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	must(t, err)
	var subnets []string
	for i, az := range []string{"a", "b"} {
		s, err := e.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String([]string{"10.0.1.0/24", "10.0.2.0/24"}[i]), AvailabilityZone: aws.String(region + az)})
		must(t, err)
		subnets = append(subnets, aws.ToString(s.Subnet.SubnetId))
	}
	v2 := elbv2.NewFromConfig(cfg)
	lbs := map[string]string{}
	for name, typ := range map[string]elbv2types.LoadBalancerTypeEnum{"protected": elbv2types.LoadBalancerTypeEnumApplication,
		"open": elbv2types.LoadBalancerTypeEnumApplication, "net": elbv2types.LoadBalancerTypeEnumNetwork} {
		out, err := v2.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(name), Subnets: subnets, Type: typ})
		must(t, err)
		lbs[name] = aws.ToString(out.LoadBalancers[0].LoadBalancerArn)
	}
	_, err = w.AssociateWebACL(ctx, &wafv2.AssociateWebACLInput{WebACLArn: aws.String(acls["logged"]), ResourceArn: aws.String(lbs["protected"])})
	must(t, err)

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := buf.Bytes()

	got := map[string]string{}
	dec := ci.NewDecoder(bytes.NewReader(raw))
	for {
		it, err := dec.Next()
		if err != nil {
			break
		}
		switch it.ResourceType {
		case "AWS::WAFv2::WebACL":
			var conf map[string]any
			must(t, json.Unmarshal(it.Configuration, &conf))
			got[it.ResourceName] = mustString(t, map[string]any{"id": it.ResourceID, "arn": it.ARN, "tags": it.Tags, "conf": conf})
		case "AWS::WAFv2::LoggingConfiguration":
			got["logging "+it.ResourceID] = string(it.Configuration)
		case "AWS::ElasticLoadBalancingV2::LoadBalancer":
			acl, ok := it.Supplementary["WebACL"]
			if !ok {
				acl = json.RawMessage("absent")
			}
			got["lb "+it.ResourceName] = string(acl)
		}
	}
	// moto reports a capacity of 3 for a web ACL without rules, where AWS reports 0.
	aclJSON := func(name string) string {
		arn := acls[name]
		return mustString(t, map[string]any{"id": arn, "arn": arn, "tags": map[string]string{"team": name}, "conf": map[string]any{
			"Name": name, "Id": arn[len(arn)-36:], "Arn": arn, "Scope": "REGIONAL", "DefaultAction": map[string]any{"Allow": map[string]any{}},
			"Rules": []any{}, "Capacity": 3, "ManagedByFirewallManager": false, "RetrofittedByFirewallManager": false, "LabelNamespace": "awswaf:" + account + ":webacl:" + name + ":",
			"VisibilityConfig": map[string]any{"SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": name}}})
	}
	want := map[string]string{
		"logged":                    aclJSON("logged"),
		"silent":                    aclJSON("silent"),
		"logging " + acls["logged"]: `{"LogDestinationConfigs":["` + stream + `"],"ManagedByFirewallManager":false,"ResourceArn":"` + acls["logged"] + `"}`,
		"lb protected":              mustString(t, map[string]string{"Arn": acls["logged"], "Id": acls["logged"][len(acls["logged"])-36:], "Name": "logged"}),
		"lb open":                   "null",
		"lb net":                    "absent",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("CIs (-want +got):\n%s", d)
	}

	results := map[string]string{}
	for _, id := range []string{"WAFV2_LOGGING_ENABLED", "ALB_WAF_ENABLED"} {
		rule, err := rules.Get(id)
		must(t, err)
		check, err := rule.Bind(nil)
		must(t, err)
		must(t, rules.Evaluate(check, ci.NewDecoder(bytes.NewReader(raw)), rules.Env{}, func(r rules.Result) error {
			results[id+" "+r.ResourceID] = string(r.ComplianceType)
			return nil
		}))
	}
	wantResults := map[string]string{
		"WAFV2_LOGGING_ENABLED " + acls["logged"]: "COMPLIANT",
		"WAFV2_LOGGING_ENABLED " + acls["silent"]: "NON_COMPLIANT",
		"ALB_WAF_ENABLED " + lbs["protected"]:     "COMPLIANT",
		"ALB_WAF_ENABLED " + lbs["open"]:          "NON_COMPLIANT",
		"ALB_WAF_ENABLED " + lbs["net"]:           "NOT_APPLICABLE",
	}
	if d := cmp.Diff(wantResults, results); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
}

// mustString returns v as JSON text, keys sorted.
func mustString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return string(b)
}
