package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/emr"
	emrtypes "github.com/aws/aws-sdk-go-v2/service/emr/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

const dataAccount = "123456789012"

// dataSnapshot collects one snapshot of moto's own account and returns its items and
// account facts as the CI decoder reads them back.
func dataSnapshot(t *testing.T, m *mototest.Server) ([]*ci.Item, *ci.Account) {
	t.Helper()
	snap, err := (&inventory.Inventory{}).Snapshot(context.Background(), m.Config(), inventory.Options{Account: dataAccount, Region: mototest.Region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	dec := ci.NewDecoder(&buf)
	var items []*ci.Item
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return items, dec.Account()
		}
		must(t, err)
		items = append(items, it)
	}
}

// dataCI is what the tests compare of a CI: identity, the configuration members named
// in keys (as JSON text), the supplementary keys, and a rule's result on it.
type dataCI struct {
	ARN, Name, Result string
	Config            map[string]string
	Supplementary     []string
}

// dataView returns the CIs of resourceType by resource id, with the members keys of their
// configuration and rule's result under params.
func dataView(t *testing.T, items []*ci.Item, resourceType, rule string, params map[string]string, keys ...string) map[string]dataCI {
	t.Helper()
	r, err := rules.Get(rule)
	must(t, err)
	check, err := r.Bind(params)
	must(t, err)
	out := map[string]dataCI{}
	for _, it := range items {
		if it.ResourceType != resourceType {
			continue
		}
		var conf map[string]json.RawMessage
		must(t, json.Unmarshal(it.Configuration, &conf))
		v := dataCI{ARN: it.ARN, Name: it.ResourceName, Config: map[string]string{}}
		for _, k := range keys {
			if raw, ok := conf[k]; ok {
				v.Config[k] = string(raw)
			}
		}
		for k := range it.Supplementary {
			v.Supplementary = append(v.Supplementary, k)
		}
		res, err := check.EvaluateItem(it, rules.Env{})
		must(t, err)
		v.Result = string(res.ComplianceType)
		out[it.ResourceID] = v
	}
	return out
}

func dataDiff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

// TestSageMakerCIs seeds notebook instances and endpoint configurations with and without
// a KMS key, and checks their CIs (name as resource id, the API's member names) and the
// two SAGEMAKER_*_KMS_KEY_CONFIGURED rules on them.
func TestSageMakerCIs(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	c := sagemaker.NewFromConfig(m.Config())
	const key = "arn:aws:kms:us-east-1:123456789012:key/k1"
	role := aws.String("arn:aws:iam::123456789012:role/sm")
	_, err := c.CreateNotebookInstance(ctx, &sagemaker.CreateNotebookInstanceInput{NotebookInstanceName: aws.String("sealed"),
		InstanceType: smtypes.InstanceTypeMlT2Medium, RoleArn: role, KmsKeyId: aws.String(key)})
	must(t, err)
	_, err = c.CreateNotebookInstance(ctx, &sagemaker.CreateNotebookInstanceInput{NotebookInstanceName: aws.String("open"),
		InstanceType: smtypes.InstanceTypeMlT2Medium, RoleArn: role})
	must(t, err)
	_, err = c.CreateModel(ctx, &sagemaker.CreateModelInput{ModelName: aws.String("m"), ExecutionRoleArn: role,
		PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/m:1")}})
	must(t, err)
	variant := []smtypes.ProductionVariant{{VariantName: aws.String("v"), ModelName: aws.String("m"), InitialInstanceCount: aws.Int32(1),
		InstanceType: smtypes.ProductionVariantInstanceTypeMlT2Medium}}
	_, err = c.CreateEndpointConfig(ctx, &sagemaker.CreateEndpointConfigInput{EndpointConfigName: aws.String("sealed-ec"), ProductionVariants: variant, KmsKeyId: aws.String(key)})
	must(t, err)
	_, err = c.CreateEndpointConfig(ctx, &sagemaker.CreateEndpointConfigInput{EndpointConfigName: aws.String("open-ec"), ProductionVariants: variant})
	must(t, err)

	items, _ := dataSnapshot(t, m)
	arn := "arn:aws:sagemaker:us-east-1:123456789012:"
	dataDiff(t, "notebook instances", map[string]dataCI{
		"sealed": {ARN: arn + "notebook-instance/sealed", Name: "sealed", Result: "COMPLIANT",
			Config: map[string]string{"NotebookInstanceName": `"sealed"`, "KmsKeyId": `"` + key + `"`}},
		"open": {ARN: arn + "notebook-instance/open", Name: "open", Result: "NON_COMPLIANT", Config: map[string]string{"NotebookInstanceName": `"open"`}},
	}, dataView(t, items, "AWS::SageMaker::NotebookInstance", "SAGEMAKER_NOTEBOOK_INSTANCE_KMS_KEY_CONFIGURED", nil, "NotebookInstanceName", "KmsKeyId"))
	dataDiff(t, "endpoint configurations", map[string]dataCI{
		"sealed-ec": {ARN: arn + "endpoint-config/sealed-ec", Name: "sealed-ec", Result: "COMPLIANT",
			Config: map[string]string{"EndpointConfigName": `"sealed-ec"`, "KmsKeyId": `"` + key + `"`}},
		"open-ec": {ARN: arn + "endpoint-config/open-ec", Name: "open-ec", Result: "NON_COMPLIANT", Config: map[string]string{"EndpointConfigName": `"open-ec"`}},
	}, dataView(t, items, "AWS::SageMaker::EndpointConfig", "SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED", nil, "EndpointConfigName", "KmsKeyId"))
}

// TestEMRCIs seeds a cluster with a Kerberos security configuration, one without any
// and a terminated one, and EMR block public access permitting port 22 and 8080; it
// checks the clusters' CIs (the security configuration's document in
// supplementaryConfiguration, the terminated cluster left out), EMR_KERBEROS_ENABLED on
// them, and EMR_BLOCK_PUBLIC_ACCESS on the fact.
func TestEMRCIs(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	c := emr.NewFromConfig(m.Config())
	_, err := c.CreateSecurityConfiguration(ctx, &emr.CreateSecurityConfigurationInput{Name: aws.String("kerberos"),
		SecurityConfiguration: aws.String(`{"AuthenticationConfiguration":{"KerberosConfiguration":{"Provider":"ClusterDedicatedKdc","ClusterDedicatedKdcConfiguration":{"TicketLifetimeInHours":24}}}}`)})
	must(t, err)
	run := func(name, sc string) string {
		in := &emr.RunJobFlowInput{Name: aws.String(name), ReleaseLabel: aws.String("emr-6.10.0"), JobFlowRole: aws.String("r"), ServiceRole: aws.String("r"),
			Instances: &emrtypes.JobFlowInstancesConfig{MasterInstanceType: aws.String("m5.xlarge"), InstanceCount: aws.Int32(1), KeepJobFlowAliveWhenNoSteps: aws.Bool(true)}}
		if sc != "" {
			in.SecurityConfiguration = aws.String(sc)
		}
		out, err := c.RunJobFlow(ctx, in)
		must(t, err)
		return aws.ToString(out.JobFlowId)
	}
	kerb, plain, done := run("kerb", "kerberos"), run("plain", ""), run("done", "")
	_, err = c.TerminateJobFlows(ctx, &emr.TerminateJobFlowsInput{JobFlowIds: []string{done}})
	must(t, err)
	_, err = c.PutBlockPublicAccessConfiguration(ctx, &emr.PutBlockPublicAccessConfigurationInput{BlockPublicAccessConfiguration: &emrtypes.BlockPublicAccessConfiguration{
		BlockPublicSecurityGroupRules: aws.Bool(true), PermittedPublicSecurityGroupRuleRanges: []emrtypes.PortRange{{MinRange: aws.Int32(22), MaxRange: aws.Int32(22)}, {MinRange: aws.Int32(8080)}}}})
	must(t, err)

	items, acct := dataSnapshot(t, m)
	arn := "arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/"
	dataDiff(t, "clusters", map[string]dataCI{
		kerb:  {ARN: arn + kerb, Name: "kerb", Result: "COMPLIANT", Config: map[string]string{"SecurityConfiguration": `"kerberos"`}, Supplementary: []string{"SecurityConfiguration"}},
		plain: {ARN: arn + plain, Name: "plain", Result: "NON_COMPLIANT", Config: map[string]string{}},
	}, dataView(t, items, "AWS::EMR::Cluster", "EMR_KERBEROS_ENABLED", map[string]string{"TicketLifetimeInHours": "24"}, "SecurityConfiguration"))

	r, err := rules.Get("EMR_BLOCK_PUBLIC_ACCESS")
	must(t, err)
	check, err := r.Bind(nil)
	must(t, err)
	res, err := check.EvaluateAccount(acct, rules.Env{})
	must(t, err)
	dataDiff(t, "block public access", []rules.Result{{ResourceType: "AWS::::Account", ResourceID: dataAccount, ComplianceType: rules.NonCompliant,
		Annotation: "EMR block public access permits ports 8080-8080, not only 22."}}, res)
}

// TestKinesisAndDynamoDBLimits seeds an encrypted and a plain stream and a provisioned
// table with a global secondary index; it checks the streams' CIs and
// KINESIS_STREAM_ENCRYPTED on them, and DYNAMODB_THROUGHPUT_LIMIT_CHECK on the facts
// (moto's limits are 20000 units; the table and index provision 300 read units, 1.5%).
func TestKinesisAndDynamoDBLimits(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	k := kinesis.NewFromConfig(m.Config())
	for _, name := range []string{"sealed", "plain"} {
		_, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)})
		must(t, err)
	}
	_, err := k.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("sealed"), EncryptionType: kinesistypes.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
	must(t, err)
	d := dynamodb.NewFromConfig(m.Config())
	units := func(r, w int64) *ddbtypes.ProvisionedThroughput {
		return &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(r), WriteCapacityUnits: aws.Int64(w)}
	}
	_, err = d.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("orders"), ProvisionedThroughput: units(200, 50),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}, {AttributeName: aws.String("c"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		GlobalSecondaryIndexes: []ddbtypes.GlobalSecondaryIndex{{IndexName: aws.String("byC"), KeySchema: []ddbtypes.KeySchemaElement{{AttributeName: aws.String("c"), KeyType: ddbtypes.KeyTypeHash}},
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll}, ProvisionedThroughput: units(100, 50)}}})
	must(t, err)

	items, acct := dataSnapshot(t, m)
	arn := "arn:aws:kinesis:us-east-1:123456789012:stream/"
	dataDiff(t, "streams", map[string]dataCI{
		"sealed": {ARN: arn + "sealed", Name: "sealed", Result: "COMPLIANT", Config: map[string]string{"StreamName": `"sealed"`, "EncryptionType": `"KMS"`, "KeyId": `"alias/aws/kinesis"`}},
		"plain":  {ARN: arn + "plain", Name: "plain", Result: "NON_COMPLIANT", Config: map[string]string{"StreamName": `"plain"`, "EncryptionType": `"NONE"`}},
	}, dataView(t, items, "AWS::Kinesis::Stream", "KINESIS_STREAM_ENCRYPTED", nil, "StreamName", "EncryptionType", "KeyId"))

	r, err := rules.Get("DYNAMODB_THROUGHPUT_LIMIT_CHECK")
	must(t, err)
	for _, tc := range []struct {
		params map[string]string
		want   rules.Compliance
	}{{nil, rules.Compliant}, {map[string]string{"accountRCUThresholdPercentage": "1"}, rules.NonCompliant}} {
		check, err := r.Bind(tc.params)
		must(t, err)
		res, err := check.EvaluateAccount(acct, rules.Env{})
		must(t, err)
		if len(res) != 1 || res[0].ComplianceType != tc.want {
			t.Errorf("DYNAMODB_THROUGHPUT_LIMIT_CHECK %v: got %+v, want one %s result", tc.params, res, tc.want)
		}
	}
	if got := acct.DynamoDBTables["orders"]; got.ProvisionedThroughput.ReadCapacityUnits != 200 || len(got.GlobalSecondaryIndexes) != 1 ||
		got.GlobalSecondaryIndexes[0].ProvisionedThroughput.ReadCapacityUnits != 100 || acct.DynamoDBLimits.AccountMaxReadCapacityUnits != 20000 {
		t.Errorf("dynamodb facts: tables %+v, limits %+v", acct.DynamoDBTables, acct.DynamoDBLimits)
	}
}

// TestNeptuneDocDBSnapshots seeds an encrypted Neptune cluster (without IAM
// authentication: moto refuses it for Neptune at creation and ignores it in
// ModifyDBCluster) and an unencrypted Aurora PostgreSQL cluster, public and private manual snapshots, and
// a DB security group; it checks the cluster snapshots' CIs (attributes in
// supplementaryConfiguration), the Neptune and DocumentDB rules on them and on the
// clusters (other engines NOT_APPLICABLE), and RDS_DB_SECURITY_GROUP_NOT_ALLOWED. moto's
// RDS refuses the docdb engine, so DocumentDB clusters are not seeded: the collectors do
// not look at the engine, and the DocumentDB rules' cases cover their decisions.
func TestNeptuneDocDBSnapshots(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	c := rds.NewFromConfig(m.Config())
	_, err := c.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("graph"), Engine: aws.String("neptune"), StorageEncrypted: aws.Bool(true),
		MasterUsername: aws.String("u"), MasterUserPassword: aws.String("password123")})
	must(t, err)
	_, err = c.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("pg"), Engine: aws.String("aurora-postgresql"),
		MasterUsername: aws.String("u"), MasterUserPassword: aws.String("password123")})
	must(t, err)
	for _, s := range [][2]string{{"graph", "graph-public"}, {"graph", "graph-private"}, {"pg", "pg-public"}} {
		_, err = c.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String(s[0]), DBClusterSnapshotIdentifier: aws.String(s[1])})
		must(t, err)
	}
	for _, s := range []string{"graph-public", "pg-public"} {
		_, err = c.ModifyDBClusterSnapshotAttribute(ctx, &rds.ModifyDBClusterSnapshotAttributeInput{DBClusterSnapshotIdentifier: aws.String(s), AttributeName: aws.String("restore"), ValuesToAdd: []string{"all"}})
		must(t, err)
	}
	_, err = c.CreateDBSecurityGroup(ctx, &rds.CreateDBSecurityGroupInput{DBSecurityGroupName: aws.String("legacy"), DBSecurityGroupDescription: aws.String("d")})
	must(t, err)

	items, _ := dataSnapshot(t, m)
	arn := "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:"
	manual := map[string]dataCI{}
	for id, v := range dataView(t, items, "AWS::RDS::DBClusterSnapshot", "NEPTUNE_CLUSTER_SNAPSHOT_PUBLIC_PROHIBITED", nil, "dbclusterSnapshotIdentifier", "engine", "snapshotType", "storageEncrypted") {
		if v.Config["snapshotType"] == `"manual"` { // moto adds automated snapshots of each cluster
			manual[id] = v
		} else if v.Result != "NOT_APPLICABLE" {
			t.Errorf("automated snapshot %s: %s, want NOT_APPLICABLE", id, v.Result)
		}
	}
	snap := func(id, engine, enc, result string) dataCI {
		return dataCI{ARN: arn + id, Name: id, Result: result, Supplementary: []string{"DBClusterSnapshotAttributes", "Tags"},
			Config: map[string]string{"dbclusterSnapshotIdentifier": `"` + id + `"`, "engine": `"` + engine + `"`, "snapshotType": `"manual"`, "storageEncrypted": enc}}
	}
	for id, v := range manual {
		sort.Strings(v.Supplementary)
		manual[id] = v
	}
	dataDiff(t, "manual cluster snapshots", map[string]dataCI{
		"graph-public":  snap("graph-public", "neptune", "true", "NON_COMPLIANT"),
		"graph-private": snap("graph-private", "neptune", "true", "COMPLIANT"),
		"pg-public":     snap("pg-public", "aurora-postgresql", "false", "NOT_APPLICABLE"),
	}, manual)

	byName := func(rule string) map[string]string {
		out := map[string]string{}
		for _, v := range dataView(t, items, "AWS::RDS::DBCluster", rule, nil) {
			out[v.Name] = v.Result
		}
		return out
	}
	dataDiff(t, "NEPTUNE_CLUSTER_IAM_DATABASE_AUTHENTICATION", map[string]string{"graph": "NON_COMPLIANT", "pg": "NOT_APPLICABLE"}, byName("NEPTUNE_CLUSTER_IAM_DATABASE_AUTHENTICATION"))
	dataDiff(t, "NEPTUNE_CLUSTER_ENCRYPTED", map[string]string{"graph": "COMPLIANT", "pg": "NOT_APPLICABLE"}, byName("NEPTUNE_CLUSTER_ENCRYPTED"))
	dataDiff(t, "DOCDB_CLUSTER_ENCRYPTED", map[string]string{"graph": "NOT_APPLICABLE", "pg": "NOT_APPLICABLE"}, byName("DOCDB_CLUSTER_ENCRYPTED"))
	dataDiff(t, "DB security groups", map[string]dataCI{
		"legacy": {ARN: "arn:aws:rds:us-east-1:123456789012:secgrp:legacy", Name: "legacy", Result: "NON_COMPLIANT", Supplementary: []string{"Tags"},
			Config: map[string]string{"dBSecurityGroupName": `"legacy"`}},
	}, dataView(t, items, "AWS::RDS::DBSecurityGroup", "RDS_DB_SECURITY_GROUP_NOT_ALLOWED", nil, "dBSecurityGroupName"))
}
