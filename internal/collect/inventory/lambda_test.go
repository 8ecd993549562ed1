package inventory_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestLambdaFunctions seeds a function with reserved concurrency and subnets in two
// Availability Zones, and a bare one; it collects a snapshot and checks the functions'
// subnets and supplementaryConfiguration Concurrency (as AWS Config's rule cases show it)
// and the four Lambda rules over the snapshot. moto accepts a dead-letter queue but never
// returns it (ListFunctions, GetFunction), so both functions are NON_COMPLIANT for
// LAMBDA_DLQ_CHECK here; its cases cover the compliant side.
func TestLambdaFunctions(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String("{}")})
	must(t, err)
	var code bytes.Buffer
	zw := zip.NewWriter(&code)
	w, err := zw.Create("index.py")
	must(t, err)
	_, err = w.Write([]byte("def handler(event, context):\n    pass\n"))
	must(t, err)
	must(t, zw.Close())
	e := ec2.NewFromConfig(cfg)
	vpc, err := e.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	must(t, err)
	var subnets []string
	for i, az := range []string{"a", "b"} {
		s, err := e.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String([]string{"10.0.1.0/24", "10.0.2.0/24"}[i]), AvailabilityZone: aws.String(region + az)})
		must(t, err)
		subnets = append(subnets, aws.ToString(s.Subnet.SubnetId))
	}
	l := lambda.NewFromConfig(cfg)
	for _, name := range []string{"guarded", "bare"} {
		in := &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: role.Role.Arn, Runtime: lambdatypes.RuntimePython312,
			Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: code.Bytes()}}
		if name == "guarded" {
			in.VpcConfig = &lambdatypes.VpcConfig{SubnetIds: subnets, SecurityGroupIds: []string{}}
		}
		_, err := l.CreateFunction(ctx, in)
		must(t, err)
	}
	_, err = l.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("guarded"), ReservedConcurrentExecutions: aws.Int32(10)})
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
		if it.ResourceType != "AWS::Lambda::Function" {
			continue
		}
		var c struct {
			DeadLetterConfig json.RawMessage `json:"deadLetterConfig"`
			VpcConfig        struct {
				SubnetIDs []string `json:"subnetIds"`
			} `json:"vpcConfig"`
		}
		must(t, json.Unmarshal(it.Configuration, &c))
		got[it.ResourceID] = mustString(t, []any{string(c.DeadLetterConfig), c.VpcConfig.SubnetIDs, string(it.Supplementary["Concurrency"])})
	}
	want := map[string]string{
		"guarded": mustString(t, []any{"null", subnets, `{"reservedConcurrentExecutions":10}`}),
		"bare":    mustString(t, []any{"null", nil, ""}),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("functions (-want +got):\n%s", d)
	}

	results := map[string]string{}
	for id, params := range map[string]map[string]string{"LAMBDA_DLQ_CHECK": nil, "LAMBDA_CONCURRENCY_CHECK": nil,
		"LAMBDA_VPC_MULTI_AZ_CHECK": nil, "LAMBDA_FUNCTION_SETTINGS_CHECK": {"runtime": "python3.12"}} {
		rule, err := rules.Get(id)
		must(t, err)
		check, err := rule.Bind(params)
		must(t, err)
		must(t, rules.Evaluate(check, ci.NewDecoder(bytes.NewReader(raw)), rules.Env{}, func(r rules.Result) error {
			results[id+" "+r.ResourceID] = string(r.ComplianceType)
			return nil
		}))
	}
	wantResults := map[string]string{
		"LAMBDA_DLQ_CHECK guarded": "NON_COMPLIANT", "LAMBDA_DLQ_CHECK bare": "NON_COMPLIANT",
		"LAMBDA_CONCURRENCY_CHECK guarded": "COMPLIANT", "LAMBDA_CONCURRENCY_CHECK bare": "NON_COMPLIANT",
		"LAMBDA_VPC_MULTI_AZ_CHECK guarded": "COMPLIANT", "LAMBDA_VPC_MULTI_AZ_CHECK bare": "NOT_APPLICABLE",
		"LAMBDA_FUNCTION_SETTINGS_CHECK guarded": "COMPLIANT", "LAMBDA_FUNCTION_SETTINGS_CHECK bare": "COMPLIANT",
	}
	if d := cmp.Diff(wantResults, results); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
}
