package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamotypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestAirGappedRecoveryPoints seeds two EBS volumes and two DynamoDB tables in moto and
// answers AWS Backup from recorded responses (AWS's documented JSON shapes): moto can
// neither create a logically air-gapped vault nor list recovery points, so an httptest
// server answers ListBackupVaults (a standard vault and a logically air-gapped one),
// GetBackupVaultAccessPolicy (none), ListTags (none) and ListRecoveryPointsByBackupVault,
// and forwards every other request to moto. It checks that the vault CIs carry
// VaultType and the recovery points VaultType, CreationDate and Lifecycle, and the
// conclusions of the recency, air-gapped vault and retention rules on them at a fixed
// time.
func TestAirGappedRecoveryPoints(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	e := ec2.NewFromConfig(cfg)
	var vols []string
	for range 2 {
		v, err := e.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(region + "a"), Size: aws.Int32(8)})
		must(t, err)
		vols = append(vols, aws.ToString(v.VolumeId))
	}
	for _, name := range []string{"orders", "users"} {
		_, err := dynamodb.NewFromConfig(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name),
			KeySchema:            []dynamotypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: dynamotypes.KeyTypeHash}},
			AttributeDefinitions: []dynamotypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: dynamotypes.ScalarAttributeTypeS}},
			BillingMode:          dynamotypes.BillingModePayPerRequest})
		must(t, err)
	}
	vaultARN := func(name string) string { return "arn:aws:backup:" + region + ":" + account + ":backup-vault:" + name }
	volume := func(id string) string { return "arn:aws:ec2:" + region + ":" + account + ":volume/" + id }
	table := func(name string) string { return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + name }
	vaultType := map[string]string{"std": "BACKUP_VAULT", "lag": "LOGICALLY_AIR_GAPPED_BACKUP_VAULT"}
	point := func(id, vault, resource string, age time.Duration, deleteAfter int) map[string]any {
		p := map[string]any{"RecoveryPointArn": "arn:aws:backup:" + region + ":" + account + ":recovery-point:" + id, "BackupVaultName": vault,
			"BackupVaultArn": vaultARN(vault), "ResourceArn": resource, "Status": "COMPLETED", "IsEncrypted": true,
			"CreationDate": float64(now.Add(-age).Unix()), "VaultType": vaultType[vault]}
		if deleteAfter > 0 {
			p["Lifecycle"] = map[string]any{"DeleteAfterDays": deleteAfter}
		}
		return p
	}
	points := map[string][]map[string]any{
		"lag": {point("rp-vol0", "lag", volume(vols[0]), 2*time.Hour, 90)},
		"std": {point("rp-vol1", "std", volume(vols[1]), 2*time.Hour, 35), point("rp-orders", "std", table("orders"), 72*time.Hour, 7),
			point("rp-users", "std", table("users"), time.Hour, 0)},
	}
	vaultPath := regexp.MustCompile(`^GET /backup-vaults/([^/]+)/(access-policy|recovery-points)/?$`)
	cfg.BaseEndpoint = aws.String(recordedURL(t, m, func(c recordedCall) (int, string, bool) {
		p := vaultPath.FindStringSubmatch(c.Op)
		switch {
		case strings.TrimSuffix(c.Op, "/") == "GET /backup-vaults":
			var list []map[string]any
			for _, name := range []string{"std", "lag"} {
				list = append(list, map[string]any{"BackupVaultName": name, "BackupVaultArn": vaultARN(name), "VaultType": vaultType[name],
					"CreationDate": float64(now.Add(-24 * 30 * time.Hour).Unix()), "NumberOfRecoveryPoints": len(points[name])})
			}
			return http.StatusOK, jsonText(t, map[string]any{"BackupVaultList": list}), true
		case strings.HasPrefix(c.Op, "GET /tags/"):
			return http.StatusOK, `{"Tags":{}}`, true
		case p != nil && p[2] == "access-policy":
			return http.StatusNotFound, `{"Code":"ResourceNotFoundException","Message":"no policy"}`, true
		case p != nil:
			return http.StatusOK, jsonText(t, map[string]any{"RecoveryPoints": points[p[1]]}), true
		}
		return 0, "", false
	}))
	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	for _, s := range snap.Skipped {
		if s.Part == "backup" || strings.HasPrefix(s.Part, "backup.") {
			t.Errorf("skipped %+v", s)
		}
	}
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := bytes.Clone(buf.Bytes())
	dec := ci.NewDecoder(&buf)
	got := map[string]string{}
	for {
		it, err := dec.Next()
		if err != nil {
			break
		}
		switch it.ResourceType {
		case "AWS::Backup::BackupVault":
			got[it.ResourceID] = compactJSON(t, it.Configuration)
		case "AWS::Backup::RecoveryPoint":
			v := pick(t, it.Configuration, "VaultType", "CreationDate", "Lifecycle")
			b, _ := json.Marshal(v)
			got[it.ResourceID[strings.LastIndex(it.ResourceID, ":")+1:]] = string(b)
		}
	}
	rpAt := func(age time.Duration) string { return now.Add(-age).Format(time.RFC3339) }
	if diff := cmp.Diff(map[string]string{
		"std":       `{"BackupVaultArn":"` + vaultARN("std") + `","BackupVaultName":"std","VaultType":"BACKUP_VAULT"}`,
		"lag":       `{"BackupVaultArn":"` + vaultARN("lag") + `","BackupVaultName":"lag","VaultType":"LOGICALLY_AIR_GAPPED_BACKUP_VAULT"}`,
		"rp-vol0":   `{"CreationDate":"` + rpAt(2*time.Hour) + `","Lifecycle":{"DeleteAfterDays":90,"DeleteAfterEvent":""},"VaultType":"LOGICALLY_AIR_GAPPED_BACKUP_VAULT"}`,
		"rp-vol1":   `{"CreationDate":"` + rpAt(2*time.Hour) + `","Lifecycle":{"DeleteAfterDays":35,"DeleteAfterEvent":""},"VaultType":"BACKUP_VAULT"}`,
		"rp-orders": `{"CreationDate":"` + rpAt(72*time.Hour) + `","Lifecycle":{"DeleteAfterDays":7,"DeleteAfterEvent":""},"VaultType":"BACKUP_VAULT"}`,
		"rp-users":  `{"CreationDate":"` + rpAt(time.Hour) + `","VaultType":"BACKUP_VAULT"}`,
	}, got); diff != "" {
		t.Errorf("backup CIs (-want +got):\n%s", diff)
	}

	results := map[string]string{}
	for _, id := range []string{"EBS_RESOURCES_IN_LOGICALLY_AIR_GAPPED_VAULT", "EBS_LAST_BACKUP_RECOVERY_POINT_CREATED",
		"DYNAMODB_LAST_BACKUP_RECOVERY_POINT_CREATED", "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK"} {
		rule, err := rules.Get(id)
		must(t, err)
		check, err := rule.Bind(nil)
		must(t, err)
		must(t, rules.Evaluate(check, ci.NewDecoder(bytes.NewReader(raw)), rules.Env{Now: now}, func(r rules.Result) error {
			results[id+" "+r.ResourceID[strings.LastIndexAny(r.ResourceID, ":/")+1:]] = string(r.ComplianceType)
			return nil
		}))
	}
	if diff := cmp.Diff(map[string]string{
		"EBS_RESOURCES_IN_LOGICALLY_AIR_GAPPED_VAULT " + vols[0]:  "COMPLIANT",
		"EBS_RESOURCES_IN_LOGICALLY_AIR_GAPPED_VAULT " + vols[1]:  "NON_COMPLIANT",
		"EBS_LAST_BACKUP_RECOVERY_POINT_CREATED " + vols[0]:       "COMPLIANT",
		"EBS_LAST_BACKUP_RECOVERY_POINT_CREATED " + vols[1]:       "COMPLIANT",
		"DYNAMODB_LAST_BACKUP_RECOVERY_POINT_CREATED orders":      "NON_COMPLIANT",
		"DYNAMODB_LAST_BACKUP_RECOVERY_POINT_CREATED users":       "COMPLIANT",
		"BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK rp-vol0":   "COMPLIANT",
		"BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK rp-vol1":   "COMPLIANT",
		"BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK rp-orders": "NON_COMPLIANT",
		"BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK rp-users":  "COMPLIANT",
	}, results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}
