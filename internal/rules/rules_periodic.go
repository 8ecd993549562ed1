package rules

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/ci"
)

const scPortfolio = "AWS::ServiceCatalog::Portfolio"

// alarmDimensions maps the resource types CLOUDWATCH_ALARM_RESOURCE_CHECK takes to the
// metric dimension that names such a resource.
var alarmDimensions = map[string]string{
	"AWS::EC2::Instance":  "InstanceId",
	"AWS::EC2::Volume":    "VolumeId",
	"AWS::RDS::DBCluster": "DBClusterIdentifier",
	"AWS::S3::Bucket":     "BucketName",
}

// alarmMetrics is the part of a CloudWatch alarm CI that says what it watches: its
// metric, or the metrics of its metric math.
type alarmMetrics struct {
	MetricName string           `json:"metricName"`
	Dimensions []alarmDimension `json:"dimensions"`
	Metrics    []struct {
		MetricStat *struct {
			Metric struct {
				MetricName string           `json:"metricName"`
				Dimensions []alarmDimension `json:"dimensions"`
			} `json:"metric"`
		} `json:"metricStat"`
	} `json:"metrics"`
}

type alarmDimension struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// watches reports whether the alarm watches metric with the dimension name=value.
func (m *alarmMetrics) watches(metric, name, value string) bool {
	has := func(metricName string, dims []alarmDimension) bool {
		if metricName != metric {
			return false
		}
		for _, d := range dims {
			if d.Name == name && d.Value == value {
				return true
			}
		}
		return false
	}
	if has(m.MetricName, m.Dimensions) {
		return true
	}
	for _, q := range m.Metrics {
		if q.MetricStat != nil && has(q.MetricStat.Metric.MetricName, q.MetricStat.Metric.Dimensions) {
			return true
		}
	}
	return false
}

// securityTrail reports why the trail falls short of CLOUDTRAIL_SECURITY_TRAIL_ENABLED
// ("" when it meets every criterion).
func securityTrail(t ci.Trail, sel ci.EventSelectors, selOK bool) string {
	switch {
	case !t.IsMultiRegionTrail:
		return "not multi-region"
	case !t.IncludeGlobalServiceEvents:
		return "no global service events"
	case !t.LogFileValidationEnabled:
		return "no log file validation"
	case t.KmsKeyID == "":
		return "not encrypted with a KMS key"
	case !selOK:
		return "event selectors not collected"
	}
	for _, s := range sel.EventSelectors {
		if (s.IncludeManagementEvents == nil || *s.IncludeManagementEvents) && strings.EqualFold(cmp.Or(s.ReadWriteType, "All"), "All") &&
			len(s.ExcludeManagementEventSources) == 0 {
			return ""
		}
	}
	for _, s := range sel.AdvancedEventSelectors {
		mgmt, filtered := false, false
		for _, f := range s.FieldSelectors {
			switch f.Field {
			case "eventCategory":
				mgmt = inList(f.Equals, "Management")
			case "readOnly", "eventSource":
				filtered = true // only reads or only writes, or some event sources left out
			}
		}
		if mgmt && !filtered {
			return ""
		}
	}
	return "does not record all management events, reads and writes"
}

var periodicRules = []*Rule{
	{
		ID:          "MACIE_STATUS_CHECK",
		Description: "Amazon Macie is enabled in the account and region (the fact macie2.Session, GetMacieSession, has status ENABLED).",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("macie2.Session") {
				return nil, nil
			}
			s := acct.MacieSession
			switch {
			case s == nil:
				return []Result{accountResult(acct, NonCompliant, "Macie is not enabled.")}, nil
			case !strings.EqualFold(s.Status, "ENABLED"):
				return []Result{accountResult(acct, NonCompliant, "Macie's status is "+s.Status+".")}, nil
			}
			return []Result{accountResult(acct, Compliant, "")}, nil
		},
	},
	{
		ID: "MACIE_AUTO_SENSITIVE_DATA_DISCOVERY_CHECK",
		Description: "Macie's automated sensitive data discovery is enabled (macie2.AutomatedDiscoveryConfiguration status ENABLED) in Macie administrator and standalone accounts; " +
			"member accounts (macie2.AdministratorAccount names an administrator) are NOT_APPLICABLE.",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("macie2.AutomatedDiscoveryConfiguration") {
				return nil, nil
			}
			if adm := acct.MacieAdministrator; adm != nil && adm.AccountID != "" && adm.AccountID != acct.AccountID {
				return []Result{accountResult(acct, NotApplicable, "The account is a Macie member of "+adm.AccountID+".")}, nil
			}
			c := acct.MacieAutomatedDiscovery
			if c == nil || !strings.EqualFold(c.Status, "ENABLED") {
				return []Result{accountResult(acct, NonCompliant, "Automated sensitive data discovery is not enabled.")}, nil
			}
			return []Result{accountResult(acct, Compliant, "")}, nil
		},
	},
	{
		ID:          "SECURITY_ACCOUNT_INFORMATION_PROVIDED",
		Description: "The account has a security alternate contact (the fact account.AlternateContacts, GetAlternateContact by type, holds SECURITY with an e-mail address).",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("account.AlternateContacts") {
				return nil, nil
			}
			c, ok := acct.AlternateContacts["SECURITY"]
			ok = ok && strings.TrimSpace(c.EmailAddress) != ""
			r, note, _ := verdict(ok, "The account has no security contact.")
			return []Result{accountResult(acct, r, note)}, nil
		},
	},
	{
		ID: "SERVICE_CATALOG_SHARED_WITHIN_ORGANIZATION",
		Description: "Service Catalog portfolios are shared through AWS Organizations only (no share of type ACCOUNT in servicecatalog.PortfolioShares); " +
			"one result per portfolio, NOT_APPLICABLE when the account is in no organisation.",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("servicecatalog.PortfolioShares") {
				return nil, nil
			}
			noOrg := acct.Has("organizations.Organization") && acct.Organization == nil
			var out []Result
			for _, id := range sortedKeys(acct.PortfolioShares) {
				res := Result{ResourceType: scPortfolio, ResourceID: id, ComplianceType: Compliant}
				var accounts []string
				for _, s := range acct.PortfolioShares[id] {
					if strings.EqualFold(s.Type, "ACCOUNT") {
						accounts = append(accounts, s.PrincipalID)
					}
				}
				switch {
				case noOrg:
					res.ComplianceType, res.Annotation = NotApplicable, "The account is in no organization."
				case len(accounts) > 0:
					res.ComplianceType, res.Annotation = NonCompliant, "The portfolio is shared with accounts directly: "+strings.Join(accounts, ", ")+"."
				}
				out = append(out, res)
			}
			return out, nil
		},
	},
	{
		ID: "CLOUDWATCH_ALARM_RESOURCE_CHECK",
		Description: "Each resource of resourceType (AWS::EC2::Instance, AWS::EC2::Volume, AWS::RDS::DBCluster or AWS::S3::Bucket) has a CloudWatch alarm on metricName " +
			"with the dimension naming it (InstanceId, VolumeId, DBClusterIdentifier, BucketName); resources of the other types are NOT_APPLICABLE.",
		Scope:   []string{"AWS::EC2::Instance", "AWS::EC2::Volume", "AWS::RDS::DBCluster", "AWS::S3::Bucket"},
		Params:  []Param{{Name: "resourceType", Type: String, Required: true}, {Name: "metricName", Type: String, Required: true}},
		Related: []string{cwAlarm},
		CheckParams: func(a Args) []probity.FieldError {
			if _, ok := alarmDimensions[a.Str("resourceType")]; a.Set("resourceType") && !ok {
				return []probity.FieldError{{Name: "resourceType", Message: fmt.Sprintf("%q is not one of %s", a.Str("resourceType"), strings.Join(sortedKeys(alarmDimensions), ", "))}}
			}
			return nil
		},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			dim := alarmDimensions[a.Str("resourceType")]
			switch {
			case it.ResourceType != a.Str("resourceType"):
				return na("Not of resourceType " + a.Str("resourceType") + ".")
			case env.Related == nil:
				return na("The input holds no CloudWatch alarms (" + cwAlarm + " items of a snapshot).")
			}
			name := it.ResourceID
			if dim == "DBClusterIdentifier" || dim == "BucketName" {
				name = cmp.Or(it.ResourceName, it.ResourceID)
			}
			for _, al := range env.Related.Items(cwAlarm) {
				m, err := cfg[alarmMetrics](al)
				if err != nil {
					return "", "", err
				}
				if m.watches(a.Str("metricName"), dim, name) {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "No alarm watches " + a.Str("metricName") + " of the resource.", nil
		},
	},
	{
		ID: "CLOUDTRAIL_SECURITY_TRAIL_ENABLED",
		Description: "At least one trail follows CloudTrail's security practices: multi-region, global service events, log file validation, KMS encryption, and " +
			"all management events (reads and writes, no event source excluded).",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("cloudtrail.trailList") || !acct.Has("cloudtrail.eventSelectors") {
				return nil, nil
			}
			var why []string
			for _, t := range acct.Trails {
				sel, ok := acct.EventSelectors[t.TrailARN]
				bad := securityTrail(t, sel, ok)
				if bad == "" {
					return []Result{accountResult(acct, Compliant, "")}, nil
				}
				why = append(why, t.Name+": "+bad)
			}
			if len(why) == 0 {
				return []Result{accountResult(acct, NonCompliant, "The account has no trails.")}, nil
			}
			return []Result{accountResult(acct, NonCompliant, "No trail meets the security practices ("+strings.Join(why, "; ")+").")}, nil
		},
	},
}
