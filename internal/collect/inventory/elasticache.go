package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
)

// collectElastiCache records cache clusters (AWS::ElastiCache::CacheCluster, by cluster
// id) and replication groups (AWS::ElastiCache::ReplicationGroup, by group id) as AWS
// Config does: DescribeCacheClusters' and DescribeReplicationGroups' members camel-cased
// (cacheClusterId, engine, snapshotRetentionLimit, replicationGroupId, aRN...).
func collectElastiCache(ctx context.Context, r *run) error {
	c := elasticache.NewFromConfig(r.cfg)
	cp := elasticache.NewDescribeCacheClustersPaginator(c, &elasticache.DescribeCacheClustersInput{})
	for cp.HasMorePages() {
		out, err := cp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, cl := range out.CacheClusters {
			conf, err := configJSON(cl)
			if err != nil {
				return err
			}
			id := aws.ToString(cl.CacheClusterId)
			r.add(Item{ARN: aws.ToString(cl.ARN), ResourceType: "AWS::ElastiCache::CacheCluster", ResourceID: id, ResourceName: id,
				Zone: aws.ToString(cl.PreferredAvailabilityZone), Created: timeString(cl.CacheClusterCreateTime), Configuration: conf})
		}
	}
	gp := elasticache.NewDescribeReplicationGroupsPaginator(c, &elasticache.DescribeReplicationGroupsInput{})
	for gp.HasMorePages() {
		out, err := gp.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, g := range out.ReplicationGroups {
			conf, err := configJSON(g)
			if err != nil {
				return err
			}
			id := aws.ToString(g.ReplicationGroupId)
			r.add(Item{ARN: aws.ToString(g.ARN), ResourceType: "AWS::ElastiCache::ReplicationGroup", ResourceID: id, ResourceName: id,
				Zone: "Multiple Availability Zones", Created: timeString(g.ReplicationGroupCreateTime), Configuration: conf})
		}
	}
	return nil
}
