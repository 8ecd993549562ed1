package rules

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// emrCluster is the resource type of EMR clusters. AWS Config does not record them; the
// inventory writes DescribeCluster's Cluster as configuration and the cluster's security
// configuration (DescribeSecurityConfiguration's document, decoded) as
// supplementaryConfiguration.SecurityConfiguration.
const emrCluster = "AWS::EMR::Cluster"

// kerberosConf is the part of an EMR security configuration EMR_KERBEROS_ENABLED reads.
type kerberosConf struct {
	AuthenticationConfiguration *struct {
		KerberosConfiguration *struct {
			Provider                         string `json:"Provider"`
			ClusterDedicatedKdcConfiguration struct {
				TicketLifetimeInHours        int `json:"TicketLifetimeInHours"`
				CrossRealmTrustConfiguration struct {
					Realm       string `json:"Realm"`
					Domain      string `json:"Domain"`
					AdminServer string `json:"AdminServer"`
					KdcServer   string `json:"KdcServer"`
				} `json:"CrossRealmTrustConfiguration"`
			} `json:"ClusterDedicatedKdcConfiguration"`
		} `json:"KerberosConfiguration"`
	} `json:"AuthenticationConfiguration"`
}

var emrRules = []*Rule{
	{
		ID: "EMR_KERBEROS_ENABLED",
		Description: "EMR clusters have a security configuration with Kerberos authentication whose ticket lifetime and cross-realm trust " +
			"(Realm, Domain, AdminServer, KdcServer) equal the parameters given; a cluster whose security configuration is not recorded is NOT_APPLICABLE.",
		Scope: []string{emrCluster},
		Params: []Param{{Name: "TicketLifetimeInHours", Type: Int}, {Name: "Realm", Type: String}, {Name: "Domain", Type: String},
			{Name: "AdminServer", Type: String}, {Name: "KdcServer", Type: String}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				SecurityConfiguration string `json:"SecurityConfiguration"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if c.SecurityConfiguration == "" {
				return NonCompliant, "The cluster has no security configuration.", nil
			}
			var sc kerberosConf
			ok, err := it.DecodeSupplementary("SecurityConfiguration", &sc)
			if err != nil {
				return "", "", err
			}
			if !ok {
				return na("The security configuration " + c.SecurityConfiguration + " is not recorded.")
			}
			if sc.AuthenticationConfiguration == nil || sc.AuthenticationConfiguration.KerberosConfiguration == nil {
				return NonCompliant, "The security configuration " + c.SecurityConfiguration + " does not enable Kerberos.", nil
			}
			kdc := sc.AuthenticationConfiguration.KerberosConfiguration.ClusterDedicatedKdcConfiguration
			if a.Set("TicketLifetimeInHours") && kdc.TicketLifetimeInHours != a.Int("TicketLifetimeInHours") {
				return NonCompliant, fmt.Sprintf("Kerberos tickets live %d hours, not %d.", kdc.TicketLifetimeInHours, a.Int("TicketLifetimeInHours")), nil
			}
			trust := kdc.CrossRealmTrustConfiguration
			for _, p := range []struct{ name, got string }{{"Realm", trust.Realm}, {"Domain", trust.Domain}, {"AdminServer", trust.AdminServer}, {"KdcServer", trust.KdcServer}} {
				if a.Set(p.name) && !strings.EqualFold(p.got, a.Str(p.name)) {
					return NonCompliant, "The cross-realm trust's " + p.name + " is " + orNone(p.got) + ", not " + a.Str(p.name) + ".", nil
				}
			}
			return Compliant, "", nil
		},
	},
	{
		ID: "EMR_BLOCK_PUBLIC_ACCESS",
		Description: "EMR block public access is on in the region (emr.BlockPublicAccessConfiguration: BlockPublicSecurityGroupRules) and " +
			"permits no port but 22 (PermittedPublicSecurityGroupRuleRanges).",
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("emr.BlockPublicAccessConfiguration") || acct.EMRBlockPublicAccess == nil {
				return nil, nil
			}
			b := acct.EMRBlockPublicAccess
			if !b.BlockPublicSecurityGroupRules {
				return []Result{accountResult(acct, NonCompliant, "EMR block public access is off.")}, nil
			}
			for _, r := range b.PermittedPublicSecurityGroupRuleRanges {
				hi := r.MinRange
				if r.MaxRange != nil {
					hi = *r.MaxRange
				}
				if r.MinRange != 22 || hi != 22 {
					return []Result{accountResult(acct, NonCompliant, fmt.Sprintf("EMR block public access permits ports %d-%d, not only 22.", r.MinRange, hi))}, nil
				}
			}
			return []Result{accountResult(acct, Compliant, "")}, nil
		},
	},
	{
		ID: "DYNAMODB_THROUGHPUT_LIMIT_CHECK",
		Description: "The DynamoDB capacity provisioned in the region (dynamodb.Tables: tables and global secondary indexes) stays below " +
			"accountRCUThresholdPercentage and accountWCUThresholdPercentage (default 80) percent of the account's limits (dynamodb.DescribeLimits).",
		Params: []Param{{Name: "accountRCUThresholdPercentage", Type: Int, Default: "80"}, {Name: "accountWCUThresholdPercentage", Type: Int, Default: "80"}},
		Account: func(a Args, acct *ci.Account, env Env) ([]Result, error) {
			if !acct.Has("dynamodb.DescribeLimits") || !acct.Has("dynamodb.Tables") || acct.DynamoDBLimits == nil {
				return nil, nil
			}
			var rcu, wcu int64
			for _, name := range sortedKeys(acct.DynamoDBTables) {
				t := acct.DynamoDBTables[name]
				rcu += t.ProvisionedThroughput.ReadCapacityUnits
				wcu += t.ProvisionedThroughput.WriteCapacityUnits
				for _, g := range t.GlobalSecondaryIndexes {
					rcu += g.ProvisionedThroughput.ReadCapacityUnits
					wcu += g.ProvisionedThroughput.WriteCapacityUnits
				}
			}
			lim := acct.DynamoDBLimits
			var over []string
			for _, c := range []struct {
				what      string
				used, max int64
				param     string
			}{{"read", rcu, lim.AccountMaxReadCapacityUnits, "accountRCUThresholdPercentage"}, {"write", wcu, lim.AccountMaxWriteCapacityUnits, "accountWCUThresholdPercentage"}} {
				if c.max > 0 && c.used*100 >= int64(a.Int(c.param))*c.max {
					over = append(over, fmt.Sprintf("%d of %d %s capacity units (%s %d%%)", c.used, c.max, c.what, c.param, a.Int(c.param)))
				}
			}
			if len(over) > 0 {
				return []Result{accountResult(acct, NonCompliant, "Provisioned throughput reaches the threshold: "+strings.Join(over, "; ")+".")}, nil
			}
			return []Result{accountResult(acct, Compliant, "")}, nil
		},
	},
}
