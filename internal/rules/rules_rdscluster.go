package rules

import (
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// rdsCluster is the resource type of RDS DB clusters (Aurora and Multi-AZ DB clusters).
const rdsCluster = "AWS::RDS::DBCluster"

// dbCluster is the part of a DB cluster's CI the rules read. AWS Config writes
// DescribeDBClusters' members with their leading capitals in lower case
// (iamdatabaseAuthenticationEnabled, dbclusterIdentifier); encoding/json matches other
// capitalisations too.
type dbCluster struct {
	Engine             string `json:"engine"`
	MultiAZ            bool   `json:"multiAZ"`
	DeletionProtection bool   `json:"deletionProtection"`
	IAMAuth            bool   `json:"iamdatabaseAuthenticationEnabled"`
	MasterUsername     string `json:"masterUsername"`
}

// defaultAdminNames are the master user names RDS proposes by default.
var defaultAdminNames = []string{"admin", "postgres"}

var rdsClusterRules = []*Rule{
	{
		ID: "RDS_CLUSTER_MULTI_AZ_ENABLED",
		Description: "Aurora and Multi-AZ DB clusters have DB instances in several Availability Zones (multiAZ); clusters of other engines " +
			"(DocumentDB, Neptune) are NOT_APPLICABLE.",
		Scope: []string{rdsCluster},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[dbCluster](it)
			if err != nil {
				return "", "", err
			}
			if e := strings.ToLower(c.Engine); e != "" && !strings.HasPrefix(e, "aurora") && e != "mysql" && e != "postgres" {
				return na("The cluster's engine " + c.Engine + " is neither Aurora nor RDS for MySQL or PostgreSQL.")
			}
			return verdict(c.MultiAZ, "The cluster is not Multi-AZ.")
		},
	},
	{
		ID:          "RDS_CLUSTER_DELETION_PROTECTION_ENABLED",
		Description: "RDS DB clusters have deletion protection enabled.",
		Scope:       []string{rdsCluster},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[dbCluster](it)
			if err != nil {
				return "", "", err
			}
			return verdict(c.DeletionProtection, "Deletion protection is off.")
		},
	},
	{
		ID:          "RDS_CLUSTER_IAM_AUTHENTICATION_ENABLED",
		Description: "RDS DB clusters have IAM database authentication enabled.",
		Scope:       []string{rdsCluster},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[dbCluster](it)
			if err != nil {
				return "", "", err
			}
			return verdict(c.IAMAuth, "IAM database authentication is off.")
		},
	},
	{
		ID: "RDS_CLUSTER_DEFAULT_ADMIN_CHECK",
		Description: "RDS DB clusters' master user name is not a default one (admin, postgres) and, with validAdminUserNames, is one " +
			"of those names (which may not include admin or postgres).",
		Scope:       []string{rdsCluster},
		Params:      []Param{{Name: "validAdminUserNames", Type: CSV}},
		CheckParams: checkAdminNames(defaultAdminNames),
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[dbCluster](it)
			if err != nil {
				return "", "", err
			}
			switch {
			case inList(defaultAdminNames, strings.ToLower(c.MasterUsername)):
				return NonCompliant, "The master user name is the default " + c.MasterUsername + ".", nil
			case a.Set("validAdminUserNames") && !inList(a.List("validAdminUserNames"), c.MasterUsername):
				return NonCompliant, "The master user name " + c.MasterUsername + " is not in validAdminUserNames.", nil
			}
			return Compliant, "", nil
		},
	},
}
