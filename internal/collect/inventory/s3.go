package inventory

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

// s3Client returns an S3 client in the run's region. A configuration with its own
// endpoint (an emulator, an S3-compatible store) addresses buckets in the path, as
// those need.
func (r *run) s3Client() *s3.Client {
	return s3.NewFromConfig(r.cfg, func(o *s3.Options) { o.UsePathStyle = r.cfg.BaseEndpoint != nil })
}

// collectS3 records the buckets of the run's region (ListBuckets is global; a bucket
// belongs to the snapshot of its region) with their ACL, policy, public access block,
// default encryption, versioning and logging in supplementaryConfiguration, in the
// members and forms AWS Config uses (the ACL and the policy as JSON strings).
func collectS3(ctx context.Context, r *run) error {
	c := r.s3Client()
	var buckets []s3types.Bucket
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		buckets = append(buckets, out.Buckets...)
	}
	items := make([]*Item, len(buckets))
	err := r.each(ctx, len(buckets), func(ctx context.Context, i int) error {
		it, err := r.bucket(ctx, c, buckets[i])
		items[i] = it
		return err
	})
	if err != nil {
		return err
	}
	for _, it := range items {
		if it != nil {
			r.add(*it)
		}
	}
	return nil
}

// bucketRegion returns the region of a bucket from GetBucketLocation's constraint.
func bucketRegion(constraint string) string {
	switch constraint {
	case "":
		return "us-east-1"
	case "EU":
		return "eu-west-1"
	}
	return constraint
}

// bucketProtection adds the bucket's replication, Object Lock and object ownership
// settings to sup in AWS Config's members and forms (the AWS SDK for Java's S3 models):
// BucketReplicationConfiguration {roleARN, rules by ID: {status, priority, prefix,
// destinationConfig: {bucketARN, storageClass}, deleteMarkerReplication: {status}}},
// ObjectLockConfiguration {objectLockEnabled, rule: {defaultRetention: {mode, days,
// years}}} and BucketOwnershipControls {ownershipControls: {rules: [{ownership}]}}. A
// setting the bucket does not have is left out.
func bucketProtection(ctx context.Context, c *s3.Client, bucket *string, sup map[string]json.RawMessage) error {
	rep, err := c.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: bucket})
	switch {
	case err == nil && rep.ReplicationConfiguration != nil:
		rules := map[string]any{}
		for _, rule := range rep.ReplicationConfiguration.Rules {
			m := map[string]any{"status": string(rule.Status), "prefix": aws.ToString(rule.Prefix)}
			if rule.Priority != nil {
				m["priority"] = *rule.Priority
			}
			if f := rule.Filter; f != nil && f.Prefix != nil {
				m["filter"] = map[string]any{"predicate": map[string]any{"type": "Prefix", "prefix": aws.ToString(f.Prefix)}}
			}
			if d := rule.Destination; d != nil {
				dest := map[string]any{"bucketARN": aws.ToString(d.Bucket), "storageClass": nil}
				if d.StorageClass != "" {
					dest["storageClass"] = string(d.StorageClass)
				}
				m["destinationConfig"] = dest
			}
			if d := rule.DeleteMarkerReplication; d != nil {
				m["deleteMarkerReplication"] = map[string]any{"status": string(d.Status)}
			}
			rules[aws.ToString(rule.ID)] = m
		}
		sup["BucketReplicationConfiguration"] = mustJSON(map[string]any{"roleARN": aws.ToString(rep.ReplicationConfiguration.Role), "rules": rules})
	case err != nil && errorCode(err) != "ReplicationConfigurationNotFoundError":
		return err
	}
	lock, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: bucket})
	switch {
	case err == nil && lock.ObjectLockConfiguration != nil:
		l := lock.ObjectLockConfiguration
		m := map[string]any{"objectLockEnabled": string(l.ObjectLockEnabled)}
		if l.Rule != nil && l.Rule.DefaultRetention != nil {
			d := l.Rule.DefaultRetention
			m["rule"] = map[string]any{"defaultRetention": map[string]any{"mode": string(d.Mode), "days": d.Days, "years": d.Years}}
		}
		sup["ObjectLockConfiguration"] = mustJSON(m)
	case err != nil && errorCode(err) != "ObjectLockConfigurationNotFoundError":
		return err
	}
	own, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: bucket})
	switch {
	case err == nil && own.OwnershipControls != nil:
		rules := []map[string]string{}
		for _, rule := range own.OwnershipControls.Rules {
			rules = append(rules, map[string]string{"ownership": string(rule.ObjectOwnership)})
		}
		sup["BucketOwnershipControls"] = mustJSON(map[string]any{"ownershipControls": map[string]any{"rules": rules}})
	case err != nil && errorCode(err) != "OwnershipControlsNotFoundError":
		return err
	}
	return nil
}

// bucket returns the CI of b, or nil when b lies in another region.
func (r *run) bucket(ctx context.Context, c *s3.Client, b s3types.Bucket) (*Item, error) {
	name := aws.ToString(b.Name)
	region := aws.ToString(b.BucketRegion)
	if region == "" {
		loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b.Name})
		if err != nil {
			return nil, err
		}
		region = bucketRegion(string(loc.LocationConstraint))
	}
	if region != r.region {
		return nil, nil
	}
	sup := map[string]json.RawMessage{}
	acl, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b.Name})
	if err != nil {
		return nil, err
	}
	var owner map[string]string
	if acl.Owner != nil {
		owner = map[string]string{"id": aws.ToString(acl.Owner.ID), "displayName": aws.ToString(acl.Owner.DisplayName)}
	}
	grants := []map[string]any{}
	for _, g := range acl.Grants {
		grants = append(grants, map[string]any{"grantee": grantee(g.Grantee), "permission": permission(g.Permission)})
	}
	if sup["AccessControlList"], err = jsonString(map[string]any{"grantList": grants, "owner": owner}); err != nil {
		return nil, err
	}
	pol, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b.Name})
	switch {
	case err == nil:
		sup["BucketPolicy"] = mustJSON(map[string]any{"policyText": aws.ToString(pol.Policy)})
	case errorCode(err) == "NoSuchBucketPolicy":
		sup["BucketPolicy"] = mustJSON(map[string]any{"policyText": nil})
	default:
		return nil, err
	}
	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b.Name})
	switch {
	case err == nil:
		if sup["PublicAccessBlockConfiguration"], err = configJSON(pab.PublicAccessBlockConfiguration); err != nil {
			return nil, err
		}
	case errorCode(err) != "NoSuchPublicAccessBlockConfiguration":
		return nil, err
	}
	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b.Name})
	switch {
	case err == nil:
		if sup["ServerSideEncryptionConfiguration"], err = encryptionJSON(enc.ServerSideEncryptionConfiguration); err != nil {
			return nil, err
		}
	case errorCode(err) != "ServerSideEncryptionConfigurationNotFoundError":
		return nil, err
	}
	ver, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b.Name})
	if err != nil {
		return nil, err
	}
	status := string(ver.Status)
	if status == "" {
		status = "Off"
	}
	v := map[string]any{"status": status}
	if ver.MFADelete != "" {
		v["isMfaDeleteEnabled"] = ver.MFADelete == s3types.MFADeleteStatusEnabled
	}
	sup["BucketVersioningConfiguration"] = mustJSON(v)
	lg, err := c.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: b.Name})
	if err != nil {
		return nil, err
	}
	logging := map[string]any{"destinationBucketName": nil, "logFilePrefix": nil}
	if l := lg.LoggingEnabled; l != nil {
		logging = map[string]any{"destinationBucketName": aws.ToString(l.TargetBucket), "logFilePrefix": aws.ToString(l.TargetPrefix)}
	}
	sup["BucketLoggingConfiguration"] = mustJSON(logging)
	if err := bucketProtection(ctx, c, b.Name, sup); err != nil {
		return nil, err
	}
	if err := bucketLifecycleAndEvents(ctx, c, b.Name, sup); err != nil {
		return nil, err
	}
	var tags map[string]string
	tg, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b.Name})
	switch {
	case err == nil:
		tags = tagMap(tg.TagSet, func(t s3types.Tag) (*string, *string) { return t.Key, t.Value })
	case errorCode(err) != "NoSuchTagSet":
		return nil, err
	}
	conf := mustJSON(map[string]any{"name": name, "owner": owner, "creationDate": timeString(b.CreationDate)})
	return &Item{ARN: "arn:" + r.partition + ":s3:::" + name, ResourceType: "AWS::S3::Bucket", ResourceID: name, ResourceName: name,
		Created: timeString(b.CreationDate), Tags: tags, Configuration: conf, Supplementary: sup}, nil
}

// grantee returns an ACL grantee as AWS Config writes it: a group's name
// ("AllUsers", "AuthenticatedUsers", "LogDelivery"), else an object with the canonical
// id or e-mail address.
func grantee(g *s3types.Grantee) any {
	if g == nil {
		return nil
	}
	if uri := aws.ToString(g.URI); uri != "" {
		return uri[strings.LastIndex(uri, "/")+1:]
	}
	out := map[string]string{}
	if id := aws.ToString(g.ID); id != "" {
		out["id"] = id
	}
	if n := aws.ToString(g.DisplayName); n != "" {
		out["displayName"] = n
	}
	if e := aws.ToString(g.EmailAddress); e != "" {
		out["emailAddress"] = e
	}
	return out
}

// permission returns an ACL permission as AWS Config writes it: FULL_CONTROL becomes
// FullControl, READ_ACP ReadAcp.
func permission(p s3types.Permission) string {
	var b strings.Builder
	for _, w := range strings.Split(strings.ToLower(string(p)), "_") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// encryptionJSON writes a default encryption configuration with AWS Config's member
// names (kmsMasterKeyID keeps its capital ID).
func encryptionJSON(c *s3types.ServerSideEncryptionConfiguration) (json.RawMessage, error) {
	if c == nil {
		return nil, nil
	}
	rules := []map[string]any{}
	for _, rule := range c.Rules {
		m := map[string]any{"bucketKeyEnabled": aws.ToBool(rule.BucketKeyEnabled)}
		if d := rule.ApplyServerSideEncryptionByDefault; d != nil {
			def := map[string]any{"sseAlgorithm": string(d.SSEAlgorithm)}
			if d.KMSMasterKeyID != nil {
				def["kmsMasterKeyID"] = aws.ToString(d.KMSMasterKeyID)
			}
			m["applyServerSideEncryptionByDefault"] = def
		}
		rules = append(rules, m)
	}
	return json.Marshal(map[string]any{"rules": rules})
}

// collectAccountPublicAccessBlock records the account's S3 Block Public Access settings
// (s3control.PublicAccessBlockConfiguration, null when none is set). They apply to
// every region, and the bucket rules read them, so every snapshot has them.
func collectAccountPublicAccessBlock(ctx context.Context, r *run) error {
	c := s3controlClient(r)
	out, err := c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(r.account)})
	switch {
	case errorCode(err) == "NoSuchPublicAccessBlockConfiguration":
		r.fact("s3control.PublicAccessBlockConfiguration", nil)
		return nil
	case err != nil:
		return err
	}
	p := out.PublicAccessBlockConfiguration
	r.fact("s3control.PublicAccessBlockConfiguration", map[string]bool{
		"blockPublicAcls": aws.ToBool(p.BlockPublicAcls), "ignorePublicAcls": aws.ToBool(p.IgnorePublicAcls),
		"blockPublicPolicy": aws.ToBool(p.BlockPublicPolicy), "restrictPublicBuckets": aws.ToBool(p.RestrictPublicBuckets),
	})
	return nil
}

// s3controlClient returns an S3 Control client for the run, kept on a configured
// endpoint's host (baseHost).
func s3controlClient(r *run) *s3control.Client {
	return s3control.NewFromConfig(r.cfg, func(o *s3control.Options) {
		if r.cfg.BaseEndpoint == nil {
			return
		}
		if u, err := url.Parse(*r.cfg.BaseEndpoint); err == nil {
			o.EndpointResolverV2 = baseHost{next: s3control.NewDefaultEndpointResolverV2(), host: u.Host}
		}
	})
}

// baseHost keeps S3 Control on a configured endpoint's host: its endpoint rules put
// the account id in front of every host ("ACCOUNT.HOST"), which an emulator on an IP
// address or a private name cannot serve.
type baseHost struct {
	next s3control.EndpointResolverV2
	host string
}

func (b baseHost) ResolveEndpoint(ctx context.Context, p s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	e, err := b.next.ResolveEndpoint(ctx, p)
	if err == nil {
		e.URI.Host = b.host
	}
	return e, err
}
