package inventory

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/probity-dev/probity/internal/backoff"
	"github.com/probity-dev/probity/internal/ci"
)

// iamTags returns IAM tags as a map.
func iamTags(tags []iamtypes.Tag) map[string]string {
	return tagMap(tags, func(t iamtypes.Tag) (*string, *string) { return t.Key, t.Value })
}

// collectIAMIdentities records users, groups, roles and customer managed policies from
// GetAccountAuthorizationDetails, whose members are those of AWS Config's IAM CIs
// (inline policy lists, group lists, attached policies, policy versions with their
// URL-encoded documents). A policy's relationships name what it is attached to.
// AWS Config records IAM in the region us-east-1 (the global one), so the CIs do too.
func collectIAMIdentities(ctx context.Context, r *run) error {
	c := iam.NewFromConfig(r.cfg)
	const global = "global"
	attached := map[string][]ci.Relationship{}
	var policies []iamtypes.ManagedPolicyDetail
	p := iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{
		Filter: []iamtypes.EntityType{iamtypes.EntityTypeUser, iamtypes.EntityTypeRole, iamtypes.EntityTypeGroup, iamtypes.EntityTypeLocalManagedPolicy}})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, u := range out.UserDetailList {
			if err := r.iamItem("AWS::IAM::User", u.UserId, u.UserName, u.Arn, u.CreateDate, iamTags(u.Tags), u); err != nil {
				return err
			}
			for _, a := range u.AttachedManagedPolicies {
				attached[aws.ToString(a.PolicyArn)] = append(attached[aws.ToString(a.PolicyArn)], ci.Relationship{
					ResourceType: "AWS::IAM::User", ResourceID: aws.ToString(u.UserId), ResourceName: aws.ToString(u.UserName), RelationshipName: "Is attached to IAMUser"})
			}
		}
		for _, g := range out.GroupDetailList {
			if err := r.iamItem("AWS::IAM::Group", g.GroupId, g.GroupName, g.Arn, g.CreateDate, nil, g); err != nil {
				return err
			}
			for _, a := range g.AttachedManagedPolicies {
				attached[aws.ToString(a.PolicyArn)] = append(attached[aws.ToString(a.PolicyArn)], ci.Relationship{
					ResourceType: "AWS::IAM::Group", ResourceID: aws.ToString(g.GroupId), ResourceName: aws.ToString(g.GroupName), RelationshipName: "Is attached to IAMGroup"})
			}
		}
		for _, ro := range out.RoleDetailList {
			if err := r.iamItem("AWS::IAM::Role", ro.RoleId, ro.RoleName, ro.Arn, ro.CreateDate, iamTags(ro.Tags), ro); err != nil {
				return err
			}
			for _, a := range ro.AttachedManagedPolicies {
				attached[aws.ToString(a.PolicyArn)] = append(attached[aws.ToString(a.PolicyArn)], ci.Relationship{
					ResourceType: "AWS::IAM::Role", ResourceID: aws.ToString(ro.RoleId), ResourceName: aws.ToString(ro.RoleName), RelationshipName: "Is attached to IAMRole"})
			}
		}
		policies = append(policies, out.Policies...)
	}
	for _, pol := range policies {
		conf, err := configJSON(pol)
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(pol.Arn), ResourceType: "AWS::IAM::Policy", ResourceID: aws.ToString(pol.PolicyId),
			ResourceName: aws.ToString(pol.PolicyName), Region: global, Created: timeString(pol.CreateDate),
			Relationships: attached[aws.ToString(pol.Arn)], Configuration: conf})
	}
	return nil
}

func (r *run) iamItem(resourceType string, id, name, arn *string, created *time.Time, tags map[string]string, v any) error {
	conf, err := configJSON(v)
	if err != nil {
		return err
	}
	r.add(Item{ARN: aws.ToString(arn), ResourceType: resourceType, ResourceID: aws.ToString(id), ResourceName: aws.ToString(name),
		Region: "global", Created: timeString(created), Tags: tags, Configuration: conf})
	return nil
}

// reportPolicy waits for IAM to generate the credential report: 1 s, 2 s, ... 10 s,
// for at most a minute and a half (IAM usually takes seconds).
var reportPolicy = backoff.Policy{Min: time.Second, Max: 10 * time.Second, MaxAttempts: 12}

// errReportNotReady is returned while IAM is still generating the report.
var errReportNotReady = errors.New("the credential report is still being generated")

// collectCredentialReport generates the credential report and records its rows
// (iam.CredentialReport), the root user's first as IAM writes it.
func collectCredentialReport(ctx context.Context, r *run) error {
	c := iam.NewFromConfig(r.cfg)
	var report []byte
	err := backoff.Retry(ctx, reportPolicy, func(ctx context.Context) error {
		gen, err := c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return backoff.Permanent(err)
		}
		if gen.State != iamtypes.ReportStateTypeComplete {
			return errReportNotReady
		}
		out, err := c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
		if code := errorCode(err); code == "ReportInProgress" || code == "ReportNotPresent" {
			return errReportNotReady
		} else if err != nil {
			return backoff.Permanent(err)
		}
		report = out.Content
		return nil
	})
	if err != nil {
		return err
	}
	rows, err := csv.NewReader(bytes.NewReader(report)).ReadAll()
	if err != nil {
		return fmt.Errorf("credential report: %w", err)
	}
	facts := []map[string]string{}
	for i, row := range rows {
		if i == 0 {
			continue
		}
		m := make(map[string]string, len(row))
		for j, v := range row {
			if j < len(rows[0]) {
				m[rows[0][j]] = v
			}
		}
		facts = append(facts, m)
	}
	r.fact("iam.CredentialReport", facts)
	return nil
}

func collectAccountSummary(ctx context.Context, r *run) error {
	out, err := iam.NewFromConfig(r.cfg).GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return err
	}
	r.fact("iam.AccountSummary", out.SummaryMap)
	return nil
}

// collectPasswordPolicy records the password policy, null when the account has none.
func collectPasswordPolicy(ctx context.Context, r *run) error {
	out, err := iam.NewFromConfig(r.cfg).GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	switch {
	case errorCode(err) == "NoSuchEntity":
		r.fact("iam.PasswordPolicy", nil)
		return nil
	case err != nil:
		return err
	}
	r.fact("iam.PasswordPolicy", out.PasswordPolicy)
	return nil
}

// collectMFA records each user's access keys and MFA devices, and the virtual MFA
// devices (iam.AccessKeysByUser, iam.MFADevicesByUser, iam.VirtualMFADevices).
func collectMFA(ctx context.Context, r *run) error {
	c := iam.NewFromConfig(r.cfg)
	var users []string
	p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, u := range out.Users {
			users = append(users, aws.ToString(u.UserName))
		}
	}
	keys := make([][]iamtypes.AccessKeyMetadata, len(users))
	mfas := make([][]iamtypes.MFADevice, len(users))
	err := r.each(ctx, len(users), func(ctx context.Context, i int) error {
		keys[i], mfas[i] = []iamtypes.AccessKeyMetadata{}, []iamtypes.MFADevice{}
		kp := iam.NewListAccessKeysPaginator(c, &iam.ListAccessKeysInput{UserName: aws.String(users[i])})
		for kp.HasMorePages() {
			out, err := kp.NextPage(ctx)
			if err != nil {
				return err
			}
			keys[i] = append(keys[i], out.AccessKeyMetadata...)
		}
		mp := iam.NewListMFADevicesPaginator(c, &iam.ListMFADevicesInput{UserName: aws.String(users[i])})
		for mp.HasMorePages() {
			out, err := mp.NextPage(ctx)
			if err != nil {
				return err
			}
			mfas[i] = append(mfas[i], out.MFADevices...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	byUserKeys := make(map[string][]iamtypes.AccessKeyMetadata, len(users))
	byUserMFA := make(map[string][]iamtypes.MFADevice, len(users))
	for i, u := range users {
		byUserKeys[u], byUserMFA[u] = keys[i], mfas[i]
	}
	virtual := []iamtypes.VirtualMFADevice{}
	vp := iam.NewListVirtualMFADevicesPaginator(c, &iam.ListVirtualMFADevicesInput{})
	for vp.HasMorePages() {
		out, err := vp.NextPage(ctx)
		if err != nil {
			return err
		}
		virtual = append(virtual, out.VirtualMFADevices...)
	}
	r.fact("iam.AccessKeysByUser", byUserKeys)
	r.fact("iam.MFADevicesByUser", byUserMFA)
	r.fact("iam.VirtualMFADevices", virtual)
	return nil
}
