package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
)

// collectSageMaker records SageMaker notebook instances (AWS::SageMaker::NotebookInstance)
// and endpoint configurations (AWS::SageMaker::EndpointConfig), each by name as resource
// id, with DescribeNotebookInstance's and DescribeEndpointConfig's members under their
// own names (NotebookInstanceName, KmsKeyId, DirectInternetAccess, RootAccess...;
// EndpointConfigName, KmsKeyId, ProductionVariants...), which are CloudFormation's names
// for the same properties.
func collectSageMaker(ctx context.Context, r *run) error {
	c := sagemaker.NewFromConfig(r.cfg)
	var notebooks, configs []string
	np := sagemaker.NewListNotebookInstancesPaginator(c, &sagemaker.ListNotebookInstancesInput{})
	for np.HasMorePages() {
		out, err := np.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, n := range out.NotebookInstances {
			notebooks = append(notebooks, aws.ToString(n.NotebookInstanceName))
		}
	}
	ep := sagemaker.NewListEndpointConfigsPaginator(c, &sagemaker.ListEndpointConfigsInput{})
	for ep.HasMorePages() {
		out, err := ep.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, e := range out.EndpointConfigs {
			configs = append(configs, aws.ToString(e.EndpointConfigName))
		}
	}
	return r.each(ctx, len(notebooks)+len(configs), func(ctx context.Context, i int) error {
		if i < len(notebooks) {
			d, err := c.DescribeNotebookInstance(ctx, &sagemaker.DescribeNotebookInstanceInput{NotebookInstanceName: aws.String(notebooks[i])})
			if sageMakerGone(err) {
				return nil
			}
			if err != nil {
				return err
			}
			return r.addAPIMembers("AWS::SageMaker::NotebookInstance", aws.ToString(d.NotebookInstanceArn), notebooks[i], timeString(d.CreationTime), d)
		}
		name := configs[i-len(notebooks)]
		d, err := c.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: aws.String(name)})
		if sageMakerGone(err) {
			return nil
		}
		if err != nil {
			return err
		}
		return r.addAPIMembers("AWS::SageMaker::EndpointConfig", aws.ToString(d.EndpointConfigArn), name, timeString(d.CreationTime), d)
	})
}

// sageMakerGone reports whether err says the resource was deleted since it was listed.
func sageMakerGone(err error) bool {
	switch errorCode(err) {
	case "ResourceNotFound", "ResourceNotFoundException", "NotFoundException", "ValidationException":
		return true
	}
	return false
}

// addAPIMembers adds a CI whose configuration is v, a describe API's output, with the API's
// member names (CloudFormation's for the types AWS Config records from its registry),
// null members and empty strings left out, and name as resource id and name.
func (r *run) addAPIMembers(resourceType, arn, name, created string, v any) error {
	conf, err := apiMembersJSON(v)
	if err != nil {
		return err
	}
	r.add(Item{ARN: arn, ResourceType: resourceType, ResourceID: name, ResourceName: name, Zone: "Regional", Created: created, Configuration: conf})
	return nil
}

// apiMembersJSON returns v, an SDK structure, as JSON with its members' own names, without
// ResultMetadata, null members and empty strings (the SDK writes "" for an enum the
// response left out).
func apiMembersJSON(v any) (json.RawMessage, error) {
	m, err := genericObject(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(dropEmpty(m))
}

// dropEmpty removes null and empty-string members from objects, at every depth.
func dropEmpty(x any) any {
	switch t := x.(type) {
	case map[string]any:
		for k, v := range t {
			if v == nil || v == "" || k == "ResultMetadata" {
				delete(t, k)
				continue
			}
			t[k] = dropEmpty(v)
		}
	case []any:
		for i, v := range t {
			t[i] = dropEmpty(v)
		}
	}
	return x
}
