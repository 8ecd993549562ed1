package inventory_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/inspector2"
	inspectortypes "github.com/aws/aws-sdk-go-v2/service/inspector2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
)

// recordedAnalyzers are two pages of ListAnalyzers as AWS documents its response: an
// active external-access analyzer on the first, an unused-access one on the second.
var recordedAnalyzers = map[string]string{
	"": `{"analyzers":[{"arn":"arn:aws:access-analyzer:us-east-1:123456789012:analyzer/external","createdAt":"2024-01-01T00:00:00Z",` +
		`"name":"external","status":"ACTIVE","type":"ACCOUNT","tags":{}}],"nextToken":"page2"}`,
	"page2": `{"analyzers":[{"arn":"arn:aws:access-analyzer:us-east-1:123456789012:analyzer/unused","createdAt":"2024-01-02T00:00:00Z",` +
		`"name":"unused","status":"ACTIVE","type":"ACCOUNT_UNUSED_ACCESS","configuration":{"unusedAccess":{"unusedAccessAge":90}}}]}`,
}

// TestDetectionFacts seeds moto with a GuardDuty detector whose S3 Protection and Runtime
// Monitoring (with EKS agent management) are on, and Amazon Inspector enabled for EC2
// and ECR, and collects the snapshot. Moto lacks IAM Access Analyzer (it answers an HTML
// 500), so an httptest server answers ListAnalyzers with recorded responses (two pages)
// and forwards every other request to moto. It checks the facts guardduty.Detectors
// (Features), inspector2.accounts and accessanalyzer.analyzers, and the rules that read
// them; and that against moto alone the analyzers are skipped and the rest kept.
func TestDetectionFacts(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	const account = "123456789012"
	det, err := guardduty.NewFromConfig(m.Config()).CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true),
		Features: []gdtypes.DetectorFeatureConfiguration{
			{Name: gdtypes.DetectorFeatureS3DataEvents, Status: gdtypes.FeatureStatusEnabled},
			{Name: gdtypes.DetectorFeatureRdsLoginEvents, Status: gdtypes.FeatureStatusDisabled},
			{Name: gdtypes.DetectorFeatureRuntimeMonitoring, Status: gdtypes.FeatureStatusEnabled, AdditionalConfiguration: []gdtypes.DetectorAdditionalConfiguration{
				{Name: gdtypes.FeatureAdditionalConfigurationEksAddonManagement, Status: gdtypes.FeatureStatusEnabled},
				{Name: gdtypes.FeatureAdditionalConfigurationEcsFargateAgentManagement, Status: gdtypes.FeatureStatusDisabled},
			}},
		}})
	must(t, err)
	detector := aws.ToString(det.DetectorId)
	_, err = inspector2.NewFromConfig(m.Config()).Enable(ctx, &inspector2.EnableInput{AccountIds: []string{account},
		ResourceTypes: []inspectortypes.ResourceScanType{inspectortypes.ResourceScanTypeEc2, inspectortypes.ResourceScanTypeEcr}})
	must(t, err)

	var mu sync.Mutex
	var tokens []string
	cfg := recorded(t, m, func(c recordedCall) (int, string, bool) {
		if c.Op != "GET /analyzer" {
			return 0, "", false
		}
		token := c.R.URL.Query().Get("nextToken")
		mu.Lock()
		tokens = append(tokens, token)
		mu.Unlock()
		return http.StatusOK, recordedAnalyzers[token], true
	}, "AccessAnalyzer.ListAnalyzers")
	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: mototest.Region})
	must(t, err)
	for _, s := range withoutMotoGaps(snap.Skipped) {
		if s.Part != "guardduty.findings" { // moto lacks ListFindings (TestGuardDutyFindings)
			t.Errorf("skipped %+v", s)
		}
	}
	if !slices.Equal(tokens, []string{"", "page2"}) {
		t.Errorf("ListAnalyzers pages asked: %q, want the first and page2", tokens)
	}
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := bytes.Clone(buf.Bytes())
	dec := ci.NewDecoder(&buf)
	for {
		if _, err := dec.Next(); err != nil {
			break
		}
	}
	acct := dec.Account()

	d, ok := acct.GuardDutyDetectors[detector]
	if !ok {
		t.Fatalf("guardduty.Detectors: %+v, want detector %s", acct.GuardDutyDetectors, detector)
	}
	features := map[string]string{}
	for _, f := range d.Features {
		features[f.Name] = f.Status
		for _, c := range f.AdditionalConfiguration {
			features[f.Name+"/"+c.Name] = c.Status
		}
	}
	if diff := cmp.Diff(map[string]string{"S3_DATA_EVENTS": "ENABLED", "RDS_LOGIN_EVENTS": "DISABLED", "RUNTIME_MONITORING": "ENABLED",
		"RUNTIME_MONITORING/EKS_ADDON_MANAGEMENT": "ENABLED", "RUNTIME_MONITORING/ECS_FARGATE_AGENT_MANAGEMENT": "DISABLED"}, features); diff != "" {
		t.Errorf("detector features (-want +got):\n%s", diff)
	}
	if len(acct.InspectorAccounts) != 1 || acct.InspectorAccounts[0].AccountID != account {
		t.Fatalf("inspector2.accounts: %+v", acct.InspectorAccounts)
	}
	scans := map[string]bool{}
	for _, s := range []string{"ec2", "ecr", "lambda", "lambdaCode"} {
		scans[s] = acct.InspectorAccounts[0].Enabled(s)
	}
	if diff := cmp.Diff(map[string]bool{"ec2": true, "ecr": true, "lambda": false, "lambdaCode": false}, scans); diff != "" {
		t.Errorf("inspector scans (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]ci.AccessAnalyzer{
		{Arn: "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/external", Name: "external", Type: "ACCOUNT", Status: "ACTIVE"},
		{Arn: "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/unused", Name: "unused", Type: "ACCOUNT_UNUSED_ACCESS", Status: "ACTIVE"},
	}, acct.AccessAnalyzers); diff != "" {
		t.Errorf("accessanalyzer.analyzers (-want +got):\n%s", diff)
	}

	got := map[string]string{}
	for _, id := range []string{"GUARDDUTY_S3_PROTECTION_ENABLED", "GUARDDUTY_RDS_PROTECTION_ENABLED", "GUARDDUTY_EKS_PROTECTION_RUNTIME_ENABLED",
		"GUARDDUTY_ECS_PROTECTION_RUNTIME_ENABLED", "INSPECTOR_EC2_SCAN_ENABLED", "INSPECTOR_LAMBDA_STANDARD_SCAN_ENABLED", "IAM_EXTERNAL_ACCESS_ANALYZER_ENABLED"} {
		for res, c := range evaluateRule(t, raw, id, nil) {
			got[id+" "+res] = c
		}
	}
	if diff := cmp.Diff(map[string]string{
		"GUARDDUTY_S3_PROTECTION_ENABLED " + detector:          "COMPLIANT",
		"GUARDDUTY_RDS_PROTECTION_ENABLED " + detector:         "NON_COMPLIANT",
		"GUARDDUTY_EKS_PROTECTION_RUNTIME_ENABLED " + detector: "COMPLIANT",
		"GUARDDUTY_ECS_PROTECTION_RUNTIME_ENABLED " + detector: "NON_COMPLIANT",
		"INSPECTOR_EC2_SCAN_ENABLED " + account:                "COMPLIANT",
		"INSPECTOR_LAMBDA_STANDARD_SCAN_ENABLED " + account:    "NON_COMPLIANT",
		"IAM_EXTERNAL_ACCESS_ANALYZER_ENABLED " + account:      "COMPLIANT",
	}, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}

	// Against moto alone, ListAnalyzers is an operation the endpoint lacks: the part is
	// skipped, its fact absent, and the other facts kept.
	snap, err = (&inventory.Inventory{}).Snapshot(ctx, m.Config(), inventory.Options{Account: account, Region: mototest.Region})
	must(t, err)
	skipped := false
	for _, s := range snap.Skipped {
		skipped = skipped || s.Part == "accessanalyzer"
	}
	if !skipped {
		t.Errorf("skipped %+v, want accessanalyzer among them", snap.Skipped)
	}
	if _, ok := snap.Account["accessanalyzer.analyzers"]; ok {
		t.Error("accessanalyzer.analyzers recorded though ListAnalyzers failed")
	}
	if _, ok := snap.Account["inspector2.accounts"]; !ok {
		t.Error("inspector2.accounts missing")
	}
}
