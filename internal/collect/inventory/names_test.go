package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
)

// snapshotItems collects one snapshot of account and region from moto and returns its
// items as the CI decoder reads them back.
func snapshotItems(t *testing.T, m *mototest.Server, account, region string) []*ci.Item {
	t.Helper()
	snap, err := (&inventory.Inventory{}).Snapshot(context.Background(), m.Config(), inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	var items []*ci.Item
	dec := ci.NewDecoder(&buf)
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			return items
		}
		must(t, err)
		items = append(items, it)
	}
}

// configKeys returns the member names of a configuration's top level, sorted.
func configKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	must(t, json.Unmarshal(raw, &m))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestMemberNames checks that members whose name starts with several capitals are
// spelt as AWS Config's own CIs of the type spell them (the example CIs and resource
// schema under the shared aws-config data): KMS keys and DB cluster snapshots with the
// leading run of capitals in lower case (awsaccountId, dbclusterSnapshotIdentifier),
// DB instances with the first letter only (dBInstanceIdentifier), never a mixture.
func TestMemberNames(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	_, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{})
	must(t, err)
	rc := rds.NewFromConfig(cfg)
	_, err = rc.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("c1"), Engine: aws.String("aurora-postgresql"),
		MasterUsername: aws.String("dbowner"), MasterUserPassword: aws.String("password123")})
	must(t, err)
	_, err = rc.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("c1"), DBClusterSnapshotIdentifier: aws.String("s1")})
	must(t, err)
	_, err = rc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("db1"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.t3.micro"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("dbowner"), MasterUserPassword: aws.String("password123")})
	must(t, err)

	want := map[string]struct{ has, hasNot []string }{
		"AWS::KMS::Key":               {has: []string{"awsaccountId", "arn", "keyId", "keyState"}, hasNot: []string{"aWSAccountId"}},
		"AWS::RDS::DBClusterSnapshot": {has: []string{"dbclusterSnapshotIdentifier", "dbclusterIdentifier", "dbclusterSnapshotArn", "storageEncrypted"}, hasNot: []string{"dBClusterSnapshotIdentifier", "dBClusterIdentifier"}},
		"AWS::RDS::DBInstance":        {has: []string{"dBInstanceIdentifier", "dBInstanceClass", "dbiResourceId"}, hasNot: []string{"dbinstanceIdentifier"}},
	}
	seen := map[string]bool{}
	for _, it := range snapshotItems(t, m, account, region) {
		w, ok := want[it.ResourceType]
		if !ok {
			continue
		}
		seen[it.ResourceType] = true
		keys := configKeys(t, it.Configuration)
		for _, k := range w.has {
			if !slices.Contains(keys, k) {
				t.Errorf("%s: no member %q in %v", it.ResourceType, k, keys)
			}
		}
		for _, k := range w.hasNot {
			if slices.Contains(keys, k) {
				t.Errorf("%s: member %q, which AWS Config does not write", it.ResourceType, k)
			}
		}
	}
	if d := cmp.Diff(map[string]bool{"AWS::KMS::Key": true, "AWS::RDS::DBClusterSnapshot": true, "AWS::RDS::DBInstance": true}, seen); d != "" {
		t.Errorf("types collected (-want +got):\n%s", d)
	}
}
