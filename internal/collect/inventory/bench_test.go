package inventory_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
)

// BenchmarkSnapshotMoto measures collection from moto: one snapshot of an account
// seeded with 100 buckets, 200 security groups and 100 IAM users (with what moto
// creates by itself: the default VPC, subnets, ACL, route table and group), reported
// as resources (CIs) per second, with the inventory alone and with buckets read from
// AWS Config (--collect-source config). docs/benchmarks.md records a run of
//
//	go test -run '^$' -bench SnapshotMoto -benchtime 5x ./internal/collect/inventory/
func BenchmarkSnapshotMoto(b *testing.B) {
	m := mototest.Start(b)
	ctx := context.Background()
	cfg := m.Config()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	e := ec2.NewFromConfig(cfg)
	ic := iam.NewFromConfig(cfg)
	for i := range 100 {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(fmt.Sprintf("bench-%03d", i))}); err != nil {
			b.Fatal(err)
		}
		if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("user-%03d", i))}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 200 {
		g, err := e.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(fmt.Sprintf("sg-%03d", i)), Description: aws.String("bench")})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: []ec2types.IpPermission{
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil {
			b.Fatal(err)
		}
	}
	// The config source reads buckets from moto's AWS Config (through configProxy, which
	// turns moto's timestamps into AWS's) and everything else from the inventory.
	p := &configProxy{}
	startRecorder(b, cfg, &cstypes.RecordingGroup{ResourceTypes: []cstypes.ResourceType{"AWS::S3::Bucket"}}, true)
	for _, src := range []inventory.Source{inventory.SourceInventory, inventory.SourceConfig} {
		b.Run(string(src), func(b *testing.B) {
			c := cfg
			if src == inventory.SourceConfig {
				if p.Server == nil {
					p = newConfigProxy(b, m)
				}
				c = p.config(m)
			}
			inv := &inventory.Inventory{Source: src}
			items := 0
			for b.Loop() {
				snap, err := inv.Snapshot(ctx, c, inventory.Options{Account: "123456789012", Region: mototest.Region, Global: true})
				if err != nil {
					b.Fatal(err)
				}
				if len(withoutMotoGaps(snap.Skipped)) > 0 {
					b.Fatalf("skipped: %+v", snap.Skipped)
				}
				items += len(snap.Items)
			}
			b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "resources/s")
			b.ReportMetric(float64(items)/float64(b.N), "resources/snapshot")
		})
	}
}
