package inventory

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// collectDBClusterSnapshots records the DB cluster snapshots the account owns, of every
// engine (Aurora, Neptune, DocumentDB), as AWS Config does (AWS::RDS::DBClusterSnapshot,
// the snapshot identifier as resource id and name): DescribeDBClusterSnapshots' members
// with their leading capitals in lower case (dbclusterSnapshotIdentifier, engine,
// snapshotType, storageEncrypted, kmsKeyId) as configuration, and in
// supplementaryConfiguration Tags and, for manual snapshots,
// DBClusterSnapshotAttributes (DescribeDBClusterSnapshotAttributes: attributeName,
// attributeValues; restore holding all means public).
func collectDBClusterSnapshots(ctx context.Context, r *run) error {
	c := rds.NewFromConfig(r.cfg)
	var snaps []rdstypes.DBClusterSnapshot
	p := rds.NewDescribeDBClusterSnapshotsPaginator(c, &rds.DescribeDBClusterSnapshotsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		snaps = append(snaps, out.DBClusterSnapshots...)
	}
	return r.each(ctx, len(snaps), func(ctx context.Context, i int) error {
		s := snaps[i]
		id := aws.ToString(s.DBClusterSnapshotIdentifier)
		conf, err := beanJSON(s)
		if err != nil {
			return err
		}
		sup := map[string]json.RawMessage{}
		if sup["Tags"], err = configJSON(nonNil(s.TagList)); err != nil {
			return err
		}
		if strings.EqualFold(aws.ToString(s.SnapshotType), "manual") {
			attrs, err := c.DescribeDBClusterSnapshotAttributes(ctx, &rds.DescribeDBClusterSnapshotAttributesInput{DBClusterSnapshotIdentifier: aws.String(id)})
			if errorCode(err) == "DBClusterSnapshotNotFoundFault" {
				return nil // deleted since it was listed
			}
			if err != nil {
				return err
			}
			var list []rdstypes.DBClusterSnapshotAttribute
			if res := attrs.DBClusterSnapshotAttributesResult; res != nil {
				list = res.DBClusterSnapshotAttributes
			}
			if sup["DBClusterSnapshotAttributes"], err = configJSON(nonNil(list)); err != nil {
				return err
			}
		}
		r.add(Item{ARN: aws.ToString(s.DBClusterSnapshotArn), ResourceType: "AWS::RDS::DBClusterSnapshot", ResourceID: id, ResourceName: id,
			Zone: "Multiple Availability Zones", Created: timeString(s.SnapshotCreateTime), Tags: rdsTags(s.TagList),
			Configuration: conf, Supplementary: sup})
		return nil
	})
}

// collectDBSecurityGroups records RDS DB security groups (AWS::RDS::DBSecurityGroup, of
// EC2-Classic; the name as resource id) with DescribeDBSecurityGroups' members camel-cased
// as AWS Config writes them (dBSecurityGroupName, eC2SecurityGroups, iPRanges). Where RDS
// refuses the call because the account has no EC2-Classic (InvalidParameterValue,
// InvalidParameterCombination), the part is recorded as skipped.
func collectDBSecurityGroups(ctx context.Context, r *run) error {
	p := rds.NewDescribeDBSecurityGroupsPaginator(rds.NewFromConfig(r.cfg), &rds.DescribeDBSecurityGroupsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if code := errorCode(err); code == "InvalidParameterValue" || code == "InvalidParameterCombination" {
			r.skip("rds.securityGroups", err)
			return nil
		}
		if err != nil {
			return err
		}
		for _, g := range out.DBSecurityGroups {
			conf, err := configJSON(g)
			if err != nil {
				return err
			}
			name := aws.ToString(g.DBSecurityGroupName)
			r.add(Item{ARN: aws.ToString(g.DBSecurityGroupArn), ResourceType: "AWS::RDS::DBSecurityGroup", ResourceID: name, ResourceName: name,
				Zone: "Not Applicable", Configuration: conf, Supplementary: map[string]json.RawMessage{"Tags": json.RawMessage("[]")}})
		}
	}
	return nil
}
