package inventory

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/probity-dev/probity/internal/ci"
)

// tlsDBParameters are the DB parameters the encryption-in-transit rules read, by the
// engine whose instances use them.
var tlsDBParameters = map[string]string{"mysql": "require_secure_transport", "postgres": "rds.force_ssl"}

// collectDBParameters records the account fact rds.DBParameters: DescribeDBParameters'
// Parameters (ParameterName, ParameterValue) by DB parameter group name, for the groups
// of the region's MySQL and PostgreSQL DB instances, reduced to the parameters the
// rules read (require_secure_transport, rds.force_ssl). A group that is gone by the
// time it is described is left out.
func collectDBParameters(ctx context.Context, r *run) error {
	c := rds.NewFromConfig(r.cfg)
	var groups []string
	p := rds.NewDescribeDBInstancesPaginator(c, &rds.DescribeDBInstancesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, db := range out.DBInstances {
			if _, ok := tlsDBParameters[strings.ToLower(aws.ToString(db.Engine))]; !ok {
				continue
			}
			for _, g := range db.DBParameterGroups {
				if name := aws.ToString(g.DBParameterGroupName); !slices.Contains(groups, name) {
					groups = append(groups, name)
				}
			}
		}
	}
	var mu sync.Mutex
	facts := map[string][]ci.DBParameter{}
	err := r.each(ctx, len(groups), func(ctx context.Context, i int) error {
		params := []ci.DBParameter{}
		pp := rds.NewDescribeDBParametersPaginator(c, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String(groups[i])})
		for pp.HasMorePages() {
			out, err := pp.NextPage(ctx)
			if errorCode(err) == "DBParameterGroupNotFound" {
				return nil // deleted since it was listed
			}
			if err != nil {
				return err
			}
			for _, prm := range out.Parameters {
				name := aws.ToString(prm.ParameterName)
				for _, want := range tlsDBParameters {
					if name == want {
						params = append(params, ci.DBParameter{ParameterName: name, ParameterValue: aws.ToString(prm.ParameterValue)})
					}
				}
			}
		}
		mu.Lock()
		facts[groups[i]] = params
		mu.Unlock()
		return nil
	})
	if err != nil {
		return err
	}
	r.fact("rds.DBParameters", facts)
	return nil
}
