package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// dynamoRenames are the members of a table's configuration that AWS Config spells
// otherwise than the first-letter rule of configJSON gives (its public rule cases write
// ssedescription).
var dynamoRenames = map[string]string{"sSEDescription": "ssedescription", "sSEType": "ssetype", "kMSMasterKeyArn": "kmsmasterKeyArn"}

// collectDynamoDB records tables (AWS::DynamoDB::Table, the table name as resource id)
// as AWS Config does: DescribeTable as configuration, and in supplementaryConfiguration
// the continuous backups (ContinuousBackupsDescription, point-in-time recovery), tags
// (Tags) and the Application Auto Scaling of the table and its indexes (ScalableTargets,
// ScalingPolicies; left out, and the skip recorded, where that API is unavailable); and
// the fact dynamodb.Tables, each table's provisioned capacity (capacityOf).
func collectDynamoDB(ctx context.Context, r *run) error {
	c := dynamodb.NewFromConfig(r.cfg)
	scaling, skipped, err := collectDynamoScaling(ctx, r)
	if err != nil {
		return err
	}
	if skipped != nil {
		r.skip("dynamodb.autoscaling", skipped)
	}
	var names []string
	p := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		names = append(names, out.TableNames...)
	}
	capacity := make([]*dynamoCapacity, len(names))
	err = r.each(ctx, len(names), func(ctx context.Context, i int) error {
		name := aws.String(names[i])
		d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: name})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		t := d.Table
		capacity[i] = capacityOf(t)
		cb, err := c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: name})
		if err != nil {
			return err
		}
		var tagList []dynamotypes.Tag
		tp := dynamodb.ListTagsOfResourceInput{ResourceArn: t.TableArn}
		for {
			out, err := c.ListTagsOfResource(ctx, &tp)
			if err != nil {
				return err
			}
			tagList = append(tagList, out.Tags...)
			if aws.ToString(out.NextToken) == "" {
				break
			}
			tp.NextToken = out.NextToken
		}
		conf, err := configJSON(t)
		if err != nil {
			return err
		}
		if conf, err = renameMembers(conf, dynamoRenames); err != nil {
			return err
		}
		sup := map[string]json.RawMessage{}
		if cb.ContinuousBackupsDescription != nil {
			if sup["ContinuousBackupsDescription"], err = configJSON(cb.ContinuousBackupsDescription); err != nil {
				return err
			}
		}
		if sup["Tags"], err = configJSON(nonNil(tagList)); err != nil {
			return err
		}
		if scaling != nil {
			if err := scaling.supplementary(aws.ToString(t.TableName), sup); err != nil {
				return err
			}
		}
		r.add(Item{ARN: aws.ToString(t.TableArn), ResourceType: "AWS::DynamoDB::Table", ResourceID: aws.ToString(t.TableName),
			ResourceName: aws.ToString(t.TableName), Zone: "Not Applicable", Created: timeString(t.CreationDateTime),
			Tags: tagMap(tagList, func(t dynamotypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf, Supplementary: sup})
		return nil
	})
	if err != nil {
		return err
	}
	byName := map[string]*dynamoCapacity{}
	for i, c := range capacity {
		if c != nil {
			byName[names[i]] = c
		}
	}
	r.fact("dynamodb.Tables", byName)
	return nil
}
