package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

// collectDeploymentGroups records CodeDeploy deployment groups
// (AWS::CodeDeploy::DeploymentGroup, the group's name as resource id) with
// GetDeploymentGroup's deploymentGroupInfo members camel-cased (applicationName,
// deploymentGroupName, deploymentGroupId, computePlatform, deploymentConfigName,
// serviceRoleArn, deploymentStyle...; the application's computePlatform where the group
// leaves it out), empty members left out.
func collectDeploymentGroups(ctx context.Context, r *run) error {
	c := codedeploy.NewFromConfig(r.cfg)
	var apps []string
	p := codedeploy.NewListApplicationsPaginator(c, &codedeploy.ListApplicationsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		apps = append(apps, out.Applications...)
	}
	type group struct{ app, name string }
	var groups []group
	for _, app := range apps {
		gp := codedeploy.NewListDeploymentGroupsPaginator(c, &codedeploy.ListDeploymentGroupsInput{ApplicationName: aws.String(app)})
		for gp.HasMorePages() {
			out, err := gp.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, g := range out.DeploymentGroups {
				groups = append(groups, group{app, g})
			}
		}
	}
	return r.each(ctx, len(groups), func(ctx context.Context, i int) error {
		out, err := c.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: aws.String(groups[i].app),
			DeploymentGroupName: aws.String(groups[i].name)})
		if errorCode(err) == "DeploymentGroupDoesNotExistException" || errorCode(err) == "ApplicationDoesNotExistException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		g := out.DeploymentGroupInfo
		if g.ComputePlatform == "" { // recorded by the application where the group leaves it out
			app, err := c.GetApplication(ctx, &codedeploy.GetApplicationInput{ApplicationName: g.ApplicationName})
			if err != nil {
				return err
			}
			if app.Application != nil {
				g.ComputePlatform = app.Application.ComputePlatform
			}
		}
		x, err := genericJSON(g)
		if err != nil {
			return err
		}
		conf, err := json.Marshal(withoutNulls(lowerKeys(x)))
		if err != nil {
			return err
		}
		arn := "arn:" + r.partition + ":codedeploy:" + r.region + ":" + r.account + ":deploymentgroup:" + aws.ToString(g.ApplicationName) + "/" + aws.ToString(g.DeploymentGroupName)
		r.add(Item{ARN: arn, ResourceType: "AWS::CodeDeploy::DeploymentGroup", ResourceID: aws.ToString(g.DeploymentGroupName),
			ResourceName: aws.ToString(g.DeploymentGroupName), Zone: "Regional", Configuration: conf})
		return nil
	})
}

// collectAccessPoints records the account's S3 access points in the region
// (AWS::S3::AccessPoint, the name as resource id) with CloudFormation's member names:
// Name, Arn, Alias, Bucket, BucketAccountId, NetworkOrigin, VpcConfiguration and
// PublicAccessBlockConfiguration (GetAccessPoint).
func collectAccessPoints(ctx context.Context, r *run) error {
	c := s3controlClient(r)
	var names []string
	p := s3control.NewListAccessPointsPaginator(c, &s3control.ListAccessPointsInput{AccountId: aws.String(r.account)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, ap := range out.AccessPointList {
			names = append(names, aws.ToString(ap.Name))
		}
	}
	return r.each(ctx, len(names), func(ctx context.Context, i int) error {
		ap, err := c.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: aws.String(r.account), Name: aws.String(names[i])})
		if errorCode(err) == "NoSuchAccessPoint" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		arn := aws.ToString(ap.AccessPointArn)
		if arn == "" {
			arn = "arn:" + r.partition + ":s3:" + r.region + ":" + r.account + ":accesspoint/" + names[i]
		}
		conf := map[string]any{"Name": aws.ToString(ap.Name), "Arn": arn, "Bucket": aws.ToString(ap.Bucket),
			"NetworkOrigin": ap.NetworkOrigin, "PublicAccessBlockConfiguration": accessPointBlock(ap.PublicAccessBlockConfiguration)}
		if ap.Alias != nil {
			conf["Alias"] = aws.ToString(ap.Alias)
		}
		if ap.BucketAccountId != nil {
			conf["BucketAccountId"] = aws.ToString(ap.BucketAccountId)
		}
		if v := ap.VpcConfiguration; v != nil {
			conf["VpcConfiguration"] = map[string]any{"VpcId": aws.ToString(v.VpcId)}
		}
		b, err := json.Marshal(conf)
		if err != nil {
			return err
		}
		r.add(Item{ARN: arn, ResourceType: "AWS::S3::AccessPoint", ResourceID: names[i], ResourceName: names[i], Zone: "Regional",
			Created: timeString(ap.CreationDate), Configuration: b})
		return nil
	})
}

// accessPointBlock returns an access point's Block Public Access settings, all off
// when the API gives none.
func accessPointBlock(p *s3ctypes.PublicAccessBlockConfiguration) map[string]bool {
	if p == nil {
		p = &s3ctypes.PublicAccessBlockConfiguration{}
	}
	return map[string]bool{"BlockPublicAcls": aws.ToBool(p.BlockPublicAcls), "IgnorePublicAcls": aws.ToBool(p.IgnorePublicAcls),
		"BlockPublicPolicy": aws.ToBool(p.BlockPublicPolicy), "RestrictPublicBuckets": aws.ToBool(p.RestrictPublicBuckets)}
}
