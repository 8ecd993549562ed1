package apicall

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/smithy-go"

	"github.com/probity-dev/probity/internal/collect/target"
)

// call is one read-only API call of the allowlist.
type call struct {
	// global calls are made once, in the base region (IAM, S3's ListBuckets); the others
	// once per region collected in.
	global bool
	// do makes the call in cfg's region, every page of it, and returns the response as
	// it is to be kept: the SDK's output members, without its metadata.
	do func(ctx context.Context, a *target.Accounts, cfg aws.Config) (any, error)
}

// calls is the allowlist: AWS_API_Call keywords and the read-only call each makes. Only
// these are ever called; a keyword outside it is an EINVALID error. An entry is added by
// writing its function here, with a client of an SDK module the project already uses.
var calls = map[string]call{
	"iam_ListUsers": {global: true, do: func(ctx context.Context, _ *target.Accounts, cfg aws.Config) (any, error) {
		var users []iamtypes.User
		for p := iam.NewListUsersPaginator(iam.NewFromConfig(cfg), &iam.ListUsersInput{}); p.HasMorePages(); {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			users = append(users, page.Users...)
		}
		return map[string]any{"Users": nonNil(users)}, nil
	}},
	"iam_GetAccountSummary": {global: true, do: func(ctx context.Context, _ *target.Accounts, cfg aws.Config) (any, error) {
		out, err := iam.NewFromConfig(cfg).GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
		if err != nil {
			return nil, err
		}
		return map[string]any{"SummaryMap": out.SummaryMap}, nil
	}},
	"iam_GetAccountPasswordPolicy": {global: true, do: func(ctx context.Context, _ *target.Accounts, cfg aws.Config) (any, error) {
		out, err := iam.NewFromConfig(cfg).GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
		var nse *iamtypes.NoSuchEntityException
		if errors.As(err, &nse) {
			// No policy is a fact worth keeping, not a failure.
			return map[string]any{"PasswordPolicy": nil}, nil
		}
		if err != nil {
			return nil, err
		}
		return map[string]any{"PasswordPolicy": out.PasswordPolicy}, nil
	}},
	"s3_ListBuckets": {global: true, do: func(ctx context.Context, a *target.Accounts, cfg aws.Config) (any, error) {
		var buckets []s3types.Bucket
		for p := s3.NewListBucketsPaginator(a.S3(cfg, cfg.Region), &s3.ListBucketsInput{}); p.HasMorePages(); {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			buckets = append(buckets, page.Buckets...)
		}
		return map[string]any{"Buckets": nonNil(buckets)}, nil
	}},
	"cloudtrail_DescribeTrails": {do: func(ctx context.Context, _ *target.Accounts, cfg aws.Config) (any, error) {
		out, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
		if err != nil {
			return nil, err
		}
		return map[string]any{"trailList": nonNil(out.TrailList)}, nil
	}},
	"securityhub_DescribeHub": {do: func(ctx context.Context, _ *target.Accounts, cfg aws.Config) (any, error) {
		out, err := securityhub.NewFromConfig(cfg).DescribeHub(ctx, &securityhub.DescribeHubInput{})
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "InvalidAccessException" {
			// Security Hub is not enabled in the region: that is the configuration.
			return map[string]any{"HubArn": nil, "Error": ae.ErrorCode()}, nil
		}
		if err != nil {
			return nil, err
		}
		return map[string]any{"HubArn": out.HubArn, "SubscribedAt": out.SubscribedAt,
			"AutoEnableControls": out.AutoEnableControls, "ControlFindingGenerator": out.ControlFindingGenerator}, nil
	}},
}

// nonNil returns s, or an empty slice for nil, so that "no items" is [] in the response.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
