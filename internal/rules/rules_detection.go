package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const guardDutyDetector = "AWS::GuardDuty::Detector"

// guardDutyFeatureRule builds a rule that every GuardDuty detector of the account and
// region (the fact guardduty.Detectors) is enabled with the feature (a GetDetector
// feature name) and, when additional is given, that additional configuration of it
// (automated agent management). One result per detector; an account without a detector
// has the protection off, so it is NON_COMPLIANT, as the rules' documentation puts it
// ("not enabled for your account"). alt, when given, is another feature that carries
// the same protection (EKS Runtime Monitoring before Runtime Monitoring took it over).
func guardDutyFeatureRule(id, what, feature, alt, additional string) *Rule {
	desc := "GuardDuty detectors have " + what + " enabled (GetDetector feature " + feature
	if additional != "" {
		desc += " with " + additional
	}
	if alt != "" {
		desc += ", or " + alt + " likewise"
	}
	desc += "); without an enabled detector the account is NON_COMPLIANT."
	return &Rule{ID: id, Description: desc,
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("guardduty.Detectors") {
				return nil, nil
			}
			if len(acct.GuardDutyDetectors) == 0 {
				return []Result{accountResult(acct, NonCompliant, "GuardDuty has no detector in the region, so "+what+" is not enabled.")}, nil
			}
			var out []Result
			for _, id := range sortedKeys(acct.GuardDutyDetectors) {
				d := acct.GuardDutyDetectors[id]
				res := Result{ResourceType: guardDutyDetector, ResourceID: id, ComplianceType: Compliant}
				switch {
				case !strings.EqualFold(d.Status, "ENABLED"):
					res.ComplianceType, res.Annotation = NonCompliant, "The detector is "+d.Status+"."
				case !d.FeatureEnabled(feature, additional) && (alt == "" || !d.FeatureEnabled(alt, additional)):
					res.ComplianceType, res.Annotation = NonCompliant, what+" is not enabled."
				}
				out = append(out, res)
			}
			return out, nil
		}}
}

// inspectorRule builds a rule that Amazon Inspector scans the resources of scan (a
// BatchGetAccountStatus resourceState member) in the account and, from a delegated
// administrator's snapshot, in every member account the fact lists.
func inspectorRule(id, what, scan string) *Rule {
	return &Rule{ID: id,
		Description: "Amazon Inspector " + what + " is ENABLED (BatchGetAccountStatus resourceState." + scan + ") for the account and every account the fact inspector2.accounts lists.",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("inspector2.accounts") {
				return nil, nil
			}
			var off []string
			for _, s := range acct.InspectorAccounts {
				if !s.Enabled(scan) {
					off = append(off, s.AccountID)
				}
			}
			switch {
			case len(acct.InspectorAccounts) == 0:
				return []Result{accountResult(acct, NonCompliant, "Amazon Inspector reports no state for the account.")}, nil
			case len(off) > 0:
				return []Result{accountResult(acct, NonCompliant, "Amazon Inspector "+what+" is not enabled for "+strings.Join(off, ", ")+".")}, nil
			}
			return []Result{accountResult(acct, Compliant, "")}, nil
		}}
}

var detectionRules = []*Rule{
	guardDutyFeatureRule("GUARDDUTY_S3_PROTECTION_ENABLED", "S3 Protection", "S3_DATA_EVENTS", "", ""),
	guardDutyFeatureRule("GUARDDUTY_EKS_PROTECTION_AUDIT_ENABLED", "EKS Audit Log Monitoring", "EKS_AUDIT_LOGS", "", ""),
	guardDutyFeatureRule("GUARDDUTY_EKS_PROTECTION_RUNTIME_ENABLED", "EKS Runtime Monitoring with automated agent management", "RUNTIME_MONITORING", "EKS_RUNTIME_MONITORING", "EKS_ADDON_MANAGEMENT"),
	guardDutyFeatureRule("GUARDDUTY_ECS_PROTECTION_RUNTIME_ENABLED", "ECS Runtime Monitoring with automated agent management", "RUNTIME_MONITORING", "", "ECS_FARGATE_AGENT_MANAGEMENT"),
	guardDutyFeatureRule("GUARDDUTY_EC2_PROTECTION_RUNTIME_ENABLED", "EC2 Runtime Monitoring with automated agent management", "RUNTIME_MONITORING", "", "EC2_AGENT_MANAGEMENT"),
	guardDutyFeatureRule("GUARDDUTY_RUNTIME_MONITORING_ENABLED", "Runtime Monitoring", "RUNTIME_MONITORING", "", ""),
	guardDutyFeatureRule("GUARDDUTY_LAMBDA_PROTECTION_ENABLED", "Lambda Protection", "LAMBDA_NETWORK_LOGS", "", ""),
	guardDutyFeatureRule("GUARDDUTY_MALWARE_PROTECTION_ENABLED", "Malware Protection for EC2", "EBS_MALWARE_PROTECTION", "", ""),
	guardDutyFeatureRule("GUARDDUTY_RDS_PROTECTION_ENABLED", "RDS Protection", "RDS_LOGIN_EVENTS", "", ""),
	inspectorRule("INSPECTOR_EC2_SCAN_ENABLED", "EC2 scanning", "ec2"),
	inspectorRule("INSPECTOR_ECR_SCAN_ENABLED", "ECR scanning", "ecr"),
	inspectorRule("INSPECTOR_LAMBDA_STANDARD_SCAN_ENABLED", "Lambda standard scanning", "lambda"),
	inspectorRule("INSPECTOR_LAMBDA_CODE_SCAN_ENABLED", "Lambda code scanning", "lambdaCode"),
	{
		ID: "IAM_EXTERNAL_ACCESS_ANALYZER_ENABLED",
		Description: "IAM Access Analyzer has an ACTIVE analyzer for external access (type ACCOUNT or ORGANIZATION; unused- and internal-access " +
			"analyzers do not count) in the region (accessanalyzer.analyzers).",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("accessanalyzer.analyzers") {
				return nil, nil
			}
			for _, an := range acct.AccessAnalyzers {
				switch strings.ToUpper(an.Type) {
				case "ACCOUNT", "ORGANIZATION":
					if strings.EqualFold(an.Status, "ACTIVE") {
						return []Result{accountResult(acct, Compliant, "")}, nil
					}
				}
			}
			return []Result{accountResult(acct, NonCompliant, "No active IAM Access Analyzer for external access in the region.")}, nil
		},
	},
}
