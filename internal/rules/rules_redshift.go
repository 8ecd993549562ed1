package rules

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const redshiftCluster = "AWS::Redshift::Cluster"

// cluster is the part of a Redshift cluster CI the rules read (DescribeClusters,
// camel-cased as AWS Config records it).
type cluster struct {
	NodeType                         string `json:"nodeType"`
	Encrypted                        bool   `json:"encrypted"`
	KmsKeyID                         string `json:"kmsKeyId"`
	AutomatedSnapshotRetentionPeriod int    `json:"automatedSnapshotRetentionPeriod"`
	AllowVersionUpgrade              bool   `json:"allowVersionUpgrade"`
	PreferredMaintenanceWindow       string `json:"preferredMaintenanceWindow"`
	EnhancedVpcRouting               bool   `json:"enhancedVpcRouting"`
}

// redshiftRule builds a rule on Redshift clusters that decides from the decoded cluster.
func redshiftRule(id, desc string, params []Param, f func(a Args, c *cluster, it *ci.Item) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{redshiftCluster}, Params: params,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[cluster](it)
			if err != nil {
				return "", "", err
			}
			return f(a, c, it)
		}}
}

// auditLogging reports whether the cluster logs to S3 or CloudWatch, from the
// LoggingStatus that AWS Config keeps in supplementaryConfiguration (absent: off).
func auditLogging(it *ci.Item) (bool, error) {
	var st struct {
		LoggingEnabled bool `json:"loggingEnabled"`
	}
	_, err := it.DecodeSupplementary("LoggingStatus", &st)
	return st.LoggingEnabled, err
}

var redshiftRules = []*Rule{
	redshiftRule("REDSHIFT_CLUSTER_CONFIGURATION_CHECK",
		"Redshift clusters are encrypted when clusterDbEncrypted is true, audit-logged when loggingEnabled is true (supplementaryConfiguration LoggingStatus), and of a type in nodeTypes.",
		[]Param{{Name: "clusterDbEncrypted", Type: Bool, Default: "true"}, {Name: "nodeTypes", Type: CSV, Default: "dc1.large"}, {Name: "loggingEnabled", Type: Bool, Default: "true"}},
		func(a Args, c *cluster, it *ci.Item) (Compliance, string, error) {
			logging, err := auditLogging(it)
			if err != nil {
				return "", "", err
			}
			switch {
			case a.Bool("clusterDbEncrypted") && !c.Encrypted:
				return NonCompliant, "The cluster is not encrypted.", nil
			case a.Bool("loggingEnabled") && !logging:
				return NonCompliant, "Audit logging is off.", nil
			case a.Set("nodeTypes") && !inList(a.List("nodeTypes"), c.NodeType):
				return NonCompliant, "Node type " + c.NodeType + " is not in nodeTypes.", nil
			}
			return Compliant, "", nil
		}),
	redshiftRule("REDSHIFT_BACKUP_ENABLED",
		"Redshift clusters take automated snapshots (a retention period above 0), retained between MinRetentionPeriod and MaxRetentionPeriod days when given.",
		[]Param{{Name: "MinRetentionPeriod", Type: Int}, {Name: "MaxRetentionPeriod", Type: Int}},
		func(a Args, c *cluster, it *ci.Item) (Compliance, string, error) {
			n := c.AutomatedSnapshotRetentionPeriod
			switch {
			case n == 0:
				return NonCompliant, "Automated snapshots are off.", nil
			case a.Set("MinRetentionPeriod") && n < a.Int("MinRetentionPeriod"):
				return NonCompliant, fmt.Sprintf("Snapshots are retained %d days, less than MinRetentionPeriod.", n), nil
			case a.Set("MaxRetentionPeriod") && n > a.Int("MaxRetentionPeriod"):
				return NonCompliant, fmt.Sprintf("Snapshots are retained %d days, more than MaxRetentionPeriod.", n), nil
			}
			return Compliant, "", nil
		}),
	redshiftRule("REDSHIFT_CLUSTER_KMS_ENABLED",
		"Redshift clusters are encrypted with a KMS key, one of kmsKeyArns when given.",
		[]Param{{Name: "kmsKeyArns", Type: CSV}},
		func(a Args, c *cluster, it *ci.Item) (Compliance, string, error) {
			switch {
			case !c.Encrypted || c.KmsKeyID == "":
				return NonCompliant, "The cluster is not encrypted with a KMS key.", nil
			case a.Set("kmsKeyArns") && !anyKey(a.List("kmsKeyArns"), c.KmsKeyID):
				return NonCompliant, "The cluster's key is not in kmsKeyArns.", nil
			}
			return Compliant, "", nil
		}),
	redshiftRule("REDSHIFT_CLUSTER_MAINTENANCESETTINGS_CHECK",
		"Redshift clusters allow version upgrades when allowVersionUpgrade is true, keep automated snapshots at least automatedSnapshotRetentionPeriod days, and use preferredMaintenanceWindow when given.",
		[]Param{{Name: "allowVersionUpgrade", Type: Bool, Default: "true"}, {Name: "preferredMaintenanceWindow", Type: String}, {Name: "automatedSnapshotRetentionPeriod", Type: Int, Default: "1"}},
		func(a Args, c *cluster, it *ci.Item) (Compliance, string, error) {
			switch {
			case a.Bool("allowVersionUpgrade") && !c.AllowVersionUpgrade:
				return NonCompliant, "Version upgrades are not allowed.", nil
			case c.AutomatedSnapshotRetentionPeriod < a.Int("automatedSnapshotRetentionPeriod"):
				return NonCompliant, fmt.Sprintf("Snapshots are retained %d days, less than automatedSnapshotRetentionPeriod.", c.AutomatedSnapshotRetentionPeriod), nil
			case a.Set("preferredMaintenanceWindow") && !strings.EqualFold(c.PreferredMaintenanceWindow, a.Str("preferredMaintenanceWindow")):
				return NonCompliant, "The maintenance window is not preferredMaintenanceWindow.", nil
			}
			return Compliant, "", nil
		}),
	redshiftRule("REDSHIFT_ENHANCED_VPC_ROUTING_ENABLED", "Redshift clusters use enhanced VPC routing.", nil,
		func(a Args, c *cluster, it *ci.Item) (Compliance, string, error) {
			return verdict(c.EnhancedVpcRouting, "Enhanced VPC routing is off.")
		}),
	redshiftRule("REDSHIFT_AUDIT_LOGGING_ENABLED",
		"Redshift clusters have audit logging on (supplementaryConfiguration LoggingStatus), to bucketNames when given.",
		[]Param{{Name: "bucketNames", Type: CSV}},
		func(a Args, c *cluster, it *ci.Item) (Compliance, string, error) {
			var st struct {
				LoggingEnabled bool   `json:"loggingEnabled"`
				BucketName     string `json:"bucketName"`
			}
			if _, err := it.DecodeSupplementary("LoggingStatus", &st); err != nil {
				return "", "", err
			}
			switch {
			case !st.LoggingEnabled:
				return NonCompliant, "Audit logging is off.", nil
			case a.Set("bucketNames") && !inList(a.List("bucketNames"), st.BucketName):
				return NonCompliant, "Audit logs do not go to a bucket in bucketNames.", nil
			}
			return Compliant, "", nil
		}),
}
