package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestManagedInstances collects Systems Manager's view of two EC2 instances that moto
// runs. moto lacks DescribeInstanceInformation, ListResourceComplianceSummaries and
// ListComplianceItems (it answers them with an HTML 500), so an httptest server answers
// them with recorded responses in AWS's documented JSON shapes (the first instance
// managed, with one failed association and one missing patch across two pages) and
// forwards every other request to moto. It checks the exact AWS::SSM::* CIs and the
// three SSM rules over the snapshot.
func TestManagedInstances(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	// The recorded responses below stand for the operations mototest answers with 501.
	cfg := m.ConfigPassing("AmazonSSM.DescribeInstanceInformation", "AmazonSSM.ListResourceComplianceSummaries", "AmazonSSM.ListComplianceItems")
	const account, region = "123456789012", mototest.Region
	var ids []string
	for range 2 {
		out, err := ec2.NewFromConfig(cfg).RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
		must(t, err)
		ids = append(ids, aws.ToString(out.Instances[0].InstanceId))
	}
	managed := ids[0]
	responses := map[string][]string{
		"AmazonSSM.DescribeInstanceInformation": {`{"InstanceInformationList":[{"InstanceId":"` + managed + `","PingStatus":"Online","AgentVersion":"3.3.40.0",` +
			`"PlatformType":"Linux","PlatformName":"Amazon Linux","PlatformVersion":"2023","ResourceType":"EC2Instance","IPAddress":"10.0.0.5",` +
			`"ComputerName":"ip-10-0-0-5.ec2.internal"},{"InstanceId":"mi-0123456789abcdef0","PingStatus":"Online","ResourceType":"ManagedInstance"}]}`},
		"AmazonSSM.ListResourceComplianceSummaries": {`{"ResourceComplianceSummaryItems":[` +
			`{"ComplianceType":"Association","ResourceType":"ManagedInstance","ResourceId":"` + managed + `","Status":"NON_COMPLIANT"},` +
			`{"ComplianceType":"Patch","ResourceType":"ManagedInstance","ResourceId":"` + managed + `","Status":"NON_COMPLIANT"},` +
			`{"ComplianceType":"Custom:Inspection","ResourceType":"ManagedInstance","ResourceId":"` + managed + `","Status":"COMPLIANT"}]}`},
		"Association": {`{"ComplianceItems":[{"ComplianceType":"Association","ResourceType":"ManagedInstance","ResourceId":"` + managed + `",` +
			`"Id":"a-1","Title":"gather","Status":"NON_COMPLIANT","Severity":"UNSPECIFIED","ExecutionSummary":{"ExecutionTime":1717200000,` +
			`"ExecutionId":"e-1","ExecutionType":"Command"},"Details":{"DocumentName":"AWS-GatherSoftwareInventory","DocumentVersion":"1"}}]}`},
		"Patch": {`{"ComplianceItems":[{"ComplianceType":"Patch","ResourceType":"ManagedInstance","ResourceId":"` + managed + `","Id":"KB1",` +
			`"Title":"kernel","Status":"COMPLIANT","Severity":"CRITICAL","Details":{"PatchState":"Installed"}}],"NextToken":"2"}`,
			`{"ComplianceItems":[{"ComplianceType":"Patch","ResourceType":"ManagedInstance","ResourceId":"` + managed + `","Id":"KB2",` +
				`"Title":"openssl","Status":"NON_COMPLIANT","Severity":"HIGH","Details":{"PatchState":"Missing"}}]}`},
	}
	cfg.BaseEndpoint = aws.String(recordedURL(t, m, func(c recordedCall) (int, string, bool) {
		var in struct {
			NextToken string
			Filters   []struct{ Values []string }
		}
		_ = json.Unmarshal(c.Body, &in)
		key := c.Op
		if c.Op == "AmazonSSM.ListComplianceItems" && len(in.Filters) == 1 && len(in.Filters[0].Values) == 1 {
			key = in.Filters[0].Values[0]
		}
		pages, ok := responses[key]
		if !ok {
			return 0, "", false
		}
		page := 0
		if in.NextToken == "2" {
			page = 1
		}
		return http.StatusOK, pages[page], true
	}))

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	for _, s := range snap.Skipped {
		if s.Part == "ssm.managedInstances" {
			t.Fatalf("ssm.managedInstances skipped: %s", s.Error)
		}
	}
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := buf.Bytes()
	var got []string
	dec := ci.NewDecoder(bytes.NewReader(raw))
	for {
		it, err := dec.Next()
		if err != nil {
			break
		}
		switch it.ResourceType {
		case "AWS::SSM::ManagedInstanceInventory", "AWS::SSM::AssociationCompliance", "AWS::SSM::PatchCompliance":
			got = append(got, mustString(t, []any{it.ResourceType, it.ResourceID, it.ResourceName, it.ARN, json.RawMessage(it.Configuration)}))
		}
	}
	arn := "arn:aws:ssm:" + region + ":" + account + ":"
	want := []string{
		mustString(t, []any{"AWS::SSM::AssociationCompliance", managed, "AWS:ComplianceItem", arn + "association-compliance/" + managed,
			map[string]any{"AWS:ComplianceItem": map[string]any{"SchemaVersion": "1.0", "ComplianceType": "Association", "Content": map[string]any{"Association": map[string]any{
				"a-1": map[string]any{"Id": "a-1", "Title": "gather", "Status": "NON_COMPLIANT", "Severity": "UNSPECIFIED", "ExecutionId": "e-1",
					"ExecutionType": "Command", "ExecutionTime": "2024-06-01T00:00:00Z", "DocumentName": "AWS-GatherSoftwareInventory", "DocumentVersion": "1"}}}}}}),
		mustString(t, []any{"AWS::SSM::ManagedInstanceInventory", managed, "", arn + "managed-instance-inventory/" + managed,
			map[string]any{"AWS:InstanceInformation": map[string]any{"SchemaVersion": "1.0", "Content": map[string]any{managed: map[string]any{
				"InstanceId": managed, "AgentType": "amazon-ssm-agent", "AgentVersion": "3.3.40.0", "ComputerName": "ip-10-0-0-5.ec2.internal",
				"IpAddress": "10.0.0.5", "PlatformName": "Amazon Linux", "PlatformType": "Linux", "PlatformVersion": "2023", "ResourceType": "EC2Instance"}}}}}),
		mustString(t, []any{"AWS::SSM::PatchCompliance", managed, "AWS:ComplianceItem", arn + "patch-compliance/" + managed,
			map[string]any{"AWS:ComplianceItem": map[string]any{"SchemaVersion": "1.0", "ComplianceType": "Patch", "Content": map[string]any{"Patch": map[string]any{
				"KB1": map[string]any{"Id": "KB1", "Title": "kernel", "Status": "COMPLIANT", "Severity": "CRITICAL", "PatchState": "Installed"},
				"KB2": map[string]any{"Id": "KB2", "Title": "openssl", "Status": "NON_COMPLIANT", "Severity": "HIGH", "PatchState": "Missing"}}}}}}),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SSM CIs (-want +got):\n%s", d)
	}
	results := map[string]string{}
	for _, id := range []string{"EC2_INSTANCE_MANAGED_BY_SSM", "EC2_MANAGEDINSTANCE_ASSOCIATION_COMPLIANCE_STATUS_CHECK", "EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK"} {
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
		"EC2_INSTANCE_MANAGED_BY_SSM " + ids[0]: "COMPLIANT", "EC2_INSTANCE_MANAGED_BY_SSM " + ids[1]: "NON_COMPLIANT",
		"EC2_MANAGEDINSTANCE_ASSOCIATION_COMPLIANCE_STATUS_CHECK " + managed: "NON_COMPLIANT",
		"EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK " + managed:       "NON_COMPLIANT",
	}
	if d := cmp.Diff(wantResults, results); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
}

// TestMotoUnimplementedSkipped checks that, through mototest's configuration, the
// operations moto lacks are answered 501 and recorded as skipped, not failed.
func TestMotoUnimplementedSkipped(t *testing.T) {
	m := mototest.Shared(t)
	snap, err := (&inventory.Inventory{}).Snapshot(context.Background(), m.Config(), inventory.Options{Account: "123456789012", Region: mototest.Region})
	must(t, err)
	skipped := false
	for _, s := range snap.Skipped {
		skipped = skipped || s.Part == "ssm.managedInstances"
	}
	if !skipped {
		t.Errorf("ssm.managedInstances not skipped: %+v", snap.Skipped)
	}
	if _, ok := snap.Account["ssm.InstanceInformationList"]; ok {
		t.Error("ssm.InstanceInformationList recorded though DescribeInstanceInformation was unavailable")
	}
}
