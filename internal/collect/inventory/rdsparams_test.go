package inventory_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/google/go-cmp/cmp"

	"github.com/probity-dev/probity/internal/ci"
	"github.com/probity-dev/probity/internal/mototest"
	"github.com/probity-dev/probity/internal/rules"
)

// TestDBParametersAndRoutes seeds, in moto, MySQL and PostgreSQL DB instances on
// parameter groups that require TLS or not, and an HTTP API with an authorised and an
// open route; it collects a snapshot and checks the fact rds.DBParameters (reduced to
// the parameters the rules read, only for the MySQL and PostgreSQL instances' groups),
// the routes' CIs, and the rules that read them.
func TestDBParametersAndRoutes(t *testing.T) {
	m := mototest.Shared(t)
	ctx := context.Background()
	cfg := m.Config()
	c := rds.NewFromConfig(cfg)
	for _, g := range []struct{ name, family, param, value string }{
		{"mysql-tls", "mysql8.0", "require_secure_transport", "1"},
		{"mysql-plain", "mysql8.0", "require_secure_transport", "0"},
		{"pg-tls", "postgres16", "rds.force_ssl", "1"},
		{"maria", "mariadb10.11", "require_secure_transport", "1"},
	} {
		_, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String(g.name),
			DBParameterGroupFamily: aws.String(g.family), Description: aws.String(g.name)})
		must(t, err)
		_, err = c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String(g.name),
			Parameters: []rdstypes.Parameter{{ParameterName: aws.String(g.param), ParameterValue: aws.String(g.value), ApplyMethod: rdstypes.ApplyMethodImmediate},
				{ParameterName: aws.String("max_connections"), ParameterValue: aws.String("100"), ApplyMethod: rdstypes.ApplyMethodImmediate}}})
		must(t, err)
	}
	for _, db := range []struct{ id, engine, version, group string }{
		{"my1", "mysql", "8.0.35", "mysql-tls"}, {"my2", "mysql", "8.0.35", "mysql-plain"}, {"pg1", "postgres", "16.1", "pg-tls"}, {"ma1", "mariadb", "10.11.6", "maria"},
	} {
		_, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(db.id), Engine: aws.String(db.engine), EngineVersion: aws.String(db.version),
			DBInstanceClass: aws.String("db.t3.micro"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("u"),
			MasterUserPassword: aws.String("password123"), DBParameterGroupName: aws.String(db.group)})
		must(t, err)
	}
	v2 := apigatewayv2.NewFromConfig(cfg)
	api, err := v2.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("a"), ProtocolType: apigwv2types.ProtocolTypeHttp})
	must(t, err)
	authd, err := v2.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /private"), AuthorizationType: apigwv2types.AuthorizationTypeAwsIam})
	must(t, err)
	open, err := v2.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("GET /public")})
	must(t, err)

	acct, items, raw := collectTypes(t, m, "123456789012", "AWS::ApiGatewayV2::Route", "AWS::RDS::DBInstance")
	wantParams := map[string][]ci.DBParameter{
		"mysql-tls":   {{ParameterName: "require_secure_transport", ParameterValue: "1"}},
		"mysql-plain": {{ParameterName: "require_secure_transport", ParameterValue: "0"}},
		"pg-tls":      {{ParameterName: "rds.force_ssl", ParameterValue: "1"}},
	}
	if d := cmp.Diff(wantParams, acct.DBParameters); d != "" {
		t.Errorf("rds.DBParameters (-want +got):\n%s", d)
	}
	type route struct{ ARN, Name, Conf string }
	got := map[string]route{}
	for id, it := range items {
		if it.ResourceType == "AWS::ApiGatewayV2::Route" {
			got[id] = route{it.ARN, it.ResourceName, compactJSON(t, it.Configuration)}
		}
	}
	apiID, aid, oid := aws.ToString(api.ApiId), aws.ToString(authd.RouteId), aws.ToString(open.RouteId)
	arn := "arn:aws:apigateway:us-east-1::/apis/" + apiID + "/routes/"
	want := map[string]route{
		aid: {arn + aid, "GET /private", `{"ApiId":"` + apiID + `","ApiKeyRequired":false,"AuthorizationType":"AWS_IAM","RequestParameters":{},"RouteId":"` + aid + `","RouteKey":"GET /private"}`},
		oid: {arn + oid, "GET /public", `{"ApiId":"` + apiID + `","ApiKeyRequired":false,"AuthorizationType":"NONE","RequestParameters":{},"RouteId":"` + oid + `","RouteKey":"GET /public"}`},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("routes (-want +got):\n%s", d)
	}
	// Moto gives every DB instance the same DbiResourceId (the resource id), so the
	// instances are told apart by name and evaluated one by one.
	var dbs []*ci.Item
	dec := ci.NewDecoder(bytes.NewReader(raw))
	for {
		it, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		must(t, err)
		if it.ResourceType == "AWS::RDS::DBInstance" {
			dbs = append(dbs, it)
		}
	}
	for rule, want := range map[string]map[string]string{
		"RDS_MYSQL_INSTANCE_ENCRYPTED_IN_TRANSIT":    {"my1": "COMPLIANT", "my2": "NON_COMPLIANT", "pg1": "NOT_APPLICABLE", "ma1": "NOT_APPLICABLE"},
		"RDS_POSTGRES_INSTANCE_ENCRYPTED_IN_TRANSIT": {"my1": "NOT_APPLICABLE", "my2": "NOT_APPLICABLE", "pg1": "COMPLIANT", "ma1": "NOT_APPLICABLE"},
	} {
		r, err := rules.Get(rule)
		must(t, err)
		check, err := r.Bind(nil)
		must(t, err)
		got := map[string]string{}
		for _, it := range dbs {
			res, err := check.EvaluateItem(it, rules.Env{Account: dec.Account()})
			must(t, err)
			got[it.ResourceName] = string(res.ComplianceType)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", rule, d)
		}
	}
	if d := cmp.Diff(map[string]string{aid: "COMPLIANT", oid: "NON_COMPLIANT"}, evaluateRule(t, raw, "API_GWV2_AUTHORIZATION_TYPE_CONFIGURED", nil)); d != "" {
		t.Errorf("API_GWV2_AUTHORIZATION_TYPE_CONFIGURED (-want +got):\n%s", d)
	}
}
