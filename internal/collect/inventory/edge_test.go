package inventory_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acmpca"
	"github.com/aws/aws-sdk-go-v2/service/acmpca/schemas"
	acmpcatypes "github.com/aws/aws-sdk-go-v2/service/acmpca/types"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/appsync"
	appsynctypes "github.com/aws/aws-sdk-go-v2/service/appsync/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/transfer"
	transfertypes "github.com/aws/aws-sdk-go-v2/service/transfer/types"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
	waftypes "github.com/aws/aws-sdk-go-v2/service/wafv2/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestEdgeResources seeds, in moto, a compliant and a non-compliant resource of each type
// the edge rules read (state machines, GraphQL APIs, Transfer servers, stacks, private
// CAs, WAFv2 rule groups, REST APIs), collects a snapshot, and checks each item's
// resource id and name and one rule's verdict on it.
func TestEdgeResources(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	const logGroup = "arn:aws:logs:" + region + ":" + account + ":log-group:sfn:*"
	const role = "arn:aws:iam::" + account + ":role/r"
	ids := map[string]string{} // name → resource id of what the seeding returns

	s := sfn.NewFromConfig(cfg)
	for name, level := range map[string]sfntypes.LogLevel{"logged": sfntypes.LogLevelError, "silent": sfntypes.LogLevelOff} {
		lc := &sfntypes.LoggingConfiguration{Level: level}
		if level != sfntypes.LogLevelOff {
			lc.Destinations = []sfntypes.LogDestination{{CloudWatchLogsLogGroup: &sfntypes.CloudWatchLogsLogGroup{LogGroupArn: aws.String(logGroup)}}}
		}
		out, err := s.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), RoleArn: aws.String(role), LoggingConfiguration: lc,
			Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`)})
		must(t, err)
		ids[name] = aws.ToString(out.StateMachineArn)
	}
	as := appsync.NewFromConfig(cfg)
	for name, level := range map[string]appsynctypes.FieldLogLevel{"api-logged": appsynctypes.FieldLogLevelError, "api-silent": appsynctypes.FieldLogLevelNone} {
		out, err := as.CreateGraphqlApi(ctx, &appsync.CreateGraphqlApiInput{Name: aws.String(name), AuthenticationType: appsynctypes.AuthenticationTypeApiKey,
			LogConfig: &appsynctypes.LogConfig{FieldLogLevel: level, CloudWatchLogsRoleArn: aws.String(role)}})
		must(t, err)
		ids[name] = aws.ToString(out.GraphqlApi.Arn)
	}
	tr := transfer.NewFromConfig(cfg)
	for name, protocols := range map[string][]transfertypes.Protocol{"sftp": {transfertypes.ProtocolSftp}, "ftp": {transfertypes.ProtocolSftp, transfertypes.ProtocolFtp}} {
		out, err := tr.CreateServer(ctx, &transfer.CreateServerInput{Protocols: protocols})
		must(t, err)
		ids[name] = aws.ToString(out.ServerId)
	}
	cf := cloudformation.NewFromConfig(cfg)
	const topic = "arn:aws:sns:" + region + ":" + account + ":events"
	_, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events")}) // moto publishes the stack's events to it
	must(t, err)
	for name, arns := range map[string][]string{"notified": {topic}, "unnotified": nil} {
		out, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(name), NotificationARNs: arns,
			TemplateBody: aws.String(`{"Resources":{"T":{"Type":"AWS::SNS::Topic"}}}`)})
		must(t, err)
		ids[name] = aws.ToString(out.StackId)
	}
	pca := acmpca.NewFromConfig(cfg, func(o *acmpca.Options) { o.Protocol = awsjson.New11(schemas.ACMPrivateCA) }) // moto speaks no CBOR
	for name, typ := range map[string]acmpcatypes.CertificateAuthorityType{"root": acmpcatypes.CertificateAuthorityTypeRoot, "sub": acmpcatypes.CertificateAuthorityTypeSubordinate} {
		out, err := pca.CreateCertificateAuthority(ctx, &acmpca.CreateCertificateAuthorityInput{CertificateAuthorityType: typ,
			CertificateAuthorityConfiguration: &acmpcatypes.CertificateAuthorityConfiguration{KeyAlgorithm: acmpcatypes.KeyAlgorithmRsa2048,
				SigningAlgorithm: acmpcatypes.SigningAlgorithmSha256withrsa, Subject: &acmpcatypes.ASN1Subject{CommonName: aws.String(name)}}})
		must(t, err)
		ids[name] = aws.ToString(out.CertificateAuthorityArn)
	}
	w := wafv2.NewFromConfig(cfg)
	vis := &waftypes.VisibilityConfig{CloudWatchMetricsEnabled: true, MetricName: aws.String("m"), SampledRequestsEnabled: false}
	for name, rules := range map[string][]waftypes.Rule{"full": {{Name: aws.String("r1"), Priority: 0, Action: &waftypes.RuleAction{Block: &waftypes.BlockAction{}},
		VisibilityConfig: vis, Statement: &waftypes.Statement{GeoMatchStatement: &waftypes.GeoMatchStatement{CountryCodes: []waftypes.CountryCode{waftypes.CountryCodeFr}}}}}, "empty": nil} {
		out, err := w.CreateRuleGroup(ctx, &wafv2.CreateRuleGroupInput{Name: aws.String(name), Scope: waftypes.ScopeRegional, Capacity: aws.Int64(10),
			VisibilityConfig: vis, Rules: rules})
		must(t, err)
		ids[name] = aws.ToString(out.Summary.ARN)
	}
	ag := apigateway.NewFromConfig(cfg)
	for name, typ := range map[string]apigwtypes.EndpointType{"regional-api": apigwtypes.EndpointTypeRegional, "edge-api": apigwtypes.EndpointTypeEdge} {
		out, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(name), EndpointConfiguration: &apigwtypes.EndpointConfiguration{Types: []apigwtypes.EndpointType{typ}}})
		must(t, err)
		ids[name] = "arn:aws:apigateway:" + region + "::/restapis/" + aws.ToString(out.Id)
	}

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	for _, sk := range snap.Skipped {
		for _, p := range []string{"stepfunctions", "appsync", "transfer", "cloudformation", "acmpca", "wafv2.ruleGroups", "apigateway.restApis"} {
			if sk.Part == p {
				t.Errorf("part %s skipped: %s", p, sk.Error)
			}
		}
	}
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
		items = append(items, it)
	}
	cases := []struct {
		resourceType, rule string
		params             map[string]string
		want               map[string]string // name → compliance
	}{
		{"AWS::StepFunctions::StateMachine", "STEP_FUNCTIONS_STATE_MACHINE_LOGGING_ENABLED", nil, map[string]string{"logged": "COMPLIANT", "silent": "NON_COMPLIANT"}},
		{"AWS::AppSync::GraphQLApi", "APPSYNC_LOGGING_ENABLED", nil, map[string]string{"api-logged": "COMPLIANT", "api-silent": "NON_COMPLIANT"}},
		{"AWS::AppSync::GraphQLApi", "APPSYNC_ASSOCIATED_WITH_WAF", nil, map[string]string{"api-logged": "NON_COMPLIANT", "api-silent": "NON_COMPLIANT"}},
		{"AWS::Transfer::Server", "TRANSFER_FAMILY_SERVER_NO_FTP", nil, map[string]string{"sftp": "COMPLIANT", "ftp": "NON_COMPLIANT"}},
		{"AWS::CloudFormation::Stack", "CLOUDFORMATION_STACK_NOTIFICATION_CHECK", nil, map[string]string{"notified": "COMPLIANT", "unnotified": "NON_COMPLIANT"}},
		{"AWS::ACMPCA::CertificateAuthority", "ACM_PCA_ROOT_CA_DISABLED", nil, map[string]string{"root": "NON_COMPLIANT", "sub": "NOT_APPLICABLE"}},
		{"AWS::WAFv2::RuleGroup", "WAFV2_RULEGROUP_NOT_EMPTY", nil, map[string]string{"full": "COMPLIANT", "empty": "NON_COMPLIANT"}},
		{"AWS::WAFv2::RuleGroup", "WAFV2_RULEGROUP_LOGGING_ENABLED", nil, map[string]string{"full": "COMPLIANT", "empty": "NOT_APPLICABLE"}},
		{"AWS::ApiGateway::RestApi", "API_GW_ENDPOINT_TYPE_CHECK", map[string]string{"endpointConfigurationTypes": "REGIONAL,PRIVATE"},
			map[string]string{"regional-api": "COMPLIANT", "edge-api": "NON_COMPLIANT"}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			r, err := rules.Get(c.rule)
			must(t, err)
			check, err := r.Bind(c.params)
			must(t, err)
			got := map[string]string{}
			for _, it := range items {
				if it.ResourceType != c.resourceType {
					continue
				}
				name := ""
				for n, id := range ids {
					if id == it.ResourceID {
						name = n
					}
				}
				if name == "" {
					t.Errorf("item %s %s is not one seeded", it.ResourceType, it.ResourceID)
					continue
				}
				res, err := check.EvaluateItem(it, rules.Env{})
				must(t, err)
				got[name] = string(res.ComplianceType)
				if it.ResourceName != "" && !strings.Contains(name, it.ResourceName) && it.ResourceName != name {
					t.Errorf("%s: resource name %q", name, it.ResourceName)
				}
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("verdicts (-want +got):\n%s", d)
			}
		})
	}
}
