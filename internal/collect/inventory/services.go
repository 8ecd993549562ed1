package inventory

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	redshifttypes "github.com/aws/aws-sdk-go-v2/service/redshift/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// collectRDS records DB instances, DB snapshots and DB cluster snapshots; a snapshot's
// attributes (who may restore it) go in supplementaryConfiguration as AWS Config puts
// them (DBSnapshotAttributes, DBClusterSnapshotAttributes). Members are named as AWS
// Config names them: DB instances and DB snapshots with the first letter in lower case
// (dBInstanceIdentifier, configJSON), DB cluster snapshots like DB clusters with the
// leading capitals in lower case (dbclusterSnapshotIdentifier, beanJSON).
func collectRDS(ctx context.Context, r *run) error {
	c := rds.NewFromConfig(r.cfg)
	ip := rds.NewDescribeDBInstancesPaginator(c, &rds.DescribeDBInstancesInput{})
	for ip.HasMorePages() {
		out, err := ip.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, db := range out.DBInstances {
			conf, err := configJSON(db)
			if err != nil {
				return err
			}
			r.add(Item{ARN: aws.ToString(db.DBInstanceArn), ResourceType: "AWS::RDS::DBInstance", ResourceID: aws.ToString(db.DbiResourceId),
				ResourceName: aws.ToString(db.DBInstanceIdentifier), Zone: aws.ToString(db.AvailabilityZone),
				Created: timeString(db.InstanceCreateTime), Tags: rdsTags(db.TagList), Configuration: conf})
		}
	}
	var snaps []rdstypes.DBSnapshot
	sp := rds.NewDescribeDBSnapshotsPaginator(c, &rds.DescribeDBSnapshotsInput{})
	for sp.HasMorePages() {
		out, err := sp.NextPage(ctx)
		if err != nil {
			return err
		}
		snaps = append(snaps, out.DBSnapshots...)
	}
	err := r.each(ctx, len(snaps), func(ctx context.Context, i int) error {
		s := snaps[i]
		attrs, err := c.DescribeDBSnapshotAttributes(ctx, &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: s.DBSnapshotIdentifier})
		if err != nil {
			return err
		}
		sup := map[string]json.RawMessage{}
		if attrs.DBSnapshotAttributesResult != nil {
			if sup["DBSnapshotAttributes"], err = configJSON(attrs.DBSnapshotAttributesResult.DBSnapshotAttributes); err != nil {
				return err
			}
		}
		conf, err := configJSON(s)
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(s.DBSnapshotArn), ResourceType: "AWS::RDS::DBSnapshot", ResourceID: aws.ToString(s.DBSnapshotIdentifier),
			ResourceName: aws.ToString(s.DBSnapshotIdentifier), Zone: aws.ToString(s.AvailabilityZone),
			Created: timeString(s.SnapshotCreateTime), Tags: rdsTags(s.TagList), Configuration: conf, Supplementary: sup})
		return nil
	})
	if err != nil {
		return err
	}
	var csnaps []rdstypes.DBClusterSnapshot
	cp := rds.NewDescribeDBClusterSnapshotsPaginator(c, &rds.DescribeDBClusterSnapshotsInput{})
	for cp.HasMorePages() {
		out, err := cp.NextPage(ctx)
		if err != nil {
			return err
		}
		csnaps = append(csnaps, out.DBClusterSnapshots...)
	}
	return r.each(ctx, len(csnaps), func(ctx context.Context, i int) error {
		s := csnaps[i]
		attrs, err := c.DescribeDBClusterSnapshotAttributes(ctx, &rds.DescribeDBClusterSnapshotAttributesInput{DBClusterSnapshotIdentifier: s.DBClusterSnapshotIdentifier})
		if err != nil {
			return err
		}
		sup := map[string]json.RawMessage{}
		if attrs.DBClusterSnapshotAttributesResult != nil {
			if sup["DBClusterSnapshotAttributes"], err = beanJSON(attrs.DBClusterSnapshotAttributesResult.DBClusterSnapshotAttributes); err != nil {
				return err
			}
		}
		conf, err := beanJSON(s)
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(s.DBClusterSnapshotArn), ResourceType: "AWS::RDS::DBClusterSnapshot", ResourceID: aws.ToString(s.DBClusterSnapshotIdentifier),
			ResourceName: aws.ToString(s.DBClusterSnapshotIdentifier), Created: timeString(s.SnapshotCreateTime),
			Tags: rdsTags(s.TagList), Configuration: conf, Supplementary: sup})
		return nil
	})
}

func rdsTags(tags []rdstypes.Tag) map[string]string {
	return tagMap(tags, func(t rdstypes.Tag) (*string, *string) { return t.Key, t.Value })
}

// collectKMS records the keys (AWS::KMS::Key, from DescribeKey, with the leading
// capitals of member names in lower case as AWS Config writes them: awsaccountId) and, for customer
// managed symmetric keys that are enabled, whether they rotate (kms.KeyRotationStatus):
// the keys CMK_BACKING_KEY_ROTATION_ENABLED judges.
func collectKMS(ctx context.Context, r *run) error {
	c := kms.NewFromConfig(r.cfg)
	var keys []kmstypes.KeyListEntry
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		keys = append(keys, out.Keys...)
	}
	rotation := make([]*bool, len(keys))
	err := r.each(ctx, len(keys), func(ctx context.Context, i int) error {
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: keys[i].KeyId})
		if err != nil {
			return err
		}
		m := d.KeyMetadata
		conf, err := beanJSON(m)
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(m.Arn), ResourceType: "AWS::KMS::Key", ResourceID: aws.ToString(m.KeyId),
			Created: timeString(m.CreationDate), Configuration: conf})
		if m.KeyManager != kmstypes.KeyManagerTypeCustomer || m.KeySpec != kmstypes.KeySpecSymmetricDefault ||
			m.KeyState != kmstypes.KeyStateEnabled || m.Origin == kmstypes.OriginTypeExternal {
			return nil
		}
		st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: keys[i].KeyId})
		if err != nil {
			return err
		}
		rotation[i] = aws.Bool(st.KeyRotationEnabled)
		return nil
	})
	if err != nil {
		return err
	}
	facts := map[string]bool{}
	for i, k := range keys {
		if rotation[i] != nil {
			facts[aws.ToString(k.KeyId)] = *rotation[i]
		}
	}
	r.fact("kms.KeyRotationStatus", facts)
	return nil
}

// trailStatus is the part of GetTrailStatus the facts keep.
type trailStatus struct {
	IsLogging                        *bool
	LatestCloudWatchLogsDeliveryTime *string `json:",omitempty"`
	LatestDeliveryTime               *string `json:",omitempty"`
}

// eventSelectors is GetEventSelectors without the response metadata.
type eventSelectors struct {
	EventSelectors         []cttypes.EventSelector
	AdvancedEventSelectors []cttypes.AdvancedEventSelector
}

// collectTrails records the trails that apply to the region (its own and multi-region
// ones: DescribeTrails with shadow trails), their status and event selectors, as facts,
// and the region's own trails as AWS::CloudTrail::Trail CIs.
func collectTrails(ctx context.Context, r *run) error {
	c := cloudtrail.NewFromConfig(r.cfg)
	out, err := c.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		return err
	}
	trails := out.TrailList
	if trails == nil {
		trails = []cttypes.Trail{}
	}
	status := make([]*trailStatus, len(trails))
	selectors := make([]*eventSelectors, len(trails))
	err = r.each(ctx, len(trails), func(ctx context.Context, i int) error {
		arn := trails[i].TrailARN
		st, err := c.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: arn})
		if err != nil {
			return err
		}
		status[i] = &trailStatus{IsLogging: st.IsLogging, LatestCloudWatchLogsDeliveryTime: nonEmpty(timeString(st.LatestCloudWatchLogsDeliveryTime)),
			LatestDeliveryTime: nonEmpty(timeString(st.LatestDeliveryTime))}
		sel, err := c.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: arn})
		if err != nil {
			return err
		}
		selectors[i] = &eventSelectors{EventSelectors: sel.EventSelectors, AdvancedEventSelectors: sel.AdvancedEventSelectors}
		return nil
	})
	if err != nil {
		return err
	}
	st, sel := map[string]*trailStatus{}, map[string]*eventSelectors{}
	for i, t := range trails {
		arn := aws.ToString(t.TrailARN)
		st[arn], sel[arn] = status[i], selectors[i]
		if aws.ToString(t.HomeRegion) != r.region {
			continue
		}
		conf, err := configJSON(t)
		if err != nil {
			return err
		}
		r.add(Item{ARN: arn, ResourceType: "AWS::CloudTrail::Trail", ResourceID: aws.ToString(t.Name), ResourceName: aws.ToString(t.Name), Configuration: conf})
	}
	r.fact("cloudtrail.trailList", trails)
	r.fact("cloudtrail.trailStatus", st)
	r.fact("cloudtrail.eventSelectors", sel)
	return nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// collectLambda records functions (ListFunctions camel-cased) with their resource policy
// (supplementaryConfiguration Policy, a JSON string, as AWS Config stores it; absent when
// the function has none) and their reserved concurrency (Concurrency, as GetFunction names
// it: {reservedConcurrentExecutions}, as AWS Config's rule cases show it; absent when
// none is reserved, and where GetFunctionConcurrency cannot be called, which the skip
// records and which LAMBDA_CONCURRENCY_CHECK then reads as none).
func collectLambda(ctx context.Context, r *run) error {
	c := lambda.NewFromConfig(r.cfg)
	var fns []lambdatypes.FunctionConfiguration
	p := lambda.NewListFunctionsPaginator(c, &lambda.ListFunctionsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		fns = append(fns, out.Functions...)
	}
	var concurrencySkipped sync.Once
	return r.each(ctx, len(fns), func(ctx context.Context, i int) error {
		f := fns[i]
		sup := map[string]json.RawMessage{}
		pol, err := c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: f.FunctionArn})
		switch {
		case err == nil:
			sup["Policy"] = mustJSON(aws.ToString(pol.Policy))
		case errorCode(err) != "ResourceNotFoundException":
			return err
		}
		conc, err := c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: f.FunctionArn})
		switch {
		case unavailable(err):
			concurrencySkipped.Do(func() { r.skip("lambda.concurrency", err) })
		case errorCode(err) == "ResourceNotFoundException":
			return nil // deleted since it was listed
		case err != nil:
			return err
		case conc.ReservedConcurrentExecutions != nil:
			sup["Concurrency"] = mustJSON(map[string]int32{"reservedConcurrentExecutions": *conc.ReservedConcurrentExecutions})
		}
		conf, err := lambdaJSON(f)
		if err != nil {
			return err
		}
		r.add(Item{ARN: aws.ToString(f.FunctionArn), ResourceType: "AWS::Lambda::Function", ResourceID: aws.ToString(f.FunctionName),
			ResourceName: aws.ToString(f.FunctionName), Configuration: conf, Supplementary: sup})
		return nil
	})
}

// lambdaJSON is configJSON of a function, except that its environment variables keep
// their names as written (configJSON would lower their first letter, as it does members')
// and have their values withheld.
func lambdaJSON(f lambdatypes.FunctionConfiguration) (json.RawMessage, error) {
	x, err := genericObject(f)
	if err != nil {
		return nil, err
	}
	conf := lowerKeys(x).(map[string]any)
	if f.Environment != nil && f.Environment.Variables != nil {
		if env, ok := conf["environment"].(map[string]any); ok {
			env["variables"] = withheldVariables(f.Environment.Variables)
		}
	}
	return json.Marshal(conf)
}

func collectRedshift(ctx context.Context, r *run) error {
	client := redshift.NewFromConfig(r.cfg)
	p := redshift.NewDescribeClustersPaginator(client, &redshift.DescribeClustersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, cl := range out.Clusters {
			conf, err := configJSON(cl)
			if err != nil {
				return err
			}
			id := aws.ToString(cl.ClusterIdentifier)
			tags := tagMap(cl.Tags, func(t redshifttypes.Tag) (*string, *string) { return t.Key, t.Value })
			sup, err := redshiftLogging(ctx, r, client, cl.ClusterIdentifier)
			if err != nil {
				return err
			}
			r.add(Item{ARN: r.arn("redshift", r.region, "cluster:"+id), ResourceType: "AWS::Redshift::Cluster", ResourceID: id,
				ResourceName: id, Zone: aws.ToString(cl.AvailabilityZone), Created: timeString(cl.ClusterCreateTime), Tags: tags,
				Configuration: conf, Supplementary: sup})
		}
	}
	return nil
}

// redshiftLogging returns the cluster's supplementary configuration as AWS Config keeps it:
// its audit logging (DescribeLoggingStatus) as LoggingStatus. When the call is unavailable
// it records the skip and returns none, which the logging rules read as logging off.
func redshiftLogging(ctx context.Context, r *run, c *redshift.Client, id *string) (map[string]json.RawMessage, error) {
	st, err := c.DescribeLoggingStatus(ctx, &redshift.DescribeLoggingStatusInput{ClusterIdentifier: id})
	if unavailable(err) {
		r.skip("redshift logging status", err)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(map[string]any{"loggingEnabled": aws.ToBool(st.LoggingEnabled), "bucketName": aws.ToString(st.BucketName),
		"s3KeyPrefix": aws.ToString(st.S3KeyPrefix), "logDestinationType": string(st.LogDestinationType)})
	if err != nil {
		return nil, err
	}
	return map[string]json.RawMessage{"LoggingStatus": b}, nil
}

// collectOrganization records DescribeOrganization's Organization, null when the
// account is in none.
func collectOrganization(ctx context.Context, r *run) error {
	out, err := organizations.NewFromConfig(r.cfg).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	switch {
	case errorCode(err) == "AWSOrganizationsNotInUseException":
		r.fact("organizations.Organization", nil)
		return nil
	case err != nil:
		return err
	}
	o := out.Organization
	r.fact("organizations.Organization", map[string]string{"Id": aws.ToString(o.Id), "Arn": aws.ToString(o.Arn),
		"MasterAccountId": aws.ToString(o.MasterAccountId), "MasterAccountArn": aws.ToString(o.MasterAccountArn)})
	return nil
}

// collectGuardDuty records each detector's status, protection plans (Features, with
// their AdditionalConfiguration) and DataSources (guardduty.Detectors), under
// GetDetector's member names.
func collectGuardDuty(ctx context.Context, r *run) error {
	c := guardduty.NewFromConfig(r.cfg)
	var ids []string
	p := guardduty.NewListDetectorsPaginator(c, &guardduty.ListDetectorsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		ids = append(ids, out.DetectorIds...)
	}
	detectors := make([]map[string]any, len(ids))
	err := r.each(ctx, len(ids), func(ctx context.Context, i int) error {
		out, err := c.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(ids[i])})
		if err != nil {
			return err
		}
		d := map[string]any{"Status": string(out.Status)}
		if len(out.Features) > 0 {
			d["Features"] = withoutNulls(mustDecode(out.Features))
		}
		if out.DataSources != nil {
			d["DataSources"] = withoutNulls(mustDecode(out.DataSources))
		}
		detectors[i] = d
		return nil
	})
	if err != nil {
		return err
	}
	facts := map[string]map[string]any{}
	for i, id := range ids {
		facts[id] = detectors[i]
	}
	r.fact("guardduty.Detectors", facts)
	return collectGuardDutyFindings(ctx, r, c, ids)
}

// collectSecurityHub records DescribeHub, null when Security Hub is not enabled.
func collectSecurityHub(ctx context.Context, r *run) error {
	out, err := securityhub.NewFromConfig(r.cfg).DescribeHub(ctx, &securityhub.DescribeHubInput{})
	switch {
	case errorCode(err) == "InvalidAccessException" || errorCode(err) == "ResourceNotFoundException":
		r.fact("securityhub.Hub", nil)
		return nil
	case err != nil:
		return err
	}
	r.fact("securityhub.Hub", map[string]any{"HubArn": aws.ToString(out.HubArn), "SubscribedAt": aws.ToString(out.SubscribedAt)})
	return nil
}

// collectDocuments records who each SSM document the account owns is shared with
// (ssm.DocumentPermissions).
func collectDocuments(ctx context.Context, r *run) error {
	c := ssm.NewFromConfig(r.cfg)
	var names []string
	p := ssm.NewListDocumentsPaginator(c, &ssm.ListDocumentsInput{Filters: []ssmtypes.DocumentKeyValuesFilter{{Key: aws.String("Owner"), Values: []string{"Self"}}}})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, d := range out.DocumentIdentifiers {
			names = append(names, aws.ToString(d.Name))
		}
	}
	perms := make([][]string, len(names))
	err := r.each(ctx, len(names), func(ctx context.Context, i int) error {
		out, err := c.DescribeDocumentPermission(ctx, &ssm.DescribeDocumentPermissionInput{Name: aws.String(names[i]), PermissionType: ssmtypes.DocumentPermissionTypeShare})
		if err != nil {
			return err
		}
		perms[i] = out.AccountIds
		if perms[i] == nil {
			perms[i] = []string{}
		}
		return nil
	})
	if err != nil {
		return err
	}
	facts := map[string]map[string][]string{}
	for i, n := range names {
		facts[n] = map[string][]string{"AccountIds": perms[i]}
	}
	r.fact("ssm.DocumentPermissions", facts)
	return nil
}
