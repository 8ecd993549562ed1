package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestBackupSelections collects a backup plan from moto and its resource assignment from
// recorded responses: moto answers ListBackupSelections with a 500, so an httptest server
// answers ListBackupSelections and GetBackupSelection with AWS's documented JSON response
// shapes (a selection of every DynamoDB table and of resources tagged backup=daily) and
// forwards every other request to moto. It checks the fact backup.BackupPlans, the
// AWS::Backup::BackupSelection CI and
// EFS_IN_BACKUP_PLAN and DYNAMODB_IN_BACKUP_PLAN over the snapshot.
func TestBackupSelections(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	plan, err := backup.NewFromConfig(cfg).CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{BackupPlan: &backuptypes.BackupPlanInput{
		BackupPlanName: aws.String("daily"), Rules: []backuptypes.BackupRuleInput{{RuleName: aws.String("daily"), TargetBackupVaultName: aws.String("Default")}}}})
	must(t, err)
	planID := aws.ToString(plan.BackupPlanId)
	fsIDs := map[string]string{}
	for _, tag := range []string{"daily", "never"} {
		out, err := efs.NewFromConfig(cfg).CreateFileSystem(ctx, &efs.CreateFileSystemInput{CreationToken: aws.String(tag),
			Tags: []efstypes.Tag{{Key: aws.String("backup"), Value: aws.String(tag)}}})
		must(t, err)
		fsIDs[tag] = aws.ToString(out.FileSystemId)
	}
	_, err = dynamodb.NewFromConfig(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("orders"),
		KeySchema:            []dynamotypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: dynamotypes.KeyTypeHash}},
		AttributeDefinitions: []dynamotypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: dynamotypes.ScalarAttributeTypeS}},
		BillingMode:          dynamotypes.BillingModePayPerRequest})
	must(t, err)

	const role = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole"
	selection := map[string]any{"SelectionName": "tagged", "IamRoleArn": role, "Resources": []string{"arn:aws:dynamodb:*:*:table/*"},
		"ListOfTags": []map[string]string{{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}}}
	selections := regexp.MustCompile(`^GET /backup/plans/([^/]+)/selections/?([^/]*)$`)
	cfg.BaseEndpoint = aws.String(recordedURL(t, m, func(c recordedCall) (int, string, bool) {
		s := selections.FindStringSubmatch(c.Op)
		switch {
		case s == nil:
			return 0, "", false
		case s[1] != planID:
			return http.StatusNotFound, `{"Code":"ResourceNotFoundException","Message":"no plan"}`, true
		case s[2] == "": // ListBackupSelections
			return http.StatusOK, jsonText(t, map[string]any{"BackupSelectionsList": []map[string]any{{"SelectionId": "sel-1", "SelectionName": "tagged",
				"BackupPlanId": planID, "IamRoleArn": role, "CreationDate": 1717200000}}}), true
		}
		return http.StatusOK, jsonText(t, map[string]any{"BackupPlanId": planID, "SelectionId": s[2], "CreationDate": 1717200000, "BackupSelection": selection}), true
	}))

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	if d := cmp.Diff(`[{"BackupPlanId":"`+planID+`","BackupPlanName":"daily"}]`, mustString(t, snap.Account["backup.BackupPlans"])); d != "" {
		t.Errorf("backup.BackupPlans (-want +got):\n%s", d)
	}
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := buf.Bytes()
	var got []string
	dec := ci.NewDecoder(bytes.NewReader(raw))
	for {
		it, err := dec.Next()
		if err != nil {
			break
		}
		if it.ResourceType == "AWS::Backup::BackupSelection" {
			got = append(got, mustString(t, []any{it.ResourceID, it.ResourceName, it.ARN, it.ResourceCreationTime.UTC().Format("2006-01-02T15:04:05Z"), json.RawMessage(it.Configuration)}))
		}
	}
	want := []string{mustString(t, []any{"sel-1", "tagged", "arn:aws:backup:" + region + ":" + account + ":backup-plan:" + planID + "/selection/sel-1",
		"2024-06-01T00:00:00Z", map[string]any{"BackupPlanId": planID, "Id": "sel-1", "BackupSelection": selection}})}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("backup selections (-want +got):\n%s", d)
	}
	results := map[string]string{}
	for _, id := range []string{"EFS_IN_BACKUP_PLAN", "DYNAMODB_IN_BACKUP_PLAN"} {
		rule, err := rules.Get(id)
		must(t, err)
		check, err := rule.Bind(nil)
		must(t, err)
		must(t, rules.Evaluate(check, ci.NewDecoder(bytes.NewReader(raw)), rules.Env{}, func(r rules.Result) error {
			results[id+" "+r.ResourceID] = string(r.ComplianceType)
			return nil
		}))
	}
	wantResults := map[string]string{"EFS_IN_BACKUP_PLAN " + fsIDs["daily"]: "COMPLIANT", "EFS_IN_BACKUP_PLAN " + fsIDs["never"]: "NON_COMPLIANT",
		"DYNAMODB_IN_BACKUP_PLAN orders": "COMPLIANT"}
	if d := cmp.Diff(wantResults, results); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
}
