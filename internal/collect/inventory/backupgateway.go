package inventory

import (
	"context"
	"time"
)

// backupGateway is AWS Backup gateway, whose SDK client the module proxy does not serve:
// the two calls the inventory needs are made by jsonCall.
var backupGateway = jsonAPI{name: "Backup Gateway", service: "backup-gateway", target: "BackupOnPremises_v20210101.", version: "1.0"}

// gatewayVM is one ListVirtualMachines VirtualMachine.
type gatewayVM struct {
	HostName       string   `json:"HostName,omitempty"`
	HypervisorID   string   `json:"HypervisorId,omitempty"`
	LastBackupDate *float64 `json:"LastBackupDate,omitempty"`
	Name           string   `json:"Name,omitempty"`
	Path           string   `json:"Path,omitempty"`
	ResourceArn    string   `json:"ResourceArn"`
}

// collectGatewayVMs records AWS Backup gateway's virtual machines
// (AWS::BackupGateway::VirtualMachine, the VM's ARN as resource id and ARN, its name as
// resource name) with ListVirtualMachines' members under their own names (HostName,
// HypervisorId, Name, Path, ResourceArn; LastBackupDate as RFC 3339) and their tags
// (ListTagsForResource), for the *_PROTECTED_BY_BACKUP_PLAN rule, which matches them
// with recovery points by ARN.
func collectGatewayVMs(ctx context.Context, r *run) error {
	var vms []gatewayVM
	token := ""
	for {
		in := map[string]any{"MaxResults": 100}
		if token != "" {
			in["NextToken"] = token
		}
		var out struct {
			NextToken       string
			VirtualMachines []gatewayVM
		}
		if err := jsonCall(ctx, r.cfg, backupGateway, "ListVirtualMachines", in, &out); err != nil {
			return err
		}
		vms = append(vms, out.VirtualMachines...)
		if out.NextToken == "" || out.NextToken == token {
			break
		}
		token = out.NextToken
	}
	items := make([]Item, len(vms))
	err := r.each(ctx, len(vms), func(ctx context.Context, i int) error {
		vm := vms[i]
		var tags struct {
			Tags []struct{ Key, Value string }
		}
		if err := jsonCall(ctx, r.cfg, backupGateway, "ListTagsForResource", map[string]string{"ResourceArn": vm.ResourceArn}, &tags); err != nil {
			return err
		}
		var tagMap map[string]string
		for _, t := range tags.Tags {
			if tagMap == nil {
				tagMap = map[string]string{}
			}
			tagMap[t.Key] = t.Value
		}
		conf := map[string]any{"ResourceArn": vm.ResourceArn}
		for k, v := range map[string]string{"HostName": vm.HostName, "HypervisorId": vm.HypervisorID, "Name": vm.Name, "Path": vm.Path} {
			if v != "" {
				conf[k] = v
			}
		}
		if vm.LastBackupDate != nil {
			sec := int64(*vm.LastBackupDate)
			conf["LastBackupDate"] = time.Unix(sec, 0).UTC().Format(time.RFC3339)
		}
		items[i] = Item{ARN: vm.ResourceArn, ResourceType: "AWS::BackupGateway::VirtualMachine", ResourceID: vm.ResourceArn, ResourceName: vm.Name,
			Zone: "Regional", Tags: tagMap, Configuration: mustJSON(conf)}
		return nil
	})
	if err != nil {
		return err
	}
	r.add(items...)
	return nil
}
