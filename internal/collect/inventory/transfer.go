package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/transfer"
	transfertypes "github.com/aws/aws-sdk-go-v2/service/transfer/types"
)

// collectTransferServers records Transfer Family servers (AWS::Transfer::Server, the
// server id as resource id) with DescribeServer's Server members as the API names them
// (Arn, ServerId, Protocols, EndpointType, IdentityProviderType, SecurityPolicyName...,
// tags left to the item), and their tags.
func collectTransferServers(ctx context.Context, r *run) error {
	c := transfer.NewFromConfig(r.cfg)
	var ids []string
	p := transfer.NewListServersPaginator(c, &transfer.ListServersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, s := range out.Servers {
			ids = append(ids, aws.ToString(s.ServerId))
		}
	}
	return r.each(ctx, len(ids), func(ctx context.Context, i int) error {
		out, err := c.DescribeServer(ctx, &transfer.DescribeServerInput{ServerId: aws.String(ids[i])})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		s := out.Server
		tags := s.Tags
		s.Tags = nil
		conf, err := wafJSON(s, nil, nil)
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(s.Arn), ResourceType: "AWS::Transfer::Server", ResourceID: ids[i], Zone: "Regional",
			Tags: tagMap(tags, func(t transfertypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf})
		return nil
	})
}
