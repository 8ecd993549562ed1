package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
)

// TestBackupGatewayVirtualMachines collects AWS Backup gateway's virtual machines from
// recorded responses: moto has no Backup gateway (it answers an HTML 500), so an
// httptest server answers ListVirtualMachines (two pages) and ListTagsForResource with
// AWS's documented JSON 1.0 shapes, and AWS Backup's vault listing with one vault whose
// only recovery point is of the first VM (moto lists no recovery points), forwarding
// every other request to moto. It checks that the calls are signed for
// backup-gateway, the VM CIs, and VIRTUALMACHINE_RESOURCES_PROTECTED_BY_BACKUP_PLAN on
// them; and that against moto alone the part is skipped.
func TestBackupGatewayVirtualMachines(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	const account, region = "123456789012", mototest.Region
	vmARN := func(id string) string { return "arn:aws:backup-gateway:" + region + ":" + account + ":vm/" + id }
	vaultARN := "arn:aws:backup:" + region + ":" + account + ":backup-vault:main"
	pages := map[string]string{
		"": `{"NextToken":"p2","VirtualMachines":[{"HostName":"db.example.internal","HypervisorId":"hype-1","LastBackupDate":1767225600,` +
			`"Name":"db","Path":"/dc/vm/db","ResourceArn":"` + vmARN("vm-1") + `"}]}`,
		"p2": `{"VirtualMachines":[{"HostName":"web.example.internal","HypervisorId":"hype-1","Name":"web","Path":"/dc/vm/web","ResourceArn":"` + vmARN("vm-2") + `"}]}`,
	}
	tags := map[string]string{vmARN("vm-1"): `[{"Key":"env","Value":"prod"}]`, vmARN("vm-2"): `[]`}
	var mu sync.Mutex
	var calls []string
	cfg := recorded(t, m, func(c recordedCall) (int, string, bool) {
		if op, ok := strings.CutPrefix(c.Op, "BackupOnPremises_v20210101."); ok {
			var in map[string]any
			_ = json.Unmarshal(c.Body, &in)
			mu.Lock()
			calls = append(calls, op+" signed="+boolText(strings.Contains(c.R.Header.Get("Authorization"), "/"+region+"/backup-gateway/aws4_request")))
			mu.Unlock()
			switch op {
			case "ListVirtualMachines":
				token, _ := in["NextToken"].(string)
				return http.StatusOK, pages[token], true
			case "ListTagsForResource":
				arn, _ := in["ResourceArn"].(string)
				return http.StatusOK, `{"ResourceArn":"` + arn + `","Tags":` + tags[arn] + `}`, true
			}
			return http.StatusBadRequest, `{"__type":"ValidationException","message":"unexpected"}`, true
		}
		switch path := strings.TrimSuffix(c.Op, "/"); {
		case path == "GET /backup-vaults":
			return http.StatusOK, `{"BackupVaultList":[{"BackupVaultName":"main","BackupVaultArn":"` + vaultARN + `","VaultType":"BACKUP_VAULT"}]}`, true
		case strings.HasPrefix(path, "GET /tags/"):
			return http.StatusOK, `{"Tags":{}}`, true
		case path == "GET /backup-vaults/main/access-policy":
			return http.StatusNotFound, `{"Code":"ResourceNotFoundException","Message":"no policy"}`, true
		case path == "GET /backup-vaults/main/recovery-points":
			return http.StatusOK, `{"RecoveryPoints":[{"RecoveryPointArn":"arn:aws:backup:` + region + `:` + account + `:recovery-point:rp-1",` +
				`"BackupVaultName":"main","BackupVaultArn":"` + vaultARN + `","ResourceArn":"` + vmARN("vm-1") + `","ResourceType":"VirtualMachine",` +
				`"Status":"COMPLETED","CreationDate":1767225600,"CreatedBy":{"BackupPlanId":"plan-1"}}]}`, true
		}
		return 0, "", false
	}, "BackupOnPremises_v20210101.ListVirtualMachines", "BackupOnPremises_v20210101.ListTagsForResource")
	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	for _, s := range snap.Skipped {
		if s.Part == "backupgateway" || strings.HasPrefix(s.Part, "backup.") {
			t.Errorf("skipped %+v", s)
		}
	}
	if diff := cmp.Diff([]string{"ListVirtualMachines signed=true", "ListVirtualMachines signed=true",
		"ListTagsForResource signed=true", "ListTagsForResource signed=true"}, calls); diff != "" {
		t.Errorf("Backup gateway calls (-want +got):\n%s", diff)
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
		if it.ResourceType == "AWS::BackupGateway::VirtualMachine" {
			tj, _ := json.Marshal(it.Tags)
			got[it.ResourceID] = it.ARN + " " + it.ResourceName + " " + string(tj) + " " + compactJSON(t, it.Configuration)
		}
	}
	if diff := cmp.Diff(map[string]string{
		vmARN("vm-1"): vmARN("vm-1") + ` db {"env":"prod"} {"HostName":"db.example.internal","HypervisorId":"hype-1","LastBackupDate":"2026-01-01T00:00:00Z",` +
			`"Name":"db","Path":"/dc/vm/db","ResourceArn":"` + vmARN("vm-1") + `"}`,
		vmARN("vm-2"): vmARN("vm-2") + ` web null {"HostName":"web.example.internal","HypervisorId":"hype-1","Name":"web","Path":"/dc/vm/web","ResourceArn":"` + vmARN("vm-2") + `"}`,
	}, got); diff != "" {
		t.Errorf("virtual machine CIs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{vmARN("vm-1"): "COMPLIANT", vmARN("vm-2"): "NON_COMPLIANT"},
		evaluateRule(t, raw, "VIRTUALMACHINE_RESOURCES_PROTECTED_BY_BACKUP_PLAN", nil)); diff != "" {
		t.Errorf("VIRTUALMACHINE_RESOURCES_PROTECTED_BY_BACKUP_PLAN (-want +got):\n%s", diff)
	}

	// Against moto alone, Backup gateway is an API the endpoint lacks.
	snap, err = (&inventory.Inventory{}).Snapshot(ctx, m.Config(), inventory.Options{Account: account, Region: region})
	must(t, err)
	skipped := false
	for _, s := range snap.Skipped {
		skipped = skipped || s.Part == "backupgateway"
	}
	if !skipped {
		t.Errorf("skipped %+v, want backupgateway among them", snap.Skipped)
	}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
