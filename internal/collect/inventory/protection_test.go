package inventory_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestSecretsClustersBucketProtection seeds in moto a rotating secret under a customer
// managed key and a plain one, a protected Aurora cluster and a default one, and a
// bucket with Object Lock, replication and ACLs disabled beside a plain bucket; it
// collects a snapshot and checks the CIs (type, id, ARN, name, tags, the members the
// rules read, as AWS Config records them) and every rule that reads them.
func TestSecretsClustersBucketProtection(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	const keyARN = "arn:aws:kms:" + region + ":" + account + ":key/k1"

	// A rotation function must exist for RotateSecret; moto does not run it when
	// the rotation is not immediate.
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("rotation"), AssumeRolePolicyDocument: aws.String("{}")})
	must(t, err)
	var code bytes.Buffer
	zw := zip.NewWriter(&code)
	w, err := zw.Create("index.py")
	must(t, err)
	_, err = w.Write([]byte("def handler(event, context):\n    pass\n"))
	must(t, err)
	must(t, zw.Close())
	fn, err := lambda.NewFromConfig(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("rotate"), Role: role.Role.Arn,
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: code.Bytes()}})
	must(t, err)
	sm := secretsmanager.NewFromConfig(cfg)
	rotating, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db-password"), SecretString: aws.String("s3cret"),
		KmsKeyId: aws.String(keyARN), Tags: []smtypes.Tag{{Key: aws.String("team"), Value: aws.String("data")}}})
	must(t, err)
	_, err = sm.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: rotating.ARN, RotationLambdaARN: fn.FunctionArn,
		RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}, RotateImmediately: aws.Bool(false)})
	must(t, err)
	plain, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("api-token"), SecretString: aws.String("t")})
	must(t, err)

	rc := rds.NewFromConfig(cfg)
	_, err = rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("guarded"), Engine: aws.String("aurora-postgresql"),
		MasterUsername: aws.String("dbowner"), MasterUserPassword: aws.String("password123"), DeletionProtection: aws.Bool(true),
		EnableIAMDatabaseAuthentication: aws.Bool(true), AvailabilityZones: []string{region + "a", region + "b"}})
	must(t, err)
	_, err = rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("defaults"), Engine: aws.String("aurora-mysql"),
		MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("password123")})
	must(t, err)

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	_, err = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("replica-bucket")})
	must(t, err)
	_, err = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("locked-bucket"), ObjectLockEnabledForBucket: aws.Bool(true)})
	must(t, err)
	_, err = s3c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("locked-bucket"),
		ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled,
			Rule: &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{Mode: s3types.ObjectLockRetentionModeCompliance, Days: aws.Int32(30)}}}})
	must(t, err)
	_, err = s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("locked-bucket"),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	must(t, err)
	_, err = s3c.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String("locked-bucket"), ReplicationConfiguration: &s3types.ReplicationConfiguration{
		Role: aws.String("arn:aws:iam::" + account + ":role/replication"), Rules: []s3types.ReplicationRule{{ID: aws.String("all"), Priority: aws.Int32(1),
			Status: s3types.ReplicationRuleStatusEnabled, Filter: &s3types.ReplicationRuleFilter{Prefix: aws.String("")},
			Destination:             &s3types.Destination{Bucket: aws.String("arn:aws:s3:::replica-bucket")},
			DeleteMarkerReplication: &s3types.DeleteMarkerReplication{Status: s3types.DeleteMarkerReplicationStatusDisabled}}}}})
	must(t, err)
	_, err = s3c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("locked-bucket"),
		OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}})
	must(t, err)

	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	type resource struct {
		Type, ID, ARN, Name string
		Tags                map[string]string
		Conf                map[string]any
	}
	pick := func(raw json.RawMessage, keys ...string) map[string]any {
		var all map[string]any
		must(t, json.Unmarshal(raw, &all))
		out := map[string]any{}
		for _, k := range keys {
			if v, ok := all[k]; ok {
				out[k] = v
			}
		}
		return out
	}
	var items []*ci.Item
	got := map[string]resource{}
	dec := ci.NewDecoder(&buf)
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		var conf map[string]any
		switch it.ResourceType {
		case "AWS::SecretsManager::Secret":
			conf = pick(it.Configuration, "arn", "name", "kmsKeyId", "rotationEnabled", "rotationLambdaARN", "rotationRules")
		case "AWS::RDS::DBCluster":
			conf = pick(it.Configuration, "dbclusterIdentifier", "dbclusterArn", "engine", "masterUsername", "multiAZ", "deletionProtection",
				"iamdatabaseAuthenticationEnabled", "availabilityZones")
		case "AWS::S3::Bucket":
			conf = map[string]any{}
			for _, k := range []string{"BucketReplicationConfiguration", "ObjectLockConfiguration", "BucketOwnershipControls"} {
				if raw, ok := it.Supplementary[k]; ok {
					var v any
					must(t, json.Unmarshal(raw, &v))
					conf[k] = v
				}
			}
		default:
			continue
		}
		items = append(items, it)
		got[it.ResourceName] = resource{it.ResourceType, it.ResourceID, it.ARN, it.ResourceName, it.Tags, conf}
	}
	const sType, cType, bType = "AWS::SecretsManager::Secret", "AWS::RDS::DBCluster", "AWS::S3::Bucket"
	rARN, pARN := aws.ToString(rotating.ARN), aws.ToString(plain.ARN)
	clusterARN := "arn:aws:rds:" + region + ":" + account + ":cluster:"
	want := map[string]resource{
		"db-password": {sType, rARN, rARN, "db-password", map[string]string{"team": "data"}, map[string]any{"arn": rARN, "name": "db-password",
			"kmsKeyId": keyARN, "rotationEnabled": true, "rotationLambdaARN": aws.ToString(fn.FunctionArn), "rotationRules": map[string]any{"automaticallyAfterDays": 30.0, "duration": nil, "scheduleExpression": nil}}},
		"api-token": {sType, pARN, pARN, "api-token", nil, map[string]any{"arn": pARN, "name": "api-token", "kmsKeyId": nil,
			"rotationEnabled": nil, "rotationLambdaARN": nil, "rotationRules": nil}},
		"guarded": {cType, got["guarded"].ID, clusterARN + "guarded", "guarded", nil, map[string]any{"dbclusterIdentifier": "guarded",
			"dbclusterArn": clusterARN + "guarded", "engine": "aurora-postgresql", "masterUsername": "dbowner", "multiAZ": false,
			"deletionProtection": true, "iamdatabaseAuthenticationEnabled": true, "availabilityZones": []any{region + "a", region + "b"}}},
		"defaults": {cType, got["defaults"].ID, clusterARN + "defaults", "defaults", nil, map[string]any{"dbclusterIdentifier": "defaults",
			"dbclusterArn": clusterARN + "defaults", "engine": "aurora-mysql", "masterUsername": "admin", "multiAZ": false,
			"deletionProtection": false, "iamdatabaseAuthenticationEnabled": false, "availabilityZones": got["defaults"].Conf["availabilityZones"]}},
		"locked-bucket": {bType, "locked-bucket", "arn:aws:s3:::locked-bucket", "locked-bucket", nil, map[string]any{
			"BucketReplicationConfiguration": map[string]any{"roleARN": "arn:aws:iam::" + account + ":role/replication", "rules": map[string]any{
				"all": map[string]any{"status": "Enabled", "prefix": "", "priority": 1.0, "filter": map[string]any{"predicate": map[string]any{"type": "Prefix", "prefix": ""}},
					"destinationConfig":       map[string]any{"bucketARN": "arn:aws:s3:::replica-bucket", "storageClass": nil},
					"deleteMarkerReplication": map[string]any{"status": "Disabled"}}}},
			"ObjectLockConfiguration": map[string]any{"objectLockEnabled": "Enabled", "rule": map[string]any{"defaultRetention": map[string]any{
				"mode": "COMPLIANCE", "days": 30.0, "years": 0.0}}},
			"BucketOwnershipControls": map[string]any{"ownershipControls": map[string]any{"rules": []any{map[string]any{"ownership": "BucketOwnerEnforced"}}}}}},
		"replica-bucket": {bType, "replica-bucket", "arn:aws:s3:::replica-bucket", "replica-bucket", nil, map[string]any{}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("resources (-want +got):\n%s", d)
	}
	if id := got["guarded"].ID; len(id) < len("cluster-") || id[:len("cluster-")] != "cluster-" {
		t.Errorf("cluster resource id %q, want the cluster's resource id cluster-...", id)
	}

	all := func(m map[string]string) map[string]string {
		out := map[string]string{"db-password": "-", "api-token": "-", "guarded": "-", "defaults": "-", "locked-bucket": "-", "replica-bucket": "-"}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	// moto reports Aurora clusters as not Multi-AZ whatever their zones.
	evalAll(t, items, map[string]map[string]string{
		"SECRETSMANAGER_ROTATION_ENABLED_CHECK":   all(map[string]string{"db-password": "COMPLIANT", "api-token": "NON_COMPLIANT"}),
		"SECRETSMANAGER_USING_CMK":                all(map[string]string{"db-password": "COMPLIANT", "api-token": "NON_COMPLIANT"}),
		"RDS_CLUSTER_MULTI_AZ_ENABLED":            all(map[string]string{"guarded": "NON_COMPLIANT", "defaults": "NON_COMPLIANT"}),
		"RDS_CLUSTER_DELETION_PROTECTION_ENABLED": all(map[string]string{"guarded": "COMPLIANT", "defaults": "NON_COMPLIANT"}),
		"RDS_CLUSTER_IAM_AUTHENTICATION_ENABLED":  all(map[string]string{"guarded": "COMPLIANT", "defaults": "NON_COMPLIANT"}),
		"RDS_CLUSTER_DEFAULT_ADMIN_CHECK":         all(map[string]string{"guarded": "COMPLIANT", "defaults": "NON_COMPLIANT"}),
		"S3_BUCKET_REPLICATION_ENABLED":           all(map[string]string{"locked-bucket": "COMPLIANT", "replica-bucket": "NON_COMPLIANT"}),
		"S3_BUCKET_DEFAULT_LOCK_ENABLED":          all(map[string]string{"locked-bucket": "COMPLIANT", "replica-bucket": "NON_COMPLIANT"}),
		"S3_BUCKET_ACL_PROHIBITED":                all(map[string]string{"locked-bucket": "COMPLIANT", "replica-bucket": "COMPLIANT"}),
	})

	// The rotating secret is due in 30 days: rotated as scheduled now, overdue in 40.
	rule, err := rules.Get("SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK")
	must(t, err)
	check, err := rule.Bind(nil)
	must(t, err)
	for _, it := range items {
		if it.ResourceName != "db-password" {
			continue
		}
		for now, want := range map[time.Time]rules.Compliance{time.Now(): rules.Compliant, time.Now().Add(40 * 24 * time.Hour): rules.NonCompliant} {
			res, err := check.EvaluateItem(it, rules.Env{Now: now})
			must(t, err)
			if res.ComplianceType != want {
				t.Errorf("scheduled rotation at %s: %s, want %s", now.Format(time.RFC3339), res.ComplianceType, want)
			}
		}
	}
}
