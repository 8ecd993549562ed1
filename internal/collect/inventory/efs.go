package inventory

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
)

// collectEFS records file systems (AWS::EFS::FileSystem, the file system id as resource
// id) as AWS Config does, with the property names of CloudFormation's
// AWS::EFS::FileSystem: FileSystemId, Arn, Encrypted, KmsKeyId, PerformanceMode,
// ThroughputMode, AvailabilityZoneName, BackupPolicy (DescribeBackupPolicy; absent when
// the file system has none) and FileSystemTags ({Key, Value}).
func collectEFS(ctx context.Context, r *run) error {
	c := efs.NewFromConfig(r.cfg)
	var systems []efstypes.FileSystemDescription
	p := efs.NewDescribeFileSystemsPaginator(c, &efs.DescribeFileSystemsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		systems = append(systems, out.FileSystems...)
	}
	return r.each(ctx, len(systems), func(ctx context.Context, i int) error {
		fs := systems[i]
		conf := map[string]any{"FileSystemId": aws.ToString(fs.FileSystemId), "Arn": aws.ToString(fs.FileSystemArn),
			"Encrypted": aws.ToBool(fs.Encrypted), "PerformanceMode": fs.PerformanceMode, "ThroughputMode": fs.ThroughputMode}
		if fs.KmsKeyId != nil {
			conf["KmsKeyId"] = aws.ToString(fs.KmsKeyId)
		}
		if fs.ProvisionedThroughputInMibps != nil {
			conf["ProvisionedThroughputInMibps"] = *fs.ProvisionedThroughputInMibps
		}
		if fs.AvailabilityZoneName != nil {
			conf["AvailabilityZoneName"] = aws.ToString(fs.AvailabilityZoneName)
		}
		bp, err := c.DescribeBackupPolicy(ctx, &efs.DescribeBackupPolicyInput{FileSystemId: fs.FileSystemId})
		switch code := errorCode(err); {
		case code == "FileSystemNotFound":
			return nil // deleted since it was listed
		case code == "PolicyNotFound":
		case err != nil:
			return err
		case bp.BackupPolicy != nil:
			conf["BackupPolicy"] = map[string]any{"Status": bp.BackupPolicy.Status}
		}
		tags := make([]map[string]string, 0, len(fs.Tags))
		for _, t := range fs.Tags {
			tags = append(tags, map[string]string{"Key": aws.ToString(t.Key), "Value": aws.ToString(t.Value)})
		}
		conf["FileSystemTags"] = tags
		b, err := json.Marshal(conf)
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(fs.FileSystemArn), ResourceType: "AWS::EFS::FileSystem", ResourceID: aws.ToString(fs.FileSystemId),
			ResourceName: aws.ToString(fs.Name), Zone: "Regional", Created: timeString(fs.CreationTime),
			Tags: tagMap(fs.Tags, func(t efstypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: b})
		return nil
	})
}
