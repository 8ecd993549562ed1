package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	"github.com/aws/aws-sdk-go-v2/service/dax"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/mq"
)

// The data services below are recorded with their describe APIs' member names, which are
// CloudFormation's names for what the rules read (AWS Config records these types from
// the CloudFormation registry): see docs/rules.md.

// collectMSKClusters records MSK provisioned clusters (AWS::MSK::Cluster, the cluster
// ARN as resource id, its name as resource name) with ListClustersV2's Provisioned
// member (EncryptionInfo, BrokerNodeGroupInfo, ClientAuthentication...) and ClusterName,
// ClusterArn, State beside it; serverless clusters, which AWS Config records as another
// type, are left out.
func collectMSKClusters(ctx context.Context, r *run) error {
	p := kafka.NewListClustersV2Paginator(kafka.NewFromConfig(r.cfg), &kafka.ListClustersV2Input{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, cl := range out.ClusterInfoList {
			if cl.Provisioned == nil {
				continue
			}
			m, err := genericObject(cl.Provisioned)
			if err != nil {
				return err
			}
			m["ClusterName"], m["ClusterArn"], m["State"] = aws.ToString(cl.ClusterName), aws.ToString(cl.ClusterArn), string(cl.State)
			conf, err := apiMembersJSON(m)
			if err != nil {
				return err
			}
			arn := aws.ToString(cl.ClusterArn)
			r.add(Item{ARN: arn, ResourceType: "AWS::MSK::Cluster", ResourceID: arn, ResourceName: aws.ToString(cl.ClusterName), Zone: "Regional",
				Created: timeString(cl.CreationTime), Tags: cl.Tags, Configuration: conf})
		}
	}
	return nil
}

// collectMQBrokers records Amazon MQ brokers (AWS::AmazonMQ::Broker, the broker id as
// resource id, its name as resource name) with DescribeBroker's members (EngineType,
// Logs with Audit and General, PubliclyAccessible, EncryptionOptions...).
func collectMQBrokers(ctx context.Context, r *run) error {
	c := mq.NewFromConfig(r.cfg)
	var ids []string
	p := mq.NewListBrokersPaginator(c, &mq.ListBrokersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, b := range out.BrokerSummaries {
			ids = append(ids, aws.ToString(b.BrokerId))
		}
	}
	return r.each(ctx, len(ids), func(ctx context.Context, i int) error {
		b, err := c.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: aws.String(ids[i])})
		if errorCode(err) == "NotFoundException" {
			return nil
		}
		if err != nil {
			return err
		}
		conf, err := apiMembersJSON(b)
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(b.BrokerArn), ResourceType: "AWS::AmazonMQ::Broker", ResourceID: ids[i], ResourceName: aws.ToString(b.BrokerName),
			Zone: "Regional", Created: timeString(b.Created), Tags: b.Tags, Configuration: conf})
		return nil
	})
}

// collectDMSEndpoints records DMS endpoints (AWS::DMS::Endpoint, the endpoint
// identifier as resource id) with DescribeEndpoints' members (EngineName, SslMode,
// RedisSettings, KafkaSettings...); passwords are never returned by the API.
func collectDMSEndpoints(ctx context.Context, r *run) error {
	p := databasemigrationservice.NewDescribeEndpointsPaginator(databasemigrationservice.NewFromConfig(r.cfg), &databasemigrationservice.DescribeEndpointsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, e := range out.Endpoints {
			conf, err := apiMembersJSON(e)
			if err != nil {
				return err
			}
			id := aws.ToString(e.EndpointIdentifier)
			r.add(Item{ARN: aws.ToString(e.EndpointArn), ResourceType: "AWS::DMS::Endpoint", ResourceID: id, ResourceName: id, Zone: "Regional", Configuration: conf})
		}
	}
	return nil
}

// collectAthenaWorkGroups records Athena workgroups (AWS::Athena::WorkGroup, the name as
// resource id) with GetWorkGroup's WorkGroup members, its Configuration under
// CloudFormation's name WorkGroupConfiguration (ResultConfiguration with
// EncryptionConfiguration, EnforceWorkGroupConfiguration...).
func collectAthenaWorkGroups(ctx context.Context, r *run) error {
	c := athena.NewFromConfig(r.cfg)
	var names []string
	p := athena.NewListWorkGroupsPaginator(c, &athena.ListWorkGroupsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, w := range out.WorkGroups {
			names = append(names, aws.ToString(w.Name))
		}
	}
	return r.each(ctx, len(names), func(ctx context.Context, i int) error {
		out, err := c.GetWorkGroup(ctx, &athena.GetWorkGroupInput{WorkGroup: aws.String(names[i])})
		if errorCode(err) == "InvalidRequestException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		m, err := genericObject(out.WorkGroup)
		if err != nil {
			return err
		}
		if conf, ok := m["Configuration"]; ok {
			m["WorkGroupConfiguration"] = conf
			delete(m, "Configuration")
		}
		conf, err := apiMembersJSON(m)
		if err != nil {
			return err
		}
		r.add(Item{ARN: r.arn("athena", r.region, "workgroup/"+names[i]), ResourceType: "AWS::Athena::WorkGroup", ResourceID: names[i], ResourceName: names[i],
			Zone: "Regional", Created: timeString(out.WorkGroup.CreationTime), Configuration: conf})
		return nil
	})
}

// collectDAXClusters records DAX clusters (AWS::DAX::Cluster, the name as resource id)
// with DescribeClusters' members (ClusterName, SSEDescription, ClusterEndpointEncryptionType...).
func collectDAXClusters(ctx context.Context, r *run) error {
	c := dax.NewFromConfig(r.cfg)
	in := &dax.DescribeClustersInput{}
	for {
		out, err := c.DescribeClusters(ctx, in)
		if err != nil {
			return err
		}
		for _, cl := range out.Clusters {
			conf, err := apiMembersJSON(cl)
			if err != nil {
				return err
			}
			name := aws.ToString(cl.ClusterName)
			r.add(Item{ARN: aws.ToString(cl.ClusterArn), ResourceType: "AWS::DAX::Cluster", ResourceID: name, ResourceName: name, Zone: "Regional", Configuration: conf})
		}
		if aws.ToString(out.NextToken) == "" {
			return nil
		}
		in.NextToken = out.NextToken
	}
}
