package rules

import (
	"fmt"
	"strings"

	"github.com/probity-dev/probity/internal/ci"
)

const (
	cacheCluster     = "AWS::ElastiCache::CacheCluster"
	replicationGroup = "AWS::ElastiCache::ReplicationGroup"
)

var elastiCacheRules = []*Rule{
	{
		ID: "ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK",
		Description: "ElastiCache Redis replication groups and Redis clusters outside a group keep automatic backups at least snapshotRetentionPeriod days " +
			"(snapshotRetentionLimit); Memcached clusters, and clusters that belong to a replication group (judged with it), are NOT_APPLICABLE.",
		Scope:  []string{cacheCluster, replicationGroup},
		Params: []Param{{Name: "snapshotRetentionPeriod", Type: Int, Default: "15"}},
		Item: func(a Args, it *ci.Item, env Env) (Compliance, string, error) {
			c, err := cfg[struct {
				Engine                 string `json:"engine"`
				ReplicationGroupID     string `json:"replicationGroupId"`
				SnapshotRetentionLimit int    `json:"snapshotRetentionLimit"`
			}](it)
			if err != nil {
				return "", "", err
			}
			if it.ResourceType == cacheCluster {
				switch {
				case !strings.EqualFold(c.Engine, "redis"):
					return na("The cluster does not run Redis.")
				case c.ReplicationGroupID != "":
					return na("The cluster belongs to the replication group " + c.ReplicationGroupID + ", which is judged instead.")
				}
			} else if c.Engine != "" && !strings.EqualFold(c.Engine, "redis") {
				return na("The replication group does not run Redis.")
			}
			days := a.Int("snapshotRetentionPeriod")
			switch {
			case c.SnapshotRetentionLimit == 0:
				return NonCompliant, "Automatic backups are off.", nil
			case c.SnapshotRetentionLimit < days:
				return NonCompliant, fmt.Sprintf("Automatic backups are kept %d days, less than snapshotRetentionPeriod (%d).", c.SnapshotRetentionLimit, days), nil
			}
			return Compliant, "", nil
		},
	},
}
