package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/fsx"
	fsxtypes "github.com/aws/aws-sdk-go-v2/service/fsx/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
)

// TestBackupVaultsAndRecoveryPoints collects AWS Backup vaults (one with Vault Lock),
// plans, DynamoDB tables and an FSx file system from moto, and the vaults' access
// policies and recovery points from recorded responses: moto answers
// GetBackupVaultAccessPolicy and ListRecoveryPointsByBackupVault with a 404, so an
// httptest server answers them with AWS's documented JSON shapes (the locked vault's
// recovery points in two pages), ListTags (moto answers none) with the tags of a vault
// and a plan, and ListBackupSelections (a 500 from moto) with none,
// and forwards every other request to moto. It checks the
// vault, recovery point and plan CIs, the fact backup.BackupVaultList and the backup
// rules' conclusions; and that against moto alone, where the recovery points cannot be
// listed, the part is skipped and leaves neither vaults nor the fact.
func TestBackupVaultsAndRecoveryPoints(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	b := backup.NewFromConfig(cfg)
	for _, name := range []string{"locked", "open"} {
		_, err := b.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: aws.String(name), BackupVaultTags: map[string]string{"team": name}})
		must(t, err)
	}
	_, err := b.PutBackupVaultLockConfiguration(ctx, &backup.PutBackupVaultLockConfigurationInput{BackupVaultName: aws.String("locked"),
		MinRetentionDays: aws.Int64(7), MaxRetentionDays: aws.Int64(365)})
	must(t, err)
	plans := map[string]string{}
	for name, rule := range map[string]backuptypes.BackupRuleInput{
		"daily": {RuleName: aws.String("daily"), TargetBackupVaultName: aws.String("locked"), ScheduleExpression: aws.String("cron(0 5 ? * * *)"),
			Lifecycle:   &backuptypes.Lifecycle{DeleteAfterDays: aws.Int64(35)},
			CopyActions: []backuptypes.CopyAction{{DestinationBackupVaultArn: aws.String("arn:aws:backup:us-west-2:" + account + ":backup-vault:dr")}}},
		"weekly": {RuleName: aws.String("weekly"), TargetBackupVaultName: aws.String("open"), ScheduleExpression: aws.String("cron(0 5 ? * SUN *)")},
	} {
		out, err := b.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{BackupPlan: &backuptypes.BackupPlanInput{BackupPlanName: aws.String(name),
			Rules: []backuptypes.BackupRuleInput{rule}}, BackupPlanTags: map[string]string{"plan": name}})
		must(t, err)
		plans[name] = aws.ToString(out.BackupPlanId)
	}
	for _, name := range []string{"orders", "logs", "users"} {
		_, err := dynamodb.NewFromConfig(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name),
			KeySchema:            []dynamotypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: dynamotypes.KeyTypeHash}},
			AttributeDefinitions: []dynamotypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: dynamotypes.ScalarAttributeTypeS}},
			BillingMode:          dynamotypes.BillingModePayPerRequest})
		must(t, err)
	}
	fs, err := fsx.NewFromConfig(cfg).CreateFileSystem(ctx, &fsx.CreateFileSystemInput{FileSystemType: fsxtypes.FileSystemTypeLustre,
		StorageCapacity: aws.Int32(1200), SubnetIds: []string{"subnet-0123456789abcdef0"}, Tags: []fsxtypes.Tag{{Key: aws.String("team"), Value: aws.String("hpc")}}})
	must(t, err)
	fsID, fsARN := aws.ToString(fs.FileSystem.FileSystemId), aws.ToString(fs.FileSystem.ResourceARN)

	vaultARN := func(name string) string { return "arn:aws:backup:" + region + ":" + account + ":backup-vault:" + name }
	planARN := func(name string) string {
		return "arn:aws:backup:" + region + ":" + account + ":backup-plan:" + plans[name]
	}
	table := func(name string) string { return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + name }
	point := func(id, vault, resource, resourceType, plan, status string, encrypted bool) map[string]any {
		return map[string]any{"RecoveryPointArn": "arn:aws:backup:" + region + ":" + account + ":recovery-point:" + id, "BackupVaultName": vault,
			"BackupVaultArn": vaultARN(vault), "ResourceArn": resource, "ResourceType": resourceType, "Status": status, "IsEncrypted": encrypted,
			"CreatedBy": map[string]any{"BackupPlanId": plan, "BackupRuleId": "rule-1"}, "CreationDate": 1717200000.0,
			"IamRoleArn": "arn:aws:iam::" + account + ":role/service-role/AWSBackupDefaultServiceRole"}
	}
	pages := map[string][]map[string]any{
		"locked": {point("rp-orders", "locked", table("orders"), "DynamoDB", plans["daily"], "COMPLETED", true),
			point("rp-fsx", "locked", fsARN, "FSx", plans["daily"], "COMPLETED", true)},
		"open": {point("rp-logs", "open", table("logs"), "DynamoDB", plans["weekly"], "EXPIRED", false)},
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":["backup:DeleteRecoveryPoint",` +
		`"backup:UpdateRecoveryPointLifecycle","backup:PutBackupVaultAccessPolicy"],"Resource":"*"}]}`
	var answering atomic.Bool // answer the calls moto lacks
	// moto's ListTags answers no tags, whatever the resource has.
	recordedTags := map[string]map[string]string{vaultARN("locked"): {"team": "locked"}, planARN("daily"): {"plan": "daily"}}
	selections := regexp.MustCompile(`^GET /backup/plans/[^/]+/selections/?$`) // moto answers a 500
	path := regexp.MustCompile(`^GET /backup-vaults/([^/]+)/(access-policy|recovery-points)/?$`)
	cfg.BaseEndpoint = aws.String(recordedURL(t, m, func(c recordedCall) (int, string, bool) {
		if selections.MatchString(c.Op) {
			return http.StatusOK, `{"BackupSelectionsList":[]}`, true
		}
		if tags, ok := recordedTags[strings.TrimSuffix(strings.TrimPrefix(c.R.URL.Path, "/tags/"), "/")]; ok && answering.Load() {
			return http.StatusOK, jsonText(t, map[string]any{"Tags": tags}), true
		}
		p := path.FindStringSubmatch(c.Op)
		if p == nil || !answering.Load() {
			return 0, "", false
		}
		query := c.R.URL.Query()
		switch {
		case p[2] == "access-policy" && p[1] == "locked":
			return http.StatusOK, jsonText(t, map[string]any{"BackupVaultName": p[1], "BackupVaultArn": vaultARN(p[1]), "Policy": policy}), true
		case p[2] == "access-policy":
			return http.StatusNotFound, `{"Code":"ResourceNotFoundException","Message":"no policy"}`, true
		case query.Get("nextToken") == "" && len(pages[p[1]]) > 1: // the first of two pages
			return http.StatusOK, jsonText(t, map[string]any{"RecoveryPoints": pages[p[1]][:1], "NextToken": "2"}), true
		case query.Get("nextToken") == "2":
			return http.StatusOK, jsonText(t, map[string]any{"RecoveryPoints": pages[p[1]][1:]}), true
		}
		return http.StatusOK, jsonText(t, map[string]any{"RecoveryPoints": pages[p[1]]}), true
	}))
	// Where the recovery points cannot be listed (moto's 404), nothing of the part.
	alone, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	skipped := false
	for _, s := range alone.Skipped {
		skipped = skipped || s.Part == "backup.vaults"
	}
	_, hasFact := alone.Account["backup.BackupVaultList"]
	for _, it := range alone.Items {
		if it.ResourceType == "AWS::Backup::BackupVault" || it.ResourceType == "AWS::Backup::RecoveryPoint" {
			t.Errorf("moto alone: %s %s collected by a skipped part", it.ResourceType, it.ResourceID)
		}
	}
	if !skipped || hasFact {
		t.Errorf("moto alone: backup.vaults skipped %v, fact present %v; want skipped, absent", skipped, hasFact)
	}

	answering.Store(true)
	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	for _, s := range snap.Skipped {
		if s.Part == "backup" || strings.HasPrefix(s.Part, "backup.") || s.Part == "fsx" { // AWS Backup's parts, not backupgateway
			t.Errorf("part %s skipped: %s", s.Part, s.Error)
		}
	}
	var facts []string
	for _, v := range asList(t, snap.Account["backup.BackupVaultList"]) {
		facts = append(facts, mustString(t, pickMap(v, "BackupVaultName", "BackupVaultArn", "Locked", "MinRetentionDays", "MaxRetentionDays")))
	}
	wantFacts := []string{
		mustString(t, map[string]any{"BackupVaultName": "locked", "BackupVaultArn": vaultARN("locked"), "Locked": true, "MinRetentionDays": 7, "MaxRetentionDays": 365}),
		mustString(t, map[string]any{"BackupVaultName": "open", "BackupVaultArn": vaultARN("open"), "Locked": false}),
	}
	if d := cmp.Diff(wantFacts, facts, cmpSorted); d != "" {
		t.Errorf("backup.BackupVaultList (-want +got):\n%s", d)
	}

	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := buf.Bytes()
	type view struct {
		ARN, Name string
		Tags      map[string]string
		Conf      map[string]any
	}
	got := map[string]view{}
	dec := ci.NewDecoder(bytes.NewReader(raw))
	for {
		it, err := dec.Next()
		if err != nil {
			break
		}
		var conf map[string]any
		switch it.ResourceType {
		case "AWS::Backup::BackupVault":
			must(t, json.Unmarshal(it.Configuration, &conf))
		case "AWS::Backup::RecoveryPoint":
			conf = pick(t, it.Configuration, "RecoveryPointArn", "BackupVaultName", "BackupVaultArn", "ResourceArn", "ResourceType", "Status",
				"IsEncrypted", "CreatedBy.BackupPlanId", "CreationDate")
		case "AWS::Backup::BackupPlan":
			conf = pick(t, it.Configuration, "BackupPlanId", "BackupPlanArn", "BackupPlan.BackupPlanName", "BackupPlan.BackupPlanRule.0.RuleName",
				"BackupPlan.BackupPlanRule.0.ScheduleExpression", "BackupPlan.BackupPlanRule.0.Lifecycle.DeleteAfterDays",
				"BackupPlan.BackupPlanRule.0.CopyActions.0.DestinationBackupVaultArn", "BackupPlanTags")
		case "AWS::FSx::FileSystem":
			conf = pick(t, it.Configuration, "FileSystemId", "FileSystemType", "StorageCapacity", "ResourceARN")
		default:
			continue
		}
		got[it.ResourceType+" "+it.ResourceID] = view{it.ARN, it.ResourceName, it.Tags, conf}
	}
	rp := func(p map[string]any) view {
		c := map[string]any{}
		for k, v := range p {
			if k != "IamRoleArn" && k != "CreatedBy" {
				c[k] = v
			}
		}
		c["CreatedBy.BackupPlanId"] = p["CreatedBy"].(map[string]any)["BackupPlanId"]
		c["CreationDate"] = "2024-06-01T00:00:00Z"
		return view{p["RecoveryPointArn"].(string), "", nil, c}
	}
	want := map[string]view{
		"AWS::Backup::BackupVault locked": {vaultARN("locked"), "locked", map[string]string{"team": "locked"}, map[string]any{"BackupVaultName": "locked",
			"BackupVaultArn": vaultARN("locked"), "AccessPolicy": mustValue(t, policy), "LockConfiguration": map[string]any{"MinRetentionDays": 7.0, "MaxRetentionDays": 365.0},
			"BackupVaultTags": map[string]any{"team": "locked"}}},
		"AWS::Backup::BackupVault open": {vaultARN("open"), "open", nil, map[string]any{"BackupVaultName": "open", "BackupVaultArn": vaultARN("open")}},
		"AWS::Backup::RecoveryPoint " + pages["locked"][0]["RecoveryPointArn"].(string): rp(pages["locked"][0]),
		"AWS::Backup::RecoveryPoint " + pages["locked"][1]["RecoveryPointArn"].(string): rp(pages["locked"][1]),
		"AWS::Backup::RecoveryPoint " + pages["open"][0]["RecoveryPointArn"].(string):   rp(pages["open"][0]),
		"AWS::Backup::BackupPlan " + plans["daily"]: {planARN("daily"), "daily", map[string]string{"plan": "daily"}, map[string]any{"BackupPlanId": plans["daily"],
			"BackupPlanArn": planARN("daily"), "BackupPlan.BackupPlanName": "daily", "BackupPlan.BackupPlanRule.0.RuleName": "daily",
			"BackupPlan.BackupPlanRule.0.ScheduleExpression": "cron(0 5 ? * * *)", "BackupPlan.BackupPlanRule.0.Lifecycle.DeleteAfterDays": 35.0,
			"BackupPlan.BackupPlanRule.0.CopyActions.0.DestinationBackupVaultArn": "arn:aws:backup:us-west-2:" + account + ":backup-vault:dr",
			"BackupPlanTags": map[string]any{"plan": "daily"}}},
		"AWS::Backup::BackupPlan " + plans["weekly"]: {planARN("weekly"), "weekly", nil, map[string]any{"BackupPlanId": plans["weekly"],
			"BackupPlanArn": planARN("weekly"), "BackupPlan.BackupPlanName": "weekly", "BackupPlan.BackupPlanRule.0.RuleName": "weekly",
			"BackupPlan.BackupPlanRule.0.ScheduleExpression": "cron(0 5 ? * SUN *)"}},
		"AWS::FSx::FileSystem " + fsID: {fsARN, "", map[string]string{"team": "hpc"}, map[string]any{"FileSystemId": fsID, "FileSystemType": "LUSTRE",
			"StorageCapacity": 1200.0, "ResourceARN": fsARN}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("items (-want +got):\n%s", d)
	}

	rpARN := func(id string) string { return "arn:aws:backup:" + region + ":" + account + ":recovery-point:" + id }
	for _, c := range []struct {
		rule   string
		params map[string]string
		want   map[string]string
	}{
		{"DYNAMODB_RESOURCES_PROTECTED_BY_BACKUP_PLAN", nil, map[string]string{"orders": "COMPLIANT", "logs": "NON_COMPLIANT", "users": "NON_COMPLIANT"}},
		{"DYNAMODB_RESOURCES_PROTECTED_BY_BACKUP_PLAN", map[string]string{"backupVaultLockCheck": "True", "minRetentionDays": "7"},
			map[string]string{"orders": "COMPLIANT", "logs": "NON_COMPLIANT", "users": "NON_COMPLIANT"}},
		{"DYNAMODB_RESOURCES_PROTECTED_BY_BACKUP_PLAN", map[string]string{"minRetentionDays": "30"},
			map[string]string{"orders": "NON_COMPLIANT", "logs": "NON_COMPLIANT", "users": "NON_COMPLIANT"}},
		{"DYNAMODB_RESOURCES_PROTECTED_BY_BACKUP_PLAN", map[string]string{"crossRegionList": "us-west-2"},
			map[string]string{"orders": "COMPLIANT", "logs": "NON_COMPLIANT", "users": "NON_COMPLIANT"}},
		{"DYNAMODB_RESOURCES_PROTECTED_BY_BACKUP_PLAN", map[string]string{"crossRegionList": "eu-west-1"},
			map[string]string{"orders": "NON_COMPLIANT", "logs": "NON_COMPLIANT", "users": "NON_COMPLIANT"}},
		{"FSX_RESOURCES_PROTECTED_BY_BACKUP_PLAN", nil, map[string]string{fsID: "COMPLIANT"}},
		{"BACKUP_RECOVERY_POINT_ENCRYPTED", nil, map[string]string{rpARN("rp-orders"): "COMPLIANT", rpARN("rp-fsx"): "COMPLIANT", rpARN("rp-logs"): "NON_COMPLIANT"}},
		{"BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED", nil, map[string]string{"locked": "COMPLIANT", "open": "NON_COMPLIANT"}},
		{"BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK", nil, map[string]string{plans["daily"]: "COMPLIANT", plans["weekly"]: "NON_COMPLIANT"}},
		{"BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK", map[string]string{"requiredFrequencyValue": "7"},
			map[string]string{plans["daily"]: "COMPLIANT", plans["weekly"]: "COMPLIANT"}},
	} {
		if d := cmp.Diff(c.want, ruleResults(t, raw, c.rule, c.params)); d != "" {
			t.Errorf("%s %v (-want +got):\n%s", c.rule, c.params, d)
		}
	}
}

// cmpSorted compares string slices as sets.
var cmpSorted = cmp.Transformer("sorted", func(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
})

// asList returns a fact's value as JSON objects.
func asList(t *testing.T, v any) []map[string]any {
	t.Helper()
	var out []map[string]any
	must(t, json.Unmarshal([]byte(mustString(t, v)), &out))
	return out
}

// pickMap returns the members of m named in keys, absent ones left out.
func pickMap(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// mustValue decodes JSON text.
func mustValue(t *testing.T, s string) any {
	t.Helper()
	var v any
	must(t, json.Unmarshal([]byte(s), &v))
	return v
}
