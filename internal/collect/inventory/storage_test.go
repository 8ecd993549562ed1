package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
)

// TestFileSystemsLogGroupsCertificates seeds an encrypted and a plain EFS file system,
// an encrypted log group kept a year and a plain one kept 30 days, and an ACM
// certificate in moto, collects a snapshot, and checks the CIs (type, id, ARN, name,
// tags, configuration as AWS Config records it) and the rules that read them.
func TestFileSystemsLogGroupsCertificates(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	const keyARN = "arn:aws:kms:" + region + ":" + account + ":key/k1"

	fc := efs.NewFromConfig(cfg)
	secure, err := fc.CreateFileSystem(ctx, &efs.CreateFileSystemInput{CreationToken: aws.String("secure"), Encrypted: aws.Bool(true), KmsKeyId: aws.String(keyARN),
		Tags: []efstypes.Tag{{Key: aws.String("Name"), Value: aws.String("secure")}}})
	must(t, err)
	// moto answers PutBackupPolicy with a 500 and DescribeBackupPolicy with
	// PolicyNotFound, so no CI here carries a BackupPolicy.
	plain, err := fc.CreateFileSystem(ctx, &efs.CreateFileSystemInput{CreationToken: aws.String("plain")})
	must(t, err)

	lc := cloudwatchlogs.NewFromConfig(cfg)
	_, err = lc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("audit"), KmsKeyId: aws.String(keyARN), Tags: map[string]string{"team": "sec"}})
	must(t, err)
	_, err = lc.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("audit"), RetentionInDays: aws.Int32(365)})
	must(t, err)
	_, err = lc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("scratch")})
	must(t, err)
	_, err = lc.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("scratch"), RetentionInDays: aws.Int32(30)})
	must(t, err)

	cert, err := acm.NewFromConfig(cfg).RequestCertificate(ctx, &acm.RequestCertificateInput{DomainName: aws.String("example.com"),
		Tags: []acmtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	must(t, err)
	certARN := aws.ToString(cert.CertificateArn)

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	var items []*ci.Item
	type resource struct {
		Type, ID, ARN, Name string
		Tags                map[string]string
		Conf                map[string]any
		Supplementary       string
	}
	got := map[string]resource{}
	var notAfter time.Time
	dec := ci.NewDecoder(&buf)
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		var conf map[string]any
		switch it.ResourceType {
		case "AWS::EFS::FileSystem", "AWS::Logs::LogGroup":
			must(t, json.Unmarshal(it.Configuration, &conf))
		case "AWS::ACM::Certificate":
			var c map[string]any
			must(t, json.Unmarshal(it.Configuration, &c))
			notAfter, err = time.Parse(time.RFC3339, c["notAfter"].(string))
			must(t, err)
			conf = map[string]any{"certificateArn": c["certificateArn"], "domainName": c["domainName"], "keyAlgorithm": c["keyAlgorithm"], "type": c["type"]}
		default:
			continue
		}
		items = append(items, it)
		sup, _ := json.Marshal(it.Supplementary)
		got[it.ResourceType+" "+it.ResourceName] = resource{it.ResourceType, it.ResourceID, it.ARN, it.ResourceName, it.Tags, conf, string(sup)}
	}
	fsARN := "arn:aws:elasticfilesystem:" + region + ":" + account + ":file-system/"
	lgARN := "arn:aws:logs:" + region + ":" + account + ":log-group:"
	sid, pid := aws.ToString(secure.FileSystemId), aws.ToString(plain.FileSystemId)
	want := map[string]resource{
		"AWS::EFS::FileSystem secure": {"AWS::EFS::FileSystem", sid, fsARN + sid, "secure", map[string]string{"Name": "secure"}, map[string]any{
			"FileSystemId": sid, "Arn": fsARN + sid, "Encrypted": true, "KmsKeyId": keyARN, "PerformanceMode": "generalPurpose", "ThroughputMode": "bursting", "FileSystemTags": []any{map[string]any{"Key": "Name", "Value": "secure"}}}, "null"},
		"AWS::EFS::FileSystem ": {"AWS::EFS::FileSystem", pid, fsARN + pid, "", nil, map[string]any{
			"FileSystemId": pid, "Arn": fsARN + pid, "Encrypted": false, "PerformanceMode": "generalPurpose", "ThroughputMode": "bursting",
			"FileSystemTags": []any{}}, "null"},
		"AWS::Logs::LogGroup audit": {"AWS::Logs::LogGroup", "audit", lgARN + "audit", "audit", map[string]string{"team": "sec"}, map[string]any{
			"LogGroupName": "audit", "Arn": lgARN + "audit:*", "KmsKeyId": keyARN, "RetentionInDays": 365.0,
			"Tags": []any{map[string]any{"Key": "team", "Value": "sec"}}}, "null"},
		"AWS::Logs::LogGroup scratch": {"AWS::Logs::LogGroup", "scratch", lgARN + "scratch", "scratch", nil, map[string]any{
			"LogGroupName": "scratch", "Arn": lgARN + "scratch:*", "RetentionInDays": 30.0, "Tags": []any{}}, "null"},
		"AWS::ACM::Certificate example.com": {"AWS::ACM::Certificate", certARN, certARN, "example.com", map[string]string{"env": "prod"}, map[string]any{
			"certificateArn": certARN, "domainName": "example.com", "keyAlgorithm": "RSA_2048", "type": "AMAZON_ISSUED"},
			`{"Tags":[{"key":"env","value":"prod"}]}`},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("resources (-want +got):\n%s", d)
	}

	// moto issues certificates for a year; the default 14 days leaves it COMPLIANT.
	if time.Until(notAfter) < 300*24*time.Hour {
		t.Errorf("notAfter %s: moto's certificate should run a year", notAfter)
	}
	evalAll(t, items, map[string]map[string]string{
		"EFS_ENCRYPTED_CHECK":                {"secure": "COMPLIANT", "": "NON_COMPLIANT", "audit": "-", "scratch": "-", "example.com": "-"},
		"CLOUDWATCH_LOG_GROUP_ENCRYPTED":     {"secure": "-", "": "-", "audit": "COMPLIANT", "scratch": "NON_COMPLIANT", "example.com": "-"},
		"CW_LOGGROUP_RETENTION_PERIOD_CHECK": {"secure": "-", "": "-", "audit": "COMPLIANT", "scratch": "NON_COMPLIANT", "example.com": "-"},
		"ACM_CERTIFICATE_EXPIRATION_CHECK":   {"secure": "-", "": "-", "audit": "-", "scratch": "-", "example.com": "COMPLIANT"},
		"ACM_CERTIFICATE_RSA_CHECK":          {"secure": "-", "": "-", "audit": "-", "scratch": "-", "example.com": "COMPLIANT"},
	})
}
