package inventory

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
)

// collectBackupVaults records AWS Backup's vaults (AWS::Backup::BackupVault, by name,
// with CloudFormation's member names: BackupVaultName, BackupVaultArn, EncryptionKeyArn,
// VaultType (ListBackupVaults'),
// AccessPolicy as a policy document, LockConfiguration {MinRetentionDays,
// MaxRetentionDays} when Vault Lock is set, BackupVaultTags), every recovery point in
// them (AWS::Backup::RecoveryPoint, by ARN, ListRecoveryPointsByBackupVault's members
// under their own names) and the fact backup.BackupVaultList (ListBackupVaults). The
// items and the fact are added only once every call has succeeded: the
// *_RESOURCES_PROTECTED_BY_BACKUP_PLAN rules read the fact as "every recovery point is
// in the snapshot", and BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED a vault without
// AccessPolicy as one without a policy, so a part skipped half-way must leave nothing.
func collectBackupVaults(ctx context.Context, r *run) error {
	c := backup.NewFromConfig(r.cfg)
	var vaults []backuptypes.BackupVaultListMember
	p := backup.NewListBackupVaultsPaginator(c, &backup.ListBackupVaultsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		vaults = append(vaults, out.BackupVaultList...)
	}
	type vaultItems struct {
		gone  bool // deleted since it was listed
		items []Item
	}
	found := make([]vaultItems, len(vaults))
	err := r.each(ctx, len(vaults), func(ctx context.Context, i int) error {
		items, err := r.backupVault(ctx, c, vaults[i])
		if errorCode(err) == "ResourceNotFoundException" {
			found[i].gone = true
			return nil
		}
		found[i].items = items
		return err
	})
	if err != nil {
		return err
	}
	list := []any{}
	for i, v := range found {
		if v.gone {
			continue
		}
		r.add(v.items...)
		list = append(list, withoutNulls(mustDecode(vaults[i])))
	}
	r.fact("backup.BackupVaultList", list)
	return nil
}

// backupVault returns the CI of vault v and those of its recovery points.
func (r *run) backupVault(ctx context.Context, c *backup.Client, v backuptypes.BackupVaultListMember) ([]Item, error) {
	name := aws.ToString(v.BackupVaultName)
	conf := map[string]any{"BackupVaultName": name, "BackupVaultArn": aws.ToString(v.BackupVaultArn)}
	if v.EncryptionKeyArn != nil {
		conf["EncryptionKeyArn"] = aws.ToString(v.EncryptionKeyArn)
	}
	if v.VaultType != "" {
		conf["VaultType"] = string(v.VaultType) // LOGICALLY_AIR_GAPPED_BACKUP_VAULT for the *_IN_LOGICALLY_AIR_GAPPED_VAULT rules
	}
	if aws.ToBool(v.Locked) || v.MinRetentionDays != nil || v.MaxRetentionDays != nil {
		lock := map[string]any{}
		if v.MinRetentionDays != nil {
			lock["MinRetentionDays"] = *v.MinRetentionDays
		}
		if v.MaxRetentionDays != nil {
			lock["MaxRetentionDays"] = *v.MaxRetentionDays
		}
		conf["LockConfiguration"] = lock
	}
	pol, err := c.GetBackupVaultAccessPolicy(ctx, &backup.GetBackupVaultAccessPolicyInput{BackupVaultName: aws.String(name)})
	switch {
	case errorCode(err) == "ResourceNotFoundException":
		// No policy; a vault deleted since it was listed fails ListTags below.
	case err != nil:
		return nil, err
	case aws.ToString(pol.Policy) != "":
		var doc any
		if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil {
			return nil, fmt.Errorf("access policy of backup vault %s: %w", name, err)
		}
		conf["AccessPolicy"] = doc
	}
	tags, err := backupTags(ctx, c, aws.ToString(v.BackupVaultArn))
	if err != nil {
		return nil, err
	}
	if tags != nil {
		conf["BackupVaultTags"] = tags
	}
	items := []Item{{ARN: aws.ToString(v.BackupVaultArn), ResourceType: "AWS::Backup::BackupVault", ResourceID: name, ResourceName: name,
		Zone: "Regional", Created: timeString(v.CreationDate), Tags: tags, Configuration: mustJSON(conf)}}
	p := backup.NewListRecoveryPointsByBackupVaultPaginator(c, &backup.ListRecoveryPointsByBackupVaultInput{BackupVaultName: aws.String(name)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, rp := range out.RecoveryPoints {
			arn := aws.ToString(rp.RecoveryPointArn)
			items = append(items, Item{ARN: arn, ResourceType: "AWS::Backup::RecoveryPoint", ResourceID: arn, Zone: "Regional",
				Created: timeString(rp.CreationDate), Configuration: mustJSON(withoutNulls(mustDecode(rp)))})
		}
	}
	return items, nil
}

// backupTags returns the tags of an AWS Backup vault or plan, nil when it has none.
func backupTags(ctx context.Context, c *backup.Client, arn string) (map[string]string, error) {
	var tags map[string]string
	p := backup.NewListTagsPaginator(c, &backup.ListTagsInput{ResourceArn: aws.String(arn)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for k, v := range out.Tags {
			if tags == nil {
				tags = map[string]string{}
			}
			tags[k] = v
		}
	}
	return tags, nil
}

// collectBackupPlans records AWS Backup's plans (AWS::Backup::BackupPlan, by plan id,
// the plan's name as resource name) with CloudFormation's member names: BackupPlanId,
// BackupPlanArn, VersionId, BackupPlan {BackupPlanName, BackupPlanRule (GetBackupPlan's
// Rules, each under the API's member names), AdvancedBackupSettings} and
// BackupPlanTags.
func collectBackupPlans(ctx context.Context, r *run) error {
	c := backup.NewFromConfig(r.cfg)
	var ids []string
	p := backup.NewListBackupPlansPaginator(c, &backup.ListBackupPlansInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, pl := range out.BackupPlansList {
			ids = append(ids, aws.ToString(pl.BackupPlanId))
		}
	}
	return r.each(ctx, len(ids), func(ctx context.Context, i int) error {
		out, err := c.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: aws.String(ids[i])})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		tags, err := backupTags(ctx, c, aws.ToString(out.BackupPlanArn))
		if errorCode(err) == "ResourceNotFoundException" {
			return nil
		}
		if err != nil {
			return err
		}
		var name string
		body := map[string]any{"BackupPlanRule": []any{}}
		if bp := out.BackupPlan; bp != nil {
			name = aws.ToString(bp.BackupPlanName)
			body["BackupPlanName"] = name
			if len(bp.Rules) > 0 {
				body["BackupPlanRule"] = withoutNulls(mustDecode(bp.Rules))
			}
			if len(bp.AdvancedBackupSettings) > 0 {
				body["AdvancedBackupSettings"] = withoutNulls(mustDecode(bp.AdvancedBackupSettings))
			}
		}
		conf := map[string]any{"BackupPlanId": ids[i], "BackupPlanArn": aws.ToString(out.BackupPlanArn), "VersionId": aws.ToString(out.VersionId), "BackupPlan": body}
		if tags != nil {
			conf["BackupPlanTags"] = tags
		}
		r.add(Item{ARN: aws.ToString(out.BackupPlanArn), ResourceType: "AWS::Backup::BackupPlan", ResourceID: ids[i], ResourceName: name,
			Zone: "Regional", Created: timeString(out.CreationDate), Tags: tags, Configuration: mustJSON(conf)})
		return nil
	})
}
