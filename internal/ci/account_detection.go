package ci

import "strings"

// DetectionFacts are account facts for the threat-detection rules (Inspector, IAM
// Access Analyzer). It is embedded in Account, so its keys sit beside the others in a
// snapshot's account object.
type DetectionFacts struct {
	// InspectorAccounts is Inspector's BatchGetAccountStatus accounts: the state of
	// Amazon Inspector and of each of its scan types, for the snapshot's account (and,
	// from a delegated administrator, for its members).
	InspectorAccounts []InspectorAccountState `json:"inspector2.accounts"`
	// AccessAnalyzers is IAM Access Analyzer's ListAnalyzers analyzers in the region.
	AccessAnalyzers []AccessAnalyzer `json:"accessanalyzer.analyzers"`
}

// InspectorAccountState is one BatchGetAccountStatus AccountState.
type InspectorAccountState struct {
	AccountID string `json:"accountId"`
	State     struct {
		Status string `json:"status"`
	} `json:"state"`
	// ResourceState is the state of each scan type: ec2, ecr, lambda, lambdaCode.
	ResourceState map[string]struct {
		Status string `json:"status"`
	} `json:"resourceState"`
}

// Enabled reports whether the scan type (a resourceState member, case-insensitive) is
// ENABLED.
func (s InspectorAccountState) Enabled(scan string) bool {
	for k, v := range s.ResourceState {
		if strings.EqualFold(k, scan) {
			return strings.EqualFold(v.Status, "ENABLED")
		}
	}
	return false
}

// AccessAnalyzer is one ListAnalyzers AnalyzerSummary.
type AccessAnalyzer struct {
	Arn    string `json:"arn"`
	Name   string `json:"name"`
	Type   string `json:"type"`   // ACCOUNT, ORGANIZATION, ACCOUNT_UNUSED_ACCESS, ...
	Status string `json:"status"` // ACTIVE, CREATING, DISABLED, FAILED
}

// GuardDutyFeature is one of GetDetector's Features.
type GuardDutyFeature struct {
	Name                    string `json:"Name"`
	Status                  string `json:"Status"`
	AdditionalConfiguration []struct {
		Name   string `json:"Name"`
		Status string `json:"Status"`
	} `json:"AdditionalConfiguration,omitempty"`
}

// GuardDutyDataSources is the part of GetDetector's DataSources (deprecated in favour
// of Features) that says which protections are on.
type GuardDutyDataSources struct {
	S3Logs *struct {
		Status string `json:"Status"`
	} `json:"S3Logs,omitempty"`
	Kubernetes *struct {
		AuditLogs *struct {
			Status string `json:"Status"`
		} `json:"AuditLogs,omitempty"`
	} `json:"Kubernetes,omitempty"`
	MalwareProtection *struct {
		ScanEc2InstanceWithFindings *struct {
			EbsVolumes *struct {
				Status string `json:"Status"`
			} `json:"EbsVolumes,omitempty"`
		} `json:"ScanEc2InstanceWithFindings,omitempty"`
	} `json:"MalwareProtection,omitempty"`
}

// FeatureEnabled reports whether the detector's feature (a GetDetector feature name
// such as S3_DATA_EVENTS) is ENABLED and, when additional is given, so is that
// additional configuration of it (EKS_ADDON_MANAGEMENT). Without a Features entry of
// that name it falls back to the DataSources of detectors that predate features.
func (d GuardDutyDetector) FeatureEnabled(feature, additional string) bool {
	for _, f := range d.Features {
		if !strings.EqualFold(f.Name, feature) {
			continue
		}
		if !strings.EqualFold(f.Status, "ENABLED") {
			return false
		}
		if additional == "" {
			return true
		}
		for _, c := range f.AdditionalConfiguration {
			if strings.EqualFold(c.Name, additional) {
				return strings.EqualFold(c.Status, "ENABLED")
			}
		}
		return false
	}
	ds := d.DataSources
	if ds == nil || additional != "" {
		return false
	}
	on := func(s string) bool { return strings.EqualFold(s, "ENABLED") }
	switch strings.ToUpper(feature) {
	case "S3_DATA_EVENTS":
		return ds.S3Logs != nil && on(ds.S3Logs.Status)
	case "EKS_AUDIT_LOGS":
		return ds.Kubernetes != nil && ds.Kubernetes.AuditLogs != nil && on(ds.Kubernetes.AuditLogs.Status)
	case "EBS_MALWARE_PROTECTION":
		m := ds.MalwareProtection
		return m != nil && m.ScanEc2InstanceWithFindings != nil && m.ScanEc2InstanceWithFindings.EbsVolumes != nil && on(m.ScanEc2InstanceWithFindings.EbsVolumes.Status)
	}
	return false
}
