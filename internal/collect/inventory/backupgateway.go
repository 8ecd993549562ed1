package inventory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The AWS SDK for Go v2 has no Backup gateway client the module proxy serves, so the
// two calls the inventory needs are made here: AWS JSON 1.0 requests, signed with
// Signature Version 4 for the service "backup-gateway", to the regional endpoint or
// cfg.BaseEndpoint. Errors take the SDK's shapes (a *smithy.GenericAPIError inside a
// *smithyhttp.ResponseError), so that unavailable and errorCode read them as they read
// the SDK's.

// backupGatewayTarget is the X-Amz-Target prefix of Backup gateway's operations.
const backupGatewayTarget = "BackupOnPremises_v20210101."

// backupGatewayCall sends operation op with input in and decodes the response into out.
func backupGatewayCall(ctx context.Context, cfg aws.Config, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	endpoint := "https://backup-gateway." + cfg.Region + ".amazonaws.com"
	if strings.HasPrefix(cfg.Region, "cn-") {
		endpoint += ".cn"
	}
	if cfg.BaseEndpoint != nil {
		endpoint = strings.TrimSuffix(*cfg.BaseEndpoint, "/")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", backupGatewayTarget+op)
	if cfg.Credentials == nil {
		return fmt.Errorf("backup-gateway %s: no credentials", op)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "backup-gateway", cfg.Region, time.Now()); err != nil {
		return err
	}
	client := cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("operation error Backup Gateway: %s: %w", op, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &e)
		code := resp.Header.Get("X-Amzn-ErrorType")
		if code == "" {
			code = e.Type
		}
		code = code[strings.LastIndex(code, "#")+1:]
		code, _, _ = strings.Cut(code, ":")
		var apiErr error = &smithy.GenericAPIError{Code: code, Message: e.Message}
		if code == "" {
			apiErr = fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
		}
		return fmt.Errorf("operation error Backup Gateway: %s: %w", op,
			&smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: resp}, Err: apiErr})
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("backup-gateway %s: response: %w", op, err)
	}
	return nil
}

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
		if err := backupGatewayCall(ctx, r.cfg, "ListVirtualMachines", in, &out); err != nil {
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
		if err := backupGatewayCall(ctx, r.cfg, "ListTagsForResource", map[string]string{"ResourceArn": vm.ResourceArn}, &tags); err != nil {
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
