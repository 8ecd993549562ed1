package inventory

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/emr"
	emrtypes "github.com/aws/aws-sdk-go-v2/service/emr/types"
)

// collectEMRClusters records the EMR clusters that are starting, bootstrapping, running
// or waiting (AWS::EMR::Cluster, which AWS Config does not record; the cluster id as
// resource id, its name as resource name) with DescribeCluster's Cluster under the API's
// member names as configuration (Id, Name, Status, SecurityConfiguration...), and the
// security configuration it names, DescribeSecurityConfiguration's document decoded, as
// supplementaryConfiguration.SecurityConfiguration. Each security configuration is read
// once.
func collectEMRClusters(ctx context.Context, r *run) error {
	c := emr.NewFromConfig(r.cfg)
	var ids []string
	p := emr.NewListClustersPaginator(c, &emr.ListClustersInput{ClusterStates: []emrtypes.ClusterState{
		emrtypes.ClusterStateStarting, emrtypes.ClusterStateBootstrapping, emrtypes.ClusterStateRunning, emrtypes.ClusterStateWaiting}})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, cl := range out.Clusters {
			ids = append(ids, aws.ToString(cl.Id))
		}
	}
	var mu sync.Mutex
	docs := map[string]json.RawMessage{} // security configuration name → document (nil: gone)
	doc := func(ctx context.Context, name string) (json.RawMessage, error) {
		mu.Lock()
		d, ok := docs[name]
		mu.Unlock()
		if ok {
			return d, nil
		}
		out, err := c.DescribeSecurityConfiguration(ctx, &emr.DescribeSecurityConfigurationInput{Name: aws.String(name)})
		if err != nil && errorCode(err) != "InvalidRequestException" { // InvalidRequestException: no such configuration
			return nil, err
		}
		if err == nil && json.Valid([]byte(aws.ToString(out.SecurityConfiguration))) {
			d = json.RawMessage(aws.ToString(out.SecurityConfiguration))
		}
		mu.Lock()
		docs[name] = d
		mu.Unlock()
		return d, nil
	}
	return r.each(ctx, len(ids), func(ctx context.Context, i int) error {
		out, err := c.DescribeCluster(ctx, &emr.DescribeClusterInput{ClusterId: aws.String(ids[i])})
		if errorCode(err) == "InvalidRequestException" {
			return nil // gone since it was listed
		}
		if err != nil {
			return err
		}
		cl := out.Cluster
		conf, err := apiMembersJSON(cl)
		if err != nil {
			return err
		}
		it := Item{ARN: aws.ToString(cl.ClusterArn), ResourceType: "AWS::EMR::Cluster", ResourceID: aws.ToString(cl.Id), ResourceName: aws.ToString(cl.Name),
			Zone: "Regional", Tags: tagMap(cl.Tags, func(t emrtypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: conf}
		if cl.Status != nil && cl.Status.Timeline != nil {
			it.Created = timeString(cl.Status.Timeline.CreationDateTime)
		}
		if name := aws.ToString(cl.SecurityConfiguration); name != "" {
			d, err := doc(ctx, name)
			if err != nil {
				return err
			}
			if d != nil {
				it.Supplementary = map[string]json.RawMessage{"SecurityConfiguration": d}
			}
		}
		r.add(it)
		return nil
	})
}

// collectEMRBlockPublicAccess records the region's EMR block public access settings as
// the fact emr.BlockPublicAccessConfiguration (GetBlockPublicAccessConfiguration's
// BlockPublicAccessConfiguration, with the API's member names).
func collectEMRBlockPublicAccess(ctx context.Context, r *run) error {
	out, err := emr.NewFromConfig(r.cfg).GetBlockPublicAccessConfiguration(ctx, &emr.GetBlockPublicAccessConfigurationInput{})
	if err != nil {
		return err
	}
	if out.BlockPublicAccessConfiguration == nil {
		r.fact("emr.BlockPublicAccessConfiguration", nil)
		return nil
	}
	m, err := genericObject(out.BlockPublicAccessConfiguration)
	if err != nil {
		return err
	}
	r.fact("emr.BlockPublicAccessConfiguration", dropEmpty(m))
	return nil
}
