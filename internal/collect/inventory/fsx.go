package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fsx"
	fsxtypes "github.com/aws/aws-sdk-go-v2/service/fsx/types"
)

// collectFSxFileSystems records Amazon FSx file systems (AWS::FSx::FileSystem, by file
// system id, ResourceARN as ARN) with DescribeFileSystems' members under the API's own
// names (FileSystemId, FileSystemType, StorageCapacity, KmsKeyId, the type's
// configuration such as LustreConfiguration, Tags), nulls left out. The
// FSX_RESOURCES_PROTECTED_BY_BACKUP_PLAN rule reads the ARN and the tags.
func collectFSxFileSystems(ctx context.Context, r *run) error {
	p := fsx.NewDescribeFileSystemsPaginator(fsx.NewFromConfig(r.cfg), &fsx.DescribeFileSystemsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, fs := range out.FileSystems {
			r.add(Item{ARN: aws.ToString(fs.ResourceARN), ResourceType: "AWS::FSx::FileSystem", ResourceID: aws.ToString(fs.FileSystemId),
				Created: timeString(fs.CreationTime), Tags: tagMap(fs.Tags, func(t fsxtypes.Tag) (*string, *string) { return t.Key, t.Value }),
				Configuration: mustJSON(withoutNulls(mustDecode(fs)))})
		}
	}
	return nil
}
