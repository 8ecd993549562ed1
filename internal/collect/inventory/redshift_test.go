package inventory_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshift"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestRedshiftLoggingStatus: a Redshift cluster's CI carries its audit logging as AWS
// Config does (supplementaryConfiguration LoggingStatus), so REDSHIFT_AUDIT_LOGGING_ENABLED
// tells a logged cluster from one that is not, on moto.
func TestRedshiftLoggingStatus(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	rs := redshift.NewFromConfig(cfg)
	for _, id := range []string{"logged", "silent"} {
		if _, err := rs.CreateCluster(ctx, &redshift.CreateClusterInput{ClusterIdentifier: aws.String(id), NodeType: aws.String("ra3.xlplus"),
			MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("Passw0rd!Passw0rd")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rs.EnableLogging(ctx, &redshift.EnableLoggingInput{ClusterIdentifier: aws.String("logged"), BucketName: aws.String("audit-logs")}); err != nil {
		t.Fatal(err)
	}
	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: "123456789012", Region: mototest.Region, Global: true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := snap.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	rule, err := rules.Get("REDSHIFT_AUDIT_LOGGING_ENABLED")
	if err != nil {
		t.Fatal(err)
	}
	check, err := rule.Bind(nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	dec := ci.NewDecoder(&buf)
	for {
		it, err := dec.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if it.ResourceType != "AWS::Redshift::Cluster" {
			continue
		}
		res, err := check.EvaluateItem(it, rules.Env{})
		if err != nil {
			t.Fatal(err)
		}
		got[it.ResourceID] = string(res.ComplianceType)
	}
	if got["logged"] != "COMPLIANT" || got["silent"] != "NON_COMPLIANT" {
		t.Errorf("REDSHIFT_AUDIT_LOGGING_ENABLED = %v, want logged COMPLIANT, silent NON_COMPLIANT", got)
	}
}
