package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// collectDynamoDBLimits records the facts of DYNAMODB_THROUGHPUT_LIMIT_CHECK:
// dynamodb.DescribeLimits (the region's capacity limits) and dynamodb.Tables (each
// table's ProvisionedThroughput and its global secondary indexes', from DescribeTable,
// by table name; on-demand tables provision 0).
func collectDynamoDBLimits(ctx context.Context, r *run) error {
	c := dynamodb.NewFromConfig(r.cfg)
	lim, err := c.DescribeLimits(ctx, &dynamodb.DescribeLimitsInput{})
	if err != nil {
		return err
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
	type throughput struct{ ReadCapacityUnits, WriteCapacityUnits int64 }
	type index struct {
		IndexName             string
		ProvisionedThroughput throughput
	}
	type table struct {
		ProvisionedThroughput  throughput
		GlobalSecondaryIndexes []index `json:",omitempty"`
	}
	tables := make([]*table, len(names))
	err = r.each(ctx, len(names), func(ctx context.Context, i int) error {
		d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(names[i])})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil
		}
		if err != nil {
			return err
		}
		t := &table{}
		if pt := d.Table.ProvisionedThroughput; pt != nil {
			t.ProvisionedThroughput = throughput{aws.ToInt64(pt.ReadCapacityUnits), aws.ToInt64(pt.WriteCapacityUnits)}
		}
		for _, g := range d.Table.GlobalSecondaryIndexes {
			ix := index{IndexName: aws.ToString(g.IndexName)}
			if pt := g.ProvisionedThroughput; pt != nil {
				ix.ProvisionedThroughput = throughput{aws.ToInt64(pt.ReadCapacityUnits), aws.ToInt64(pt.WriteCapacityUnits)}
			}
			t.GlobalSecondaryIndexes = append(t.GlobalSecondaryIndexes, ix)
		}
		tables[i] = t
		return nil
	})
	if err != nil {
		return err
	}
	byName := map[string]*table{}
	for i, t := range tables {
		if t != nil {
			byName[names[i]] = t
		}
	}
	r.fact("dynamodb.DescribeLimits", map[string]int64{
		"AccountMaxReadCapacityUnits": aws.ToInt64(lim.AccountMaxReadCapacityUnits), "AccountMaxWriteCapacityUnits": aws.ToInt64(lim.AccountMaxWriteCapacityUnits),
		"TableMaxReadCapacityUnits": aws.ToInt64(lim.TableMaxReadCapacityUnits), "TableMaxWriteCapacityUnits": aws.ToInt64(lim.TableMaxWriteCapacityUnits)})
	r.fact("dynamodb.Tables", byName)
	return nil
}
