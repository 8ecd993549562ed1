package inventory

import (
	"context"
	"encoding/json"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// collectDBClusters records RDS DB clusters (AWS::RDS::DBCluster, the cluster's
// resource id, cluster-..., as resource id and its identifier as resource name) as AWS
// Config does: DescribeDBClusters' members with their leading capitals in lower case
// (dbclusterIdentifier, iamdatabaseAuthenticationEnabled, multiAZ, dbclusterMembers with
// dbinstanceIdentifier).
func collectDBClusters(ctx context.Context, r *run) error {
	p := rds.NewDescribeDBClustersPaginator(rds.NewFromConfig(r.cfg), &rds.DescribeDBClustersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, cl := range out.DBClusters {
			conf, err := beanJSON(cl)
			if err != nil {
				return err
			}
			r.add(Item{ARN: aws.ToString(cl.DBClusterArn), ResourceType: "AWS::RDS::DBCluster", ResourceID: aws.ToString(cl.DbClusterResourceId),
				ResourceName: aws.ToString(cl.DBClusterIdentifier), Zone: "Multiple Availability Zones",
				Created: timeString(cl.ClusterCreateTime), Tags: rdsTags(cl.TagList), Configuration: conf})
		}
	}
	return nil
}

// beanJSON returns v, an AWS SDK structure, with its members named as the AWS SDK for
// Java's JSON writes them and AWS Config records some types (RDS DB clusters): the run
// of capitals a name starts with in lower case, at every depth (DBClusterIdentifier
// becomes dbclusterIdentifier, IAMDatabaseAuthenticationEnabled
// iamdatabaseAuthenticationEnabled, MultiAZ multiAZ).
func beanJSON(v any) (json.RawMessage, error) {
	x, err := genericJSON(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(renameKeys(x, beanName))
}

// renameKeys renames every object key of x with name, dropping ResultMetadata.
func renameKeys(x any, name func(string) string) any {
	switch t := x.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			if k != "ResultMetadata" {
				out[name(k)] = renameKeys(v, name)
			}
		}
		return out
	case []any:
		for i, v := range t {
			t[i] = renameKeys(v, name)
		}
		return t
	}
	return x
}

// beanName lowers the capitals a name starts with (ASCII, as SDK member names are).
func beanName(s string) string {
	rs := []rune(s)
	for i := 0; i < len(rs) && unicode.IsUpper(rs[i]); i++ {
		rs[i] = unicode.ToLower(rs[i])
	}
	return string(rs)
}
