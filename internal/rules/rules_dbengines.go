package rules

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

// rdsClusterSnapshot is the resource type of RDS DB cluster snapshots, which AWS Config
// also records for Neptune and DocumentDB.
const rdsClusterSnapshot = "AWS::RDS::DBClusterSnapshot"

// engineCluster is the part of a DB cluster or cluster snapshot CI the Neptune and
// DocumentDB rules read: DescribeDBClusters / DescribeDBClusterSnapshots members as AWS
// Config writes them (leading capitals in lower case; encoding/json matches any case).
type engineCluster struct {
	Engine                       string   `json:"engine"`
	StorageEncrypted             bool     `json:"storageEncrypted"`
	KmsKeyID                     string   `json:"kmsKeyId"`
	BackupRetentionPeriod        looseInt `json:"backupRetentionPeriod"`
	EnabledCloudwatchLogsExports []string `json:"enabledCloudwatchLogsExports"`
	IAMAuth                      bool     `json:"iamdatabaseAuthenticationEnabled"`
	SnapshotType                 string   `json:"snapshotType"`
}

// engineRule builds a rule on DB clusters or cluster snapshots (scope) of one engine
// (neptune, docdb); items of other engines are NOT_APPLICABLE, as the rules' pages say
// they check Neptune or DocumentDB clusters only.
func engineRule(id, desc, scope, engine string, params []Param, f func(a Args, it *ci.Item, c *engineCluster) (Compliance, string, error)) *Rule {
	return &Rule{ID: id, Description: desc, Scope: []string{scope}, Params: params,
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[engineCluster](it)
			if err != nil {
				return "", "", err
			}
			if !strings.EqualFold(c.Engine, engine) {
				return na("The engine is " + orNone(c.Engine) + ", not " + engine + ".")
			}
			return f(a, it, c)
		}}
}

func orNone(s string) string {
	if s == "" {
		return "not recorded"
	}
	return s
}

// encryptedCluster decides the *_CLUSTER_ENCRYPTED rules: storage encrypted and, when
// keys are given, with one of them.
func encryptedCluster(keys []string, c *engineCluster) (Compliance, string, error) {
	switch {
	case !c.StorageEncrypted:
		return NonCompliant, "Storage encryption is not enabled.", nil
	case len(keys) > 0 && !anyKey(keys, c.KmsKeyID):
		return NonCompliant, "The cluster's key " + orNone(c.KmsKeyID) + " is not one of the given keys.", nil
	}
	return Compliant, "", nil
}

// publicSnapshot decides the *_CLUSTER_SNAPSHOT_PUBLIC_PROHIBITED rules: a manual
// snapshot is public when its restore attribute (supplementaryConfiguration
// DBClusterSnapshotAttributes) names all; automated snapshots cannot be shared.
func publicSnapshot(it *ci.Item, c *engineCluster) (Compliance, string, error) {
	if c.SnapshotType != "" && !strings.EqualFold(c.SnapshotType, "manual") {
		return na("The snapshot is " + c.SnapshotType + ", not manual.")
	}
	var attrs []struct {
		AttributeName   string   `json:"attributeName"`
		AttributeValues []string `json:"attributeValues"`
	}
	if _, err := it.DecodeSupplementary("DBClusterSnapshotAttributes", &attrs); err != nil {
		return "", "", err
	}
	for _, at := range attrs {
		if at.AttributeName == "restore" && inList(at.AttributeValues, "all") {
			return NonCompliant, "The snapshot is public: anyone may restore it.", nil
		}
	}
	return Compliant, "", nil
}

var dbEngineRules = []*Rule{
	checked(engineRule("NEPTUNE_CLUSTER_BACKUP_RETENTION_CHECK",
		"Neptune DB clusters keep automated backups at least minimumBackupRetentionPeriod days (1 to 35, default 7); clusters of other engines are NOT_APPLICABLE.",
		rdsCluster, "neptune", []Param{{Name: "minimumBackupRetentionPeriod", Type: Int, Default: "7"}},
		func(a Args, it *ci.Item, c *engineCluster) (Compliance, string, error) {
			least := a.Int("minimumBackupRetentionPeriod")
			return verdict(int(c.BackupRetentionPeriod) >= least,
				fmt.Sprintf("Backups are kept %d days, fewer than %d.", c.BackupRetentionPeriod, least))
		}), between("minimumBackupRetentionPeriod", 1, 35)),
	engineRule("NEPTUNE_CLUSTER_CLOUDWATCH_LOG_EXPORT_ENABLED",
		"Neptune DB clusters export audit logs to CloudWatch Logs (enabledCloudwatchLogsExports holds audit); clusters of other engines are NOT_APPLICABLE.",
		rdsCluster, "neptune", nil,
		func(a Args, it *ci.Item, c *engineCluster) (Compliance, string, error) {
			for _, l := range c.EnabledCloudwatchLogsExports {
				if strings.EqualFold(l, "audit") {
					return Compliant, "", nil
				}
			}
			return NonCompliant, "Audit logs are not exported to CloudWatch Logs.", nil
		}),
	engineRule("NEPTUNE_CLUSTER_ENCRYPTED",
		"Neptune DB clusters have storage encryption enabled, with one of KmsKeyArns when given; clusters of other engines are NOT_APPLICABLE.",
		rdsCluster, "neptune", []Param{{Name: "KmsKeyArns", Type: CSV}},
		func(a Args, it *ci.Item, c *engineCluster) (Compliance, string, error) {
			return encryptedCluster(a.List("KmsKeyArns"), c)
		}),
	engineRule("NEPTUNE_CLUSTER_IAM_DATABASE_AUTHENTICATION",
		"Neptune DB clusters have IAM database authentication enabled; clusters of other engines are NOT_APPLICABLE.",
		rdsCluster, "neptune", nil,
		func(a Args, it *ci.Item, c *engineCluster) (Compliance, string, error) {
			return verdict(c.IAMAuth, "IAM database authentication is off.")
		}),
	engineRule("NEPTUNE_CLUSTER_SNAPSHOT_ENCRYPTED",
		"Neptune DB cluster snapshots are encrypted; snapshots of other engines are NOT_APPLICABLE.",
		rdsClusterSnapshot, "neptune", nil,
		func(a Args, it *ci.Item, c *engineCluster) (Compliance, string, error) {
			return verdict(c.StorageEncrypted, "The snapshot is not encrypted.")
		}),
	engineRule("NEPTUNE_CLUSTER_SNAPSHOT_PUBLIC_PROHIBITED",
		"Manual Neptune DB cluster snapshots are not public (their restore attribute does not hold all); automated snapshots and snapshots of other engines are NOT_APPLICABLE.",
		rdsClusterSnapshot, "neptune", nil,
		func(a Args, it *ci.Item, c *engineCluster) (Compliance, string, error) { return publicSnapshot(it, c) }),
	engineRule("DOCDB_CLUSTER_ENCRYPTED",
		"DocumentDB clusters have storage encryption enabled, with one of kmsKeyArns when given; clusters of other engines are NOT_APPLICABLE.",
		rdsCluster, "docdb", []Param{{Name: "kmsKeyArns", Type: CSV}},
		func(a Args, it *ci.Item, c *engineCluster) (Compliance, string, error) {
			return encryptedCluster(a.List("kmsKeyArns"), c)
		}),
	engineRule("DOCDB_CLUSTER_SNAPSHOT_PUBLIC_PROHIBITED",
		"Manual DocumentDB cluster snapshots are not public (their restore attribute does not hold all); automated snapshots and snapshots of other engines are NOT_APPLICABLE.",
		rdsClusterSnapshot, "docdb", nil,
		func(a Args, it *ci.Item, c *engineCluster) (Compliance, string, error) { return publicSnapshot(it, c) }),
}
