package inventory_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/mototest"
)

// The three monitored accounts, reached from moto's own account (123456789012) by
// assuming the collector's role, and the role's name.
var accounts = []string{"210987654321", "310987654321", "410987654321"}

const roleName = "ProbityAudit"

// seeded is what seed puts in one account, by the resource ids the rules report.
type seeded struct {
	goodBucket, badBucket string
	openSG, closedSG      string // security group ids
	defaultSG             string
	volume                string
}

// seed creates in account, through the assumed role, one compliant and one
// non-compliant resource of each kind the tests evaluate:
//   - buckets: one versioned, encrypted and private; one unversioned, unencrypted, with a
//     public-read ACL;
//   - security groups: one open to 0.0.0.0/0 on port 22, one open on 443 to 10.0.0.0/8;
//   - IAM users: alice with an enabled virtual MFA device and a console password, bob
//     with a console password and no MFA;
//   - an unencrypted volume attached to nothing.
func seed(t *testing.T, m *mototest.Server, account string) seeded {
	t.Helper()
	ctx := context.Background()
	cfg, err := awsconf.Role{Name: roleName}.ForAccount(ctx, m.Config(), account)
	if err != nil {
		t.Fatal(err)
	}
	s := seeded{goodBucket: "good-" + account, badBucket: "bad-" + account}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(s.goodBucket)}))
	must(s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(s.goodBucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}))
	must(s3c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(s.goodBucket),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{
			{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}}))
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(s.badBucket), ACL: s3types.BucketCannedACLPublicRead}))

	e := ec2.NewFromConfig(cfg)
	sgs, err := e.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("group-name"), Values: []string{"default"}}}})
	if err != nil || len(sgs.SecurityGroups) == 0 {
		t.Fatalf("default security group: %v %v", sgs, err)
	}
	s.defaultSG = aws.ToString(sgs.SecurityGroups[0].GroupId)
	open, err := e.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("open-ssh"), Description: aws.String("ssh from anywhere")})
	if err != nil {
		t.Fatal(err)
	}
	s.openSG = aws.ToString(open.GroupId)
	must(e.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: open.GroupId, IpPermissions: []ec2types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}))
	closed, err := e.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("internal-https"), Description: aws.String("https inside")})
	if err != nil {
		t.Fatal(err)
	}
	s.closedSG = aws.ToString(closed.GroupId)
	must(e.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: closed.GroupId, IpPermissions: []ec2types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}}}))
	vol, err := e.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(mototest.Region + "a"), Size: aws.Int32(8)})
	if err != nil {
		t.Fatal(err)
	}
	s.volume = aws.ToString(vol.VolumeId)

	ic := iam.NewFromConfig(cfg)
	for _, u := range []string{"alice", "bob"} {
		must(ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)}))
		must(ic.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(u), Password: aws.String("Correct-Horse-1")}))
	}
	dev, err := ic.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	must(ic.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: dev.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")}))
	return s
}
