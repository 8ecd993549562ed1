package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// collectDynamoDBLimits records the fact dynamodb.DescribeLimits, the region's capacity
// limits, for DYNAMODB_THROUGHPUT_LIMIT_CHECK. The tables' provisioned capacity
// (dynamodb.Tables) is recorded by collectDynamoDB, which describes every table anyway.
func collectDynamoDBLimits(ctx context.Context, r *run) error {
	lim, err := dynamodb.NewFromConfig(r.cfg).DescribeLimits(ctx, &dynamodb.DescribeLimitsInput{})
	if err != nil {
		return err
	}
	r.fact("dynamodb.DescribeLimits", map[string]int64{
		"AccountMaxReadCapacityUnits": aws.ToInt64(lim.AccountMaxReadCapacityUnits), "AccountMaxWriteCapacityUnits": aws.ToInt64(lim.AccountMaxWriteCapacityUnits),
		"TableMaxReadCapacityUnits": aws.ToInt64(lim.TableMaxReadCapacityUnits), "TableMaxWriteCapacityUnits": aws.ToInt64(lim.TableMaxWriteCapacityUnits)})
	return nil
}

// dynamoThroughput is a table's or index's ProvisionedThroughput as the fact
// dynamodb.Tables keeps it (0 for on-demand tables).
type dynamoThroughput struct{ ReadCapacityUnits, WriteCapacityUnits int64 }

// dynamoCapacity is a table's entry of dynamodb.Tables: its provisioned throughput and
// its global secondary indexes'.
type dynamoCapacity struct {
	ProvisionedThroughput  dynamoThroughput
	GlobalSecondaryIndexes []dynamoIndexCapacity `json:",omitempty"`
}

type dynamoIndexCapacity struct {
	IndexName             string
	ProvisionedThroughput dynamoThroughput
}

func throughputOf(pt *dynamotypes.ProvisionedThroughputDescription) dynamoThroughput {
	if pt == nil {
		return dynamoThroughput{}
	}
	return dynamoThroughput{aws.ToInt64(pt.ReadCapacityUnits), aws.ToInt64(pt.WriteCapacityUnits)}
}

// capacityOf returns a described table's entry of dynamodb.Tables.
func capacityOf(t *dynamotypes.TableDescription) *dynamoCapacity {
	c := &dynamoCapacity{ProvisionedThroughput: throughputOf(t.ProvisionedThroughput)}
	for _, g := range t.GlobalSecondaryIndexes {
		c.GlobalSecondaryIndexes = append(c.GlobalSecondaryIndexes,
			dynamoIndexCapacity{IndexName: aws.ToString(g.IndexName), ProvisionedThroughput: throughputOf(g.ProvisionedThroughput)})
	}
	return c
}
