package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
)

// collectBackupSelections records the resource assignments of every AWS Backup plan
// (AWS::Backup::BackupSelection, the selection id as resource id, its name as resource
// name) with CloudFormation's member names: BackupPlanId and BackupSelection
// (GetBackupSelection's SelectionName, IamRoleArn, Resources, NotResources, ListOfTags
// and Conditions), and the plans as the fact backup.BackupPlans, which tells the
// *_IN_BACKUP_PLAN rules (they read the selections as related items) that AWS Backup was
// read, so that an account whose Backup could not be read gets no result from them.
func collectBackupSelections(ctx context.Context, r *run) error {
	c := backup.NewFromConfig(r.cfg)
	var plans []string
	facts := []map[string]string{}
	p := backup.NewListBackupPlansPaginator(c, &backup.ListBackupPlansInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, pl := range out.BackupPlansList {
			plans = append(plans, aws.ToString(pl.BackupPlanId))
			facts = append(facts, map[string]string{"BackupPlanId": aws.ToString(pl.BackupPlanId), "BackupPlanName": aws.ToString(pl.BackupPlanName)})
		}
	}
	type selection struct{ plan, id string }
	var sels []selection
	for _, plan := range plans {
		sp := backup.NewListBackupSelectionsPaginator(c, &backup.ListBackupSelectionsInput{BackupPlanId: aws.String(plan)})
		for sp.HasMorePages() {
			out, err := sp.NextPage(ctx)
			if errorCode(err) == "ResourceNotFoundException" {
				break // the plan was deleted since it was listed
			}
			if err != nil {
				return err
			}
			for _, s := range out.BackupSelectionsList {
				sels = append(sels, selection{plan, aws.ToString(s.SelectionId)})
			}
		}
	}
	err := r.each(ctx, len(sels), func(ctx context.Context, i int) error {
		s := sels[i]
		out, err := c.GetBackupSelection(ctx, &backup.GetBackupSelectionInput{BackupPlanId: aws.String(s.plan), SelectionId: aws.String(s.id)})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil // deleted since it was listed
		}
		if err != nil {
			return err
		}
		sel := out.BackupSelection
		if sel == nil {
			sel = &backuptypes.BackupSelection{}
		}
		conf, err := json.Marshal(map[string]any{"BackupPlanId": s.plan, "Id": s.id, "BackupSelection": withoutNulls(mustDecode(sel))})
		if err != nil {
			return err
		}
		r.add(Item{ARN: r.arn("backup", r.region, "backup-plan:"+s.plan+"/selection/"+s.id), ResourceType: "AWS::Backup::BackupSelection",
			ResourceID: s.id, ResourceName: aws.ToString(sel.SelectionName), Zone: "Regional", Created: timeString(out.CreationDate), Configuration: conf})
		return nil
	})
	if err != nil {
		return err
	}
	r.fact("backup.BackupPlans", facts)
	return nil
}

// mustDecode returns v, which encoding/json can encode, as generic JSON values.
func mustDecode(v any) any {
	var x any
	if err := json.Unmarshal(mustJSON(v), &x); err != nil {
		panic("inventory: " + err.Error())
	}
	return x
}
