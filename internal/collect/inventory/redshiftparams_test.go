package inventory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	redshifttypes "github.com/aws/aws-sdk-go-v2/service/redshift/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/collect/inventory"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestRedshiftParameterGroups seeds a custom cluster parameter group and two clusters (one
// on it, one on the default group), collects a snapshot and checks the parameter group
// CIs (name as resource id, DescribeClusterParameterGroups camel-cased, every parameter in
// supplementaryConfiguration Parameters) and REDSHIFT_REQUIRE_TLS_SSL over the snapshot.
// moto cannot set a parameter (ModifyClusterParameterGroup answers 500), so every group
// keeps require_ssl false and both clusters are NON_COMPLIANT here; the rule's cases
// cover the compliant side.
func TestRedshiftParameterGroups(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	const account, region = "123456789012", mototest.Region
	rs := redshift.NewFromConfig(cfg)
	_, err := rs.CreateClusterParameterGroup(ctx, &redshift.CreateClusterParameterGroupInput{ParameterGroupName: aws.String("custom"),
		ParameterGroupFamily: aws.String("redshift-1.0"), Description: aws.String("custom group"),
		Tags: []redshifttypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
	must(t, err)
	for id, group := range map[string]string{"oncustom": "custom", "ondefault": ""} {
		in := &redshift.CreateClusterInput{ClusterIdentifier: aws.String(id), NodeType: aws.String("ra3.xlplus"),
			MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("Passw0rd!Passw0rd")}
		if group != "" {
			in.ClusterParameterGroupName = aws.String(group)
		}
		_, err := rs.CreateCluster(ctx, in)
		must(t, err)
	}
	snap, err := (&inventory.Inventory{}).Snapshot(ctx, cfg, inventory.Options{Account: account, Region: region})
	must(t, err)
	var buf bytes.Buffer
	_, err = snap.WriteTo(&buf)
	must(t, err)
	raw := buf.Bytes()

	type group struct {
		ARN, Name, Zone string
		Tags            map[string]string
		Config          map[string]any
		RequireSSL      string
		Params          int
	}
	got := map[string]group{}
	dec := ci.NewDecoder(bytes.NewReader(raw))
	for {
		it, err := dec.Next()
		if err != nil {
			break
		}
		if it.ResourceType != "AWS::Redshift::ClusterParameterGroup" {
			continue
		}
		g := group{ARN: it.ARN, Name: it.ResourceName, Zone: it.AvailabilityZone, Tags: it.Tags}
		must(t, json.Unmarshal(it.Configuration, &g.Config))
		var params []struct{ ParameterName, ParameterValue, Source string }
		_, err = it.DecodeSupplementary("Parameters", &params)
		must(t, err)
		g.Params = len(params)
		for _, p := range params {
			if p.ParameterName == "require_ssl" {
				g.RequireSSL = p.ParameterValue
			}
		}
		got[it.ResourceID] = g
	}
	arn := "arn:aws:redshift:" + region + ":" + account + ":parametergroup:"
	want := map[string]group{
		"custom": {ARN: arn + "custom", Name: "custom", Zone: "Not Applicable", Tags: map[string]string{"env": "prod"},
			Config: map[string]any{"parameterGroupName": "custom", "parameterGroupFamily": "redshift-1.0", "description": "custom group",
				"tags": []any{map[string]any{"key": "env", "value": "prod"}}}, RequireSSL: "false"},
		"default.redshift-1.0": {ARN: arn + "default.redshift-1.0", Name: "default.redshift-1.0", Zone: "Not Applicable",
			Config: map[string]any{"parameterGroupName": "default.redshift-1.0", "parameterGroupFamily": "redshift-1.0",
				"description": "Default Redshift parameter group", "tags": []any{}}, RequireSSL: "false"},
	}
	for id, g := range got {
		if g.Params < 2 {
			t.Errorf("group %s: %d parameters, want all of the group's", id, g.Params)
		}
		g.Params = 0
		got[id] = g
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("parameter groups (-want +got):\n%s", d)
	}

	rule, err := rules.Get("REDSHIFT_REQUIRE_TLS_SSL")
	must(t, err)
	check, err := rule.Bind(nil)
	must(t, err)
	results := map[string]string{}
	must(t, rules.Evaluate(check, ci.NewDecoder(bytes.NewReader(raw)), rules.Env{}, func(r rules.Result) error {
		results[r.ResourceID] = string(r.ComplianceType) + ": " + r.Annotation
		return nil
	}))
	wantResults := map[string]string{
		"oncustom":  "NON_COMPLIANT: require_ssl is not true in the parameter group custom.",
		"ondefault": "NON_COMPLIANT: require_ssl is not true in the parameter group default.redshift-1.0.",
	}
	if d := cmp.Diff(wantResults, results); d != "" {
		t.Errorf("REDSHIFT_REQUIRE_TLS_SSL (-want +got):\n%s", d)
	}
}
