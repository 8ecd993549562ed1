package inventory

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
)

// collectEFSAccessPoints records EFS access points (AWS::EFS::AccessPoint, the access
// point id as resource id) with CloudFormation's member names: AccessPointId, Arn,
// FileSystemId, PosixUser ({Uid, Gid, SecondaryGids}, as strings; absent when none is
// enforced), RootDirectory ({Path, CreationInfo}; absent for the file system's root as
// DescribeAccessPoints leaves it) and AccessPointTags ({Key, Value}).
func collectEFSAccessPoints(ctx context.Context, r *run) error {
	c := efs.NewFromConfig(r.cfg)
	p := efs.NewDescribeAccessPointsPaginator(c, &efs.DescribeAccessPointsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, ap := range out.AccessPoints {
			if err := addAccessPoint(r, ap); err != nil {
				return err
			}
		}
	}
	return nil
}

func addAccessPoint(r *run, ap efstypes.AccessPointDescription) error {
	conf := map[string]any{"AccessPointId": aws.ToString(ap.AccessPointId), "Arn": aws.ToString(ap.AccessPointArn),
		"FileSystemId":    aws.ToString(ap.FileSystemId),
		"AccessPointTags": keyValues(ap.Tags, func(t efstypes.Tag) (*string, *string) { return t.Key, t.Value })}
	if u := ap.PosixUser; u != nil {
		gids := make([]string, 0, len(u.SecondaryGids))
		for _, g := range u.SecondaryGids {
			gids = append(gids, strconv.FormatInt(g, 10))
		}
		conf["PosixUser"] = map[string]any{"Uid": strconv.FormatInt(aws.ToInt64(u.Uid), 10), "Gid": strconv.FormatInt(aws.ToInt64(u.Gid), 10), "SecondaryGids": gids}
	}
	if d := ap.RootDirectory; d != nil {
		root := map[string]any{"Path": aws.ToString(d.Path)}
		if info := d.CreationInfo; info != nil {
			root["CreationInfo"] = map[string]any{"OwnerUid": strconv.FormatInt(aws.ToInt64(info.OwnerUid), 10),
				"OwnerGid": strconv.FormatInt(aws.ToInt64(info.OwnerGid), 10), "Permissions": aws.ToString(info.Permissions)}
		}
		conf["RootDirectory"] = root
	}
	b, err := json.Marshal(conf)
	if err != nil {
		return err
	}
	r.add(Item{ARN: aws.ToString(ap.AccessPointArn), ResourceType: "AWS::EFS::AccessPoint", ResourceID: aws.ToString(ap.AccessPointId),
		ResourceName: aws.ToString(ap.Name), Zone: "Regional",
		Tags: tagMap(ap.Tags, func(t efstypes.Tag) (*string, *string) { return t.Key, t.Value }), Configuration: b})
	return nil
}
